"""The general suite's generated items: deterministic, stable ids, and every reference re-derived independently.

Reasoning references are solved again here by other means (Python evaluating the expression, brute
force over every Venn-diagram world, over every truth assignment, over every ordering); reading
answers are spans of their passages; Chinese items offer exactly one acceptable option; every
instruction set can be followed (an answer built to follow it scores 1).
"""

from __future__ import annotations

import ast
import itertools
import json
import operator
import re
from collections import Counter
from typing import Any

import pytest

from llmore.errors import AppError
from llmore.evaluation.suite import Dimension, SuiteItem, general_suite, score_details, score_item
from llmore.evaluation.suite import chinese as chinese_module
from llmore.evaluation.suite import instruction as instruction_module

ITEMS = 60  # per dimension: every kind of every dimension many times over
SEEDS = (0, 1, 2)


def suite_of(dimension: Dimension) -> list[SuiteItem]:
    return [item for seed in SEEDS for item in general_suite(per_dimension=ITEMS, seed=seed, dimensions=[dimension])]


# --- the suite as a whole ------------------------------------------------------------------------------------------

def test_same_seed_same_items_and_other_seed_other_items() -> None:
    first, again, other = general_suite(seed=5), general_suite(seed=5), general_suite(seed=6)
    assert first == again
    assert len(first) == 50
    assert [item.dimension for item in first[::10]] == list(Dimension)
    assert len({item.id for item in first}) == 50
    assert sum(a.prompt != b.prompt for a, b in zip(first, other, strict=True)) > 35


def test_ids_name_the_same_question_whatever_else_is_asked() -> None:
    """More items only append; a dimension's items do not depend on the other dimensions asked for."""
    small = general_suite(per_dimension=3, seed=2, dimensions=[Dimension.READING])
    large = general_suite(per_dimension=8, seed=2)
    by_id = {item.id: item for item in large}
    assert [item.id for item in small] == ["reading-2-0000", "reading-2-0001", "reading-2-0002"]
    assert all(by_id[item.id] == item for item in small)


def test_items_are_json_serialisable_and_choose_dimensions() -> None:
    items = general_suite(per_dimension=4, dimensions=[Dimension.CREATIVITY, Dimension.CHINESE, Dimension.CREATIVITY])
    assert [item.dimension for item in items] == [Dimension.CREATIVITY] * 4 + [Dimension.CHINESE] * 4
    for item in items:
        assert json.loads(json.dumps(item.check)) == item.check
    assert general_suite(per_dimension=0) == []


def test_dimensions_may_be_named_and_unknown_ones_are_refused() -> None:
    assert general_suite(per_dimension=2, dimensions=["reading"]) == general_suite(
        per_dimension=2, dimensions=[Dimension.READING])
    with pytest.raises(AppError, match="Unknown suite dimension 'maths'; the suite has reasoning, reading") as caught:
        general_suite(dimensions=["reading", "maths"])
    assert caught.value.details == [{"field": "dimensions[1]", "message": "unknown dimension"}]


def test_a_negative_item_count_is_refused_naming_the_field() -> None:
    with pytest.raises(AppError) as caught:
        general_suite(per_dimension=-1)
    assert caught.value.details[0]["field"] == "per_dimension"
    assert "-1" in caught.value.message


# --- reasoning: every reference solved again ----------------------------------------------------------------------

_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}


def evaluate(expression: str) -> int:
    """The value of an expression in ×/− notation, computed by Python's own parser and arithmetic."""
    def walk(node: ast.AST) -> int:
        if isinstance(node, ast.Constant):
            return node.value
        assert isinstance(node, ast.BinOp)
        return _OPERATORS[type(node.op)](walk(node.left), walk(node.right))

    return walk(ast.parse(expression.replace("×", "*").replace("−", "-"), mode="eval").body)


def holds(statement: str, world: frozenset[frozenset[str]]) -> bool:
    """Truth of a categorical statement in a world given by its non-empty Venn regions (sets of terms)."""
    quantifier, subject, negated, predicate = re.fullmatch(r"(All|No|Some) (\w+) are (not )?(\w+)\.?", statement,
                                                          re.IGNORECASE).groups()
    both = any(subject in region and predicate in region for region in world)
    only_subject = any(subject in region and predicate not in region for region in world)
    return {"all": not only_subject, "no": not both, "some": only_subject if negated else both}[quantifier.lower()]


def follows(premises: list[str], conclusion: str) -> bool:
    """Whether the conclusion is true in every world where the premises are: 2^8 worlds over three terms."""
    terms = sorted({word for statement in premises for word in re.findall(r"\b[a-z]+s\b", statement)})
    assert len(terms) == 3
    regions = [frozenset(t for t, inside in zip(terms, bits, strict=True) if inside)
               for bits in itertools.product((False, True), repeat=3)]
    for chosen in itertools.product((False, True), repeat=len(regions)):
        world = frozenset(region for region, present in zip(regions, chosen, strict=True) if present)
        if all(holds(p, world) for p in premises) and not holds(conclusion, world):
            return False
    return True


_MORE = {"taller": "tallest", "older": "oldest", "faster": "fastest", "heavier": "heaviest"}
_LESS = {"shorter": "shortest", "younger": "youngest", "slower": "slowest", "lighter": "lightest"}


def solve_ordering(prompt: str, names: list[str]) -> str:
    facts = re.findall(r"(\w+) is (\w+) than (\w+)\.", prompt)
    orders = [order for order in itertools.permutations(names)  # most of the quality first
              if all((order.index(a) < order.index(b)) == (word in _MORE) for a, word, b in facts)]
    assert len(orders) == 1, f"the facts of {prompt!r} allow {len(orders)} orders"
    ordinal, superlative = re.search(r"Who is the (second |third )?(\w+)\?", prompt).groups()
    rank = {None: 0, "second ": 1, "third ": 2}[ordinal]
    return orders[0][rank] if superlative in _MORE.values() else orders[0][-1 - rank]


def test_every_reasoning_reference_is_right() -> None:
    kinds: Counter[str] = Counter()
    for item in suite_of(Dimension.REASONING):
        prompt = item.prompt
        if prompt.startswith("Calculate "):
            kinds["expression"] += 1
            assert evaluate(re.match(r"Calculate (.*)\. Give", prompt).group(1)) == int(item.reference)
        elif "expression" in item.check:
            kinds["word problem"] += 1
            expression = item.check["expression"]
            assert Counter(re.findall(r"\d+", expression)) == Counter(re.findall(r"\d+", prompt))
            assert evaluate(expression) == int(item.reference) == item.check["answer"]
        elif prompt.startswith("Premises: "):
            kinds["syllogism"] += 1
            premises = re.findall(r"(?:All|No|Some) [\w ]+?\.", prompt.split("\n")[0])
            conclusion = re.search(r"follow that (.*)\? Assume", prompt).group(1)
            assert item.reference == ("yes" if follows(premises, conclusion) else "no"), prompt
        elif prompt.startswith("Suppose "):
            kinds["compound"] += 1
            values = {atom: value == "true" for atom, value in re.findall(r"([PQR]) is (true|false)", prompt)}
            statement = re.search(r'statement "(.*?)"', prompt).group(1)
            assert item.reference == str(eval(statement, {}, values)).lower()  # Python's own and/or/not decide
        else:
            kinds["ordering"] += 1
            assert item.reference == solve_ordering(prompt, item.check["options"])
    assert set(kinds) == {"expression", "word problem", "syllogism", "compound", "ordering"}
    # Both answers occur often enough that always saying "yes" (or "true") cannot pass the logic items.
    answers = Counter(item.reference for item in suite_of(Dimension.REASONING))
    assert answers["yes"] > 10
    assert answers["no"] > 10
    assert answers["true"] > 10
    assert answers["false"] > 10


def test_reasoning_items_score_their_own_reference() -> None:
    for item in suite_of(Dimension.REASONING)[:40]:
        assert score_item(item, f"Let me think. The answer is {item.reference}.") == 1.0
        wrong = {"yes": "no", "no": "yes", "true": "false", "false": "true"}.get(
            item.reference, str(int(item.reference) + 1) if item.reference.lstrip("-").isdigit()
            else next(o for o in item.check.get("options", []) if o != item.reference))
        assert score_item(item, f"The answer is {wrong}.") == 0.0


# --- reading ------------------------------------------------------------------------------------------------------

def test_reading_answers_are_spans_of_their_passage_and_not_of_the_question() -> None:
    languages = Counter()
    for item in suite_of(Dimension.READING):
        passage, question = re.search(r"(?:Passage: |短文：)(.*)\n\n(?:Question: |问题：)(.*)", item.prompt).groups()
        assert item.check["answers"] == [item.reference]
        assert item.reference in passage
        assert item.reference not in question
        languages["zh" if "短文" in item.prompt else "en"] += 1
    assert languages["zh"] > 0
    assert languages["en"] > languages["zh"]


# --- Chinese ------------------------------------------------------------------------------------------------------

def test_chinese_items_offer_exactly_one_acceptable_option() -> None:
    kinds: Counter[str] = Counter()
    for item in suite_of(Dimension.CHINESE):
        options = item.check["options"]
        answer = options[item.reference]
        assert len(set(options.values())) == len(options)
        assert item.reference in "ABCD"
        assert all(f"{letter}. {text}" in item.prompt for letter, text in options.items())
        question = item.prompt.split("\n")[2]
        if noun := re.search(r"“一＿(.+?)”", question):
            kinds["classifier"] += 1
            acceptable = chinese_module._CLASSIFIERS[noun.group(1)][1]
            assert [text for text in options.values() if text in acceptable] == [answer]
        elif blank := re.search(r"成语“(.+?)”", question):
            kinds["idiom"] += 1
            filled = [text for text in options.values() if blank.group(1).replace("＿", text) in chinese_module._IDIOMS]
            assert filled == [answer]
        elif word := re.search(r"“(.+?)”的(反义词|近义词)", question):
            kinds[word.group(2)] += 1
            table = chinese_module._ANTONYMS if word.group(2) == "反义词" else chinese_module._SYNONYMS
            assert answer == table[word.group(1)][0]
        elif "的”“地”还是“得”" in question:
            kinds["de"] += 1
            sentence = re.search(r"句子“(.+?)”", question).group(1)
            assert (sentence, answer) in chinese_module._DE_SENTENCES
        else:
            kinds["word order"] += 1
            assert answer.endswith(tuple(verb + "。" for *_, verb in chinese_module._WORD_ORDER))
            assert sum(text.endswith(tuple(v + "。" for *_, v in chinese_module._WORD_ORDER))
                       for text in options.values()) == 1
    assert set(kinds) == {"classifier", "idiom", "反义词", "近义词", "de", "word order"}
    assert len({item.reference for item in suite_of(Dimension.CHINESE)}) >= 3  # the right letter moves around


# --- instruction following ----------------------------------------------------------------------------------------

_FILLER = {"en": ["calm", "steady", "walks", "help", "each", "day"], "zh": list("每天散步让人心情平静")}


def follow(instructions: list[dict[str, Any]], prompt_language: str) -> str:
    """An answer written to follow every instruction of an item (the test's own, independent construction)."""
    kinds = {spec["kind"]: spec for spec in instructions}
    language = kinds["language"]["language"] if "language" in kinds else prompt_language
    count = kinds["min_words"]["n"] + 5 if "min_words" in kinds else 12
    content = list(kinds.get("include", {}).get("words", []))
    content += list(itertools.islice(itertools.cycle(_FILLER[language]), max(count - len(content), 0)))
    joiner = "" if language == "zh" else " "
    if "json" in kinds:
        text = json.dumps({key: joiner.join(content) for key in kinds["json"]["keys"]}, ensure_ascii=False)
    elif "bullets" in kinds:
        parts = [content[i::kinds["bullets"]["n"]] for i in range(kinds["bullets"]["n"])]
        text = "\n".join("- " + joiner.join(part) for part in parts)
    elif "paragraphs" in kinds:
        parts = [content[i::kinds["paragraphs"]["n"]] for i in range(kinds["paragraphs"]["n"])]
        text = "\n\n".join(joiner.join(part) for part in parts)
    else:
        text = joiner.join(content)
    if "end_with" in kinds:
        text += joiner + kinds["end_with"]["phrase"]
    if "lowercase" in kinds:
        text = text.lower()
    if "uppercase" in kinds:
        text = text.upper()
    return text


def test_every_instruction_set_can_be_followed_and_breaking_one_instruction_costs_its_share() -> None:
    seen: Counter[str] = Counter()
    for item in suite_of(Dimension.INSTRUCTION):
        instructions = item.check["instructions"]
        assert 1 <= len(instructions) <= 3
        assert item.reference is None
        seen.update(spec["kind"] for spec in instructions)
        answer = follow(instructions, item.check["language"])
        assert score_item(item, answer) == 1.0, (item.prompt, answer)
        assert score_details(item, answer)["strict"] == 1.0
        if "max_words" in {spec["kind"] for spec in instructions}:
            limit = next(spec["n"] for spec in instructions if spec["kind"] == "max_words")
            too_long = answer + " " + " ".join(["word"] * limit)
            assert score_item(item, too_long) < 1.0
            assert score_details(item, too_long)["max_words"] == 0.0
            assert score_details(item, too_long)["strict"] == 0.0
    assert set(seen) == {"max_words", "min_words", "bullets", "json", "paragraphs", "include", "forbid",
                         "lowercase", "uppercase", "language", "end_with"}


def test_instruction_prompts_say_what_is_checked() -> None:
    for item in general_suite(per_dimension=30, seed=4, dimensions=[Dimension.INSTRUCTION]):
        for spec in item.check["instructions"]:
            for value in [spec.get("n"), spec.get("phrase"), *spec.get("words", []), *spec.get("keys", [])]:
                assert value is None or str(value) in item.prompt
            if spec["kind"] == "language":
                names = {"en": {"zh": "Chinese", "en": "English"}, "zh": {"zh": "中文", "en": "英文"}}
                assert names[item.check["language"]][spec["language"]] in item.prompt
        assert item.prompt.startswith(instruction_module._TOPICS[item.check["language"]])


# --- creativity ---------------------------------------------------------------------------------------------------

def test_creativity_items_need_a_judge_in_both_languages() -> None:
    items = general_suite(per_dimension=6, dimensions=[Dimension.CREATIVITY])
    assert {item.check["language"] for item in items} == {"en", "zh"}
    assert all(score_item(item, "Once upon a time a lighthouse keeper...") is None for item in items)
    assert len({item.prompt for item in items}) == 6
