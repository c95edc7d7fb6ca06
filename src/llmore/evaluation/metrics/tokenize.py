"""Tokenisation shared by every token-based metric, so BLEU, ROUGE, METEOR and TER see the same tokens.

Latin-script text is split by sacrebleu's ``13a`` tokenizer (the WMT standard: words and punctuation).
Runs of Chinese characters are segmented as the user chooses: ``jieba`` words (the usual choice for
ROUGE on Chinese) or single characters (``char``, what sacrebleu's ``zh`` tokenizer does for BLEU).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import cache
from typing import Any

import regex


class ChineseTokenization(StrEnum):
    """How runs of Chinese characters become tokens."""

    JIEBA = "jieba"
    CHAR = "char"


# Han ideographs plus CJK punctuation and full-width forms: each run is segmented apart from Latin text.
_CJK_RUN = regex.compile(r"([\p{Han}\u3000-\u303f\uff00-\uffef]+)")


@cache
def _latin_tokenizer() -> Callable[[str], str]:
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

    return Tokenizer13a()


@cache
def _jieba() -> Any:  # jieba ships no type information
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)  # jieba prints its dictionary loading to stderr otherwise
    jieba.initialize()
    return jieba


def tokenize(text: str, chinese: ChineseTokenization = ChineseTokenization.JIEBA) -> list[str]:
    """The tokens of ``text``: 13a tokens for Latin script, jieba words or characters for Chinese runs."""
    tokens: list[str] = []
    for index, part in enumerate(_CJK_RUN.split(text)):
        if not part:
            continue
        if index % 2 == 0:  # split() with one group alternates non-CJK, CJK, non-CJK, ...
            tokens.extend(_latin_tokenizer()(part).split())
        elif chinese is ChineseTokenization.CHAR:
            tokens.extend(char for char in part if not char.isspace())
        else:
            tokens.extend(word for word in _jieba().lcut(part) if not word.isspace())
    return tokens


def tokenize_all(texts: list[str], chinese: ChineseTokenization = ChineseTokenization.JIEBA) -> list[list[str]]:
    """Tokens of every text, each distinct text tokenised once (references often repeat)."""
    memo: dict[str, list[str]] = {}
    return [memo[text] if text in memo else memo.setdefault(text, tokenize(text, chinese)) for text in texts]
