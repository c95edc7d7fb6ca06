"""Scoring a model's answer to a suite item (0..1), and a model's answers to the suite per dimension (0..100)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from statistics import fmean

from llmore.evaluation.suite import instruction
from llmore.evaluation.suite.extract import answer_part, extract_choice, extract_number, extract_option
from llmore.evaluation.suite.items import SuiteItem
from llmore.evaluation.suite.text import contains, normal_tokens, token_f1

# A span answer counts as contained only in an answer this many words longer than the span at most, so a model
# that copies the whole passage does not get full marks.
SPAN_SLACK_WORDS = 30


def _span_score(answers: list[str], output: str) -> float:
    given = answer_part(output)
    length = len(normal_tokens(given))
    best = 0.0
    for answer in answers:
        if contains(given, answer) and length <= len(normal_tokens(answer)) + SPAN_SLACK_WORDS:
            return 1.0
        best = max(best, token_f1(given, answer))
    return best


def _instruction_results(item: SuiteItem, output: str) -> list[bool]:
    return [instruction.satisfied(spec, output) for spec in item.check["instructions"]]


def score_item(item: SuiteItem, output: str) -> float | None:
    """How well ``output`` answers ``item``, 0..1; None for open writing that only a judge can grade (creativity)."""
    check = item.check
    match check["type"]:
        case "number":
            found = extract_number(output)
            return float(found is not None and abs(found - float(check["answer"])) < 1e-6)
        case "option":
            found_option = extract_option(output, check["options"])
            return float(found_option is not None and found_option.casefold() == str(check["answer"]).casefold())
        case "choice":
            return float(extract_choice(output, check["options"]) == check["answer"])
        case "span":
            return _span_score(check["answers"], output)
        case "instructions":
            results = _instruction_results(item, output)
            return sum(results) / len(results)
        case "judge":
            return None
    raise ValueError(f"suite item {item.id} has an unknown check type {check['type']!r}")


def score_details(item: SuiteItem, output: str) -> dict[str, float]:
    """Sub-scores worth keeping beside :func:`score_item`'s: for instruction items each instruction (1 followed,
    0 not, by kind) and ``strict`` (1 only when all are followed); empty for other items."""
    if item.check["type"] != "instructions":
        return {}
    results = _instruction_results(item, output)
    details = {spec["kind"]: float(ok) for spec, ok in zip(item.check["instructions"], results, strict=True)}
    details["strict"] = float(all(results))
    return details


def dimension_scores(scored: Iterable[tuple[SuiteItem, float]]) -> dict[str, float]:
    """The mean score of each dimension's items on a 0..100 scale; items without a dimension are left out.

    For creativity, pass each creativity item with :func:`creativity_score` of the model's answers.
    """
    by_dimension: defaultdict[str, list[float]] = defaultdict(list)
    for item, value in scored:
        if not 0 <= value <= 1:
            raise ValueError(f"suite item {item.id}: scores are fractions from 0 to 1, got {value}")
        if item.dimension is not None:
            by_dimension[item.dimension.value].append(value)
    return {dimension: 100 * fmean(values) for dimension, values in by_dimension.items()}
