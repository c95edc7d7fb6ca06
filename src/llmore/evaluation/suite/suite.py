"""The general suite: ``per_dimension`` generated items of each dimension, the same for the same seed."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from llmore.errors import AppError
from llmore.evaluation.suite import chinese, creativity, instruction, reading, reasoning
from llmore.evaluation.suite.items import Dimension, SuiteItem

_BUILDERS: dict[Dimension, Callable[[random.Random, str, int], SuiteItem]] = {
    Dimension.REASONING: reasoning.build, Dimension.READING: reading.build, Dimension.CHINESE: chinese.build,
    Dimension.INSTRUCTION: instruction.build, Dimension.CREATIVITY: creativity.build,
}


def _dimensions(names: Sequence[Dimension | str] | None) -> list[Dimension]:
    """The dimensions asked for, once each in the order given; an unknown name is refused naming the known ones."""
    if names is None:
        return list(Dimension)
    chosen = []
    for index, name in enumerate(names):
        try:
            chosen.append(Dimension(name))
        except ValueError:
            raise AppError(f"Unknown suite dimension {name!r}; the suite has {', '.join(Dimension)}.",
                           details=[{"field": f"dimensions[{index}]", "message": "unknown dimension"}]) from None
    return list(dict.fromkeys(chosen))


def general_suite(*, per_dimension: int = 10, seed: int = 0,
                  dimensions: Sequence[Dimension | str] | None = None) -> list[SuiteItem]:
    """``per_dimension`` items of each of ``dimensions`` (default all five), in that order.

    Each dimension draws from its own random stream seeded by ``seed``, so its items do not depend
    on which other dimensions are asked for, and asking for more items only appends: item ids
    (``<dimension>-<seed>-<n>``) name the same question in every run with the same seed.
    """
    if per_dimension < 0:
        raise AppError(f"per_dimension is the number of items of each dimension, so 0 or more; got {per_dimension}.",
                       details=[{"field": "per_dimension", "message": "must be 0 or more"}])
    items = []
    for dimension in _dimensions(dimensions):
        rng = random.Random(f"llmore-general-suite:{seed}:{dimension.value}")  # str seeds are stable across runs
        build = _BUILDERS[dimension]
        items += [build(rng, f"{dimension.value}-{seed}-{index:04d}", index) for index in range(per_dimension)]
    return items
