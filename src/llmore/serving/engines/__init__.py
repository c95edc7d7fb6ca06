"""Serving engines behind one interface (:mod:`.base`); :func:`create_engine` builds one by kind."""

from __future__ import annotations

from typing import Any

from llmore.serving.engines.base import Engine, InvalidRequest


def create_engine(kind: str, model_path: str, *, served_name: str, **options: Any) -> Engine:
    """Load ``model_path`` with the engine ``kind`` (imports torch and the engine's libraries)."""
    if kind == "transformers":
        from llmore.serving.engines.transformers_engine import TransformersEngine

        return TransformersEngine(model_path, served_name=served_name, **options)
    if kind == "embeddings":
        from llmore.serving.engines.embeddings import EmbeddingsEngine

        return EmbeddingsEngine(model_path, served_name=served_name, **options)
    if kind == "vllm":
        from llmore.serving.engines.vllm_engine import VllmEngine

        return VllmEngine(model_path, served_name=served_name, **options)
    raise InvalidRequest(f"Unknown engine {kind!r}; choose transformers, embeddings or vllm.", param="engine")
