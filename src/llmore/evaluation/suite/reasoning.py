"""Reasoning items, generated and solved by the code here: multi-step arithmetic, logic, ordering.

Every item is made from random numbers, names and forms, so the suite is as large as asked and no
model has seen it; the reference is computed, never typed. Kinds, in turn:

* arithmetic: an expression of three or four integers with +, − and ×, or a short word problem;
* logic: a categorical syllogism (does the conclusion follow?) or a compound statement over P, Q, R;
* ordering: who is tallest / oldest / ... from pairwise comparisons that fix one order.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass

from llmore.evaluation.suite.items import Dimension, SuiteItem

_ANSWER_NUMBER = "Give the final answer as a single number."


# --- arithmetic ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Expr:
    """An arithmetic expression tree: a leaf integer, or an operator over two sub-expressions."""

    value: int
    text: str
    operator: str | None = None


_APPLY: dict[str, Callable[[int, int], int]] = {"+": lambda a, b: a + b, "−": lambda a, b: a - b,
                                                "×": lambda a, b: a * b}


def _combine(left: _Expr, operator: str, right: _Expr) -> _Expr:
    def wrapped(side: _Expr, is_right: bool) -> str:
        # Parenthesise a sum under ×, and any compound right operand of − (a − (b + c) is not a − b + c).
        needs = side.operator is not None and (
            (operator == "×" and side.operator != "×") or (operator == "−" and is_right))
        return f"({side.text})" if needs else side.text

    return _Expr(_APPLY[operator](left.value, right.value), f"{wrapped(left, False)} {operator} {wrapped(right, True)}",
                 operator)


def _expression(rng: random.Random) -> tuple[str, int]:
    operands = [_Expr(value, str(value)) for value in (rng.randint(2, 25) for _ in range(rng.choice((3, 4))))]
    while len(operands) > 1:
        at = rng.randrange(len(operands) - 1)
        operator = rng.choice(("+", "−", "×"))
        if operator == "×" and operands[at].value * operands[at + 1].value > 400:
            operator = "+"  # keep products small enough to do in one's head
        operands[at:at + 2] = [_combine(operands[at], operator, operands[at + 1])]
    return f"Calculate {operands[0].text}. {_ANSWER_NUMBER}", operands[0].value


_NAMES = ("Ana", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lena", "Milo", "Nia")


def _word_problem(rng: random.Random) -> tuple[str, int, str]:
    """A story problem, its answer, and the same computation as an expression (tests re-derive the answer from it)."""
    name = rng.choice(_NAMES)
    a, b, c, d = rng.randint(12, 60), rng.randint(2, 6), rng.randint(3, 12), rng.randint(2, 11)
    form = rng.randrange(3)
    if form == 0:
        return (f"{name} has {a} stamps, buys {b} packs of {c} stamps each and then gives {d} stamps to a friend. "
                f"How many stamps does {name} have now? {_ANSWER_NUMBER}", a + b * c - d, f"{a} + {b} × {c} − {d}")
    if form == 1:
        return (f"A bus leaves the depot with {a} passengers. At the first stop {d} people get off and {c} get on; "
                f"at the second stop {b} people get off. How many passengers are on the bus now? {_ANSWER_NUMBER}",
                a - d + c - b, f"{a} − {d} + {c} − {b}")
    return (f"A crate holds {b} trays with {c} eggs on each tray, and {name} adds {a} loose eggs to it. "
            f"{d} eggs break. How many whole eggs are in the crate? {_ANSWER_NUMBER}", b * c + a - d,
            f"{b} × {c} + {a} − {d}")


def _arithmetic(rng: random.Random, item_id: str) -> SuiteItem:
    if rng.random() < 0.5:
        prompt, answer = _expression(rng)
        check = {"type": "number", "answer": answer}
    else:
        prompt, answer, expression = _word_problem(rng)
        check = {"type": "number", "answer": answer, "expression": expression}
    return SuiteItem(item_id, Dimension.REASONING, prompt, str(answer), check)


# --- logic --------------------------------------------------------------------------------------------------------

# Nonsense plural nouns, so the model has to reason instead of recalling facts about real things.
_TERMS = ("blickets", "wugs", "daxes", "florbs", "zorps", "glims", "toves", "snarks", "quibs", "vems", "plonks",
          "grinnets")
_STATEMENT = {"A": "All {x} are {y}.", "E": "No {x} are {y}.", "I": "Some {x} are {y}.", "O": "Some {x} are not {y}."}
# Term order of (major premise, minor premise) in each figure; the conclusion is always S-P.
_FIGURES = {1: (("M", "P"), ("S", "M")), 2: (("P", "M"), ("S", "M")), 3: (("M", "P"), ("M", "S")),
            4: (("P", "M"), ("M", "S"))}
# The fifteen forms valid without existential import (modern logic): Barbara, Celarent, Darii, Ferio; Cesare,
# Camestres, Festino, Baroco; Disamis, Datisi, Bocardo, Ferison; Camenes, Dimaris, Fresison.
_VALID = {(1, "AAA"), (1, "EAE"), (1, "AII"), (1, "EIO"), (2, "EAE"), (2, "AEE"), (2, "EIO"), (2, "AOO"),
          (3, "IAI"), (3, "AII"), (3, "OAO"), (3, "EIO"), (4, "AEE"), (4, "IAI"), (4, "EIO")}
_INVALID = sorted({(figure, a + b + c) for figure in _FIGURES for a in "AEIO" for b in "AEIO" for c in "AEIO"} - _VALID)


def _syllogism(rng: random.Random, item_id: str) -> SuiteItem:
    figure, mood = rng.choice(sorted(_VALID)) if rng.random() < 0.5 else rng.choice(_INVALID)
    terms = dict(zip("SMP", rng.sample(_TERMS, 3), strict=True))
    (major_x, major_y), (minor_x, minor_y) = _FIGURES[figure]
    major = _STATEMENT[mood[0]].format(x=terms[major_x], y=terms[major_y])
    minor = _STATEMENT[mood[1]].format(x=terms[minor_x], y=terms[minor_y])
    conclusion = _STATEMENT[mood[2]].format(x=terms["S"], y=terms["P"]).rstrip(".")
    answer = "yes" if (figure, mood) in _VALID else "no"
    prompt = (f"Premises: {major} {minor}\nDoes it necessarily follow that {conclusion[0].lower()}{conclusion[1:]}? "
              "Assume nothing beyond the premises. Answer yes or no.")
    return SuiteItem(item_id, Dimension.REASONING, prompt, answer, {"type": "option", "answer": answer,
                                                                    "options": ["yes", "no"]})


def _literal(rng: random.Random, atom: str) -> tuple[str, Callable[[dict[str, bool]], bool]]:
    if rng.random() < 0.35:
        return f"not {atom}", lambda values: not values[atom]
    return atom, lambda values: values[atom]


def _connect(rng: random.Random, left: tuple[str, Callable[[dict[str, bool]], bool]],
             right: tuple[str, Callable[[dict[str, bool]], bool]]) -> tuple[str, Callable[[dict[str, bool]], bool]]:
    (left_text, left_value), (right_text, right_value) = left, right
    if rng.random() < 0.5:
        return f"{left_text} and {right_text}", lambda values: left_value(values) and right_value(values)
    return f"{left_text} or {right_text}", lambda values: left_value(values) or right_value(values)


def _formula(rng: random.Random) -> tuple[str, Callable[[dict[str, bool]], bool]]:
    """A formula over P, Q and R, each once: "(x ∘ y) ∘ z" or "x ∘ (y ∘ z)" with literals x, y, z."""
    first, second, third = (_literal(rng, atom) for atom in rng.sample("PQR", 3))
    if rng.random() < 0.5:
        inner_text, inner_value = _connect(rng, first, second)
        return _connect(rng, (f"({inner_text})", inner_value), third)
    inner_text, inner_value = _connect(rng, second, third)
    return _connect(rng, first, (f"({inner_text})", inner_value))


def _compound(rng: random.Random, item_id: str) -> SuiteItem:
    values = {atom: rng.random() < 0.5 for atom in "PQR"}
    text, evaluate = _formula(rng)
    answer = "true" if evaluate(values) else "false"
    facts = ", ".join(f"{atom} is {'true' if value else 'false'}" for atom, value in values.items())
    prompt = (f"Suppose {facts}. Is the statement \"{text}\" true or false? "
              "(\"and\", \"or\" and \"not\" are the usual logical connectives.) Answer true or false.")
    return SuiteItem(item_id, Dimension.REASONING, prompt, answer, {"type": "option", "answer": answer,
                                                                    "options": ["true", "false"]})


# --- ordering -----------------------------------------------------------------------------------------------------

# (more, less, adjective for the top, adjective for the bottom)
_SCALES = (("taller", "shorter", "tallest", "shortest"), ("older", "younger", "oldest", "youngest"),
           ("faster", "slower", "fastest", "slowest"), ("heavier", "lighter", "heaviest", "lightest"))
_ORDINALS = ("", "second ", "third ")


def _ordering(rng: random.Random, item_id: str) -> SuiteItem:
    more, less, top, bottom = rng.choice(_SCALES)
    people = rng.sample(_NAMES, rng.choice((4, 5)))  # people[0] has the most of the quality
    facts = []
    for upper, lower in itertools.pairwise(people):
        facts.append(f"{upper} is {more} than {lower}." if rng.random() < 0.5 else f"{lower} is {less} than {upper}.")
    rng.shuffle(facts)
    rank = rng.randrange(3)
    from_top = rng.random() < 0.5
    answer = people[rank] if from_top else people[-1 - rank]
    question = f"Who is the {_ORDINALS[rank]}{top if from_top else bottom}?"
    prompt = f"{' '.join(facts)} {question} Answer with the name only."
    return SuiteItem(item_id, Dimension.REASONING, prompt, answer, {"type": "option", "answer": answer,
                                                                    "options": sorted(people)})


_KINDS = (_arithmetic, _syllogism, _arithmetic, _compound, _ordering)


def build(rng: random.Random, item_id: str, index: int) -> SuiteItem:
    """Reasoning item number ``index``: kinds in turn, arithmetic twice as often (it needs the most steps)."""
    return _KINDS[index % len(_KINDS)](rng, item_id)
