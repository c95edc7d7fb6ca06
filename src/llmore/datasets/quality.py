"""The quality report of a dataset version: what is wrong with the data, how badly, and what to do.

:func:`quality_report` reads canonical rows once (a generator over a million-row file is fine)
and returns a :class:`QualityReport`, a pydantic model that serialises to the JSON the console
shows and offers for download. It covers:

* rows, rows the importer could not read (``import_errors``) and malformed canonical rows;
* empty or whitespace-only fields, by field path (``prompt``, ``messages.2.content``, ...);
* exact duplicates (normalised text) and near duplicates (MinHash, Jaccard ≥ 0.8, see
  :mod:`llmore.datasets.dedup`) of the whole row's text, with examples;
* length distributions of the prompt side and the answer side, in characters and, given a
  tokenizer folder, in that model's tokens: percentiles (p50/p90/p99/max) and power-of-two
  histogram buckets, which is what choosing a training ``max_length`` needs;
* the language mix (:func:`llmore.datasets.language.detect_language`);
* label balance and conflicting labels (the same text with two labels) for classification;
* personal data by kind (:mod:`llmore.datasets.pii`) with masked examples;
* train/test leakage: rows of ``test_rows`` whose prompt, or prompt and answer, appear in the
  training rows exactly or as near duplicates;
* an overall score from 0 to 100 and the problems behind it, worst first, each with a severity,
  the rows concerned, example row ids and advice in English and Chinese.

**Scoring.** Each kind of problem has a weight (how much it can hurt a fine-tune) and a share of
rows at which it counts in full; its penalty is ``weight × sqrt(min(1, share / full_share))``,
so the first few percent of a problem already cost points while a hopeless set bottoms out. The
score is 100 minus the penalties (at least 0). Severity follows the penalty: ``high`` from 8
points, ``medium`` from 3, ``low`` below.

**Speed and memory.** Rows are analysed in batches by two worker processes (the per-row work —
normalising, hashing, language, personal data, MinHash — is Python and numpy); this process
only reads rows, hands them out and keeps compact per-row arrays (hashes, lengths, a label code
for classification, an 80-character preview with personal data masked) and the MinHash
signatures of the distinct rows. Test rows are analysed first, so each training batch is
checked for leakage as it passes and only the few training prompts that share an LSH bucket
with a test prompt are kept. ``benchmarks/data_pipeline.py`` holds the report to 120 s and 4 GB
for a million ~200-character rows (measured: ~35 s and ~1.5 GB on the 2-core machine).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from itertools import chain, islice
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from llmore.datasets.canonical import ROW_ID, DataSchema, Row, label_of, prompt_and_answer, text_fields
from llmore.datasets.dedup import (
    DEFAULT_NUM_PERM,
    DEFAULT_THRESHOLD,
    SignatureStore,
    band_keys,
    batch_signatures,
    cross_similar_pairs,
    default_workers,
    exact_key,
    group_indices,
    process_pool,
    similar_pairs,
)
from llmore.datasets.language import UNDETERMINED, detect_language
from llmore.datasets.pii import PII_KINDS, PiiHit, find_pii, replace_hits

Progress = Callable[[float, float, str], None]

BATCH_ROWS = 4096
PREVIEW_CHARS = 80
EXAMPLES = 5
LENGTH_EDGES = (0, 1, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768)
# A language is "minor" below this share of rows: rows in it are listed as outliers.
MINOR_LANGUAGE_SHARE = 0.05
# Classification sets whose largest class is this many times the smallest are imbalanced.
IMBALANCE_RATIO = 3.0


# ---------------------------------------------------------------------------------------- report model


class Severity(StrEnum):
    """How much a problem matters: fix ``high`` ones before training."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Problem(BaseModel):
    """One thing wrong with the data, how many rows it touches and what to do about it."""

    code: str = Field(description="Stable identifier, e.g. exact_duplicates.")
    severity: Severity
    rows: int = Field(description="Rows concerned (test rows for leakage).")
    share: float = Field(description="rows as a share of the rows it is counted against (0–1).")
    penalty: float = Field(description="Points this problem takes off the score.")
    examples: list[str] = Field(description="Row ids to look at.")
    title_en: str
    title_zh: str
    advice_en: str
    advice_zh: str


class Bucket(BaseModel):
    """Histogram bucket: lengths from ``low`` (inclusive) to ``high`` (exclusive; None means no upper end)."""

    low: int
    high: int | None
    count: int


class Distribution(BaseModel):
    """A length distribution: nearest-rank percentiles (p90 is the smallest length that 90% of rows don't
    exceed, so it can be used as a max length as is) and a power-of-two histogram."""

    count: int
    mean: float
    p50: int
    p90: int
    p99: int
    max: int
    histogram: list[Bucket]


class SideLengths(BaseModel):
    """Lengths of the prompt (input) side and the answer (output) side of rows."""

    prompt: Distribution
    answer: Distribution


class Lengths(BaseModel):
    """Length distributions in characters and, when a tokenizer was given, in its tokens."""

    chars: SideLengths
    tokens: SideLengths | None = None
    tokenizer: str | None = None


class EmptyFields(BaseModel):
    """Empty or whitespace-only text fields."""

    rows: int = Field(description="Rows with at least one empty field.")
    by_field: dict[str, int] = Field(description="Empty values by field path.")
    examples: list[str]


class DuplicateGroup(BaseModel):
    """Rows with the same text; the first is the one to keep."""

    size: int
    row_ids: list[str] = Field(description="Up to five ids, the one to keep first.")
    preview: str


class ExactDuplicates(BaseModel):
    """Rows whose text equals an earlier row's after normalising case, width and spacing."""

    groups: int
    rows: int = Field(description="Copies that could be removed (group sizes minus one).")
    examples: list[DuplicateGroup]


class NearDuplicatePair(BaseModel):
    """Two rows that are near duplicates, with their estimated similarity."""

    keep_id: str
    duplicate_id: str
    similarity: float
    keep_preview: str
    duplicate_preview: str


class NearDuplicates(BaseModel):
    """Rows nearly equal to another row (exact copies not counted again)."""

    threshold: float
    groups: int
    rows: int = Field(description="Rows that could be removed (group sizes minus one).")
    examples: list[NearDuplicatePair]


class LanguageShare(BaseModel):
    """Rows written in one language."""

    language: str = Field(description="ISO 639-1 code, 'und' when it could not be told.")
    rows: int
    share: float


class LabelBalance(BaseModel):
    """Class counts of a classification set."""

    counts: dict[str, int]
    classes: int
    majority: str
    minority: str
    imbalance_ratio: float = Field(description="Rows of the largest class per row of the smallest.")
    conflicting_rows: int = Field(description="Rows whose text appears elsewhere with another label.")


class PiiExample(BaseModel):
    """Where personal data was found, with the data masked."""

    row_id: str
    kind: str
    snippet: str


class PiiSummary(BaseModel):
    """Personal data found in the rows."""

    rows: int = Field(description="Rows with any personal data.")
    hits: dict[str, int] = Field(description="Occurrences by kind.")
    rows_by_kind: dict[str, int]
    examples: list[PiiExample]


class LeakExample(BaseModel):
    """A test row that also appears in the training rows."""

    test_id: str
    train_id: str
    match: str = Field(description="exact_prompt_answer, exact_prompt or near_prompt.")
    similarity: float
    preview: str


class Leakage(BaseModel):
    """Test rows whose prompt (or prompt and answer) is also in the training rows."""

    test_rows: int
    leaked_rows: int
    exact_prompt_answer: int
    exact_prompt: int = Field(description="Same prompt, any answer (includes exact_prompt_answer).")
    near_prompt: int = Field(description="Prompt a near duplicate of a training prompt, not an exact one.")
    threshold: float
    examples: list[LeakExample]


class QualityReport(BaseModel):
    """Everything the quality report found, the score and the problems, worst first."""

    data_schema: DataSchema
    rows: int
    import_errors: int
    malformed_rows: int
    score: int = Field(ge=0, le=100)
    problems: list[Problem]
    empty: EmptyFields
    exact_duplicates: ExactDuplicates
    near_duplicates: NearDuplicates
    lengths: Lengths
    languages: list[LanguageShare]
    labels: LabelBalance | None
    pii: PiiSummary
    leakage: Leakage | None
    elapsed_seconds: float


# ------------------------------------------------------------------------------ per-batch analysis


@dataclass(frozen=True)
class _Options:
    """What each batch must compute (sent to the worker processes with every batch)."""

    schema: DataSchema
    tokenizer_path: str | None
    leakage: bool
    num_perm: int = DEFAULT_NUM_PERM


def _no_numbers() -> np.ndarray:
    return np.zeros(0, dtype=np.int32)


def _no_keys() -> np.ndarray:
    return np.zeros(0, dtype=np.uint64)


def _no_signatures() -> np.ndarray:
    return np.zeros((0, DEFAULT_NUM_PERM), dtype=np.uint32)


@dataclass
class _Batch:
    """What a worker found in one batch of rows: per-row arrays and small counters."""

    ids: list[str] = field(default_factory=list)
    previews: list[str] = field(default_factory=list)  # test rows (few): kept as strings
    preview_blob: bytes = b""  # training rows: previews encoded and joined, ...
    preview_ends: np.ndarray = field(default_factory=_no_numbers)  # ... and where each one ends in the blob
    keys: np.ndarray = field(default_factory=_no_keys)  # xxh3 of the normalised row text; 0 when empty
    labels: list[str | None] = field(default_factory=list)
    languages: Counter[str] = field(default_factory=Counter)
    language_examples: dict[str, list[str]] = field(default_factory=dict)
    prompt_chars: np.ndarray = field(default_factory=_no_numbers)
    answer_chars: np.ndarray = field(default_factory=_no_numbers)
    prompt_tokens: np.ndarray | None = None
    answer_tokens: np.ndarray | None = None
    signatures: np.ndarray = field(default_factory=_no_signatures)
    prompt_keys: np.ndarray = field(default_factory=_no_keys)  # leakage only: the prompt's key
    pair_keys: np.ndarray = field(default_factory=_no_keys)  # leakage only: the key of prompt and answer
    prompt_signatures: np.ndarray = field(default_factory=_no_signatures)  # leakage only
    malformed: int = 0
    malformed_examples: list[str] = field(default_factory=list)
    empty_by_field: Counter[str] = field(default_factory=Counter)
    empty_rows: list[str] = field(default_factory=list)
    pii_hits: Counter[str] = field(default_factory=Counter)
    pii_rows: Counter[str] = field(default_factory=Counter)
    pii_row_ids: list[str] = field(default_factory=list)
    pii_examples: list[PiiExample] = field(default_factory=list)


def _key(text: str) -> int:
    """The exact-duplicate key of ``text`` (:func:`~llmore.datasets.dedup.exact_key`), 0 for an empty text."""
    return exact_key(text) or 0


def _masked_window(text: str, hits: list[PiiHit], index: int) -> str:
    """About 70 characters around ``hits[index]``, with every hit masked."""
    at = len(replace_hits(text[:hits[index].start], hits[:index]))
    return replace_hits(text, hits)[max(at - 30, 0):at + 40].replace("\n", " ")


@cache
def _tokenizer(path: str) -> Any:
    """The fast tokenizer in ``path`` (loaded once per process, never from a hub)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path, local_files_only=True, use_fast=True)


def _token_counts(path: str, texts: list[str]) -> np.ndarray:
    encoded = _tokenizer(path)(texts, add_special_tokens=False, return_attention_mask=False)["input_ids"]
    return np.fromiter(map(len, encoded), dtype=np.int32, count=len(texts))


def _analyse(rows: list[Row], options: _Options, start: int) -> _Batch:
    """Everything per row that doesn't need the other batches (runs in a worker process)."""
    schema = options.schema
    batch = _Batch()
    keys: list[int] = []
    texts: list[str] = []
    prompts: list[str] = []
    answers: list[str] = []
    previews: list[str] = []
    for offset, row in enumerate(rows):
        row_id = str(row.get(ROW_ID, start + offset))
        try:
            fields = text_fields(row, schema)
            prompt, answer = prompt_and_answer(row, schema)
            label = label_of(row, schema)
        except (KeyError, TypeError, AttributeError):
            batch.malformed += 1
            if len(batch.malformed_examples) < EXAMPLES:
                batch.malformed_examples.append(row_id)
            continue
        empty = [path for path, value in fields.items() if not value.strip()]
        if empty:
            batch.empty_by_field.update(empty)
            batch.empty_rows.append(row_id)
        text = "\n".join(fields.values())
        hits = find_pii(text)
        if hits:
            batch.pii_hits.update(hit.kind for hit in hits)
            batch.pii_rows.update({hit.kind for hit in hits})
            batch.pii_row_ids.append(row_id)
            if len(batch.pii_examples) < EXAMPLES:
                batch.pii_examples.append(PiiExample(row_id=row_id, kind=hits[0].kind,
                                                     snippet=_masked_window(text, hits, 0)))
        batch.ids.append(row_id)
        previews.append((replace_hits(text, hits) if hits else text)[:PREVIEW_CHARS].replace("\n", " "))
        batch.labels.append(label)
        language = detect_language(text)
        batch.languages[language] += 1
        if batch.languages[language] <= EXAMPLES:
            batch.language_examples.setdefault(language, []).append(row_id)
        keys.append(_key(text))
        texts.append(text)
        prompts.append(prompt)
        answers.append(answer)
    batch.keys = np.array(keys, dtype=np.uint64)
    encoded = [preview.encode("utf-8", "surrogatepass") for preview in previews]
    batch.preview_blob = b"".join(encoded)
    batch.preview_ends = np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)))
    batch.prompt_chars = np.fromiter(map(len, prompts), dtype=np.int32, count=len(prompts))
    batch.answer_chars = np.fromiter(map(len, answers), dtype=np.int32, count=len(answers))
    if options.tokenizer_path:
        batch.prompt_tokens = _token_counts(options.tokenizer_path, prompts)
        batch.answer_tokens = _token_counts(options.tokenizer_path, answers)
    batch.signatures = batch_signatures(texts, options.num_perm)
    if options.leakage:
        _leakage_keys(batch, prompts, answers, options)
    return batch


def _analyse_test(rows: list[Row], options: _Options, start: int) -> _Batch:
    """The leakage keys and signatures of a batch of test rows (runs in a worker process)."""
    batch = _Batch()
    prompts: list[str] = []
    answers: list[str] = []
    for offset, row in enumerate(rows):
        try:
            prompt, answer = prompt_and_answer(row, options.schema)
        except (KeyError, TypeError, AttributeError):
            batch.malformed += 1
            continue
        batch.ids.append(str(row.get(ROW_ID, f"test-{start + offset}")))
        hits = find_pii(prompt)
        batch.previews.append((replace_hits(prompt, hits) if hits else prompt)[:PREVIEW_CHARS].replace("\n", " "))
        prompts.append(prompt)
        answers.append(answer)
    _leakage_keys(batch, prompts, answers, options)
    return batch


def _leakage_keys(batch: _Batch, prompts: list[str], answers: list[str], options: _Options) -> None:
    batch.prompt_keys = np.array([_key(prompt) for prompt in prompts], dtype=np.uint64)
    batch.pair_keys = np.array([_key(f"{prompt}\n{answer}") for prompt, answer in zip(prompts, answers, strict=True)],
                               dtype=np.uint64)
    batch.prompt_signatures = batch_signatures(prompts, options.num_perm)


# ------------------------------------------------------------------------------------ accumulation


class _Previews:
    """Short previews of every row, packed into one byte buffer (a Python string per row would cost ~10x)."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._parts: list[np.ndarray] = []
        self._ends = np.zeros(0, dtype=np.int64)

    def extend(self, blob: bytes, ends: np.ndarray) -> None:
        """Append a batch's previews: their encoded bytes and where each ends within ``blob``."""
        self._parts.append(ends + len(self._data))
        self._data += blob

    def __getitem__(self, index: int) -> str:
        if self._parts:
            self._ends = np.concatenate([self._ends, *self._parts])
            self._parts = []
        start = int(self._ends[index - 1]) if index else 0
        return self._data[start:int(self._ends[index])].decode("utf-8", "surrogatepass")


class _Accumulator:
    """Everything kept across batches of training rows, in compact arrays."""

    def __init__(self, options: _Options) -> None:
        self.options = options
        self.ids: list[str] = []
        self.previews = _Previews()
        self.first_of_key: dict[int, int] = {}
        self.first: list[np.ndarray] = []  # per row: index of the first row with the same key (itself if new)
        self.keys: list[np.ndarray] = []
        self.signatures = SignatureStore(options.num_perm)
        self.signature_rows: list[np.ndarray] = []  # global index of each stored signature
        self.leakage: _LeakageIndex | None = None
        self.label_codes: dict[str, int] = {}
        self.labels: list[np.ndarray] = []
        self.languages: Counter[str] = Counter()
        self.language_examples: dict[str, list[str]] = {}
        self.lengths: dict[str, list[np.ndarray]] = {"prompt_chars": [], "answer_chars": [], "prompt_tokens": [],
                                                     "answer_tokens": []}
        self.malformed = 0
        self.malformed_examples: list[str] = []
        self.empty_by_field: Counter[str] = Counter()
        self.empty_rows = 0
        self.empty_examples: list[str] = []
        self.pii_hits: Counter[str] = Counter()
        self.pii_rows_by_kind: Counter[str] = Counter()
        self.pii_rows = 0
        self.pii_examples: list[PiiExample] = []
        self.pii_row_ids: list[str] = []

    def add(self, batch: _Batch) -> None:
        """Fold one analysed batch in."""
        base = len(self.ids)
        self.ids += batch.ids
        self.previews.extend(batch.preview_blob, batch.preview_ends)
        first = np.empty(len(batch.ids), dtype=np.int64)
        setdefault = self.first_of_key.setdefault
        for offset, key in enumerate(batch.keys.tolist()):
            first[offset] = setdefault(key, base + offset) if key else base + offset
        self.first.append(first)
        self.keys.append(batch.keys)
        is_new = (first == np.arange(base, base + len(first))) & (batch.keys != 0)
        self.signatures.add(batch.signatures[is_new])
        self.signature_rows.append(np.flatnonzero(is_new) + base)
        if self.leakage is not None:
            self.leakage.add_training(batch, base)
        if self.options.schema is DataSchema.CLASSIFICATION:
            self.labels.append(self._codes(batch.labels, self.label_codes))
        self.languages.update(batch.languages)
        for language, examples in batch.language_examples.items():
            kept = self.language_examples.setdefault(language, [])
            kept += examples[:EXAMPLES - len(kept)]
        for name in self.lengths:
            if (values := getattr(batch, name)) is not None:
                self.lengths[name].append(values)
        self.malformed += batch.malformed
        self.malformed_examples = (self.malformed_examples + batch.malformed_examples)[:EXAMPLES]
        self.empty_by_field.update(batch.empty_by_field)
        self.empty_rows += len(batch.empty_rows)
        self.empty_examples = (self.empty_examples + batch.empty_rows)[:EXAMPLES]
        self.pii_hits.update(batch.pii_hits)
        self.pii_rows_by_kind.update(batch.pii_rows)
        self.pii_rows += len(batch.pii_row_ids)
        self.pii_row_ids = (self.pii_row_ids + batch.pii_row_ids)[:EXAMPLES]
        self.pii_examples = (self.pii_examples + batch.pii_examples)[:EXAMPLES]

    @staticmethod
    def _codes(values: list[Any], codes: dict[Any, int]) -> np.ndarray:
        return np.fromiter((codes.setdefault(value, len(codes)) for value in values), dtype=np.int32,
                           count=len(values))



# ------------------------------------------------------------------------------------- statistics


def _joined(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    """One array from per-batch parts."""
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def _distribution(values: np.ndarray) -> Distribution:
    if values.size == 0:
        return Distribution(count=0, mean=0.0, p50=0, p90=0, p99=0, max=0, histogram=[])
    p50, p90, p99 = (int(v) for v in np.percentile(values, [50, 90, 99], method="inverted_cdf"))
    edges = np.array([*LENGTH_EDGES, np.iinfo(np.int64).max])
    counts = np.histogram(values, bins=edges)[0]
    last = int(np.flatnonzero(counts).max())
    buckets = [Bucket(low=int(edges[i]), high=int(edges[i + 1]) if i + 1 < len(LENGTH_EDGES) else None,
                      count=int(counts[i])) for i in range(last + 1)]
    return Distribution(count=int(values.size), mean=round(float(values.mean()), 1), p50=p50, p90=p90, p99=p99,
                        max=int(values.max()), histogram=buckets)


def _exact_duplicates(acc: _Accumulator, first: np.ndarray, keys: np.ndarray) -> ExactDuplicates:
    duplicate = np.flatnonzero((first != np.arange(len(first))) & (keys != 0))
    owners, sizes = np.unique(first[duplicate], return_counts=True)
    examples = []
    for owner_index in np.argsort(-sizes, kind="stable")[:EXAMPLES]:
        owner = int(owners[owner_index])
        copies = duplicate[first[duplicate] == owner][:EXAMPLES - 1]
        examples.append(DuplicateGroup(size=int(sizes[owner_index]) + 1,
                                       row_ids=[acc.ids[owner], *(acc.ids[i] for i in copies.tolist())],
                                       preview=acc.previews[owner]))
    return ExactDuplicates(groups=len(owners), rows=len(duplicate), examples=examples)


def _near_duplicates(acc: _Accumulator) -> NearDuplicates:
    signatures = acc.signatures.matrix()
    rows = _joined(acc.signature_rows, np.int64)
    pairs, similarity = similar_pairs(signatures, DEFAULT_THRESHOLD)  # sorted by first index
    groups = group_indices(pairs, len(signatures))
    examples = []
    for group in groups[:EXAMPLES]:
        # The first row of a group is the smaller index of at least one verified pair.
        at = int(np.searchsorted(pairs[:, 0], group[0]))
        keep_row, duplicate_row = (int(rows[index]) for index in pairs[at])
        examples.append(NearDuplicatePair(keep_id=acc.ids[keep_row], duplicate_id=acc.ids[duplicate_row],
                                          similarity=round(float(similarity[at]), 3),
                                          keep_preview=acc.previews[keep_row],
                                          duplicate_preview=acc.previews[duplicate_row]))
    return NearDuplicates(threshold=DEFAULT_THRESHOLD, groups=len(groups),
                          rows=sum(len(group) - 1 for group in groups), examples=examples)


def _label_balance(acc: _Accumulator, first: np.ndarray) -> LabelBalance | None:
    if acc.options.schema is not DataSchema.CLASSIFICATION or not acc.label_codes:
        return None
    labels = _joined(acc.labels, np.int32)
    names = {code: str(name) for name, code in acc.label_codes.items()}
    counts = np.bincount(labels, minlength=len(names))
    ordered = sorted(((names[code], int(count)) for code, count in enumerate(counts)), key=lambda item: -item[1])
    conflicting = int(np.count_nonzero(labels[first] != labels))
    return LabelBalance(counts=dict(ordered), classes=len(ordered), majority=ordered[0][0], minority=ordered[-1][0],
                        imbalance_ratio=round(ordered[0][1] / max(ordered[-1][1], 1), 2),
                        conflicting_rows=conflicting)


def _languages(acc: _Accumulator) -> list[LanguageShare]:
    total = max(acc.languages.total(), 1)
    return [LanguageShare(language=language, rows=rows, share=round(rows / total, 4))
            for language, rows in acc.languages.most_common()]


def _contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Which ``keys`` are in ``sorted_keys`` (a binary search: ~10x faster here than ``np.isin``'s hashing)."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    return sorted_keys[np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)] == keys


class _LeakageIndex:
    """The test rows, indexed so each training batch can be checked against them as it streams by.

    Only what can leak is kept from the training side: the first training row of every test
    prompt found exactly, the prompt-and-answer keys found exactly, and the signatures of the
    training prompts that share an LSH bucket with some test prompt (usually a handful).
    """

    def __init__(self, test: list[_Batch], num_perm: int) -> None:
        self.ids = [row_id for batch in test for row_id in batch.ids]
        self.previews = [preview for batch in test for preview in batch.previews]
        self.prompt_keys = np.concatenate([_no_keys(), *(batch.prompt_keys for batch in test)])
        self.pair_keys = np.concatenate([_no_keys(), *(batch.pair_keys for batch in test)])
        self.signatures = np.concatenate([np.zeros((0, num_perm), np.uint32),
                                          *(batch.prompt_signatures for batch in test)])
        self._sorted_prompt_keys = np.unique(self.prompt_keys[self.prompt_keys != 0])
        self._sorted_pair_keys = np.unique(self.pair_keys[self.pair_keys != 0])
        self._sorted_bands = [np.unique(keys) for keys in band_keys(self.signatures)]
        self.train_of_prompt: dict[int, int] = {}
        self.leaked_pairs: set[int] = set()
        self.candidates = SignatureStore(num_perm)
        self.candidate_rows: list[np.ndarray] = []

    def add_training(self, batch: _Batch, base: int) -> None:
        """Remember what of one training batch matches a test prompt."""
        for offset in np.flatnonzero(_contains(self._sorted_prompt_keys, batch.prompt_keys)).tolist():
            self.train_of_prompt.setdefault(int(batch.prompt_keys[offset]), base + offset)
        self.leaked_pairs.update(batch.pair_keys[_contains(self._sorted_pair_keys, batch.pair_keys)].tolist())
        shared = np.zeros(len(batch.prompt_signatures), dtype=bool)
        for keys, test_keys in zip(band_keys(batch.prompt_signatures), self._sorted_bands, strict=True):
            shared |= _contains(test_keys, keys)
        self.candidates.add(batch.prompt_signatures[shared])
        self.candidate_rows.append(np.flatnonzero(shared) + base)

    def summary(self, train_ids: list[str]) -> Leakage:
        """Which test rows leaked, how, and examples."""
        exact_prompt = np.fromiter((key in self.train_of_prompt for key in self.prompt_keys.tolist()), dtype=bool,
                                   count=len(self.prompt_keys))
        exact_pair = np.fromiter((key in self.leaked_pairs for key in self.pair_keys.tolist()), dtype=bool,
                                 count=len(self.pair_keys))
        remaining = np.flatnonzero(~exact_prompt)
        candidate_rows = np.concatenate(self.candidate_rows or [np.zeros(0, np.int64)])
        pairs, similarity = cross_similar_pairs(self.candidates.matrix(), self.signatures[remaining])
        near: dict[int, tuple[int, float]] = {}
        for (candidate, query), value in zip(pairs.tolist(), similarity.tolist(), strict=True):
            test_row = int(remaining[query])
            if value > near.get(test_row, (0, -1.0))[1]:
                near[test_row] = (int(candidate_rows[candidate]), value)
        examples: list[LeakExample] = []
        for test_row in np.flatnonzero(exact_prompt)[:EXAMPLES].tolist():
            examples.append(LeakExample(
                test_id=self.ids[test_row], train_id=train_ids[self.train_of_prompt[int(self.prompt_keys[test_row])]],
                match="exact_prompt_answer" if exact_pair[test_row] else "exact_prompt", similarity=1.0,
                preview=self.previews[test_row]))
        for test_row, (train_row, value) in sorted(near.items())[:EXAMPLES]:
            examples.append(LeakExample(test_id=self.ids[test_row], train_id=train_ids[train_row], match="near_prompt",
                                        similarity=round(value, 3), preview=self.previews[test_row]))
        return Leakage(test_rows=len(self.ids), leaked_rows=int(exact_prompt.sum()) + len(near),
                       exact_prompt_answer=int(exact_pair.sum()), exact_prompt=int(exact_prompt.sum()),
                       near_prompt=len(near), threshold=DEFAULT_THRESHOLD, examples=examples)


# ---------------------------------------------------------------------------------- problems, score


@dataclass(frozen=True)
class _Rule:
    """How one kind of problem is scored and explained."""

    weight: float
    full_share: float
    title_en: str
    title_zh: str
    advice_en: str
    advice_zh: str


_RULES = {
    "train_test_leakage": _Rule(
        25, 0.05, "Test rows also appear in the training data", "测试集样本出现在训练数据中",
        "{rows} of the test rows have a prompt that is also in the training rows ({detail}). Evaluation on them "
        "measures memory, not skill. Remove these rows from the training split (or re-split with deduplication) "
        "before training.",
        "{rows} 条测试样本的提示也出现在训练数据中（{detail_zh}）。用它们评测只能衡量记忆而非能力。"
        "训练前请把这些样本从训练集中删除，或先去重再重新划分数据集。"),
    "import_errors": _Rule(
        20, 0.10, "Rows could not be read", "部分行无法读取",
        "{rows} rows were skipped because they could not be read or did not fit the schema. Open the import log, "
        "fix the source file (line numbers are listed there) and import it again.",
        "有 {rows} 行因无法解析或不符合数据格式而被跳过。"
        "请查看导入日志中列出的行号，修正源文件后重新导入。"),
    "empty_fields": _Rule(
        20, 0.10, "Empty fields", "存在空字段",
        "{rows} rows have an empty or whitespace-only field ({detail}). Empty answers teach the model to answer "
        "nothing. Fill them in or drop these rows with a cleaning rule.",
        "有 {rows} 行存在空白字段（{detail_zh}）。空回答会让模型学会不作答。"
        "请补全内容，或用清洗规则删除这些行。"),
    "pii": _Rule(
        15, 0.05, "Personal data", "包含个人隐私信息",
        "{rows} rows contain personal data ({detail}). A model can repeat it to anyone. Mask it with the "
        "'mask PII' cleaning rule, or remove those rows.",
        "有 {rows} 行包含个人信息（{detail_zh}）。模型可能向任何人复述这些信息。"
        "请用“隐私脱敏”清洗规则遮盖，或删除这些行。"),
    "exact_duplicates": _Rule(
        15, 0.20, "Exact duplicates", "完全重复",
        "{rows} rows repeat another row word for word ({detail}). Duplicates over-weight those examples and "
        "waste training time. Remove them with the 'exact dedup' cleaning rule (the first copy is kept).",
        "有 {rows} 行与其他行内容完全相同（{detail_zh}）。重复样本会被过度学习并浪费训练时间。"
        "请用“精确去重”清洗规则删除（保留第一条）。"),
    "near_duplicates": _Rule(
        10, 0.20, "Near duplicates", "近似重复",
        "{rows} rows are near copies of another row (similarity of at least {threshold}; {detail}). Check the "
        "examples; if they say the same thing, remove them with the 'near dedup' cleaning rule.",
        "有 {rows} 行与其他行高度相似（相似度不低于 {threshold}；{detail_zh}）。"
        "请查看示例，若内容实质相同，请用“近似去重”清洗规则删除。"),
    "label_conflicts": _Rule(
        10, 0.05, "Conflicting labels", "标签冲突",
        "{rows} rows have the same text as another row but a different label. The model cannot learn both. "
        "Decide the right label for each, or send them to annotation review.",
        "有 {rows} 行文本与其他行相同但标签不同，模型无法同时学会两种答案。"
        "请确定正确标签，或提交标注复审。"),
    "label_imbalance": _Rule(
        10, 1.0, "Unbalanced labels", "标签分布不均衡",
        "The largest class '{majority}' has {ratio}x the rows of the smallest class '{minority}'. The model "
        "will lean towards the large classes. Add examples of the small classes (augmentation helps), "
        "down-sample the large ones, or use a stratified split and class weights.",
        "最大类别“{majority}”的样本数是最小类别“{minority}”的 {ratio} 倍，模型会偏向大类别。"
        "请补充小类别样本（可用数据增强）、对大类别降采样，或使用分层划分和类别权重。"),
    "language_outliers": _Rule(
        5, 0.10, "Rows in unexpected languages", "存在非主要语言的样本",
        "{rows} rows are in a language that few other rows use ({detail}). If they are not meant to be there, "
        "drop them with the 'language' cleaning rule.",
        "有 {rows} 行使用了少见的语言（{detail_zh}）。如果它们不应出现，请用“语言过滤”清洗规则删除。"),
}


def _penalty(code: str, share: float) -> float:
    rule = _RULES[code]
    return rule.weight * math.sqrt(min(1.0, share / rule.full_share)) if share > 0 else 0.0


def _severity(penalty: float) -> Severity:
    return Severity.HIGH if penalty >= 8 else Severity.MEDIUM if penalty >= 3 else Severity.LOW


def _problem(code: str, rows: int, share: float, examples: list[str], **values: Any) -> Problem:
    rule = _RULES[code]
    penalty = _penalty(code, share)
    values = {"rows": f"{rows:,}", "detail": "", "detail_zh": "", **values}
    return Problem(code=code, severity=_severity(penalty), rows=rows, share=round(share, 4),
                   penalty=round(penalty, 2), examples=examples[:EXAMPLES], title_en=rule.title_en,
                   title_zh=rule.title_zh, advice_en=rule.advice_en.format(**values),
                   advice_zh=rule.advice_zh.format(**values))


def _top(counter: Counter[str], limit: int = 3) -> str:
    return ", ".join(f"{name}: {count:,}" for name, count in counter.most_common(limit))


def _problems(report: dict[str, Any], acc: _Accumulator, first: np.ndarray) -> list[Problem]:
    rows = max(report["rows"], 1)
    problems: list[Problem] = []
    unreadable = report["import_errors"] + report["malformed_rows"]
    if unreadable:
        problems.append(_problem("import_errors", unreadable, unreadable / (rows + unreadable),
                                 acc.malformed_examples))
    empty: EmptyFields = report["empty"]
    if empty.rows:
        detail = _top(Counter(empty.by_field))
        problems.append(_problem("empty_fields", empty.rows, empty.rows / rows, empty.examples, detail=detail,
                                 detail_zh=detail))
    pii: PiiSummary = report["pii"]
    if pii.rows:
        detail = _top(Counter(pii.rows_by_kind))
        problems.append(_problem("pii", pii.rows, pii.rows / rows, [e.row_id for e in pii.examples] or
                                 acc.pii_row_ids, detail=detail, detail_zh=detail))
    exact: ExactDuplicates = report["exact_duplicates"]
    if exact.rows:
        problems.append(_problem("exact_duplicates", exact.rows, exact.rows / rows,
                                 [i for group in exact.examples for i in group.row_ids[1:]],
                                 detail=f"{exact.groups:,} groups", detail_zh=f"共 {exact.groups:,} 组"))
    near: NearDuplicates = report["near_duplicates"]
    if near.rows:
        problems.append(_problem("near_duplicates", near.rows, near.rows / rows,
                                 [pair.duplicate_id for pair in near.examples], threshold=near.threshold,
                                 detail=f"{near.groups:,} groups", detail_zh=f"共 {near.groups:,} 组"))
    labels: LabelBalance | None = report["labels"]
    if labels is not None:
        if labels.conflicting_rows:
            codes = _joined(acc.labels, np.int32)
            conflicting = np.flatnonzero(codes[first] != codes)[:EXAMPLES]
            problems.append(_problem("label_conflicts", labels.conflicting_rows, labels.conflicting_rows / rows,
                                     [acc.ids[i] for i in conflicting.tolist()]))
        if labels.classes > 1 and labels.imbalance_ratio >= IMBALANCE_RATIO:
            # log scale: a 3:1 ratio costs a little, 100:1 costs the full weight
            share = min(1.0, math.log(labels.imbalance_ratio) / math.log(100))
            minority_rows = labels.counts[labels.minority]
            problems.append(_problem("label_imbalance", minority_rows, share, [], majority=labels.majority,
                                     minority=labels.minority, ratio=labels.imbalance_ratio))
    outliers = _language_outliers(acc, report["languages"])
    if outliers is not None:
        problems.append(outliers)
    leakage: Leakage | None = report["leakage"]
    if leakage is not None and leakage.leaked_rows:
        detail = (f"{leakage.exact_prompt:,} with the same prompt, of which {leakage.exact_prompt_answer:,} also with "
                  f"the same answer; {leakage.near_prompt:,} with a nearly identical prompt")
        detail_zh = (f"提示完全相同 {leakage.exact_prompt:,} 条，其中答案也相同 {leakage.exact_prompt_answer:,} 条；"
                     f"提示高度相似 {leakage.near_prompt:,} 条")
        problems.append(_problem("train_test_leakage", leakage.leaked_rows,
                                 leakage.leaked_rows / max(leakage.test_rows, 1),
                                 [example.test_id for example in leakage.examples], detail=detail,
                                 detail_zh=detail_zh))
    return sorted(problems, key=lambda problem: -problem.penalty)


def _language_outliers(acc: _Accumulator, languages: list[LanguageShare]) -> Problem | None:
    minor = [share for share in languages if share.share < MINOR_LANGUAGE_SHARE and share.language != UNDETERMINED]
    if not minor or len(minor) == len(languages):
        return None
    count = sum(share.rows for share in minor)
    examples = [row_id for share in minor for row_id in acc.language_examples[share.language]]
    detail = ", ".join(f"{share.language}: {share.rows:,}" for share in minor[:5])
    return _problem("language_outliers", count, count / max(acc.languages.total(), 1), examples, detail=detail,
                    detail_zh=detail)


# ------------------------------------------------------------------------------------------ driver


def _batched(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _run_batches(batches: Iterator[list[Row]], work: Callable[[list[Row], _Options, int], _Batch],
                 options: _Options, pool: Executor | None) -> Iterator[_Batch]:
    """Analyse batches in ``pool`` (in order, a bounded number in flight) or here when there is no pool."""
    start = 0
    if pool is None:
        for rows in batches:
            yield work(rows, options, start)
            start += len(rows)
        return
    pending: list[Future[_Batch]] = []
    for rows in batches:
        pending.append(pool.submit(work, rows, options, start))
        start += len(rows)
        if len(pending) >= 4:
            yield pending.pop(0).result()
    for future in pending:
        yield future.result()


def quality_report(rows: Iterable[Row], schema: DataSchema, *, test_rows: Iterable[Row] | None = None,
                   tokenizer_path: str | None = None, import_errors: int = 0, progress: Progress | None = None,
                   total_rows: int | None = None, workers: int | None = None) -> QualityReport:
    """The quality report of canonical ``rows`` of ``schema`` (read once, in order).

    ``test_rows`` are checked for leakage into ``rows``; ``tokenizer_path`` is a local folder with
    a (fast) tokenizer for token lengths; ``import_errors`` is the importer's count of unreadable
    rows. ``progress(done, total, message)`` is called as batches finish, with ``total_rows`` as the
    total when the caller knows it. ``workers`` processes analyse batches (default: two on two or
    more cores; none for inputs of a single batch, where starting them would cost more).
    """
    started = time.monotonic()
    options = _Options(schema=DataSchema(schema), tokenizer_path=tokenizer_path, leakage=test_rows is not None)
    acc = _Accumulator(options)
    batches = _batched(rows, BATCH_ROWS)
    head = next(batches, [])
    workers = default_workers() if workers is None else workers
    use_pool = workers > 0 and len(head) == BATCH_ROWS
    pool = process_pool(workers) if use_pool else None
    try:
        if test_rows is not None:
            # Test rows first (usually few): then every training batch is checked against them as it passes.
            test = list(_run_batches(_batched(test_rows, BATCH_ROWS), _analyse_test, options, pool))
            acc.leakage = _LeakageIndex(test, options.num_perm)
        for batch in _run_batches(chain([head], batches), _analyse, options, pool):
            acc.add(batch)
            if progress is not None:
                done = len(acc.ids) + acc.malformed
                progress(done, max(total_rows or 0, done), f"analysed {done:,} rows")
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if progress is not None:
        progress(len(acc.ids), len(acc.ids), "finding duplicates")
    report = _summarise(acc, import_errors)
    report["elapsed_seconds"] = round(time.monotonic() - started, 2)
    if progress is not None:
        progress(len(acc.ids), len(acc.ids), "report ready")
    return QualityReport(**report)


def _summarise(acc: _Accumulator, import_errors: int) -> dict[str, Any]:
    first = _joined(acc.first, np.int64)
    keys = _joined(acc.keys, np.uint64)
    lengths = {name: _joined(parts, np.int32) for name, parts in acc.lengths.items()}
    tokens = None
    if acc.options.tokenizer_path:
        tokens = SideLengths(prompt=_distribution(lengths["prompt_tokens"]),
                             answer=_distribution(lengths["answer_tokens"]))
    report: dict[str, Any] = {
        "data_schema": acc.options.schema,
        "rows": len(acc.ids),
        "import_errors": import_errors,
        "malformed_rows": acc.malformed,
        "empty": EmptyFields(rows=acc.empty_rows, by_field=dict(acc.empty_by_field.most_common()),
                             examples=acc.empty_examples),
        "exact_duplicates": _exact_duplicates(acc, first, keys),
        "near_duplicates": _near_duplicates(acc),
        "lengths": Lengths(chars=SideLengths(prompt=_distribution(lengths["prompt_chars"]),
                                             answer=_distribution(lengths["answer_chars"])),
                           tokens=tokens, tokenizer=acc.options.tokenizer_path),
        "languages": _languages(acc),
        "labels": _label_balance(acc, first),
        "pii": PiiSummary(rows=acc.pii_rows,
                          hits={kind: acc.pii_hits[kind] for kind in PII_KINDS if acc.pii_hits[kind]},
                          rows_by_kind={kind: acc.pii_rows_by_kind[kind] for kind in PII_KINDS
                                        if acc.pii_rows_by_kind[kind]},
                          examples=acc.pii_examples),
        "leakage": acc.leakage.summary(acc.ids) if acc.leakage is not None else None,
    }
    problems = _problems(report, acc, first)
    report["problems"] = problems
    report["score"] = max(0, round(100 - sum(problem.penalty for problem in problems)))
    return report

