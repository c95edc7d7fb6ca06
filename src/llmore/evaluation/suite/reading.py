"""Reading comprehension items: short passages about invented companies, islands and people, with extractive questions.

Names are made from random syllables (English) or random characters (Chinese), so nothing can be
answered from memory; every answer is a span of its passage, scored by containment or token F1.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from llmore.evaluation.suite.items import Dimension, SuiteItem

_ONSETS = ("b", "br", "d", "dr", "f", "g", "k", "kr", "l", "m", "n", "p", "qu", "r", "s", "st", "t", "tr", "v", "z")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "ou")
_CODAS = ("", "", "n", "r", "l", "s", "th", "nd", "x")
_JOBS = ("ferry pilot", "watchmaker", "school teacher", "beekeeper", "radio engineer", "baker", "glassblower")
_PRODUCTS = ("bicycle lamps", "kitchen scales", "garden tools", "sailing ropes", "wool blankets", "paper kites")
_CROPS = ("barley", "potatoes", "lavender", "apples", "rye", "cabbages")
_MONTHS = ("March", "May", "June", "August", "September", "November")
_FIELDS = ("marine biology", "geology", "astronomy", "botany", "chemistry")
_FINDS = ("a blue lichen", "a new kind of crab", "a salt cave", "a comet", "a copper-eating bacterium")

_EN_INSTRUCTION = "Read the passage and answer the question with a short phrase taken from the passage."


def _name(rng: random.Random, syllables: int = 2) -> str:
    word = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables)) + rng.choice(_CODAS)
    return word.capitalize()


def _distinct_names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = _name(rng, rng.choice((2, 3)))
        if name not in names:
            names.append(name)
    return names


Passage = tuple[str, list[tuple[str, str]]]  # the passage, and (question, answer span) pairs


def _company(rng: random.Random) -> Passage:
    company, town, founder_first, founder_last, model = _distinct_names(rng, 5)
    founder = f"{founder_first} {founder_last}"
    founded, first_sold = rng.randint(1890, 1960), rng.randint(1965, 2015)
    staff, job, product = rng.randint(40, 900), rng.choice(_JOBS), rng.choice(_PRODUCTS)
    region = rng.choice(("the north", "the coastal provinces", "the capital", "the mountain villages"))
    passage = (f"{company} Works makes {product} in the town of {town}. The firm was founded in {founded} by "
               f"{founder}, a former {job}. Today it employs {staff} people and sells most of its {product} in "
               f"{region}. Its best-known product, the {model}, went on sale in {first_sold}.")
    return passage, [
        (f"In which town does {company} Works make its products?", town),
        (f"Who founded {company} Works?", founder),
        (f"In which year was {company} Works founded?", str(founded)),
        (f"What was the founder's job before starting {company} Works?", job),
        (f"What is the name of the best-known product of {company} Works?", model),
        (f"How many people does {company} Works employ?", str(staff)),
    ]


def _island(rng: random.Random) -> Passage:
    island, port, village, festival, ferry = _distinct_names(rng, 5)
    distance, people = rng.randint(8, 90), rng.randint(150, 4000)
    crop, month = rng.choice(_CROPS), rng.choice(_MONTHS)
    passage = (f"The island of {island} lies {distance} kilometres off the port of {port}. About {people} people "
               f"live there, most of them in the harbour village of {village}. The main crop of the island is "
               f"{crop}, and every {month} the islanders hold a festival called {festival}. A ferry named the "
               f"{ferry} sails to {port} twice a day.")
    return passage, [
        (f"In which village do most people on {island} live?", village),
        (f"What is the main crop of {island}?", crop),
        (f"In which month is the festival of {island} held?", month),
        (f"What is the festival on {island} called?", festival),
        (f"What is the name of the ferry to {island}?", ferry),
        (f"How many kilometres is {island} from {port}?", str(distance)),
    ]


def _scientist(rng: random.Random) -> Passage:
    first, last, institute, city, colleague = _distinct_names(rng, 5)
    field, find = rng.choice(_FIELDS), rng.choice(_FINDS)
    year = rng.randint(1975, 2020)
    passage = (f"Dr {first} {last} studies {field} at the {institute} Institute in {city}. In {year}, while "
               f"working with her colleague {colleague}, she found {find} near the old harbour of {city}. The "
               f"discovery was named after {colleague}, who had first noticed it.")
    return passage, [
        (f"What does Dr {last} study?", field),
        (f"At which institute does Dr {last} work?", f"{institute} Institute"),
        (f"In which year did Dr {last} make her discovery?", str(year)),
        (f"What did Dr {last} find near the old harbour?", find),
        ("After whom was the discovery named?", colleague),
    ]


_ZH_SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"
_ZH_GIVEN = "明华婷静磊晨宇欣然子涵一诺思远嘉怡"
_ZH_PLACE = "青岚石溪云川松柳桥枫林白鹭雁湖"
_ZH_GOODS = ("竹编灯笼", "手工纸伞", "陶瓷茶杯", "蓝印花布", "木制玩具")
_ZH_FESTIVAL_MONTHS = ("三月", "五月", "八月", "十月")


def _zh_name(rng: random.Random) -> str:
    return rng.choice(_ZH_SURNAMES) + "".join(rng.sample(_ZH_GIVEN, 2))


def _zh_town(rng: random.Random) -> Passage:
    town = "".join(rng.sample(_ZH_PLACE, 2)) + "镇"
    workshop = "".join(rng.sample(_ZH_PLACE, 2)) + "坊"
    founder, heir = _zh_name(rng), _zh_name(rng)
    while heir[0] == founder[0]:  # different surnames keep the two people apart
        heir = _zh_name(rng)
    goods, month = rng.choice(_ZH_GOODS), rng.choice(_ZH_FESTIVAL_MONTHS)
    year, workers = rng.randint(1900, 1990), rng.randint(12, 300)
    passage = (f"{town}以出产{goods}闻名。镇上最老的作坊叫{workshop}，由{founder}在{year}年创办，"
               f"如今由{heir}经营，有{workers}名工人。每年{month}，镇上都会举办集市，各地的商人都来采购。")
    return passage, [
        (f"{town}以出产什么闻名？", goods),
        (f"{town}最老的作坊叫什么名字？", workshop),
        (f"{workshop}是谁创办的？", founder),
        (f"如今谁经营{workshop}？", heir),
        (f"{workshop}是哪一年创办的？", f"{year}年"),
        (f"{town}每年什么时候举办集市？", month),
    ]


_PASSAGES: tuple[tuple[Callable[[random.Random], Passage], str], ...] = (
    (_company, "en"), (_island, "en"), (_scientist, "en"), (_zh_town, "zh"))


def build(rng: random.Random, item_id: str, index: int) -> SuiteItem:
    """Reading item number ``index``: the passage kinds in turn, one question drawn from the passage."""
    make, language = _PASSAGES[index % len(_PASSAGES)]
    passage, questions = make(rng)
    question, answer = rng.choice(questions)
    if language == "zh":
        prompt = f"阅读下面的短文，用短文中的原话简短回答问题。\n\n短文：{passage}\n\n问题：{question}"
    else:
        prompt = f"{_EN_INSTRUCTION}\n\nPassage: {passage}\n\nQuestion: {question}"
    return SuiteItem(item_id, Dimension.READING, prompt, answer, {"type": "span", "answers": [answer]})
