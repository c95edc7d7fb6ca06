"""Cleaning rules: each a pydantic model the API receives as JSON, and ``clean``/``preview`` that apply them.

A rule set is a list such as ``[{"rule": "strip_html"}, {"rule": "length", "min_chars": 10, "side":
"answer"}, {"rule": "dedup_near", "threshold": 0.85}]`` (``parse_rules`` validates it; the console
builds its forms from ``RULE_CATALOG``). Rules apply in the order given. After each rule, a row with
no text left (every text field blank) is dropped and counted for that rule. Ids (``_id``) and other
bookkeeping keys are never changed; labels are never touched.

**Sides.** Filters look at one side of a row: ``prompt`` (system and user turns, a preference
prompt, a prompt, the text of text and classification rows), ``answer`` (assistant turns, the chosen
answer, the answer, the label of classification rows) or ``any`` (all text fields together).
Text rules (HTML, Unicode, whitespace, PII) change every text field.

**Streaming and memory.** Row rules stream: one row at a time. A dedup rule needs every row that
reaches it before it can emit the first one, so it makes two passes: it spools the rows to a
temporary file (in memory up to 64 MB, on disk beyond), reads it once to build ``dedup``'s index
(per row: the id and a 64-bit hash for exact duplicates, a 512-byte MinHash signature for near
ones) and once more to emit the rows it keeps. Put filters before dedup rules so fewer rows reach
them.

**User rules** (``python``) are checked before they run, run with a short list of builtins, and are
tried on a sample of the rows before a job starts (see ``PythonRule``).
"""

from __future__ import annotations

import ast
import copy
import html
import json
import math
import re
import sys
import tempfile
import time
import types
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import chain, islice
from typing import Annotated, Any, Literal

import ftfy
import regex
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, computed_field, field_validator, model_validator
from selectolax.lexbor import LexborHTMLParser

from llmore.datasets.canonical import ROW_ID, DataSchema, Row, map_texts, prompt_and_answer, text_fields
from llmore.datasets.language import UNDETERMINED, detect_language
from llmore.datasets.pii import PII_KINDS, mask_pii

Side = Literal["prompt", "answer", "any"]
Progress = Callable[[int], None]

EXAMPLES_PER_RULE = 5
EXAMPLE_CHARS = 1000
PREFLIGHT_ROWS = 20
REGEX_TIMEOUT_S = 1.0
PROGRESS_EVERY = 1000
_SPOOL_BYTES = 64 * 1024 * 1024

SideParam = Annotated[Side, Field(description="Which text to look at: prompt, answer or any (all text of the row).")]


class RuleError(ValueError):
    """A rule failed on a row (a user rule raised, a pattern took too long); says which rule, row and line."""

    def __init__(self, message: str, *, index: int, rule: str, row_id: str | None = None, line: int | None = None):
        where = f"rule {index + 1} ({rule})" + (f", row {row_id!r}" if row_id is not None else "")
        super().__init__(f"{where}: {message}")
        self.index, self.rule, self.row_id, self.line = index, rule, row_id, line


@dataclass(frozen=True)
class Dropped:
    """A row rule's answer when the row goes; ``reason`` is shown in examples."""

    reason: str


@dataclass(frozen=True)
class Failed:
    """A user rule's answer when it raised and ``on_error`` says go on: keep ``row`` as it was, or drop it (None)."""

    row: Row | None
    reason: str
    line: int | None = None


# --------------------------------------------------------------------------- rule bases


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: str


class _RowRule(_Rule):
    def apply(self, row: Row, schema: DataSchema) -> Row | Dropped | Failed:
        """The row changed, the same row, ``Dropped``, or ``Failed`` (user rules only)."""
        raise NotImplementedError


class _TextRule(_RowRule):
    def apply(self, row: Row, schema: DataSchema) -> Row | Dropped:
        return map_texts(row, schema, self.transform)

    def transform(self, text: str) -> str:
        """The cleaned text."""
        raise NotImplementedError


class _DedupRule(_Rule):
    side: SideParam = "any"

    def duplicates(self, items: Iterable[tuple[str, str]], count: int) -> dict[str, str]:
        """Each row id to drop → the id of the row it duplicates (which is kept); ``items`` are ``count`` (id, text)."""
        raise NotImplementedError


# --------------------------------------------------------------------------- text rules


class StripHtml(_TextRule):
    """Remove HTML tags, scripts and styles; keep the text, with entities decoded and blocks on their own lines."""

    rule: Literal["strip_html"] = "strip_html"
    keep_newlines: bool = Field(
        False, description="Read the text as Markdown with a few tags: keep its line breaks and its code "
                           "(fenced or in backticks) as they are, instead of reading it as a web page, where "
                           "line breaks in the source are spaces.",
    )

    def transform(self, text: str) -> str:
        if _HTML_TAG.search(text):
            return html_to_text(text, keep_newlines=self.keep_newlines)
        return html.unescape(text) if _HTML_ENTITY.search(text) else text


class NormalizeUnicode(_TextRule):
    """Repair mojibake and normalise Unicode (NFKC), optionally turning full-width characters half-width."""

    rule: Literal["normalize_unicode"] = "normalize_unicode"
    form: Literal["NFKC", "NFC"] = Field(
        "NFKC", description="NFKC also folds compatibility characters (ligatures, circled digits); NFC only composes.",
    )
    fix_mojibake: bool = Field(True, description="Repair text decoded with the wrong encoding (ftfy), e.g. 'CafÃ©'.")
    full_width_to_half_width: bool = Field(
        False, description="Turn full-width letters, digits and punctuation (Ａ１，！) into ASCII; off keeps "
                           "Chinese punctuation as it is.",
    )

    def transform(self, text: str) -> str:
        if self.fix_mojibake:
            text = ftfy.fix_text(text, _FTFY)
        return normalize_unicode(text, form=self.form, half_width=self.full_width_to_half_width)


class NormalizeWhitespace(_TextRule):
    """Tidy whitespace: one kind of line break, no trailing spaces, no runs of blank lines, no zero-width spaces."""

    rule: Literal["normalize_whitespace"] = "normalize_whitespace"
    collapse_spaces: bool = Field(
        True, description="Turn runs of spaces inside a line into one (indentation at line starts is kept).",
    )
    max_blank_lines: int = Field(1, ge=0, le=10, description="Most blank lines kept in a row.")

    def transform(self, text: str) -> str:
        text = _ZERO_WIDTH.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
        text = _ODD_SPACE.sub(" ", text)
        lines = [line.rstrip() for line in text.split("\n")]
        if self.collapse_spaces:
            lines = [_INNER_SPACES.sub(" ", line) for line in lines]
        text = "\n".join(lines)
        limit = self.max_blank_lines + 1  # blank lines + 1 line breaks
        text = re.sub("\n{" + str(limit + 1) + ",}", "\n" * limit, text)
        return text.strip()


class MaskPii(_TextRule):
    """Replace personal data (e-mail, phone, ID and card numbers, IP addresses) with placeholders like [EMAIL]."""

    rule: Literal["mask_pii"] = "mask_pii"
    kinds: list[Literal[PII_KINDS]] | None = Field(  # type: ignore[valid-type]
        None, description="Kinds to mask; empty or absent means all kinds.",
    )

    def transform(self, text: str) -> str:
        return mask_pii(text, self.kinds or None)


# --------------------------------------------------------------------------- filters


class Length(_RowRule):
    """Keep rows whose text length (in characters) is within bounds."""

    rule: Literal["length"] = "length"
    min_chars: int = Field(0, ge=0, description="Drop rows shorter than this.")
    max_chars: int | None = Field(None, ge=1, description="Drop rows longer than this; empty means no limit.")
    side: SideParam = "any"

    @model_validator(mode="after")
    def _check_bounds(self) -> Length:
        if self.max_chars is not None and self.max_chars < self.min_chars:
            raise ValueError(f"max_chars ({self.max_chars}) is smaller than min_chars ({self.min_chars})")
        return self

    def apply(self, row: Row, schema: DataSchema) -> Row | Dropped:
        size = len(side_text(row, schema, self.side).strip())
        if size < self.min_chars:
            return Dropped(f"{self.side} has {size} characters, fewer than {self.min_chars}")
        if self.max_chars is not None and size > self.max_chars:
            return Dropped(f"{self.side} has {size} characters, more than {self.max_chars}")
        return row


class Language(_RowRule):
    """Keep only rows written in the given languages (ISO 639-1 codes such as zh, en)."""

    rule: Literal["language"] = "language"
    languages: list[str] = Field(min_length=1, description="Languages to keep, e.g. ['zh', 'en'].")
    keep_undetermined: bool = Field(
        True, description="Keep rows whose language cannot be told (numbers, code, very short texts).",
    )
    side: SideParam = "any"

    @field_validator("languages")
    @classmethod
    def _check_codes(cls, languages: list[str]) -> list[str]:
        bad = [code for code in languages if not re.fullmatch(r"[a-z]{2,3}", code)]
        if bad:
            raise ValueError(f"{', '.join(map(repr, bad))}: use ISO 639-1 codes in lower case, e.g. 'zh', 'en'")
        return languages

    def apply(self, row: Row, schema: DataSchema) -> Row | Dropped:
        language = detect_language(side_text(row, schema, self.side))
        if language in self.languages or (language == UNDETERMINED and self.keep_undetermined):
            return row
        return Dropped(f"language {language}")


class DropRegex(_RowRule):
    """Drop rows whose text matches a regular expression (e.g. refusals, boilerplate, URLs)."""

    rule: Literal["drop_regex"] = "drop_regex"
    pattern: str = Field(
        min_length=1, max_length=2000,
        description="Regular expression (Python syntax, plus \\p{Han} and other classes of the regex module).",
    )
    ignore_case: bool = Field(False, description="Match letters in either case.")
    side: SideParam = "any"

    @field_validator("pattern")
    @classmethod
    def _check_pattern(cls, pattern: str) -> str:
        try:
            regex.compile(pattern)
        except regex.error as exc:
            where = f" at position {exc.pos}" if getattr(exc, "pos", None) is not None else ""
            raise ValueError(f"invalid regular expression{where}: {exc.msg if hasattr(exc, 'msg') else exc}") from exc
        return pattern

    def apply(self, row: Row, schema: DataSchema) -> Row | Dropped:
        compiled = _compiled_pattern(self.pattern, self.ignore_case)
        try:
            match = compiled.search(side_text(row, schema, self.side), timeout=REGEX_TIMEOUT_S)
        except TimeoutError as exc:
            raise ValueError(
                f"the pattern took more than {REGEX_TIMEOUT_S:g} s on one row; it probably backtracks "
                "catastrophically (nested repeats such as (a+)+): simplify it",
            ) from exc
        return Dropped(f"matches {match.group()[:80]!r}") if match else row


class MinQuality(_RowRule):
    """Drop rows whose quality score (0–1: blank sides, symbol share, repetition) is below a threshold."""

    rule: Literal["min_quality"] = "min_quality"
    threshold: float = Field(0.5, ge=0, le=1, description="Rows scoring below this are dropped (see quality_score).")

    def apply(self, row: Row, schema: DataSchema) -> Row | Dropped:
        score = quality_score(row, schema)
        return row if score >= self.threshold else Dropped(f"quality {score:.2f} < {self.threshold:g}")


# --------------------------------------------------------------------------- dedup


class DedupExact(_DedupRule):
    """Drop exact duplicates (after light normalisation of case and spacing), keeping the first."""

    rule: Literal["dedup_exact"] = "dedup_exact"

    def duplicates(self, items: Iterable[tuple[str, str]], count: int) -> dict[str, str]:
        # imported here: dedup pulls in numpy, scipy and datasketch, which the API (catalog only) never needs
        from llmore.datasets.dedup import exact_duplicate_groups

        return _drops(exact_duplicate_groups(items))


class DedupNear(_DedupRule):
    """Drop near duplicates (MinHash similarity at or above a threshold), keeping one row of each group."""

    rule: Literal["dedup_near"] = "dedup_near"
    threshold: float = Field(0.8, ge=0.5, le=1.0, description="Similarity (Jaccard, 0.5–1) from which rows count as "
                                                              "duplicates.")

    def duplicates(self, items: Iterable[tuple[str, str]], count: int) -> dict[str, str]:
        from llmore.datasets.dedup import BATCH_ROWS, near_duplicate_groups

        # worker processes take a second to start: worth it only beyond one batch
        workers = 0 if count <= BATCH_ROWS else None
        return _drops(near_duplicate_groups(items, threshold=self.threshold, workers=workers))


def _drops(groups: Iterable[Sequence[str]]) -> dict[str, str]:
    return {row_id: group[0] for group in groups for row_id in group[1:]}


# --------------------------------------------------------------------------- user rules


_ALLOWED_BUILTINS = (
    "abs", "all", "any", "bool", "chr", "dict", "divmod", "enumerate", "filter", "float", "format", "frozenset",
    "int", "isinstance", "iter", "len", "list", "map", "max", "min", "next", "ord", "pow", "range", "repr",
    "reversed", "round", "set", "slice", "sorted", "str", "sum", "tuple", "zip",
    "Exception", "ValueError", "KeyError", "IndexError", "TypeError", "ZeroDivisionError", "StopIteration",
)
_FORBIDDEN_NAMES = frozenset({
    "open", "exec", "eval", "compile", "__import__", "globals", "locals", "vars", "getattr", "setattr", "delattr",
    "input", "breakpoint", "help", "exit", "quit", "type", "object", "super", "memoryview", "classmethod",
    "staticmethod", "property", "dir", "id",
})
_FORBIDDEN_NODES: dict[type[ast.AST], str] = {
    ast.Import: "imports are not allowed (re, json, math and unicodedata are already there)",
    ast.ImportFrom: "imports are not allowed (re, json, math and unicodedata are already there)",
    ast.Global: "global is not allowed", ast.Nonlocal: "nonlocal is not allowed",
    ast.ClassDef: "classes are not allowed", ast.AsyncFunctionDef: "async functions are not allowed",
    ast.Await: "await is not allowed", ast.AsyncFor: "async for is not allowed",
    ast.AsyncWith: "async with is not allowed", ast.Yield: "rule() must return a row, not yield",
    ast.YieldFrom: "rule() must return a row, not yield",
}
_USER_FILE = "<rule>"


class UserCodeError(ValueError):
    """A user rule's code is refused: what is wrong and on which line."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


class PythonRule(_RowRule):
    """Your own rule: Python code defining rule(row) that returns the row, changed or not, or None to drop it.

    The function gets a copy of each row in its canonical shape (``{"prompt": ..., "answer": ...}``,
    ``{"messages": [...]}``, ...) and returns the row to keep (changed or not) or None. ``re``,
    ``json``, ``math`` and ``unicodedata`` are available without import; the ``_id`` of the returned
    row is always the original's.

    Before it runs, the code is parsed and refused, with the line, when it imports, touches names
    or attributes starting with ``_``, uses ``open``, ``exec``, ``eval``, ``compile``, ``globals``,
    ``getattr`` and the like, or defines classes; it then runs with a short list of builtins, on a
    sample of rows first, and each call is stopped after ``timeout_seconds`` of Python execution.
    This is a guard against mistakes, **not a security sandbox**: Python cannot be sandboxed in
    process, and determined code can escape. That is why only users holding the ``jobs:write``
    permission (who can already run jobs on the servers) may submit it.
    """

    rule: Literal["python"] = "python"
    code: str = Field(min_length=1, max_length=20_000, description="Python source defining def rule(row): ...")
    on_error: Literal["fail", "drop", "keep"] = Field(
        "fail", description="When rule() raises on a row: fail the job, drop the row or keep it unchanged.",
    )
    timeout_seconds: float = Field(1.0, gt=0, le=30, description="Longest time rule() may spend on one row.")

    @field_validator("code")
    @classmethod
    def _check_code(cls, code: str) -> str:
        check_user_code(code)
        return code

    def apply(self, row: Row, schema: DataSchema) -> Row | Dropped | Failed:
        function = compile_user_rule(self.code, self.timeout_seconds)
        try:
            result = _call_with_deadline(self.timeout_seconds, function, copy.deepcopy(row))
        except _RuleTimeout:
            raise ValueError(f"rule() ran longer than {self.timeout_seconds:g} s (an endless loop?)") from None
        except Exception as exc:
            if self.on_error == "fail":
                raise UserCodeError(f"{type(exc).__name__}: {exc}", _user_line(exc)) from exc
            line = _user_line(exc)
            return Failed(row if self.on_error == "keep" else None, f"line {line}: {type(exc).__name__}: {exc}", line)
        if result is None:
            return Dropped("rule() returned None")
        if not isinstance(result, dict):
            raise UserCodeError(f"rule() must return a dict or None, not {type(result).__name__}")
        result = {**result, ROW_ID: row[ROW_ID]}
        try:
            text_fields(result, schema)
        except (KeyError, TypeError, AttributeError) as exc:
            raise UserCodeError(f"rule() returned a row that is not a {schema.value} row (missing {exc})") from exc
        return result


def check_user_code(code: str) -> None:
    """Refuse user code outside the allowed subset (``UserCodeError`` with the line); see ``PythonRule``."""
    try:
        tree = ast.parse(code, filename=_USER_FILE)
    except SyntaxError as exc:
        raise UserCodeError(f"syntax error: {exc.msg}", exc.lineno) from exc
    for node in ast.walk(tree):
        line = getattr(node, "lineno", None)
        if type(node) in _FORBIDDEN_NODES:
            raise UserCodeError(_FORBIDDEN_NODES[type(node)], line)
        if isinstance(node, ast.ExceptHandler) and node.type is None:
            raise UserCodeError("name the exception to catch, e.g. except ValueError:", line)
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise UserCodeError(f"attribute {node.attr!r} is not allowed (names starting with _ are private)", line)
        if isinstance(node, ast.Name) and (node.id in _FORBIDDEN_NAMES or node.id.startswith("__")):
            raise UserCodeError(f"{node.id!r} is not allowed", line)
        if isinstance(node, ast.FunctionDef | ast.Lambda):
            names = [a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)]
            if any(name.startswith("__") for name in names):
                raise UserCodeError("argument names starting with __ are not allowed", line)
    rules = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "rule"]
    if not rules:
        raise UserCodeError("define a function: def rule(row): ... return row (or None to drop it)")
    if len(rules[-1].args.args) + len(rules[-1].args.posonlyargs) != 1:
        raise UserCodeError("rule() takes exactly one argument, the row", rules[-1].lineno)


@lru_cache(maxsize=32)
def compile_user_rule(code: str, timeout_seconds: float = 1.0) -> Callable[[Row], Any]:
    """The user's ``rule`` function, defined in a namespace with the allowed builtins only (cached by code).

    The code's top level runs here, under the same time limit as each call.
    """
    check_user_code(code)
    namespace = _user_namespace()
    program = compile(code, _USER_FILE, "exec")
    try:
        _call_with_deadline(timeout_seconds, exec, program, namespace)  # checked above; see PythonRule's limits
    except _RuleTimeout:
        raise UserCodeError(f"the code ran longer than {timeout_seconds:g} s before rule() was defined") from None
    except Exception as exc:
        raise UserCodeError(f"{type(exc).__name__} while defining the rule: {exc}", _user_line(exc)) from exc
    return namespace["rule"]


def _user_namespace() -> dict[str, Any]:
    import builtins

    # Only functions: the re and json modules themselves would lead, through their imports, to sys.
    safe_re = types.SimpleNamespace(**{name: getattr(re, name) for name in (
        "search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer", "compile", "escape",
        "IGNORECASE", "MULTILINE", "DOTALL", "I", "M", "S")})
    safe_json = types.SimpleNamespace(loads=json.loads, dumps=json.dumps)
    return {
        "__builtins__": {name: getattr(builtins, name) for name in _ALLOWED_BUILTINS},
        "re": safe_re, "json": safe_json, "math": math, "unicodedata": unicodedata,
    }


class _RuleTimeout(BaseException):
    """Raised into user code at its deadline; a BaseException, so ``except Exception`` cannot swallow it."""


def _call_with_deadline(seconds: float, function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)``, stopped once ``seconds`` have passed while it runs Python lines of the user's code.

    A line tracer on the user's frames only (``sys.settrace`` is per thread, so this works in any
    thread, unlike signals); time spent inside one long builtin call is not interrupted.
    """
    deadline = time.monotonic() + seconds

    def local(frame: types.FrameType, event: str, arg: Any) -> Any:
        if event == "line" and time.monotonic() > deadline:
            raise _RuleTimeout
        return local

    def calls(frame: types.FrameType, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename == _USER_FILE else None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        return function(*args)
    finally:
        sys.settrace(previous)


def _user_line(exc: BaseException) -> int | None:
    """The line of the user's code where ``exc`` was raised (the innermost frame in it)."""
    line = getattr(exc, "lineno", None) if isinstance(exc, SyntaxError) else None
    trace = exc.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == _USER_FILE:
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


# --------------------------------------------------------------------------- the union and the catalog

CleaningRule = Annotated[
    StripHtml | NormalizeUnicode | NormalizeWhitespace | DedupExact | DedupNear | Length | Language | DropRegex
    | MaskPii | MinQuality | PythonRule,
    Field(discriminator="rule"),
]
_RULES: tuple[type[_Rule], ...] = (
    StripHtml, NormalizeUnicode, NormalizeWhitespace, DedupExact, DedupNear, Length, Language, DropRegex, MaskPii,
    MinQuality, PythonRule,
)
RULE_CATALOG: list[dict[str, Any]] = [
    {
        "name": cls.model_fields["rule"].default,
        "description": (cls.__doc__ or "").strip().splitlines()[0],
        "params_schema": cls.model_json_schema(),
    }
    for cls in _RULES
]
_RULE_LIST = TypeAdapter(list[CleaningRule])


def parse_rules(data: Sequence[Mapping[str, Any]]) -> list[_Rule]:
    """Validate a rule set as the API receives it; errors are located like ``2.drop_regex.pattern``."""
    return _RULE_LIST.validate_python(list(data))


# --------------------------------------------------------------------------- results


class Change(BaseModel):
    """One example of what a rule did: a field before and after, or a dropped row and why."""

    row_id: str
    field: str | None = Field(None, description="The changed text field; None when the row was dropped.")
    before: str
    after: str | None = Field(None, description="None when the row was dropped.")
    note: str | None = None


class RuleStats(BaseModel):
    """What one rule did: rows it saw, dropped (``emptied`` of them for having no text left) and changed."""

    index: int
    rule: str
    seen: int = 0
    dropped: int = 0
    emptied: int = 0
    changed: int = 0
    errors: int = 0
    examples: list[Change] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kept(self) -> int:
        return self.seen - self.dropped


class CleaningSummary(BaseModel):
    """Counts of a cleaning run (the new version's diff summary) or of a preview."""

    input_rows: int
    output_rows: int
    dropped: int
    rules: list[RuleStats]


class CleaningPreview(CleaningSummary):
    """What a rule set would do to the first rows of a version (``preview``)."""

    limit: int


class CleaningResult:
    """The output of ``clean``: iterate ``rows`` once; ``stats`` and ``summary()`` are final when it is exhausted."""

    def __init__(self, rows: Iterator[Row], stats: list[RuleStats], counter: _Counter):
        self.rows = rows
        self.stats = stats
        self._counter = counter

    def __iter__(self) -> Iterator[Row]:
        return self.rows

    def summary(self) -> CleaningSummary:
        """Rows in and out, rows dropped, and each rule's statistics."""
        return CleaningSummary(input_rows=self._counter.read, output_rows=self._counter.written,
                               dropped=self._counter.read - self._counter.written, rules=self.stats)


@dataclass
class _Counter:
    read: int = 0
    written: int = 0


# --------------------------------------------------------------------------- clean and preview


def clean(
    rows: Iterable[Row],
    schema: DataSchema,
    rules: Sequence[_Rule],
    *,
    progress: Progress | None = None,
    examples: int = EXAMPLES_PER_RULE,
) -> CleaningResult:
    """Apply ``rules`` in order to ``rows`` (streaming; dedup rules hold their input, see the module doc).

    When the set holds a ``python`` rule, the first ``PREFLIGHT_ROWS`` rows are run through the
    whole set here, before anything is returned: a rule that fails on them raises ``RuleError`` at
    once instead of after hours of work (with ``on_error`` drop or keep, only when it failed on every
    sample row). ``progress`` is called with the number of input rows read, every ``PROGRESS_EVERY``
    rows and at the end.
    """
    source: Iterator[Row] = iter(rows)
    if any(isinstance(rule, PythonRule) for rule in rules):
        sample = list(islice(source, PREFLIGHT_ROWS))
        _preflight(sample, schema, rules)
        source = chain(sample, source)
    stats = [RuleStats(index=i, rule=rule.rule) for i, rule in enumerate(rules)]
    counter = _Counter()
    stream: Iterator[Row] = _read(source, counter, progress)
    for index, rule in enumerate(rules):
        stage = _dedup_stage if isinstance(rule, _DedupRule) else _row_stage
        stream = stage(stream, schema, index, rule, stats[index], examples)  # type: ignore[arg-type]
    return CleaningResult(_written(stream, counter), stats, counter)


def preview(rows: Iterable[Row], schema: DataSchema, rules: Sequence[_Rule], *, limit: int = 200) -> CleaningPreview:
    """What ``rules`` would do to the first ``limit`` rows: the same numbers a real run on those rows gives."""
    result = clean(islice(rows, limit), schema, rules, examples=2 * EXAMPLES_PER_RULE)
    for _ in result.rows:
        pass
    return CleaningPreview(**result.summary().model_dump(exclude={"rules"}), rules=result.stats, limit=limit)


def _preflight(sample: list[Row], schema: DataSchema, rules: Sequence[_Rule]) -> None:
    """Run ``sample`` through ``rules``: the first ``RuleError`` propagates, and so does a user rule failing on all."""
    for index, rule in enumerate(rules):
        if isinstance(rule, _DedupRule):
            continue  # a duplicate is judged against the whole data, so the sample goes on unfiltered
        outcomes = [(row, _apply(rule, row, schema, index)) for row in sample]  # type: ignore[arg-type]
        failures = [(row, out) for row, out in outcomes if isinstance(out, Failed)]
        if failures and len(failures) == len(outcomes):
            row, failure = failures[0]
            raise RuleError(f"failed on every row of the sample; the first: {failure.reason}",
                            index=index, rule=rule.rule, row_id=row.get(ROW_ID), line=failure.line)
        kept = [out.row if isinstance(out, Failed) else out for _, out in outcomes]
        sample = [row for row in kept if isinstance(row, dict) and not is_blank(row, schema)]


def _apply(rule: _RowRule, row: Row, schema: DataSchema, index: int) -> Row | Dropped | Failed:
    try:
        return rule.apply(row, schema)
    except UserCodeError as exc:
        raise RuleError(str(exc), index=index, rule=rule.rule, row_id=row.get(ROW_ID), line=exc.line) from exc
    except ValueError as exc:
        raise RuleError(str(exc), index=index, rule=rule.rule, row_id=row.get(ROW_ID)) from exc


def _read(rows: Iterator[Row], counter: _Counter, progress: Progress | None) -> Iterator[Row]:
    for row in rows:
        counter.read += 1
        if progress is not None and counter.read % PROGRESS_EVERY == 0:
            progress(counter.read)
        yield row
    if progress is not None:
        progress(counter.read)


def _written(rows: Iterator[Row], counter: _Counter) -> Iterator[Row]:
    for row in rows:
        counter.written += 1
        yield row


def _row_stage(
    rows: Iterator[Row], schema: DataSchema, index: int, rule: _RowRule, stats: RuleStats, examples: int,
) -> Iterator[Row]:
    for row in rows:
        stats.seen += 1
        out = _apply(rule, row, schema, index)
        if isinstance(out, Failed):
            stats.errors += 1
            if out.row is None:
                _drop(stats, row, schema, out.reason, examples)
                continue
            out = out.row
        if isinstance(out, Dropped):
            _drop(stats, row, schema, out.reason, examples)
        elif is_blank(out, schema):
            stats.emptied += 1
            _drop(stats, row, schema, "no text left", examples)
        else:
            if out != row:
                stats.changed += 1
                _note_change(stats, row, out, schema, examples)
            yield out


def _dedup_stage(
    rows: Iterator[Row], schema: DataSchema, index: int, rule: _DedupRule, stats: RuleStats, examples: int,
) -> Iterator[Row]:
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES, mode="w+", encoding="utf-8") as spool:
        for row in rows:
            stats.seen += 1
            spool.write(json.dumps(row, ensure_ascii=False) + "\n")
        spool.seek(0)
        items = ((str(row[ROW_ID]), side_text(row, schema, rule.side)) for row in map(json.loads, spool))
        duplicate_of = rule.duplicates(items, stats.seen)
        spool.seek(0)
        for line in spool:
            row = json.loads(line)
            keeper = duplicate_of.get(str(row[ROW_ID]))
            if keeper is None:
                yield row
            else:
                _drop(stats, row, schema, f"duplicate of {keeper}", examples)


def _drop(stats: RuleStats, row: Row, schema: DataSchema, reason: str, examples: int) -> None:
    stats.dropped += 1
    if len(stats.examples) < examples:
        before = "\n".join(text_fields(row, schema).values())
        stats.examples.append(Change(row_id=str(row.get(ROW_ID)), before=_clip(before), note=reason))


def _note_change(stats: RuleStats, before: Row, after: Row, schema: DataSchema, examples: int) -> None:
    if len(stats.examples) >= examples:
        return
    old, new = text_fields(before, schema), text_fields(after, schema)
    for name in new:
        if old.get(name) != new[name]:
            stats.examples.append(Change(row_id=str(before.get(ROW_ID)), field=name, before=_clip(old.get(name, "")),
                                         after=_clip(new[name])))
            return
    stats.examples.append(Change(row_id=str(before.get(ROW_ID)), before="", after="", note="non-text fields changed"))


def _clip(text: str) -> str:
    return text if len(text) <= EXAMPLE_CHARS else text[:EXAMPLE_CHARS] + "…"


# --------------------------------------------------------------------------- helpers shared with other modules


def side_text(row: Row, schema: DataSchema, side: Side) -> str:
    """The text of one side of a row: ``prompt``, ``answer`` or ``any`` (every text field, one per line)."""
    if side == "any":
        return "\n".join(text_fields(row, schema).values())
    prompt, answer = prompt_and_answer(row, schema)
    return prompt if side == "prompt" else answer


def is_blank(row: Row, schema: DataSchema) -> bool:
    """Whether no text field of the row has any non-space character."""
    return not any(text.strip() for text in text_fields(row, schema).values())


def quality_score(row: Row, schema: DataSchema) -> float:
    """A quick 0–1 quality score of a row; 1 for ordinary prose.

    * 0 when the prompt side is blank, or the answer side is blank for schemas that have answers
      (chat, preference, prompt/answer): such a row teaches nothing.
    * Otherwise the lower of two scores on all of the row's text:

      - **content**: the share of letters and digits (any script) among the non-space characters,
        divided by 0.6 and capped at 1 — prose and code score 1, lines of symbols, emoji or
        markup score low;
      - **repetition**: 1 minus the share of repeated 3-grams of words (Latin text) or of
        characters (Han text) — "ha ha ha ha ha" or a paragraph pasted five times scores low.

    Length is not part of the score: use the ``length`` rule for it.
    """
    prompt, answer = prompt_and_answer(row, schema)
    has_answer = schema in (DataSchema.CHAT, DataSchema.PREFERENCE, DataSchema.PROMPT_ANSWER)
    if not prompt.strip() or (has_answer and not answer.strip()):
        return 0.0
    text = "\n".join(text_fields(row, schema).values())
    return round(min(_content_score(text), _repetition_score(text)), 4)


def _content_score(text: str) -> float:
    visible = [ch for ch in text if not ch.isspace()]
    if not visible:
        return 0.0
    return min(1.0, sum(ch.isalnum() for ch in visible) / len(visible) / 0.6)


def _repetition_score(text: str) -> float:
    tokens = _QUALITY_TOKENS.findall(text.lower())
    grams = list(zip(tokens, tokens[1:], tokens[2:], strict=False))
    if len(grams) < 2:
        return 1.0
    return len(set(grams)) / len(grams)


# --------------------------------------------------------------------------- text helpers

_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,  # strip_html's job, and "&amp;" may be meant literally
    fix_character_width=False,  # full_width_to_half_width decides
    uncurl_quotes=False,  # curly quotes are correct typography (and Chinese uses “”)
    normalization=None,  # normalize_unicode applies the chosen form afterwards
    explain=False,
)
_WIDE = re.compile(r"([\u3000\uff01-\uff5e]+)")  # ideographic space and full-width ASCII, which NFKC narrows
_ZERO_WIDTH = re.compile("[\u200b\u2060\ufeff]")  # not ZWJ/ZWNJ: emoji sequences and Persian need them
_ODD_SPACE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f]")  # not U+3000: Chinese layout uses it
_INNER_SPACES = re.compile(r"(?<=\S) {2,}(?=\S)")
_QUALITY_TOKENS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+")
_HTML_TAGS = (
    "a abbr address article aside audio b blockquote body br button caption center cite code col dd del details "
    "div dl dt em figcaption figure font footer form h1 h2 h3 h4 h5 h6 head header hr html i iframe img input ins "
    "kbd label li link main mark meta nav noscript ol option p picture pre q s samp script section select small "
    "source span strong style sub summary sup svg table tbody td template textarea tfoot th thead time title tr u "
    "ul video"
)
_HTML_TAG = re.compile(r"<!--|</?(?:" + "|".join(_HTML_TAGS.split()) + r")(?:\s[^<>]*)?/?>", re.IGNORECASE)
_HTML_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
_DROPPED_ELEMENTS = ["script", "style", "noscript", "template", "head", "iframe", "svg", "canvas", "object"]
_BLOCKS = (
    "address, article, aside, blockquote, caption, dd, details, div, dl, dt, figcaption, figure, footer, form, "
    "h1, h2, h3, h4, h5, h6, header, hr, li, main, nav, ol, p, section, summary, table, tr, ul"
)
_BREAK = "\x00"  # marks a line break decided by the markup until whitespace is collapsed
_KEPT = re.compile("\x01(\\d+)\x01")  # stands for a verbatim piece (pre, Markdown code) while the rest is read
_MARKDOWN_CODE = re.compile(r"```.*?```|`[^`\n]+`", re.DOTALL)


def html_to_text(markup: str, *, keep_newlines: bool = False) -> str:
    """The readable text of an HTML page or fragment.

    Parsed with lexbor (selectolax), a full HTML5 parser, so broken markup is read the way browsers
    read it. Scripts, styles and the head are dropped; block elements and ``<br>`` start new lines,
    list items start with ``- ``, ``<pre>`` keeps its spacing; entities are decoded; runs of
    whitespace become one space, as a browser shows them. With ``keep_newlines`` the text is read
    as Markdown with some tags in it: its line breaks stay, and its code (fenced or in backticks)
    is kept verbatim, so "use the `<div>` tag" keeps its ``<div>``.
    """
    markup = markup.replace(_BREAK, "").replace("\x01", "")
    kept: list[str] = []

    def keep(text: str) -> str:
        kept.append(text)
        return f"\x01{len(kept) - 1}\x01"

    if keep_newlines:
        markup = _MARKDOWN_CODE.sub(lambda match: keep(match.group()), markup)
    tree = LexborHTMLParser(markup)
    tree.strip_tags(_DROPPED_ELEMENTS)
    for node in tree.css("pre"):
        node.replace_with(_BREAK + keep(node.text(deep=True).strip("\n")) + _BREAK)
    for node in tree.css("br"):
        node.replace_with(_BREAK)
    for node in tree.css(_BLOCKS):
        node.insert_before(_BREAK)
        node.insert_after(_BREAK)
    for node in tree.css("li"):
        node.insert_before("- ")
    root = tree.body if tree.body is not None else tree.root
    raw = root.text(deep=True) if root is not None else ""
    if keep_newlines:
        raw = raw.replace("\n", _BREAK)
    lines = [" ".join(part.split()) for part in raw.split(_BREAK)]
    if keep_newlines:
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    else:
        text = "\n".join(line for line in lines if line)
    return _KEPT.sub(lambda match: kept[int(match.group(1))], text)


def normalize_unicode(text: str, *, form: Literal["NFKC", "NFC"] = "NFKC", half_width: bool = False) -> str:
    """``text`` in Unicode normal form ``form``; full-width characters stay full-width unless ``half_width``.

    Plain NFKC would turn Chinese full-width punctuation (，！？：) into ASCII, which changes the
    typography of every Chinese text; so, unless asked, runs of full-width forms are left out of
    the normalisation.
    """
    if half_width:
        text = _WIDE.sub(lambda match: unicodedata.normalize("NFKC", match.group()), text)
        return unicodedata.normalize(form, text)
    if form == "NFC":
        return unicodedata.normalize("NFC", text)
    parts = _WIDE.split(text)  # odd positions are the full-width runs
    return "".join(part if i % 2 else unicodedata.normalize("NFKC", part) for i, part in enumerate(parts))


@cache
def _compiled_pattern(pattern: str, ignore_case: bool) -> regex.Pattern[str]:
    return regex.compile(pattern, regex.IGNORECASE if ignore_case else 0)
