"""Text measures the suite's checks share: words (a Han character counts as one), normal form, script share."""

from __future__ import annotations

from collections import Counter

import regex

# A Han character is a word of its own (Chinese is not written with spaces); any other run of letters and
# digits is one word, so "e-mail" is two and "3.14" is two, as a reader would roughly count them.
_WORD = regex.compile(r"\p{Han}|[^\W_\p{Han}]+")
_HAN = regex.compile(r"\p{Han}")
_OTHER_WORD = regex.compile(r"[^\W\d_\p{Han}]+")
_ARTICLES = frozenset({"a", "an", "the"})


def words(text: str) -> list[str]:
    """The words of ``text``: Han characters one by one, and runs of other letters and digits."""
    return _WORD.findall(text)


def normal_tokens(text: str) -> list[str]:
    """Lower-cased words without English articles: what answers are compared on (as SQuAD does)."""
    return [word for word in words(text.casefold()) if word not in _ARTICLES]


def han_share(text: str) -> float:
    """The share of Han characters among the words of ``text`` (a Han character weighs as much as a Latin word)."""
    han = len(_HAN.findall(text))
    total = han + len(_OTHER_WORD.findall(text))
    return han / total if total else 0.0


def token_f1(prediction: str, reference: str) -> float:
    """Token-overlap F1 of two texts on their normal tokens (SQuAD's answer F1)."""
    predicted, expected = normal_tokens(prediction), normal_tokens(reference)
    common = sum((Counter(predicted) & Counter(expected)).values())
    if not common:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def contains(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole normal tokens (case, punctuation and articles ignored)."""
    haystack, needle = normal_tokens(text), normal_tokens(phrase)
    if not needle:
        return False
    width = len(needle)
    return any(haystack[start:start + width] == needle for start in range(len(haystack) - width + 1))
