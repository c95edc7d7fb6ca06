"""Exact and near-duplicate texts, fast enough for a million rows on two cores.

**Exact duplicates** are texts equal after :func:`normalize_text` (case folding, whitespace
collapsed): the 64-bit xxHash3 of the normalised text is the key. Empty texts are
nobody's duplicate (the quality report counts them as empty instead).

**Near duplicates** are texts whose sets of character shingles have a Jaccard similarity of at
least ``threshold`` (default **0.8**), estimated with MinHash and found with LSH banding:

* Shingles are taken after case and width folding and removing everything that is not a letter
  or a digit, so punctuation, spacing, case and full-width/half-width changes cost nothing. They
  are **character** n-grams, which work for Chinese without word segmentation: 2 characters for
  texts that are mostly CJK (a Chinese word is about two characters, so a 2-shingle spans about
  what a 5-letter shingle spans in English, and one edited character changes only two
  shingles), 5 for the rest. A text shorter than its shingle is one shingle.
* Why 0.8: one edited character changes at most ``shingle`` shingles, so on ~200-character texts
  a few edited words or a reordered clause keep a similarity near 0.9 (measured 0.87–0.97 in the
  tests), while texts that only share a template or a topic stay far below 0.5. Going lower
  starts merging rows that differ in substance (one changed number in a short answer); going
  higher misses paraphrase-level copies of short Chinese texts, where one changed word already
  costs ~0.1. The MinHash estimate has a standard error of about 0.035 at 0.8 with 128 bins.
* Signatures are **one-permutation MinHash** (Li, Owen & Zhang 2012) with optimal densification
  (Shrivastava 2017): every shingle is hashed once and falls into one of ``num_perm`` bins, each
  bin keeps its minimum, and an empty bin borrows along a fixed random chain of bins. It estimates
  Jaccard like ``num_perm`` independent permutations but costs one hash per shingle instead of
  ``num_perm``. Shingle hashing, binning and banding are numpy operations over whole batches.
* Candidate pairs come from LSH banding with the band count and width that ``datasketch``'s
  ``MinHashLSH`` optimiser picks for the threshold, weighted towards recall (false positives
  are cheap: every candidate is verified against the full signature).
* Rows that are near duplicates of each other form a group through connected components
  (``scipy``), so A~B and B~C put A, B and C in one group; the first row seen is the one to keep.

Why not datasketch's ``MinHash``/``MinHashLSH`` objects end to end: measured on this project's
2-core machine with 200-character texts, its per-row ``update`` loop costs ~1.4 ms a row and
``MinHash.bulk`` ~180 µs a row (about 3 minutes for a million rows before any LSH work), and
``MinHashLSH.insert`` another ~14 µs a row. The batched numpy path below does the same job in a
few microseconds a row; ``benchmarks/data_pipeline.py`` measures both.
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from functools import cache
from itertools import islice
from multiprocessing import get_context

import numpy as np
import xxhash
from datasketch import MinHashLSH
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

DEFAULT_THRESHOLD = 0.8
DEFAULT_NUM_PERM = 128
CJK_SHINGLE = 2
OTHER_SHINGLE = 5
BATCH_ROWS = 10_000
# Band parameters favour recall: the optimiser weighs a missed pair 19 times a false candidate.
_LSH_WEIGHTS = (0.05, 0.95)
_EMPTY = np.uint32(0xFFFFFFFF)
_MASK32 = np.uint64(0xFFFFFFFF)
# Densification: tries along the random chain, then the offset added per bin of distance when the
# rest borrow from their right-hand neighbour (odd, so different distances never collide).
_CHAIN_ATTEMPTS = 8
_DENSIFY_OFFSET = np.uint32(0x9E3779B1)
# Texts hashed together: small enough that the temporary arrays stay in cache (measured ~40% faster
# a row than 10,000 at a time), large enough that numpy's per-call overhead doesn't show.
_SUB_BATCH = 2000
# Code points from the CJK radicals block upwards: Han, kana, Hangul, CJK punctuation.
_CJK_START = 0x2E80

_NOT_ALNUM = re.compile(r"[\W_]+")
# Full-width ASCII forms (common in Chinese text) and their ASCII counterparts.
_FULL_WIDTH_FIRST, _FULL_WIDTH_LAST, _FULL_WIDTH_SHIFT = 0xFF01, 0xFF5E, 0xFEE0
_HALF_WIDTH = {point: point - _FULL_WIDTH_SHIFT for point in range(_FULL_WIDTH_FIRST, _FULL_WIDTH_LAST + 1)}


def normalize_text(text: str) -> str:
    """The form two texts must share to be exact duplicates: case-folded, whitespace collapsed.

    Not NFKC: on Chinese text (full-width punctuation everywhere) it costs ~30 µs a row, 15 times
    the rest; width and punctuation variants are near duplicates instead (shingles ignore them).
    """
    return " ".join(text.casefold().split())


def exact_key(text: str) -> int | None:
    """The 64-bit hash that equal texts (after :func:`normalize_text`) share; None for an empty text."""
    normalized = normalize_text(text)
    return xxhash.xxh3_64_intdigest(normalized.encode("utf-8", "surrogatepass")) if normalized else None


def shingle_text(text: str) -> str:
    """The letters and digits of ``text``, case-folded and width-folded: what near-duplicate shingles are cut from.

    :class:`MinHasher` does the same on whole batches with numpy; this is the readable reference.
    """
    return _NOT_ALNUM.sub("", text.casefold().translate(_HALF_WIDTH))


def exact_duplicate_groups(items: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Groups of row ids whose texts are equal after normalisation, the first seen first; ``items`` are (id, text)."""
    groups: dict[int, list[str]] = {}
    for row_id, text in items:
        if (key := exact_key(text)) is not None:
            groups.setdefault(key, []).append(row_id)
    return [ids for ids in groups.values() if len(ids) > 1]


def _fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser: spreads every input bit over the whole hash (in place)."""
    values ^= values >> np.uint64(33)
    values *= np.uint64(0xFF51AFD7ED558CCD)
    values ^= values >> np.uint64(33)
    values *= np.uint64(0xC4CEB9FE1A85EC53)
    values ^= values >> np.uint64(33)
    return values


def _odd_constants(rng: np.random.Generator, count: int) -> np.ndarray:
    return rng.integers(0, 2**63, size=count, dtype=np.uint64) * np.uint64(2) + np.uint64(1)


@cache
def _kept_code_points() -> np.ndarray:
    """Which code points shingles keep: letters and digits of the Basic Multilingual Plane, and (the last
    entry, for every code point above it) the supplementary planes, mostly rare CJK characters."""
    return np.append(np.fromiter((chr(point).isalnum() for point in range(0x10000)), dtype=bool, count=0x10000), True)


class MinHasher:
    """Turns batches of texts into one-permutation MinHash signatures (``num_perm`` uint32 values a text)."""

    def __init__(self, num_perm: int = DEFAULT_NUM_PERM, seed: int = 1) -> None:
        if num_perm < 8:
            raise ValueError(f"num_perm must be at least 8, got {num_perm}")
        self.num_perm = num_perm
        rng = np.random.default_rng(seed)
        self._position_weights = _odd_constants(rng, OTHER_SHINGLE)
        # The densification chain: on attempt t an empty bin i borrows from bin chain[t, i].
        self._chain = rng.integers(0, num_perm, size=(_CHAIN_ATTEMPTS, num_perm), dtype=np.int64)

    def signatures(self, texts: Sequence[str]) -> np.ndarray:
        """An ``(len(texts), num_perm)`` uint32 array; a text with no letters or digits gets all ``0xFFFFFFFF``."""
        if len(texts) <= _SUB_BATCH:
            return self._signatures(texts)
        return np.concatenate([self._signatures(texts[start:start + _SUB_BATCH])
                               for start in range(0, len(texts), _SUB_BATCH)])

    def _signatures(self, texts: Sequence[str]) -> np.ndarray:
        """Signatures of one sub-batch.

        The texts are joined into one array of code points; letters and digits are kept with a
        lookup table, full-width forms are folded to ASCII, and every shingle hash is a sum of
        shifted slices of that array, so the only per-text Python work is case folding.
        """
        folded = list(map(str.casefold, texts))
        codes = np.frombuffer("".join(folded).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        keep = _kept_code_points()[np.minimum(codes, 0x10000)]
        codes = codes[keep]
        full_width = (codes >= _FULL_WIDTH_FIRST) & (codes <= _FULL_WIDTH_LAST)
        codes[full_width] -= _FULL_WIDTH_SHIFT
        # Row boundaries in the kept codes: the running count of kept characters at each text's end.
        text_ends = np.cumsum(np.fromiter(map(len, folded), dtype=np.int64, count=len(folded)))
        kept_before = np.concatenate(([0], np.cumsum(keep)))
        ends = kept_before[text_ends]
        lengths = np.diff(ends, prepend=0)
        cjk_before = np.concatenate(([0], np.cumsum(codes >= _CJK_START)))
        cjk = np.diff(cjk_before[ends], prepend=0)
        widths = np.minimum(np.where(2 * cjk >= lengths, CJK_SHINGLE, OTHER_SHINGLE), lengths)

        owner = np.repeat(np.arange(len(folded)), lengths)
        room = ends[owner] - np.arange(len(codes))  # characters from each position to the end of its text
        shingle_width = widths[owner]
        signature = np.full((len(folded), self.num_perm), _EMPTY, dtype=np.uint32)
        wide = codes.astype(np.uint64)
        hashes = wide * self._position_weights[0]
        present = set(np.unique(widths[widths > 0]).tolist())
        for width in range(1, max(present, default=0) + 1):
            if width > 1:
                hashes = hashes[:-1] + wide[width - 1:] * self._position_weights[width - 1]
            if width in present:
                count = len(hashes)
                here = (shingle_width[:count] == width) & (room[:count] >= width)
                self._bin_minima(signature, _fmix64(hashes[here]), owner[:count][here])
        self._densify(signature)
        return signature

    def _bin_minima(self, signature: np.ndarray, hashes: np.ndarray, rows: np.ndarray) -> None:
        """Put each shingle hash in its bin (high 32 bits) and keep each bin's minimum value (low 32 bits)."""
        bins = ((hashes >> np.uint64(32)) * np.uint64(self.num_perm)) >> np.uint64(32)
        cells = rows * self.num_perm + bins.astype(np.int64)
        np.minimum.at(signature.reshape(-1), cells, (hashes & _MASK32).astype(np.uint32))

    def _densify(self, signature: np.ndarray) -> None:
        """Fill empty bins so that two texts with the same bin empty borrow from the same place.

        Optimal densification (Shrivastava, ICML 2017): an empty bin tries the bins of a fixed
        random chain in turn and takes the first filled one's value; it keeps estimates close to
        independent permutations even for short texts, where most bins are empty. The few cells
        still empty after ``_CHAIN_ATTEMPTS`` tries take the next filled bin to their right,
        offset by the distance (rotation, Shrivastava & Li 2014). Texts without shingles stay empty.
        """
        original = signature.copy()
        filled = original != _EMPTY
        rows, bins = np.nonzero(~filled & filled.any(axis=1, keepdims=True))
        for attempt in range(_CHAIN_ATTEMPTS):
            if rows.size == 0:
                return
            source = self._chain[attempt, bins]
            found = filled[rows, source]
            signature[rows[found], bins[found]] = original[rows[found], source[found]]
            rows, bins = rows[~found], bins[~found]
        if rows.size:
            self._rotate(signature, original, filled, rows, bins)

    @staticmethod
    def _rotate(signature: np.ndarray, original: np.ndarray, filled: np.ndarray, rows: np.ndarray,
                bins: np.ndarray) -> None:
        """Fill the given empty cells from the next filled bin to their right (circularly), offset by the distance."""
        width = filled.shape[1]
        involved, local = np.unique(rows, return_inverse=True)
        mask = filled[involved]
        # The nearest filled bin at or after each bin (int16: less memory traffic than int64) ...
        nearest = np.where(mask, np.arange(width, dtype=np.int16), np.int16(width))
        nearest = np.minimum.accumulate(nearest[:, ::-1], axis=1)[:, ::-1]
        target = nearest[local, bins].astype(np.int64)
        # ... or, past the last filled bin, the row's first filled bin one lap further on.
        wraps = target == width
        target[wraps] = np.argmax(mask[local[wraps]], axis=1) + width
        distance = (target - bins).astype(np.uint32)
        signature[rows, bins] = original[rows, target % width] + distance * _DENSIFY_OFFSET


@cache
def band_parameters(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) for LSH at ``threshold``, from datasketch's optimiser weighted towards recall."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=_LSH_WEIGHTS)
    return lsh.b, lsh.r


def band_keys(signatures: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> np.ndarray:
    """A ``(bands, rows)`` uint64 array: the LSH bucket of every row in every band (rows sharing one are candidates)."""
    bands, width = band_parameters(threshold, signatures.shape[1])
    return np.stack([_band_keys(signatures, band * width, width) for band in range(bands)]) if len(signatures) \
        else np.zeros((bands, 0), dtype=np.uint64)


def _band_keys(signatures: np.ndarray, start: int, width: int) -> np.ndarray:
    weights = _odd_constants(np.random.default_rng(start), width)
    keys = signatures[:, start].astype(np.uint64) * weights[0]
    for j in range(1, width):
        keys += signatures[:, start + j].astype(np.uint64) * weights[j]
    return _fmix64(keys)


def candidate_pairs(signatures: np.ndarray, threshold: float) -> np.ndarray:
    """Unique ``(i, j)`` index pairs, ``i < j``, that share at least one LSH band (rows that are all empty skipped).

    Within a bucket every member is paired with the bucket's first member and with the member
    before it, which keeps the work linear even when thousands of rows share a band.
    """
    bands, width = band_parameters(threshold, signatures.shape[1])
    usable = np.flatnonzero(signatures[:, 0] != _EMPTY)
    found: list[np.ndarray] = []
    for band in range(bands):
        keys = _band_keys(signatures, band * width, width)[usable]  # not signatures[usable]: a full copy a band
        order = np.argsort(keys, kind="stable")
        sorted_keys, members = keys[order], usable[order]
        same = sorted_keys[1:] == sorted_keys[:-1]
        if not same.any():
            continue
        is_first = np.concatenate(([True], ~same))
        first = members[np.maximum.accumulate(np.where(is_first, np.arange(len(members)), 0))]
        later = ~is_first
        found += [np.stack((members[:-1][same], members[1:][same]), axis=1),
                  np.stack((first[later], members[later]), axis=1)]
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.sort(np.concatenate(found), axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs, axis=0)


def estimated_similarity(signatures: np.ndarray, pairs: np.ndarray, *, chunk: int = 100_000) -> np.ndarray:
    """The Jaccard similarity each pair's signatures estimate (share of equal bins)."""
    result = np.empty(len(pairs), dtype=np.float32)
    for start in range(0, len(pairs), chunk):
        part = pairs[start:start + chunk]
        result[start:start + chunk] = (signatures[part[:, 0]] == signatures[part[:, 1]]).mean(axis=1)
    return result


def similar_pairs(signatures: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (``i < j``) whose estimated similarity is at least ``threshold``, and those similarities."""
    pairs = candidate_pairs(signatures, threshold)
    similarity = estimated_similarity(signatures, pairs)
    keep = similarity >= threshold
    return pairs[keep], similarity[keep]


def cross_similar_pairs(reference: np.ndarray, queries: np.ndarray,
                        threshold: float = DEFAULT_THRESHOLD) -> tuple[np.ndarray, np.ndarray]:
    """(reference index, query index) pairs whose estimated similarity is at least ``threshold``, and those.

    For checking one set against another (test rows against training rows): each query is
    matched, band by band, with the first reference row of its bucket, so nothing is paired
    within either set.
    """
    bands, width = band_parameters(threshold, reference.shape[1])
    usable_queries = np.flatnonzero(queries[:, 0] != _EMPTY)
    usable_reference = np.flatnonzero(reference[:, 0] != _EMPTY)
    found: list[np.ndarray] = []
    for band in range(bands if len(usable_reference) and len(usable_queries) else 0):
        reference_keys = _band_keys(reference, band * width, width)[usable_reference]
        order = np.argsort(reference_keys, kind="stable")
        sorted_keys = reference_keys[order]
        query_keys = _band_keys(queries, band * width, width)[usable_queries]
        at = np.minimum(np.searchsorted(sorted_keys, query_keys), len(sorted_keys) - 1)
        hit = sorted_keys[at] == query_keys
        found.append(np.stack((usable_reference[order[at[hit]]], usable_queries[hit]), axis=1))
    pairs = np.unique(np.concatenate(found), axis=0) if found else np.empty((0, 2), dtype=np.int64)
    similarity = np.empty(len(pairs), dtype=np.float32)
    for start in range(0, len(pairs), 100_000):
        part = pairs[start:start + 100_000]
        similarity[start:start + 100_000] = (reference[part[:, 0]] == queries[part[:, 1]]).mean(axis=1)
    keep = similarity >= threshold
    return pairs[keep], similarity[keep]


def group_indices(pairs: np.ndarray, count: int) -> list[list[int]]:
    """Connected groups (two or more members) of ``count`` items linked by ``pairs``, each sorted, first first."""
    if len(pairs) == 0:
        return []
    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(count, count))
    _, labels = connected_components(graph, directed=False)
    linked = np.unique(pairs)
    order = linked[np.argsort(labels[linked], kind="stable")]
    boundaries = np.flatnonzero(np.diff(labels[order])) + 1
    return sorted((group.tolist() for group in np.split(order, boundaries)), key=lambda group: group[0])


class SignatureStore:
    """Signatures of a stream of texts, kept in batches (numpy arrays) until :meth:`matrix` joins them."""

    def __init__(self, num_perm: int = DEFAULT_NUM_PERM) -> None:
        self.num_perm = num_perm
        self._batches: list[np.ndarray] = []

    def add(self, signatures: np.ndarray) -> None:
        """Append a batch of signatures (rows in stream order)."""
        self._batches.append(signatures)

    def matrix(self) -> np.ndarray:
        """All signatures so far as one array; each batch is released as soon as it is copied (no double peak)."""
        if len(self._batches) == 1:
            return self._batches[0]
        joined = np.empty((sum(len(batch) for batch in self._batches), self.num_perm), dtype=np.uint32)
        position = 0
        self._batches.reverse()
        while self._batches:
            batch = self._batches.pop()
            joined[position:position + len(batch)] = batch
            position += len(batch)
        self._batches = [joined]
        return joined


@cache
def _hasher(num_perm: int, seed: int) -> MinHasher:
    return MinHasher(num_perm, seed)


def batch_signatures(texts: Sequence[str], num_perm: int = DEFAULT_NUM_PERM, seed: int = 1) -> np.ndarray:
    """Signatures of one batch of texts (a picklable entry point for worker processes)."""
    return _hasher(num_perm, seed).signatures(texts)


def default_workers() -> int:
    """Worker processes for batch work: two where there are two or more cores, else none."""
    return 2 if (os.cpu_count() or 1) >= 2 else 0


def process_pool(workers: int) -> Executor:
    """A pool of ``workers`` fresh (spawned) processes: safe whatever threads the caller runs."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))


def _batches(items: Iterable[tuple[str, str]], size: int) -> Iterator[tuple[list[str], list[str]]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield [row_id for row_id, _ in batch], [text for _, text in batch]


def near_duplicate_groups(items: Iterable[tuple[str, str]], *, threshold: float = DEFAULT_THRESHOLD,
                          num_perm: int = DEFAULT_NUM_PERM, workers: int | None = None) -> list[list[str]]:
    """Groups of row ids whose texts are near duplicates (exact ones included), the one to keep first.

    ``items`` are (row id, text) pairs, read once in batches, so a generator over a large file
    works; only the ids and the signatures (``num_perm`` × 4 bytes a row) are kept. ``workers``
    processes compute signatures (default: :func:`default_workers`; 0 computes them here).
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    ids: list[str] = []
    store = SignatureStore(num_perm)
    workers = default_workers() if workers is None else workers
    batches = _batches(items, BATCH_ROWS)
    if workers:
        with process_pool(workers) as pool:
            for batch_ids, signatures in _bounded_map(pool, batches, num_perm, ahead=2 * workers):
                ids += batch_ids
                store.add(signatures)
    else:
        for batch_ids, texts in batches:
            ids += batch_ids
            store.add(batch_signatures(texts, num_perm))
    pairs, _ = similar_pairs(store.matrix(), threshold)
    return [[ids[index] for index in group] for group in group_indices(pairs, len(ids))]


def _bounded_map(pool: Executor, batches: Iterator[tuple[list[str], list[str]]], num_perm: int,
                 *, ahead: int) -> Iterator[tuple[list[str], np.ndarray]]:
    """Signatures of each batch from ``pool``, in order, with at most ``ahead`` batches in flight (bounded memory)."""
    pending: deque[tuple[list[str], Future[np.ndarray]]] = deque()
    for batch_ids, texts in batches:
        pending.append((batch_ids, pool.submit(batch_signatures, texts, num_perm)))
        if len(pending) >= ahead:
            done_ids, future = pending.popleft()
            yield done_ids, future.result()
    for done_ids, future in pending:
        yield done_ids, future.result()
