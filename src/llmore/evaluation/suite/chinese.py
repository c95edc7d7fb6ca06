"""Chinese usage items written for this project: 量词, 成语, 反义词, 近义词, 的/地/得 and 语序, as multiple choice.

Lists are short and hand-checked; variety comes from drawing distractors and shuffling options.
Where a distractor could also be right (一条鱼 and 一尾鱼), the acceptable answers are listed so
that no other acceptable one is ever offered as a wrong option.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from llmore.evaluation.suite.choice import choice_item
from llmore.evaluation.suite.items import Dimension, SuiteItem

# noun: (the usual classifier, every classifier that is also acceptable)
_CLASSIFIERS: dict[str, tuple[str, str]] = {
    "牛": ("头", "头条只"), "马": ("匹", "匹头"), "纸": ("张", "张页片沓"), "书": ("本", "本部套册"),
    "鱼": ("条", "条尾"), "椅子": ("把", "把张"), "山": ("座", "座"), "汽车": ("辆", "辆部台"),
    "铅笔": ("支", "支枝根杆"), "衣服": ("件", "件套身"), "信": ("封", "封"), "树": ("棵", "棵株"),
    "花": ("朵", "朵枝束株支"), "鞋": ("双", "双只"), "诗": ("首", "首句行篇"), "灯": ("盏", "盏个只台排"),
    "飞机": ("架", "架台部"), "船": ("艘", "艘条只"), "房子": ("间", "间栋座幢所套"), "帽子": ("顶", "顶"),
    "桥": ("座", "座道条"), "猫": ("只", "只"), "镜子": ("面", "面块"), "电影": ("部", "部场"),
}
_CLASSIFIER_POOL = sorted({usual for usual, _ in _CLASSIFIERS.values()})

_IDIOMS = ("画蛇添足", "守株待兔", "亡羊补牢", "对牛弹琴", "井底之蛙", "掩耳盗铃", "刻舟求剑", "自相矛盾", "杯弓蛇影",
           "叶公好龙", "胸有成竹", "一箭双雕", "半途而废", "卧薪尝胆", "破釜沉舟", "画龙点睛", "拔苗助长", "狐假虎威",
           "望梅止渴", "指鹿为马", "滥竽充数", "惊弓之鸟", "鹤立鸡群", "愚公移山")

# word: (its antonym, three words that are not antonyms — near-synonyms, so meaning must be known)
_ANTONYMS = {
    "美丽": ("丑陋", ("漂亮", "秀丽", "可爱")), "勇敢": ("胆怯", ("英勇", "坚强", "果断")),
    "光明": ("黑暗", ("明亮", "灿烂", "辉煌")), "简单": ("复杂", ("容易", "简便", "单纯")),
    "安全": ("危险", ("平安", "稳定", "牢固")), "节约": ("浪费", ("节省", "俭朴", "储蓄")),
    "开始": ("结束", ("起初", "出发", "开端")), "成功": ("失败", ("胜利", "顺利", "成就")),
    "增加": ("减少", ("增长", "扩大", "提高")), "热情": ("冷淡", ("热心", "友好", "亲切")),
    "谦虚": ("骄傲", ("谦逊", "虚心", "礼貌")), "宽阔": ("狭窄", ("广阔", "辽阔", "宽敞")),
}
# word: (its synonym, three words that are not synonyms — mostly antonyms or look-alikes)
_SYNONYMS = {
    "美丽": ("漂亮", ("丑陋", "寒冷", "迟缓")), "高兴": ("愉快", ("伤心", "愤怒", "疲倦")),
    "立刻": ("马上", ("缓慢", "偶尔", "从前")), "居然": ("竟然", ("当然", "果然", "依然")),
    "宽阔": ("广阔", ("狭窄", "拥挤", "陡峭")), "寂静": ("安静", ("喧闹", "嘈杂", "热烈")),
    "勤劳": ("勤奋", ("懒惰", "散漫", "马虎")), "仔细": ("细心", ("马虎", "粗心", "草率")),
    "温暖": ("暖和", ("寒冷", "凉爽", "炎热")), "希望": ("盼望", ("失望", "绝望", "后悔")),
    "特别": ("格外", ("普通", "一般", "平常")), "坚固": ("牢固", ("脆弱", "松散", "破旧")),
}
# Sentences with a blank for 的 (before a noun), 地 (before a verb) or 得 (after a verb, before its complement).
_DE_SENTENCES = (
    ("这是一座美丽＿花园。", "的"), ("桌上放着一个红色＿苹果。", "的"), ("他是一个聪明＿孩子。", "的"),
    ("我们走在安静＿小路上。", "的"), ("远处是一段古老＿城墙。", "的"),
    ("听到这个消息，他高兴＿跳了起来。", "地"), ("同学们正在认真＿学习。", "地"), ("一只小猫慢慢＿走了过来。", "地"),
    ("妈妈轻轻＿关上了门。", "地"), ("老师让我们大声＿朗读课文。", "地"),
    ("他跑＿很快。", "得"), ("她的字写＿很工整。", "得"), ("这首歌她唱＿非常好听。", "得"),
    ("爷爷笑＿合不拢嘴。", "得"), ("衣服被她洗＿干干净净。", "得"),
)
# (subject, time, place, verb phrase): subject-time-place-verb (or time first) is right; a verb phrase that is
# not last is wrong.
_WORD_ORDER = (
    ("我", "昨天", "在图书馆", "借了两本书"), ("妹妹", "每天早上", "在公园里", "跑步"),
    ("爸爸", "上个周末", "在厨房里", "做了一桌好菜"), ("同学们", "下午", "在操场上", "踢足球"),
    ("奶奶", "每天傍晚", "在院子里", "浇花"), ("他们", "明天上午", "在会议室", "讨论新计划"),
)

_LETTERS = "ABCD"


def _shuffled_item(rng: random.Random, item_id: str, question: str, answer: str, wrong: Sequence[str]) -> SuiteItem:
    options = [answer, *wrong]
    rng.shuffle(options)
    lettered = dict(zip(_LETTERS, options, strict=False))
    return choice_item(item_id, Dimension.CHINESE, question, lettered, _LETTERS[options.index(answer)])


def _classifier(rng: random.Random, item_id: str) -> SuiteItem:
    noun = rng.choice(sorted(_CLASSIFIERS))
    usual, acceptable = _CLASSIFIERS[noun]
    wrong = rng.sample([word for word in _CLASSIFIER_POOL if word not in acceptable], 3)
    return _shuffled_item(rng, item_id, f"“一＿{noun}”的横线处应填入哪个量词？", usual, wrong)


def _idiom(rng: random.Random, item_id: str) -> SuiteItem:
    idiom = rng.choice(_IDIOMS)
    at = rng.randrange(4)
    pool = sorted({char for other in _IDIOMS if other != idiom for char in other} - set(idiom))
    blanked = idiom[:at] + "＿" + idiom[at + 1:]
    return _shuffled_item(rng, item_id, f"补全成语“{blanked}”，横线处应填哪个字？", idiom[at], rng.sample(pool, 3))


def _antonym(rng: random.Random, item_id: str) -> SuiteItem:
    word = rng.choice(sorted(_ANTONYMS))
    answer, wrong = _ANTONYMS[word]
    return _shuffled_item(rng, item_id, f"下列词语中，哪一个是“{word}”的反义词？", answer, wrong)


def _synonym(rng: random.Random, item_id: str) -> SuiteItem:
    word = rng.choice(sorted(_SYNONYMS))
    answer, wrong = _SYNONYMS[word]
    return _shuffled_item(rng, item_id, f"下列词语中，哪一个是“{word}”的近义词？", answer, wrong)


def _de(rng: random.Random, item_id: str) -> SuiteItem:
    sentence, answer = rng.choice(_DE_SENTENCES)
    return choice_item(item_id, Dimension.CHINESE, f"句子“{sentence}”的横线处应填“的”“地”还是“得”？",
                       {"A": "的", "B": "地", "C": "得"}, "ABC"["的地得".index(answer)])


def _word_order(rng: random.Random, item_id: str) -> SuiteItem:
    subject, time, place, verb = rng.choice(_WORD_ORDER)
    right = [subject, time, place, verb] if rng.random() < 0.5 else [time, subject, place, verb]
    orders = [[subject, verb, time, place], [subject, time, verb, place], [verb, subject, time, place],
              [subject, place, verb, time], [time, verb, subject, place], [subject, verb, place, time]]
    wrong = ["".join(order) + "。" for order in rng.sample(orders, 3)]
    return _shuffled_item(rng, item_id, "下列句子中，语序正确的一项是：", "".join(right) + "。", wrong)


_KINDS: tuple[Callable[[random.Random, str], SuiteItem], ...] = (
    _classifier, _idiom, _antonym, _synonym, _de, _word_order)


def build(rng: random.Random, item_id: str, index: int) -> SuiteItem:
    """Chinese item number ``index``: the six kinds in turn."""
    return _KINDS[index % len(_KINDS)](rng, item_id)
