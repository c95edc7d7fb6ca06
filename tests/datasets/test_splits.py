"""Seeded, stratified train/dev/test splits."""

from __future__ import annotations

from collections import Counter

import pytest
from pydantic import ValidationError

from llmore.datasets.canonical import SPLIT, DataSchema
from llmore.datasets.splits import split_rows, split_sizes, tag_rows

RATIOS = {"train": 0.8, "dev": 0.1, "test": 0.1}


def _classification(count: int, labels: str = "abc") -> list[dict]:
    return [{"_id": f"r{i}", "text": f"text number {i}", "label": labels[i % len(labels)]} for i in range(count)]


def test_same_seed_same_split_and_another_seed_another() -> None:
    rows = _classification(90)
    first = split_rows(rows, ratios=RATIOS, seed=7, schema=DataSchema.CLASSIFICATION)
    assert split_rows(rows, ratios=RATIOS, seed=7, schema=DataSchema.CLASSIFICATION) == first
    assert split_rows(list(reversed(rows)), ratios=RATIOS, seed=7, schema=DataSchema.CLASSIFICATION) == first
    assert split_rows(rows, ratios=RATIOS, seed=8, schema=DataSchema.CLASSIFICATION) != first


@pytest.mark.parametrize(("count", "ratios"), [
    (100, RATIOS), (37, RATIOS), (11, {"train": 0.7, "dev": 0.0, "test": 0.3}), (250, {"train": 0.6, "dev": 0.2,
                                                                                        "test": 0.2}),
])
def test_sizes_follow_the_ratios_within_one_row(count: int, ratios: dict[str, float]) -> None:
    assignment = split_rows([(f"r{i}", "xy"[i % 2]) for i in range(count)], ratios=ratios, seed=3)
    sizes = split_sizes(assignment)
    assert sum(sizes.values()) == count
    for name, ratio in ratios.items():
        assert abs(sizes[name] - count * ratio) <= 1, (name, sizes)
    assert sizes["dev"] == 0 or ratios["dev"] > 0


def test_every_label_appears_in_every_split_and_keeps_its_share() -> None:
    # 3 labels of very different sizes: 60, 24 and 6 rows
    pairs = [(f"{label}{i}", label) for label, count in (("a", 60), ("b", 24), ("c", 6)) for i in range(count)]
    assignment = split_rows(pairs, ratios=RATIOS, seed=1)
    per_label = Counter((label, assignment[row_id]) for row_id, label in pairs)
    for label, total in (("a", 60), ("b", 24), ("c", 6)):
        for split, ratio in RATIOS.items():
            assert per_label[(label, split)] >= 1, (label, split, per_label)
            assert abs(per_label[(label, split)] - total * ratio) <= 1.5, (label, split, per_label)


def test_a_label_with_three_rows_is_spread_over_the_three_splits() -> None:
    pairs = [(f"big{i}", "big") for i in range(40)] + [("s1", "rare"), ("s2", "rare"), ("s3", "rare")]
    assignment = split_rows(pairs, ratios=RATIOS, seed=5)
    assert sorted(assignment[row_id] for row_id in ("s1", "s2", "s3")) == ["dev", "test", "train"]


def test_without_stratification_labels_are_ignored() -> None:
    pairs = [(f"r{i}", "only") for i in range(20)]
    assert split_sizes(split_rows(pairs, ratios=RATIOS, seed=2, stratify=False)) == {"train": 16, "dev": 2, "test": 2}


def test_identical_prompts_stay_in_one_split() -> None:
    rows = []
    for question in range(30):
        for variant in range(3):  # three answers to the same question
            rows.append({"_id": f"q{question}-{variant}", "prompt": f"Question {question}?", "answer": f"A{variant}"})
    assignment = split_rows(rows, ratios=RATIOS, seed=4, schema=DataSchema.PROMPT_ANSWER, group_by_prompt=True)
    for question in range(30):
        assert len({assignment[f"q{question}-{variant}"] for variant in range(3)}) == 1
    sizes = split_sizes(assignment)
    assert sizes["train"] == 72
    assert sizes["dev"] == 9
    assert sizes["test"] == 9


def test_chat_rows_group_by_their_user_turns() -> None:
    rows = [{"_id": f"c{i}", "messages": [{"role": "user", "content": f"hello {i % 5}"},
                                          {"role": "assistant", "content": f"reply {i}"}]} for i in range(50)]
    assignment = split_rows(rows, ratios=RATIOS, seed=9, schema=DataSchema.CHAT, group_by_prompt=True)
    by_prompt: dict[int, set[str]] = {}
    for i in range(50):
        by_prompt.setdefault(i % 5, set()).add(assignment[f"c{i}"])
    assert all(len(splits) == 1 for splits in by_prompt.values())


def test_tag_rows_sets_the_split_field() -> None:
    rows = _classification(10)
    assignment = split_rows(rows, ratios=RATIOS, seed=0, schema=DataSchema.CLASSIFICATION)
    tagged = list(tag_rows(rows, assignment))
    assert [row[SPLIT] for row in tagged] == [assignment[row["_id"]] for row in rows]


@pytest.mark.parametrize(("ratios", "message"), [
    ({"train": 0.8, "dev": 0.1}, "must add up to 1"),
    ({"train": 0.8, "dev": 0.1, "valid": 0.1}, "unknown split valid"),
    ({"train": 1.2, "test": -0.2}, "between 0 and 1"),
    ({"train": 0.0, "test": 1.0}, "train must be greater than 0"),
])
def test_bad_ratios_are_refused_naming_the_field(ratios: dict[str, float], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        split_rows([("a", None)], ratios=ratios, seed=0)
    error = caught.value.errors()[0]
    assert error["loc"] == ("ratios",)
    assert message in error["msg"]


def test_repeated_ids_and_grouping_without_schema_are_refused() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        split_rows([("a", "x"), ("a", "y")], ratios=RATIOS, seed=0)
    with pytest.raises(ValueError, match="schema"):
        split_rows([{"_id": "a", "prompt": "p", "answer": "a"}], ratios=RATIOS, seed=0, group_by_prompt=True)
