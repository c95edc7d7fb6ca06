"""Seeded train/dev/test splits, stratified by label, optionally keeping identical prompts together.

The algorithm (``split_rows``):

1. **Units.** Each row is a unit, or, with ``group_by_prompt``, all rows whose prompt text is exactly
   the same form one unit, so a question never sits in train and test at once (leakage). A unit's
   label is its rows' most common label.
2. **Order.** Units are ordered by a keyed hash of ``(seed, unit key)`` (BLAKE2b), not by a shuffle of
   the input order: the same seed gives the same split whatever order the rows come in.
3. **Targets.** Each split gets ``round(N * ratio)`` rows by the largest-remainder method, so the
   sizes are within one row of the ratios and add up to ``N`` exactly.
4. **Coverage.** When stratifying, every label with at least ``MIN_ROWS_TO_COVER`` (3) rows first
   gives one unit to each split with a non-zero ratio (scarcest split first, labels in seeded
   order), as long as that split still has room; a label then appears in every split "where
   possible" without breaking the sizes of step 3.
5. **Fill.** The other units, in hash order, each go to the split furthest below its label's own
   share (``label rows * ratio``) among the splits that still have room, so every label keeps the
   ratios as closely as the sizes allow.

With groups a unit may be larger than the room left; it then goes to the split with the most room,
and the sizes hold to within the largest group instead of one row.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from llmore.datasets.canonical import ROW_ID, SPLIT, SPLITS, DataSchema, Row, label_of, prompt_and_answer

MIN_ROWS_TO_COVER = 3
_RATIO_TOLERANCE = 1e-6


class SplitConfig(BaseModel):
    """How to split a dataset version: ratios per split, seed, stratification and prompt grouping."""

    model_config = ConfigDict(extra="forbid")

    ratios: dict[str, float] = Field(
        default_factory=lambda: {"train": 0.8, "dev": 0.1, "test": 0.1},
        description="Share of rows per split (train, dev, test); they must add up to 1, dev and test may be 0.",
    )
    seed: int = Field(0, description="Same seed, same split.")
    stratify: bool = Field(True, description="Keep each label's share equal in every split (classification).")
    group_by_prompt: bool = Field(
        False, description="Keep rows whose prompt text is identical in the same split, so no prompt leaks into test.",
    )

    @field_validator("ratios")
    @classmethod
    def _check_ratios(cls, ratios: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(ratios) - set(SPLITS))
        if unknown:
            raise ValueError(f"unknown split {', '.join(unknown)}; use {', '.join(SPLITS)}")
        for name, value in ratios.items():
            if not (0 <= value <= 1) or math.isnan(value):
                raise ValueError(f"{name} must be between 0 and 1 (got {value})")
        if ratios.get("train", 0) <= 0:
            raise ValueError("train must be greater than 0")
        total = sum(ratios.values())
        if abs(total - 1) > _RATIO_TOLERANCE:
            parts = " + ".join(f"{name} {value:g}" for name, value in ratios.items())
            raise ValueError(f"must add up to 1 (got {parts} = {total:g})")
        return {name: float(ratios.get(name, 0.0)) for name in SPLITS}


@dataclass
class _Unit:
    key: str
    row_ids: list[str]
    labels: list[str | None] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.row_ids)

    @property
    def label(self) -> str | None:
        counts = Counter(label for label in self.labels if label is not None)
        # ties go to the smallest label, so the answer never depends on the input order
        return min(counts, key=lambda label: (-counts[label], label)) if counts else None


def split_rows(
    rows: Sequence[Row] | Iterable[tuple[str, str | None]],
    *,
    ratios: Mapping[str, float],
    seed: int,
    stratify: bool = True,
    group_by_prompt: bool = False,
    schema: DataSchema | None = None,
) -> dict[str, str]:
    """Map every row id to ``train``, ``dev`` or ``test``; deterministic for a seed (algorithm in the module doc).

    ``rows`` are canonical rows (pass ``schema`` to read labels and prompts; without it the ``label``
    key is used) or ``(row_id, label)`` pairs. Invalid ratios raise a pydantic ``ValidationError``
    located at ``ratios``; a repeated row id or grouping without a schema raise ``ValueError``.
    """
    config = SplitConfig(ratios=dict(ratios), seed=seed, stratify=stratify, group_by_prompt=group_by_prompt)
    units = _units(rows, schema=schema, group_by_prompt=group_by_prompt)
    total = sum(unit.size for unit in units)
    targets = _targets(total, config.ratios)
    active = [name for name in SPLITS if config.ratios[name] > 0]

    units.sort(key=lambda unit: _hash(seed, unit.key))
    strata: dict[str | None, list[_Unit]] = defaultdict(list)
    for unit in units:
        strata[unit.label if stratify else None].append(unit)

    counts = dict.fromkeys(SPLITS, 0)
    label_counts: dict[str | None, Counter[str]] = defaultdict(Counter)
    placed: dict[str, str] = {}

    def place(unit: _Unit, split: str, stratum: str | None) -> None:
        counts[split] += unit.size
        label_counts[stratum][split] += unit.size
        placed[unit.key] = split

    if stratify:
        scarce_first = sorted(active, key=lambda name: (config.ratios[name], SPLITS.index(name)))
        for stratum in sorted(strata, key=lambda label: _hash(seed, f"label:{label}")):
            members = strata[stratum]
            if sum(unit.size for unit in members) < MIN_ROWS_TO_COVER:
                continue
            waiting = iter(members)
            for split in scarce_first:
                unit = next(waiting, None)
                if unit is None:
                    break
                if targets[split] - counts[split] >= unit.size:
                    place(unit, split, stratum)
                else:
                    waiting = _push_back(unit, waiting)

    stratum_rows = {stratum: sum(unit.size for unit in members) for stratum, members in strata.items()}
    for unit in units:
        if unit.key in placed:
            continue
        stratum = unit.label if stratify else None
        share = {name: stratum_rows[stratum] * config.ratios[name] for name in active}
        split = _choose(unit, active, share, label_counts[stratum], targets, counts)
        place(unit, split, stratum)

    return {row_id: placed[unit.key] for unit in units for row_id in unit.row_ids}


def tag_rows(rows: Iterable[Row], assignment: Mapping[str, str]) -> Iterator[Row]:
    """The rows with ``_split`` set from ``split_rows``' answer (for writing the split version)."""
    for row in rows:
        yield {**row, SPLIT: assignment[row[ROW_ID]]}


def split_sizes(assignment: Mapping[str, str]) -> dict[str, int]:
    """Rows per split, every split named (for the version's diff summary)."""
    sizes = dict.fromkeys(SPLITS, 0)
    sizes.update(Counter(assignment.values()))
    return sizes


def _units(
    rows: Sequence[Row] | Iterable[tuple[str, str | None]], *, schema: DataSchema | None, group_by_prompt: bool,
) -> list[_Unit]:
    units: dict[str, _Unit] = {}
    seen: set[str] = set()
    for item in rows:
        if isinstance(item, Mapping):
            row_id, label, prompt = _read_row(item, schema, group_by_prompt)
        else:
            row_id, label = item
            label, prompt = (None if label is None else str(label)), None
            if group_by_prompt:
                raise ValueError("group_by_prompt needs rows (dicts) and their schema, not (row_id, label) pairs")
        row_id = str(row_id)
        if row_id in seen:
            raise ValueError(f"row id {row_id!r} appears twice; every row needs its own {ROW_ID}")
        seen.add(row_id)
        key = f"prompt:{prompt}" if prompt is not None else f"row:{row_id}"
        unit = units.setdefault(key, _Unit(key=key, row_ids=[]))
        unit.row_ids.append(row_id)
        unit.labels.append(label)
    return list(units.values())


def _read_row(
    row: Mapping[str, Any], schema: DataSchema | None, group_by_prompt: bool,
) -> tuple[str, str | None, str | None]:
    if ROW_ID not in row:
        raise ValueError(f"a row has no {ROW_ID}; split canonical rows")
    if schema is None:
        if group_by_prompt:
            raise ValueError("schema: group_by_prompt needs the rows' schema to find their prompts")
        label = row.get("label")
        return row[ROW_ID], None if label is None else str(label), None
    prompt = prompt_and_answer(dict(row), schema)[0] if group_by_prompt else None
    return row[ROW_ID], label_of(dict(row), schema), prompt


def _targets(total: int, ratios: Mapping[str, float]) -> dict[str, int]:
    """Rows per split by the largest-remainder method: each within one row of ``total * ratio``."""
    exact = {name: total * ratios[name] for name in SPLITS}
    targets = {name: math.floor(value) for name, value in exact.items()}
    by_remainder = sorted(SPLITS, key=lambda name: (-(exact[name] - targets[name]), SPLITS.index(name)))
    for name in by_remainder[: total - sum(targets.values())]:
        targets[name] += 1
    return targets


def _choose(
    unit: _Unit, active: list[str], share: Mapping[str, float], have: Mapping[str, int],
    targets: Mapping[str, int], counts: Mapping[str, int],
) -> str:
    room = {name: targets[name] - counts[name] for name in active}
    fitting = [name for name in active if room[name] >= unit.size]
    if not fitting:  # a group larger than any room left: the split with the most room takes it
        return max(active, key=lambda name: (room[name], -SPLITS.index(name)))
    return max(fitting, key=lambda name: (share[name] - have.get(name, 0), room[name], -SPLITS.index(name)))


def _push_back(unit: _Unit, rest: Iterator[_Unit]) -> Iterator[_Unit]:
    yield unit
    yield from rest


def _hash(seed: int, key: str) -> bytes:
    return hashlib.blake2b(f"{seed}\x00{key}".encode(), digest_size=16).digest()
