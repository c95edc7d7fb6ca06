"""Scoring suite answers: the answer extractor on chatty outputs, each check on right and wrong answers, the sums."""

from __future__ import annotations

import json
from typing import Any

import pytest

from llmore.evaluation.suite import (
    Dimension,
    SuiteItem,
    creativity_score,
    dimension_scores,
    distinct_n,
    score_details,
    score_item,
)
from llmore.evaluation.suite.extract import extract_choice, extract_number, extract_option

OPTIONS = {"A": "头", "B": "匹", "C": "张", "D": "本"}


@pytest.mark.parametrize(("output", "expected"), [
    ("42", 42), ("The answer is 42.", 42), ("**Answer:** -7", -7), ("答案：1,234", 1234),
    ("First 17 + 5 = 22, then 22 × 3 = 66. So the result is 66.", 66),
    ("17 + 5 = 22 and 22 × 3 = 66", 66),  # no marker: the last number
    ("The answer is 66. I hope these 2 steps helped!", 66),  # a strong marker beats a later number
    ("The answer is: 14 + 18 × 22 + 8 = 418", 418), ("Answer:\n42 stamps", 42),
    ("So, 17 + 5 = 22, then 22 × 3 = 66.", 66), ("So he has 25 + 4 stamps, 29 in all.", 29),
    ("We subtract 5-3 to get 2", 2), ("It is 3.5 metres.", 3.5), ("−12", -12),
    ("I cannot tell.", None),
])
def test_number_extraction(output: str, expected: float | None) -> None:
    assert extract_number(output) == expected


@pytest.mark.parametrize(("output", "expected"), [
    ("B", "B"), ("B. 匹", "B"), ("(C)", "C"), ("**D**", "D"), ("答案：B", "B"), ("答案是 C。", "C"),
    ("The correct answer is D because a book is counted with 本.", "D"),
    ("我选B，因为马用匹。", "B"), ("Option C is right.", "C"),
    ("A good classifier here would be C.", "C"),  # "A" the article is no answer
    ("匹", "B"),  # the option's own text
    ("A or B, hard to say.", None), ("I don't know.", None),
    ("A. 头\nB. 匹\nC. 张\nD. 本\n\nA. 头", None),  # options repeated (as SmolLM2 does): no choice made
    ("A. 头\nB. 匹\nC. 张\nD. 本\n答案：B", "B"),
])
def test_choice_extraction(output: str, expected: str | None) -> None:
    assert extract_choice(output, OPTIONS) == expected


@pytest.mark.parametrize(("output", "options", "expected"), [
    ("Yes, the conclusion follows.", ["yes", "no"], "yes"),
    ("**No.** Some wugs may not be daxes.", ["yes", "no"], "no"),
    ("Since all wugs are daxes, the answer is no.", ["yes", "no"], "no"),
    ("The statement is false.", ["true", "false"], "false"),
    ("Ben is shorter than Ana, so the tallest is Ana.", ["Ana", "Ben", "Cara"], "Ana"),
    ("Cara", ["Ana", "Ben", "Cara"], "Cara"),
    ("Ana is taller than Ben and Ben taller than Cara.", ["Ana", "Ben", "Cara"], None),  # no commitment
    ("It depends.", ["yes", "no"], None),
])
def test_option_extraction(output: str, options: list[str], expected: str | None) -> None:
    assert extract_option(output, options) == expected


def item(check: dict[str, Any], dimension: Dimension | None = Dimension.REASONING, reference: str | None = None
         ) -> SuiteItem:
    return SuiteItem("t-1", dimension, "prompt", reference, check)


def test_number_option_and_choice_checks() -> None:
    number = item({"type": "number", "answer": 66})
    assert score_item(number, "So it is 66.") == 1.0
    assert score_item(number, "So it is 65.") == 0.0
    assert score_item(number, "no idea") == 0.0
    option = item({"type": "option", "answer": "no", "options": ["yes", "no"]})
    assert score_item(option, "No.") == 1.0
    assert score_item(option, "Yes.") == 0.0
    choice = item({"type": "choice", "answer": "B", "options": OPTIONS}, Dimension.CHINESE)
    assert score_item(choice, "答案：B") == 1.0
    assert score_item(choice, "答案：A") == 0.0


def test_span_check_containment_token_f1_and_copying() -> None:
    span = item({"type": "span", "answers": ["Stastilal Institute"]}, Dimension.READING)
    assert score_item(span, "She works at the Stastilal Institute.") == 1.0
    assert score_item(span, "stastilal institute") == 1.0
    # One of the two answer tokens in a two-token answer ("the" is dropped): precision 1/2, recall 1/2 → F1 0.5.
    assert score_item(span, "the Stastilal lab") == pytest.approx(0.5)
    # ... in a four-token answer: precision 1/4, recall 1/2 → F1 1/3.
    assert score_item(span, "Stastilal lab of science") == pytest.approx(1 / 3)
    assert score_item(span, "At the university.") == 0.0
    copied = "Dr Fakea studies chemistry at the Stastilal Institute in Boutreakre. " * 4
    assert score_item(span, copied) < 0.2
    chinese = item({"type": "span", "answers": ["青鹭坊"]}, Dimension.READING)
    assert score_item(chinese, "答案是青鹭坊。") == 1.0
    assert score_item(chinese, "青云坊") == pytest.approx(2 / 3)  # two of three characters


# (instruction, an answer that follows it, an answer that does not)
INSTRUCTIONS = [
    ({"kind": "max_words", "n": 5}, "Walk every day, friend.", "Walk every day, my dear friend."),
    ({"kind": "max_words", "n": 5}, "每天都散步", "每天都去散步"),  # a Han character is a word
    ({"kind": "min_words", "n": 4}, "one two three four", "one two three"),
    ({"kind": "bullets", "n": 2}, "Tips:\n- drink water\n* sleep well", "- drink water\n- sleep well\n- walk"),
    ({"kind": "json", "keys": ["title", "tags"]}, '```json\n{"title": "Tea", "tags": ["warm"]}\n```',
     '{"title": "Tea"}'),
    ({"kind": "json", "keys": ["title"]}, '{"title": "Tea"}', 'Here it is: {"title": "Tea"}'),
    ({"kind": "paragraphs", "n": 2}, "First part.\n\nSecond part.\n", "First part.\nSecond line.\n\n\nThird.\n\nFour."),
    ({"kind": "include", "words": ["river", "lantern"]}, "A Lantern by the river.", "A lantern by the sea."),
    ({"kind": "include", "words": ["月亮"]}, "今晚的月亮很圆。", "今晚的月光很亮。"),
    ({"kind": "forbid", "words": ["very", "good"]}, "It is everything I hoped.", "It is Very nice."),
    ({"kind": "lowercase"}, "all small letters, 42 times.", "all small letters but One."),
    ({"kind": "uppercase"}, "ALL CAPITALS, 42 TIMES.", "ALL CAPITALS BUT one."),
    ({"kind": "language", "language": "zh"}, "我喜欢在公园里散步，尤其是秋天的早晨。", "I like walking in the park."),
    ({"kind": "language", "language": "zh"}, "我用Python写代码，每天都写很多行。", "I use 很多 Python code every day."),
    ({"kind": "language", "language": "en"}, "I like walking in the park.", "I like walking in the 公园里."),
    ({"kind": "end_with", "phrase": "That is all."}, "Tea is warm. **That is all.**\n", "That is all. Tea is warm."),
]


@pytest.mark.parametrize(("spec", "right", "wrong"), INSTRUCTIONS)
def test_each_instruction_on_a_right_and_a_wrong_answer(spec: dict[str, Any], right: str, wrong: str) -> None:
    check = item({"type": "instructions", "instructions": [spec], "language": "en"}, Dimension.INSTRUCTION)
    assert score_item(check, right) == 1.0
    assert score_item(check, wrong) == 0.0


def test_instruction_score_is_the_share_followed_and_strict_is_all_or_nothing() -> None:
    specs = [{"kind": "max_words", "n": 10}, {"kind": "lowercase"}, {"kind": "end_with", "phrase": "bye."}]
    check = item({"type": "instructions", "instructions": specs, "language": "en"}, Dimension.INSTRUCTION)
    assert score_item(check, "short and small, bye.") == 1.0
    assert score_details(check, "short and small, bye.") == {"max_words": 1.0, "lowercase": 1.0, "end_with": 1.0,
                                                             "strict": 1.0}
    assert score_item(check, "Short and small, bye.") == pytest.approx(2 / 3)
    assert score_details(check, "Short and small, bye.") == {"max_words": 1.0, "lowercase": 0.0, "end_with": 1.0,
                                                             "strict": 0.0}
    assert score_item(check, "Short and small " * 5) == 0.0
    assert score_details(item({"type": "number", "answer": 1}), "1") == {}


def test_dimension_scores_are_means_on_a_hundred_point_scale() -> None:
    reasoning, reading = item({}, Dimension.REASONING), item({}, Dimension.READING)
    benchmark = item({}, None)
    scores = dimension_scores([(reasoning, 1.0), (reasoning, 0.0), (reasoning, 0.5), (reading, 0.25),
                               (benchmark, 0.0)])
    assert scores == {"reasoning": pytest.approx(50.0), "reading": pytest.approx(25.0)}
    assert dimension_scores([]) == {}
    with pytest.raises(ValueError, match="fractions from 0 to 1"):
        dimension_scores([(reasoning, 7.0)])


def test_distinct_n_counts_unique_ngrams_over_all_outputs() -> None:
    # "a b a b" + "a b c": unigrams a b a b a b c → 3 distinct of 7; bigrams ab ba ab ab bc → 3 of 5.
    outputs = ["a b a b", "a b c"]
    assert distinct_n(outputs, 1) == pytest.approx(3 / 7)
    assert distinct_n(outputs, 2) == pytest.approx(3 / 5)
    assert distinct_n(["春风春雨"], 1) == pytest.approx(3 / 4)  # Han characters are the units
    assert distinct_n([], 1) == 0.0


def test_creativity_score_combines_distinct_n_and_the_judge() -> None:
    outputs = ["a b a b", "a b c"]
    diversity = (3 / 7 + 3 / 5) / 2
    assert creativity_score(outputs, [None, None]) == pytest.approx(diversity)
    assert creativity_score(outputs, [1.0, None]) == pytest.approx((diversity + 1.0) / 2)
    assert creativity_score(outputs, [0.2, 0.6]) == pytest.approx((diversity + 0.4) / 2)
    repetitive = ["the sea the sea the sea the sea"] * 3
    varied = ["waves fold silver light", "gulls argue over the harbour", "salt wind keeps old secrets"]
    assert creativity_score(repetitive, [None] * 3) < 0.2 < 0.9 < creativity_score(varied, [None] * 3)
    with pytest.raises(ValueError, match="2 outputs but 1 judge scores"):
        creativity_score(outputs, [0.5])
    with pytest.raises(ValueError, match="fractions from 0 to 1"):
        creativity_score(outputs, [4.0, None])


def test_scores_of_generated_items_survive_a_json_round_trip() -> None:
    """Records store the check as JSON: a check read back scores the same."""
    from llmore.evaluation.suite import general_suite

    for original in general_suite(per_dimension=5, seed=9):
        restored = SuiteItem(original.id, original.dimension, original.prompt, original.reference,
                             json.loads(json.dumps(original.check)))
        answer = f"The answer is {original.reference}." if original.reference else "A short answer."
        assert score_item(restored, answer) == score_item(original, answer)
