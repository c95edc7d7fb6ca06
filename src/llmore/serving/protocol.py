"""OpenAI-compatible request and response bodies (pydantic) served by workers and the gateway.

Requests forbid unknown fields: a parameter the server would silently ignore is worse than a 400
that names it. Beyond OpenAI's own fields, the sampling parameters of transformers and vLLM are
accepted at the top level (``top_k``, ``min_p``, ``repetition_penalty``, ``no_repeat_ngram_size``,
``do_sample``, ``num_beams``, ``length_penalty``, ``min_tokens``/``min_new_tokens``,
``max_new_tokens``, ``stop_token_ids``, ``bad_words``), which is where the OpenAI SDK puts them
when they are passed as ``extra_body``.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


def new_id(prefix: str) -> str:
    """A fresh OpenAI-style object id such as ``chatcmpl-…``."""
    return f"{prefix}-{uuid.uuid4().hex}"


def now() -> int:
    return int(time.time())


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Open(BaseModel):
    """Response objects and nested input parts: tolerate fields added by newer SDKs."""

    model_config = ConfigDict(extra="allow")


# ---------------------------------------------------------------- shared pieces


class SamplingFields(_Strict):
    """The generation parameters common to chat and text completions."""

    model: str = Field(min_length=1, max_length=300)
    max_tokens: int | None = Field(None, ge=1, description="Most tokens to generate (alias max_new_tokens).")
    max_completion_tokens: int | None = Field(None, ge=1, description="OpenAI's newer name for max_tokens.")
    max_new_tokens: int | None = Field(None, ge=1, description="transformers' name for max_tokens.")
    min_tokens: int | None = Field(None, ge=0, description="Fewest tokens before end-of-sequence may be produced.")
    min_new_tokens: int | None = Field(None, ge=0, description="transformers' name for min_tokens.")
    temperature: float | None = Field(None, ge=0, le=2, description="0 means greedy decoding.")
    top_p: float | None = Field(None, gt=0, le=1)
    top_k: int | None = Field(None, ge=-1, description="0 or -1 disables it.")
    min_p: float | None = Field(None, ge=0, le=1)
    repetition_penalty: float | None = Field(None, gt=0, le=10)
    presence_penalty: float | None = Field(None, ge=-2, le=2)
    frequency_penalty: float | None = Field(None, ge=-2, le=2)
    no_repeat_ngram_size: int | None = Field(None, ge=0)
    do_sample: bool | None = None
    num_beams: int | None = Field(None, ge=1, le=16)
    length_penalty: float | None = None
    stop: str | list[str] | None = None
    stop_token_ids: list[int] | None = None
    bad_words: list[str] | None = Field(None, description="Words (strings) the output must never contain.")
    n: int = Field(1, ge=1, le=16)
    seed: int | None = None
    stream: bool = False
    stream_options: StreamOptions | None = None
    user: str | None = Field(None, max_length=256, description="End-user id, recorded only.")

    @field_validator("stop")
    @classmethod
    def _stop_list(cls, value: str | list[str] | None) -> list[str] | None:
        if value is None:
            return None
        stops = [value] if isinstance(value, str) else value
        if len(stops) > 16 or any(not s for s in stops):
            raise ValueError("stop takes at most 16 non-empty strings")
        return stops

    def stop_strings(self) -> list[str]:
        """``stop`` as a list (the validator already turned a single string into one)."""
        return list(self.stop or [])

    def max_tokens_requested(self) -> int | None:
        """The one maximum the caller asked for under any of its three names."""
        given = [v for v in (self.max_tokens, self.max_completion_tokens, self.max_new_tokens) if v is not None]
        return min(given) if given else None

    def min_tokens_requested(self) -> int:
        return max(self.min_tokens or 0, self.min_new_tokens or 0)


class StreamOptions(_Strict):
    include_usage: bool = False


class Usage(_Open):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


# ---------------------------------------------------------------- chat


class FunctionDefinition(_Open):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str | None = None
    parameters: dict[str, Any] | None = None


class ToolDefinition(_Strict):
    type: Literal["function"] = "function"
    function: FunctionDefinition


class FunctionCall(_Open):
    name: str
    arguments: str = Field(description="The arguments as a JSON text, as OpenAI sends them.")


class ToolCall(_Open):
    id: str
    type: Literal["function"] = "function"
    function: FunctionCall


class ContentPart(_Open):
    type: str
    text: str | None = None


class ChatMessage(_Open):
    """One message of a conversation as the caller sends it."""

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None
    name: str | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None

    def text(self) -> str:
        """The content as plain text; only text parts are supported (no images or audio)."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        parts = []
        for part in self.content:
            if part.type != "text" or part.text is None:
                raise ValueError(f"content parts of type {part.type!r} are not supported; send text only")
            parts.append(part.text)
        return "".join(parts)


class ResponseFormat(_Strict):
    type: Literal["text", "json_object", "json_schema"]
    json_schema: JsonSchemaFormat | None = None

    @model_validator(mode="after")
    def _schema_present(self) -> ResponseFormat:
        if self.type == "json_schema" and self.json_schema is None:
            raise ValueError("response_format of type json_schema needs a json_schema object")
        return self


class JsonSchemaFormat(_Strict):
    name: str = Field(min_length=1, max_length=64)
    description: str | None = None
    schema_: dict[str, Any] = Field(default_factory=dict, alias="schema")
    strict: bool | None = None


class NamedToolChoice(_Strict):
    type: Literal["function"] = "function"
    function: dict[str, str]


class ChatCompletionRequest(SamplingFields):
    """``POST /v1/chat/completions``."""

    messages: list[ChatMessage] = Field(min_length=1)
    tools: list[ToolDefinition] | None = None
    tool_choice: Literal["none", "auto", "required"] | NamedToolChoice | None = None
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormat | None = None
    logprobs: bool = False
    top_logprobs: int | None = Field(None, ge=0, le=20)

    @model_validator(mode="after")
    def _check_messages(self) -> ChatCompletionRequest:
        if self.top_logprobs and not self.logprobs:
            raise ValueError("top_logprobs needs logprobs: true")
        for number, message in enumerate(self.messages):
            if message.role == "tool" and not message.tool_call_id:
                raise ValueError(f"messages[{number}] has role 'tool' but no tool_call_id")
            if message.role != "assistant" and message.tool_calls:
                raise ValueError(f"messages[{number}]: only assistant messages carry tool_calls")
        if self.messages[-1].role == "assistant" and self.messages[-1].tool_calls:
            raise ValueError("the conversation ends with tool calls; append their results as role 'tool' messages")
        return self


class TopLogprob(_Open):
    token: str
    logprob: float
    bytes: list[int] | None = None


class TokenLogprob(_Open):
    token: str
    logprob: float
    bytes: list[int] | None = None
    top_logprobs: list[TopLogprob] = Field(default_factory=list)


class ChoiceLogprobs(_Open):
    content: list[TokenLogprob] | None = None


class AssistantMessage(_Open):
    role: Literal["assistant"] = "assistant"
    content: str | None = None
    tool_calls: list[ToolCall] | None = None


FinishReason = Literal["stop", "length", "tool_calls"]


class ChatChoice(_Open):
    index: int
    message: AssistantMessage
    finish_reason: FinishReason | None
    logprobs: ChoiceLogprobs | None = None


class ChatCompletionResponse(_Open):
    id: str = Field(default_factory=lambda: new_id("chatcmpl"))
    object: Literal["chat.completion"] = "chat.completion"
    created: int = Field(default_factory=now)
    model: str
    choices: list[ChatChoice]
    usage: Usage


class DeltaToolCall(_Open):
    index: int
    id: str | None = None
    type: Literal["function"] | None = None
    function: FunctionCall | None = None


class ChatDelta(_Open):
    role: Literal["assistant"] | None = None
    content: str | None = None
    tool_calls: list[DeltaToolCall] | None = None


class ChatChunkChoice(_Open):
    index: int
    delta: ChatDelta
    finish_reason: FinishReason | None = None
    logprobs: ChoiceLogprobs | None = None


class ChatCompletionChunk(_Open):
    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChatChunkChoice]
    usage: Usage | None = None


# ---------------------------------------------------------------- text completions


class CompletionRequest(SamplingFields):
    """``POST /v1/completions`` (one prompt; a token-id list is accepted as the prompt too)."""

    prompt: str | list[int] | list[str]
    echo: bool = False
    logprobs: int | None = Field(None, ge=0, le=20, description="Top alternatives per token (0: the token only).")
    suffix: None = Field(None, description="Not supported (fill-in-the-middle).")

    @field_validator("prompt")
    @classmethod
    def _one_prompt(cls, value: str | list[int] | list[str]) -> str | list[int]:
        if isinstance(value, list) and value and isinstance(value[0], str):
            if len(value) != 1:
                raise ValueError("send one prompt per request (batch several requests concurrently instead)")
            value = value[0]
        if not value:
            raise ValueError("the prompt is empty")
        return value


class CompletionLogprobs(_Open):
    tokens: list[str] = Field(default_factory=list)
    token_logprobs: list[float | None] = Field(default_factory=list)
    top_logprobs: list[dict[str, float] | None] = Field(default_factory=list)
    text_offset: list[int] = Field(default_factory=list)


class CompletionChoice(_Open):
    index: int
    text: str
    finish_reason: FinishReason | None
    logprobs: CompletionLogprobs | None = None


class CompletionResponse(_Open):
    id: str = Field(default_factory=lambda: new_id("cmpl"))
    object: Literal["text_completion"] = "text_completion"
    created: int = Field(default_factory=now)
    model: str
    choices: list[CompletionChoice]
    usage: Usage | None = None


# ---------------------------------------------------------------- embeddings


class EmbeddingRequest(_Strict):
    """``POST /v1/embeddings``."""

    model: str = Field(min_length=1, max_length=300)
    input: str | list[str] = Field(description="One text or a list of texts (token-id input is not supported).")
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: int | None = Field(None, ge=1)
    user: str | None = Field(None, max_length=256)

    @field_validator("input")
    @classmethod
    def _texts(cls, value: str | list[str]) -> list[str]:
        texts = [value] if isinstance(value, str) else value
        if not texts:
            raise ValueError("input is empty")
        if len(texts) > 2048:
            raise ValueError("at most 2048 texts per request")
        return texts


class EmbeddingData(_Open):
    object: Literal["embedding"] = "embedding"
    index: int
    embedding: list[float] | str


class EmbeddingResponse(_Open):
    object: Literal["list"] = "list"
    data: list[EmbeddingData]
    model: str
    usage: Usage


# ---------------------------------------------------------------- models


class ModelCard(_Open):
    id: str
    object: Literal["model"] = "model"
    created: int = Field(default_factory=now)
    owned_by: str = "llmore"
    root: str | None = Field(None, description="The base model an adapter applies to.")
    parent: str | None = None
    max_model_len: int | None = None


class ModelList(_Open):
    object: Literal["list"] = "list"
    data: list[ModelCard]


SamplingFields.model_rebuild()
ChatCompletionRequest.model_rebuild()
ResponseFormat.model_rebuild()
CompletionRequest.model_rebuild()
