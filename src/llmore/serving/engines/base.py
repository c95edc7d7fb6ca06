"""The interface every serving engine implements, its capability flags and its errors.

An engine serves one base model and, where it supports them, LoRA adapters each addressable as
a model name of its own. The worker app (:mod:`llmore.serving.worker`) speaks HTTP and hands
validated OpenAI bodies (:mod:`llmore.serving.protocol`) to an engine; the engine answers with
OpenAI bodies. A parameter an engine cannot honour is refused before any work starts
(:func:`refuse_unsupported`) with a 400 that names it, never silently ignored.

Engines: ``transformers`` (in-process, CPU or GPU, dynamic batching), ``embeddings``
(sentence-transformers) and ``vllm`` (vLLM's OpenAI server as a managed child process from its
own virtual environment, :mod:`.vllm_engine`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from llmore.errors import AppError, NotFound
from llmore.serving import protocol as p

EngineKind = Literal["transformers", "embeddings", "vllm"]
ENGINE_KINDS: tuple[str, ...] = ("transformers", "embeddings", "vllm")


class InvalidRequest(AppError):
    """A request the engine refuses (400); ``param`` names the offending field for OpenAI clients."""

    status_code = 400
    code = "invalid_request"

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None):
        super().__init__(message, details=[{"field": param, "message": message}] if param else None, code=code)
        self.param = param


class ModelNotServed(NotFound):
    """The model name is not served here (404, OpenAI's ``model_not_found``)."""

    code = "model_not_found"


@dataclass(frozen=True)
class Capabilities:
    """What an engine can do; requests asking for more are refused with a 400 naming the field."""

    chat: bool = False
    completions: bool = False
    embeddings: bool = False
    streaming: bool = False
    tools: bool = False
    logprobs: bool = False
    adapters: bool = False
    beam_search: bool = False
    beam_search_streaming: bool = False
    response_format: bool = False
    sampling: frozenset[str] = field(default_factory=frozenset)
    """Names of the optional sampling fields of :class:`~llmore.serving.protocol.SamplingFields` honoured."""


SAMPLING_FIELDS = frozenset(
    {
        "temperature", "top_p", "top_k", "min_p", "repetition_penalty", "presence_penalty", "frequency_penalty",
        "no_repeat_ngram_size", "do_sample", "num_beams", "length_penalty", "stop", "stop_token_ids", "bad_words",
        "seed", "min_tokens", "min_new_tokens",
    }
)


def refuse_unsupported(capabilities: Capabilities, request: p.SamplingFields) -> None:
    """Raise :class:`InvalidRequest` for the first field of ``request`` the engine cannot honour."""
    sent = request.model_fields_set
    for name in sorted(SAMPLING_FIELDS & sent):
        if getattr(request, name) is not None and name not in capabilities.sampling:
            raise InvalidRequest(f"This engine does not support the parameter '{name}'; leave it out.", param=name)
    if request.stream and not capabilities.streaming:
        raise InvalidRequest("This engine does not stream; send stream: false.", param="stream")
    beams = request.num_beams or 1
    if beams > 1:
        if not capabilities.beam_search:
            raise InvalidRequest("This engine does not do beam search; leave num_beams out.", param="num_beams")
        if request.stream and not capabilities.beam_search_streaming:
            raise InvalidRequest(
                "Beam search cannot stream: a beam's text may still be replaced by a better beam. "
                "Send stream: false or num_beams: 1.", param="num_beams")
    if isinstance(request, p.ChatCompletionRequest):
        if request.tools and not capabilities.tools:
            raise InvalidRequest("This engine does not support tools.", param="tools")
        if request.logprobs and not capabilities.logprobs:
            raise InvalidRequest("This engine does not return logprobs.", param="logprobs")
        if request.response_format and request.response_format.type != "text" and not capabilities.response_format:
            raise InvalidRequest("This engine does not support response_format.", param="response_format")
    if isinstance(request, p.CompletionRequest) and request.logprobs is not None and not capabilities.logprobs:
        raise InvalidRequest("This engine does not return logprobs.", param="logprobs")


class Engine(Protocol):
    """A serving engine: one base model, optional adapters, the OpenAI operations it supports."""

    kind: str
    capabilities: Capabilities

    def models(self) -> list[p.ModelCard]:
        """Every model name this engine answers to: the base model first, then its adapters."""
        ...

    async def chat(self, request: p.ChatCompletionRequest) -> p.ChatCompletionResponse:
        """A whole chat completion."""
        ...

    def chat_stream(self, request: p.ChatCompletionRequest) -> AsyncIterator[p.ChatCompletionChunk]:
        """A chat completion as chunks (the last one carries usage when asked for)."""
        ...

    async def completion(self, request: p.CompletionRequest) -> p.CompletionResponse:
        """A whole text completion."""
        ...

    def completion_stream(self, request: p.CompletionRequest) -> AsyncIterator[p.CompletionResponse]:
        """A text completion as chunks."""
        ...

    async def embeddings(self, request: p.EmbeddingRequest) -> p.EmbeddingResponse:
        """Embedding vectors of the input texts."""
        ...

    def tokenize(self, model: str, text: str) -> list[int]:
        """Token ids of ``text`` under ``model``'s tokenizer."""
        ...

    def health(self) -> dict[str, Any]:
        """Liveness and load: ``{"ok": bool, "running": int, "waiting": int, ...}``."""
        ...

    def load_adapter(self, name: str, path: str) -> None:
        """Serve the LoRA adapter at ``path`` as the model ``name`` from now on."""
        ...

    def unload_adapter(self, name: str) -> None:
        """Stop serving the adapter ``name``."""
        ...

    def close(self) -> None:
        """Release the model and stop background threads."""
        ...


def unsupported(operation: str, kind: str) -> InvalidRequest:
    """The 400 an engine answers for an operation it does not do at all."""
    return InvalidRequest(f"The {kind} engine does not serve {operation}; send it to a worker that does.",
                          code="unsupported_operation")
