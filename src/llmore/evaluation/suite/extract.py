"""Finding the answer in what a chatty model wrote: "The answer is 42.", "答案：B", "**Yes**, it follows".

Models rarely answer with the bare value, so each extractor looks, in order, at the text after an
explicit answer marker ("the answer is", "answer:", "答案是", the last one first), at how the answer
starts, and at the whole text; where the text names several candidates and nothing says which is
meant, it answers None (a model that does not commit gets no credit by luck).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import regex

from llmore.evaluation.suite.text import contains, normal_tokens

# Phrases after which the answer follows; "so" / "therefore" are weaker and only tried when no strong one helps.
_STRONG_MARKER = regex.compile(
    r"(?i)\b(?:final\s+answer|correct\s+answer|answer|result)\s*(?:is|would\s+be|should\s+be|[:=：])"
    r"|(?:正确)?答案\s*(?:应该|应)?\s*(?:是|为|選|选)?\s*[:：]?")
_WEAK_MARKER = regex.compile(r"(?i)\b(?:therefore|thus|hence|so)\b|所以|因此|故")
# A number, not the tail of a word or a range: thousands separators allowed, "5-3" is not "-3".
_NUMBER = regex.compile(r"(?<![\w.])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|(?<![\w.])-?\d+(?:\.\d+)?")
_MINUS = str.maketrans({"−": "-", "－": "-", "，": ","})
_LETTER_AT_START = regex.compile(r"^[\s*_\"'(\[【「]*([A-Z])(?![A-Za-z])(?!\s+[a-z])")
_LETTER_SPELLED = regex.compile(
    r"(?i)(?:选项|选择|选|option|choice)\s*[(\[【]?\s*([A-Z])(?![A-Za-z])|[(\[【]([A-Z])[)\]】]")
_LETTER = regex.compile(r"(?<![A-Za-z])([A-Z])(?![A-Za-z'])")
_OPTION_LINE = regex.compile(r"^\s*([A-Z])\s*[.．、:：)]", regex.MULTILINE)
# An answer given as the opening word: "Yes, because ...", "**Ana**." (not "Ben is shorter than Ana").
_OPENING_WORD = regex.compile(r"^[\s*_\"'(\[]*([^\W_]+)[*_\"')\]]*(?:[.,!:;，。！：；\n]|\s*$)")


def _after_markers(text: str, marker: regex.Pattern[str]) -> Iterator[str]:
    """The text after each marker, the last marker first (models restate their answer at the end)."""
    for match in reversed(list(marker.finditer(text))):
        yield text[match.end():]


def answer_part(text: str) -> str:
    """The text after the last answer marker ("The answer is", "答案："), or all of it when there is none."""
    return next(_after_markers(text, _STRONG_MARKER), text)


def _numbers(text: str) -> list[float]:
    return [float(found.replace(",", "")) for found in _NUMBER.findall(text.translate(_MINUS))]


def _number_after(segment: str, *, strong: bool) -> float | None:
    """The number a marker introduces: on the line it starts, the result of the last "=" if there is one, else
    the first number after a strong marker ("The answer is 66 stamps") and the last after a weak one ("So 17 + 5
    makes 22")."""
    line = segment.strip().split("\n", 1)[0]
    if "=" in line:
        found = _numbers(line.rsplit("=", 1)[1])
        return found[0] if found else None
    found = _numbers(line)
    return (found[0] if strong else found[-1]) if found else None


def extract_number(text: str) -> float | None:
    """The number an answer gives: the one after the last answer marker, else the last number in the text."""
    for marker, strong in ((_STRONG_MARKER, True), (_WEAK_MARKER, False)):
        for segment in _after_markers(text, marker):
            if (found := _number_after(segment, strong=strong)) is not None:
                return found
    found = _numbers(text)
    return found[-1] if found else None


def _first_option(text: str, options: Sequence[str]) -> str | None:
    """The option mentioned earliest in ``text`` (as whole words), if any."""
    tokens = normal_tokens(text)
    best: tuple[int, str] | None = None
    for option in options:
        needle = normal_tokens(option)
        width = len(needle)
        start = next((i for i in range(len(tokens) - width + 1) if width and tokens[i:i + width] == needle), None)
        if start is not None and (best is None or start < best[0]):
            best = (start, option)
    return best[1] if best else None


def extract_option(text: str, options: Sequence[str]) -> str | None:
    """Which of ``options`` (words such as yes/no or names) the answer settles on, or None if it does not."""
    for segment in _after_markers(text, _STRONG_MARKER):
        if (found := _first_option(segment, options)) is not None:
            return found
    if (opening := _OPENING_WORD.match(text)) and (found := _first_option(opening.group(1), options)) is not None:
        return found
    mentioned = [option for option in options if contains(text, option)]
    if len(mentioned) == 1:
        return mentioned[0]
    for segment in _after_markers(text, _WEAK_MARKER):
        if (found := _first_option(segment, options)) is not None:
            return found
    return None


def extract_choice(text: str, options: Mapping[str, str]) -> str | None:
    """The letter of a multiple-choice answer ("B", "(B)", "答案：B", "option B", or the option's own text)."""
    letters = set(options)

    def letter_in(found: Sequence[str | None]) -> str | None:
        return next((letter for letter in found if letter in letters), None)

    for segment in _after_markers(text, _STRONG_MARKER):
        if (letter := letter_in(_LETTER.findall(segment[:40]))) is not None:
            return letter
    if len(set(_OPTION_LINE.findall(text)) & letters) > 1:
        return None  # the model repeated the options: their letters and texts say nothing about its choice
    if (start := _LETTER_AT_START.match(text)) and start.group(1) in letters:
        return start.group(1)
    spelled = [a or b for a, b in _LETTER_SPELLED.findall(text)]
    if (letter := letter_in(spelled[::-1])) is not None:
        return letter
    by_text = [letter for letter, option in options.items() if option.strip() and contains(text, option)]
    if len(by_text) == 1:
        return by_text[0]
    # "A" is also the English article: an "A" before a lower-case word (other than "or", "and") is not a letter.
    unarticled = regex.sub(r"\bA (?!(?:or|and)\b)(?=[a-z])", " ", text)
    standalone = {letter for letter in _LETTER.findall(unarticled) if letter in letters}
    return standalone.pop() if len(standalone) == 1 else None
