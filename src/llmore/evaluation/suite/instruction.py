"""Instruction-following items in the style of IFEval: a writing task with one to three verifiable instructions.

Each instruction is a kind with parameters (``{"kind": "max_words", "n": 50}``) that code can check
on the answer: word limits, bullet points, JSON with required keys, required and forbidden
keywords, all lower or upper case, the answer's language (by the share of Han characters), a
closing phrase, a number of paragraphs. Instructions that cannot hold together (JSON that ends
with a phrase, upper case in Chinese) are never combined.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import regex

from llmore.evaluation.suite.items import Dimension, SuiteItem
from llmore.evaluation.suite.text import contains, han_share, words

Params = dict[str, Any]
# An answer counts as Chinese when nearly all its words are Han characters, as English when nearly none are.
CHINESE_MIN_SHARE = 0.8
ENGLISH_MAX_SHARE = 0.05

_BULLET = regex.compile(r"^\s*[-*•]\s+\S", regex.MULTILINE)
_PARAGRAPH_BREAK = regex.compile(r"\n\s*\n")
_FENCE = regex.compile(r"^```(?:json)?\s*\n?(.*?)\n?```$", regex.DOTALL)
_CASED = regex.compile(r"\p{Lu}|\p{Ll}")


def _json_object(text: str) -> Any:
    body = text.strip()
    if fenced := _FENCE.match(body):  # models like to wrap JSON in a code fence; the JSON inside counts
        body = fenced.group(1)
    try:
        return json.loads(body)
    except ValueError:
        return None


def _ends_with(text: str, phrase: str) -> bool:
    return text.strip().rstrip("*_").rstrip().endswith(phrase)


def _has_case(text: str) -> bool:
    return _CASED.search(text) is not None


_CHECKS: dict[str, Callable[[str, Mapping[str, Any]], bool]] = {
    "max_words": lambda text, p: len(words(text)) <= p["n"],
    "min_words": lambda text, p: len(words(text)) >= p["n"],
    "bullets": lambda text, p: len(_BULLET.findall(text)) == p["n"],
    "json": lambda text, p: isinstance(obj := _json_object(text), dict) and all(key in obj for key in p["keys"]),
    "paragraphs": lambda text, p: len([b for b in _PARAGRAPH_BREAK.split(text.strip()) if b.strip()]) == p["n"],
    "include": lambda text, p: all(contains(text, word) for word in p["words"]),
    "forbid": lambda text, p: not any(contains(text, word) for word in p["words"]),
    "lowercase": lambda text, _: _has_case(text) and text == text.lower(),
    "uppercase": lambda text, _: _has_case(text) and text == text.upper(),
    "language": lambda text, p: (han_share(text) >= CHINESE_MIN_SHARE if p["language"] == "zh"
                                 else bool(words(text)) and han_share(text) <= ENGLISH_MAX_SHARE),
    "end_with": lambda text, p: _ends_with(text, p["phrase"]),
}


def satisfied(instruction: Mapping[str, Any], text: str) -> bool:
    """Whether ``text`` follows one instruction (``{"kind": ..., params}``)."""
    return _CHECKS[instruction["kind"]](text, instruction)


@dataclass(frozen=True)
class _Kind:
    """How to draw one kind of instruction and say it in English and Chinese."""

    name: str
    group: str  # at most one instruction of a group per prompt (one length limit, one format, ...)
    languages: str  # prompt languages it is used in
    draw: Callable[[random.Random, str], Params]
    en: str
    zh: str


_KEYWORDS = {"en": ("river", "lantern", "morning", "window", "silver", "garden", "journey", "promise", "bridge"),
             "zh": ("月亮", "河流", "灯笼", "早晨", "窗户", "花园", "旅行", "承诺", "桥")}
_FORBIDDEN = {"en": ("very", "really", "good", "thing", "important", "nice"),
              "zh": ("非常", "真的", "很好", "重要", "东西")}
_ENDINGS = {"en": ("Is there anything else I can help with?", "That is all for today.", "Thank you for reading."),
            "zh": ("以上就是我的回答。", "谢谢阅读。", "今天就说到这里。")}
_JSON_KEYS = ("title", "summary", "tags", "author", "rating", "steps")


def _quoted(items: list[str], language: str) -> str:
    return ("、".join(f"“{w}”" for w in items) if language == "zh" else " and ".join(f'"{w}"' for w in items))


_KINDS = (
    _Kind("max_words", "length", "en zh", lambda rng, _: {"n": rng.choice((30, 40, 50, 60, 80))},
          "Answer in at most {n} words.", "回答不超过{n}个字。"),
    _Kind("min_words", "length", "en zh", lambda rng, _: {"n": rng.choice((60, 80, 100, 120))},
          "Answer in at least {n} words.", "回答不少于{n}个字。"),
    _Kind("bullets", "format", "en zh", lambda rng, _: {"n": rng.randint(2, 5)},
          "Format the answer as exactly {n} bullet points, each on its own line starting with \"- \".",
          "用恰好{n}个要点作答，每个要点单独一行，以“- ”开头。"),
    _Kind("json", "format", "en zh", lambda rng, _: {"keys": sorted(rng.sample(_JSON_KEYS, 2))},
          "Answer only with a JSON object that has the keys {keys}.", "只用一个JSON对象作答，对象须包含键{keys}。"),
    _Kind("paragraphs", "format", "en zh", lambda rng, _: {"n": rng.randint(2, 4)},
          "Write exactly {n} paragraphs, separated by a blank line.", "恰好写{n}个段落，段落之间空一行。"),
    _Kind("include", "include", "en zh", lambda rng, lang: {"words": rng.sample(_KEYWORDS[lang], 2)},
          "Use the words {words} in your answer.", "回答中必须用到词语{words}。"),
    _Kind("forbid", "forbid", "en zh", lambda rng, lang: {"words": rng.sample(_FORBIDDEN[lang], 2)},
          "Do not use the words {words}.", "回答中不要出现{words}。"),
    _Kind("lowercase", "case", "en", lambda rng, _: {},
          "Write the whole answer in lowercase letters, with no capital letters at all.", ""),
    _Kind("uppercase", "case", "en", lambda rng, _: {},
          "Write the whole answer in capital letters only.", ""),
    _Kind("language", "language", "en zh", lambda rng, lang: {"language": "zh" if lang == "en" else "en"},
          "Answer in {language_name} only.", "请只用{language_name}回答。"),
    _Kind("end_with", "ending", "en zh", lambda rng, lang: {"phrase": rng.choice(_ENDINGS[lang])},
          "End your answer with the exact sentence \"{phrase}\"", "回答的最后一句必须是“{phrase}”"),
)
# Groups that contradict each other: JSON cannot end with a sentence or be upper case (its keys are lower case),
# and its English keys blur the language share; an answer in the other language cannot use this language's
# keywords, closing phrase or letter case.
_CONFLICTS = {frozenset(pair) for pair in (("format:json", "ending"), ("format:json", "case"), ("case", "ending"),
                                           ("format:json", "language"),
                                           ("language", "include"), ("language", "forbid"), ("language", "ending"),
                                           ("language", "case"))}
_LANGUAGE_NAMES = {"en": {"zh": "Chinese", "en": "English"}, "zh": {"zh": "中文", "en": "英文"}}

_TOPICS = {
    "en": ("Describe a walk through a city park.", "Explain why people should drink enough water.",
           "Give advice to someone who is starting to learn the guitar.", "Describe your ideal weekend.",
           "Explain how to plant a young tree.", "Write a note to your neighbours about a lost cat.",
           "Describe the benefits of reading before bed.", "Explain how a bicycle works."),
    "zh": ("介绍一下你最喜欢的季节。", "说说怎样养成早起的习惯。", "描述一次难忘的旅行。", "解释为什么要节约用水。",
           "给刚上大学的新生一些建议。", "介绍一种你喜欢的家乡食物。"),
}


def _tags(kind: _Kind) -> set[str]:
    return {kind.group, f"{kind.group}:{kind.name}"}


def _compatible(kind: _Kind, chosen: list[_Kind]) -> bool:
    for other in chosen:
        if kind.group == other.group:
            return False
        if any(frozenset((a, b)) in _CONFLICTS for a in _tags(kind) for b in _tags(other)):
            return False
    return True


def _describe(kind: _Kind, params: Params, language: str) -> str:
    values = dict(params)
    if "words" in params:
        values["words"] = _quoted(params["words"], language)
    if "keys" in params:
        values["keys"] = _quoted(params["keys"], language)
    if "language" in params:
        values["language_name"] = _LANGUAGE_NAMES[language][params["language"]]
    return (kind.zh if language == "zh" else kind.en).format(**values)


def build(rng: random.Random, item_id: str, index: int) -> SuiteItem:
    """Instruction item number ``index``: English and Chinese prompts in turn, each with one to three instructions."""
    language = ("en", "zh")[index % 2]
    chosen: list[_Kind] = []
    for _ in range(rng.randint(1, 3)):
        candidates = [k for k in _KINDS if language in k.languages.split() and _compatible(k, chosen)]
        chosen.append(rng.choice(candidates))
    instructions = [{"kind": kind.name, **kind.draw(rng, language)} for kind in chosen]
    sentences = [_describe(kind, params, language) for kind, params in zip(chosen, instructions, strict=True)]
    separator = "" if language == "zh" else " "  # Chinese sentences follow each other without spaces
    prompt = separator.join([rng.choice(_TOPICS[language]), *sentences])
    return SuiteItem(item_id, Dimension.INSTRUCTION, prompt, None,
                     {"type": "instructions", "instructions": instructions, "language": language})
