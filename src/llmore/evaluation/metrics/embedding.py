"""Embedding similarity: cosine similarity of sentence-transformers embeddings (best reference kept)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from llmore.evaluation.metrics.base import Batch, MetricResult, mean


@cache
def _model(path: str) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, local_files_only=True)


def embedding_similarity(batch: Batch, model_path: Path) -> list[MetricResult]:
    """``embedding_similarity``: cosine in [-1, 1] between prediction and reference embeddings."""
    model = _model(str(model_path))
    references = [ref for refs in batch.references for ref in refs]
    vectors = model.encode(batch.predictions + references, batch_size=64, convert_to_numpy=True,
                           normalize_embeddings=True)
    predicted, referenced = vectors[: len(batch.predictions)], vectors[len(batch.predictions):]
    per_example: list[float] = []
    start = 0
    for index, refs in enumerate(batch.references):
        sims = referenced[start : start + len(refs)] @ predicted[index]
        per_example.append(float(np.max(sims)) if len(refs) else 0.0)
        start += len(refs)
    return [MetricResult("embedding_similarity", mean(per_example), per_example, {"model": str(model_path)})]
