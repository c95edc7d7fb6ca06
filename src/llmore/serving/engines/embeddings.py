"""The embeddings engine: a sentence-transformers model, e.g. the bundled all-MiniLM-L6-v2 (worker only).

Encoding runs in a worker thread so the event loop keeps serving; sentence-transformers batches
the texts of one request itself. ``dimensions`` truncates and re-normalises (Matryoshka style),
as OpenAI does for its newer models; ``encoding_format: base64`` packs little-endian float32.
"""

from __future__ import annotations

import asyncio
import base64
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np

from llmore.serving import protocol as p
from llmore.serving.engines.base import Capabilities, InvalidRequest, ModelNotServed, unsupported


class EmbeddingsEngine:
    """Serves one sentence-transformers model under ``served_name``."""

    kind = "embeddings"
    capabilities = Capabilities(embeddings=True)

    def __init__(self, model_path: str | Path, *, served_name: str, device: str | None = None, batch_size: int = 32):
        from sentence_transformers import SentenceTransformer

        self.model_path = Path(model_path)
        self.served_name = served_name
        self.batch_size = batch_size
        self.model = SentenceTransformer(str(self.model_path), device=device, local_files_only=True)
        self.dimensions = int(self.model.get_embedding_dimension())
        self.max_seq_length = int(self.model.max_seq_length)
        # One encode at a time: the model is not meant to be driven from several threads at once.
        self._lock = threading.Lock()
        self._busy = 0

    def models(self) -> list[p.ModelCard]:
        return [p.ModelCard(id=self.served_name, root=str(self.model_path), max_model_len=self.max_seq_length)]

    def _check(self, model: str) -> None:
        if model != self.served_name:
            raise ModelNotServed(f"The model {model!r} is not served here; served: {self.served_name}.")

    def tokenize(self, model: str, text: str) -> list[int]:
        self._check(model)
        return list(self.model.tokenizer.encode(text, add_special_tokens=False))

    async def embeddings(self, request: p.EmbeddingRequest) -> p.EmbeddingResponse:
        self._check(request.model)
        texts: list[str] = list(request.input)
        if request.dimensions is not None and request.dimensions > self.dimensions:
            raise InvalidRequest(f"dimensions is {request.dimensions} but this model has {self.dimensions}.",
                                 param="dimensions")
        tokens = sum(len(ids) for ids in self.model.tokenizer(texts, truncation=True,
                                                              max_length=self.max_seq_length)["input_ids"])
        self._busy += 1
        try:
            vectors = await asyncio.to_thread(self._encode, texts)
        finally:
            self._busy -= 1
        if request.dimensions is not None:
            vectors = vectors[:, : request.dimensions]
            vectors = vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        data = [
            p.EmbeddingData(index=i, embedding=base64.b64encode(v.astype("<f4").tobytes()).decode()
                            if request.encoding_format == "base64" else v.tolist())
            for i, v in enumerate(vectors)
        ]
        return p.EmbeddingResponse(data=data, model=request.model,
                                   usage=p.Usage(prompt_tokens=tokens, completion_tokens=0, total_tokens=tokens))

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self.model.encode(texts, batch_size=self.batch_size, convert_to_numpy=True,
                                                normalize_embeddings=True), dtype=np.float32)

    async def chat(self, request: p.ChatCompletionRequest) -> p.ChatCompletionResponse:
        raise unsupported("chat completions", self.kind)

    def chat_stream(self, request: p.ChatCompletionRequest) -> AsyncIterator[p.ChatCompletionChunk]:
        raise unsupported("chat completions", self.kind)

    async def completion(self, request: p.CompletionRequest) -> p.CompletionResponse:
        raise unsupported("text completions", self.kind)

    def completion_stream(self, request: p.CompletionRequest) -> AsyncIterator[p.CompletionResponse]:
        raise unsupported("text completions", self.kind)

    def load_adapter(self, name: str, path: str) -> None:
        raise unsupported("adapters", self.kind)

    def unload_adapter(self, name: str) -> None:
        raise unsupported("adapters", self.kind)

    def health(self) -> dict[str, Any]:
        return {"ok": True, "engine": self.kind, "running": self._busy, "waiting": 0}

    def close(self) -> None:
        """Nothing runs in the background."""
