"""Personal data in text: find it and mask it.

Kinds found (``PII_KINDS``) and the placeholder each one is masked with (``PLACEHOLDERS``):

=================  ===========  ==================================================================
``email``          ``[EMAIL]``  ``name@example.com``
``phone``          ``[PHONE]``  Chinese mobiles (``1[3-9]`` + 9 digits, optional ``+86``/``0086``,
                                spaces or dashes), Chinese landlines (``010-12345678``),
                                international numbers (``+44 20 7946 0958``) and North American
                                numbers (``(415) 555-2671``) that ``phonenumbers`` says are valid
``cn_id``          ``[ID]``     Chinese resident identity numbers: region, a real birth date and
                                the ISO 7064 MOD 11-2 check character must all agree
``credit_card``    ``[CARD]``   13–19 digit card numbers with a known issuer prefix that pass the
                                Luhn check (bank cards of UnionPay included)
``ip_address``     ``[IP]``     IPv4 and IPv6 addresses that :mod:`ipaddress` accepts
=================  ===========  ==================================================================

Every candidate is validated (checksums, dates, number plans), so random digit strings, order
numbers and version numbers are not reported. Detection is written to stay cheap on clean text:
e-mail addresses are only looked for when the text has an ``@``, and everything else starts from
one scan for runs of digits and separators; the specific patterns then run on those short runs.

``phonenumbers`` (Google's libphonenumber metadata) validates international numbers; the
Chinese mobile rule is a plain pattern because it is the documented numbering plan and must not
depend on how current a library's prefix list is.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date

import phonenumbers

PII_KINDS = ("email", "phone", "cn_id", "credit_card", "ip_address")
PLACEHOLDERS = {
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "cn_id": "[ID]",
    "credit_card": "[CARD]",
    "ip_address": "[IP]",
}
# When two candidates overlap, the more specific kind wins (an ID number also looks like digits
# of a card or a phone).
_PRIORITY = {"email": 0, "cn_id": 1, "credit_card": 2, "phone": 3, "ip_address": 4}


@dataclass(frozen=True, slots=True)
class PiiHit:
    """One piece of personal data found in a text: its kind and its ``text[start:end]`` span."""

    kind: str
    start: int
    end: int


_EMAIL = re.compile(r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}"
                    r"(?![\w-])")
# A run of digits with the separators that phone, card, ID and IPv4 notations use; the specific
# patterns below only ever run inside such a run (``[0-9]`` rather than ``\d``: it scans about
# twice as fast, and the numbers looked for are written in ASCII digits).
_RUN = re.compile(r"[0-9][0-9 .:()+-]{5,}[0-9Xx]")
# IPv6 addresses may start with letters, so they have their own cheap hint.
_IPV6_HINT = re.compile(r"[0-9A-Fa-f]:[0-9A-Fa-f:]")
_CN_ID = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
                    r"(?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![\d-])(?:\d{4}[ -]?\d{6}[ -]?\d{5}|\d{4}(?:[ -]?\d{4}){2}[ -]?\d{1,7})(?![\d-])")
_CN_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")
_CN_LANDLINE = re.compile(r"(?<![\d+])(?:\(0\d{2,3}\)|0\d{2,3})[ -]?\d{7,8}(?!\d)")
_INTERNATIONAL = re.compile(r"(?<![\d+])(?:\+|00)[1-9]\d{0,2}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{1,5}){1,5}"
                            r"(?!\d)")
_NANP = re.compile(r"(?<![\d+])(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\d)")
_IPV4 = re.compile(r"(?<![\d.])(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}"
                   r"(?![\d.])")
_IPV6 = re.compile(r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f:])")
_NOT_DIGIT = re.compile(r"\D")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Issuer prefixes of the major networks (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay,
# Maestro); with Luhn alone one random number in ten would pass.
_CARD_PREFIX = re.compile(r"4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|6(?:011|5|4[4-9]|2)|35(?:2[89]|[3-8])|"
                          r"3(?:0[0-5]|[68])|5[06-9]|6[37]")


def _is_cn_id(number: str) -> bool:
    """Whether an 18-character string is a well-formed Chinese resident ID (real date, right check char)."""
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born > date.today():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _is_card(candidate: str) -> bool:
    digits = _NOT_DIGIT.sub("", candidate)
    return 13 <= len(digits) <= 19 and _CARD_PREFIX.match(digits) is not None and _luhn_ok(digits)


def _valid_phone(candidate: str, region: str | None) -> bool:
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(candidate, region))
    except phonenumbers.NumberParseException:
        return False


def _is_ipv6(candidate: str) -> bool:
    # Two non-empty groups and a digit keep "std::vector" and "A::B" out; ipaddress checks the rest.
    if sum(1 for group in candidate.split(":") if group) < 2 or not any(c.isdigit() for c in candidate):
        return False
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    return True


# (kind, pattern, validator of the matched text) in priority order.
_DIGIT_RULES: tuple[tuple[str, re.Pattern[str], Callable[[str], bool]], ...] = (
    ("cn_id", _CN_ID, _is_cn_id),
    ("credit_card", _CARD, _is_card),
    ("phone", _CN_MOBILE, lambda _: True),
    ("phone", _CN_LANDLINE, lambda number: _valid_phone(number, "CN")),
    ("phone", _INTERNATIONAL, lambda number: _valid_phone(number, None)),
    ("phone", _NANP, lambda number: _valid_phone(number, "US")),
    ("ip_address", _IPV4, lambda _: True),
)


def _candidates(text: str) -> list[PiiHit]:
    hits: list[PiiHit] = []
    if "@" in text:
        hits += [PiiHit("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]
    if ":" in text and _IPV6_HINT.search(text):
        hits += [PiiHit("ip_address", m.start(), m.end()) for m in _IPV6.finditer(text) if _is_ipv6(m.group())]
    for run in _RUN.finditer(text):
        # Widen by one character: a leading "+" or "(" belongs to the number, and the patterns'
        # boundary look-arounds must see the run's neighbours.
        start, end = max(run.start() - 1, 0), min(run.end() + 1, len(text))
        for kind, pattern, valid in _DIGIT_RULES:
            hits += [PiiHit(kind, m.start(), m.end()) for m in pattern.finditer(text, start, end) if valid(m.group())]
    return hits


def find_pii(text: str) -> list[PiiHit]:
    """Every piece of personal data in ``text``, in order, without overlaps (the more specific kind wins)."""
    chosen: list[PiiHit] = []
    for hit in sorted(_candidates(text), key=lambda h: (_PRIORITY[h.kind], h.start, -h.end)):
        if all(hit.end <= other.start or hit.start >= other.end for other in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h.start)


def replace_hits(text: str, hits: list[PiiHit]) -> str:
    """``text`` with each of ``hits`` (non-overlapping, in order) replaced by its kind's placeholder."""
    parts: list[str] = []
    position = 0
    for hit in hits:
        parts += [text[position:hit.start], PLACEHOLDERS[hit.kind]]
        position = hit.end
    parts.append(text[position:])
    return "".join(parts)


def mask_pii(text: str, kinds: Collection[str] | None = None) -> str:
    """``text`` with personal data replaced by placeholders such as ``[EMAIL]``; ``kinds`` limits which kinds."""
    if kinds is not None and (unknown := set(kinds) - set(PII_KINDS)):
        raise ValueError(f"unknown PII kind(s) {sorted(unknown)}; choose from {list(PII_KINDS)}")
    hits = find_pii(text)
    return replace_hits(text, [hit for hit in hits if kinds is None or hit.kind in kinds])
