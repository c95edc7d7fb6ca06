"""Creativity items (stories, slogans, poems in English and Chinese) and how their answers become one score.

No code can say whether a poem is good, so an item's own score is left to an LLM judge with a
rubric (:mod:`llmore.evaluation.judge`); :func:`creativity_score` combines the judge's grades with
distinct-n over all of a model's answers, which falls when a model repeats itself (a common
symptom of over-fitting on a narrow task).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from statistics import fmean

from llmore.evaluation.suite.items import Dimension, SuiteItem
from llmore.evaluation.suite.text import words

CRITERIA = ("originality", "fluency", "relevance")
# Weight of the judge's mean grade against distinct-n when both are there: the judge reads the writing,
# distinct-n only sees repetition.
JUDGE_WEIGHT = 0.5

_FORMS = {
    "en": (("Write a very short story (at most 120 words) about {}.",
            ("a lighthouse keeper who finds a letter in a bottle", "a robot learning to bake bread",
             "a child who can talk to clouds", "the last bus of the night", "a town where it never stops snowing")),
           ("Write three slogans for {}.",
            ("a bicycle repair shop", "a library that opens only at night", "a tea brand from the mountains",
             "a museum of lost socks", "a bakery run by retired sailors")),
           ("Write a four-line poem about {}.",
            ("the first day of spring", "an old wooden bridge", "waiting for a train", "the smell of rain",
             "a city at dawn"))),
    "zh": (("写一个关于{}的微型故事，不超过一百五十字。",
            ("守灯塔的老人收到一封漂流瓶里的信", "学做面包的机器人", "能和云朵说话的孩子", "深夜的最后一班公交车",
             "一座永远下雪的小镇")),
           ("为{}写三条广告语。",
            ("一家自行车修理铺", "一座只在夜里开放的图书馆", "一个山里的茶叶品牌", "一家由退休水手开的面包店",
             "一个旧物交换市集")),
           ("写一首关于{}的四行小诗。", ("春天的第一天", "一座老木桥", "等火车", "雨的味道", "黎明时的城市"))),
}


def build(rng: random.Random, item_id: str, index: int) -> SuiteItem:
    """Creativity item number ``index``: English and Chinese in turn, a story, slogan or poem on a drawn subject."""
    language = ("en", "zh")[index % 2]
    template, subjects = _FORMS[language][(index // 2) % len(_FORMS[language])]
    return SuiteItem(item_id, Dimension.CREATIVITY, template.format(rng.choice(subjects)), None,
                     {"type": "judge", "criteria": list(CRITERIA), "language": language})


def distinct_n(outputs: Sequence[str], n: int) -> float:
    """Distinct n-grams over all n-grams of all ``outputs`` (words; a Han character is a word); 0 with none."""
    grams = [tuple(tokens[i:i + n]) for tokens in map(words, outputs) for i in range(len(tokens) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def creativity_score(outputs: Sequence[str], judge_scores: Sequence[float | None]) -> float:
    """One 0..1 score for a model's creativity answers: mean distinct-1/2, averaged with the judge's grades if any.

    ``judge_scores[i]`` is the judge's overall grade (0..1) of ``outputs[i]``, None where it was not judged.
    """
    if len(judge_scores) != len(outputs):
        raise ValueError(f"{len(outputs)} outputs but {len(judge_scores)} judge scores: give one (or None) each")
    graded = [score for score in judge_scores if score is not None]
    if any(not 0 <= score <= 1 for score in graded):
        raise ValueError(f"judge scores are fractions from 0 to 1, got {graded}")
    diversity = (distinct_n(outputs, 1) + distinct_n(outputs, 2)) / 2
    if not graded:
        return diversity
    return (1 - JUDGE_WEIGHT) * diversity + JUDGE_WEIGHT * fmean(graded)
