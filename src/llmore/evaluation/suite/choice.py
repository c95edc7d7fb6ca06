"""Lettered multiple-choice items, shared by the Chinese dimension and benchmark files (C-Eval, CMMLU, MMLU)."""

from __future__ import annotations

from collections.abc import Mapping

from llmore.evaluation.suite.items import Dimension, SuiteItem
from llmore.evaluation.suite.text import han_share

_HEADER = {
    "zh": "以下是一道单项选择题，请选出正确答案，只回答选项字母。",
    "en": "The following is a multiple-choice question. Answer with the letter of the correct option only.",
}
_ANSWER_CUE = {"zh": "答案：", "en": "Answer:"}


def choice_item(item_id: str, dimension: Dimension | None, question: str, options: Mapping[str, str],
                answer: str) -> SuiteItem:
    """A multiple-choice item: the question, options "A. …" one a line, and the correct letter as reference."""
    language = "zh" if han_share(question) >= 0.5 else "en"
    lines = [_HEADER[language], "", question.strip(), *(f"{letter}. {text}" for letter, text in options.items()),
             _ANSWER_CUE[language]]
    return SuiteItem(item_id, dimension, "\n".join(lines), answer,
                     {"type": "choice", "answer": answer, "options": dict(options)})
