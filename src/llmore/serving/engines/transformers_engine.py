"""The in-process transformers engine: chat, text completions, tools and LoRA adapters (worker only).

Generation runs through :class:`~llmore.serving.engines.batching.BatchGenerator`, which batches
all concurrent requests; this module turns OpenAI bodies into prompts and sampling settings and
the generator's token events back into OpenAI bodies and stream chunks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig, PreTrainedModel

from llmore.serving import protocol as p
from llmore.serving import tools
from llmore.serving.engines import processors
from llmore.serving.engines.base import (
    SAMPLING_FIELDS,
    Capabilities,
    InvalidRequest,
    ModelNotServed,
    refuse_unsupported,
    unsupported,
)
from llmore.serving.engines.batching import BASE_ADAPTER, BatchGenerator, Finished, GenerationHandle
from llmore.serving.engines.grammar import Grammars, tool_call_schema
from llmore.serving.engines.sampling import SamplingParams, resolve

log = logging.getLogger(__name__)


@dataclass
class _Choice:
    """One finished choice, gathered from token events."""

    text: str = ""
    token_ids: list[int] = field(default_factory=list)
    logprobs: list[tuple[int, float, list[tuple[int, float]]]] = field(default_factory=list)
    finish_reason: str | None = None


@dataclass
class _Prepared:
    """A request turned into what the generator needs, plus what shaping the answer needs."""

    model: str
    adapter: str | None
    prompt_ids: list[int]
    params: SamplingParams
    tool_names: set[str] = field(default_factory=set)


class TransformersEngine:
    """Serves a causal LM from a local folder, with any number of LoRA adapters, batching all requests."""

    kind = "transformers"
    capabilities = Capabilities(
        chat=True, completions=True, streaming=True, tools=True, logprobs=True, adapters=True,
        beam_search=True, response_format=True, sampling=SAMPLING_FIELDS,
    )

    def __init__(self, model_path: str | Path, *, served_name: str, device: str | None = None,
                 dtype: str | None = None, max_batch_size: int = 16, default_max_tokens: int = 512,
                 context_length: int | None = None):
        self.model_path = Path(model_path)
        self.served_name = served_name
        self.default_max_tokens = default_max_tokens
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        default_dtype = torch.bfloat16 if self.device.type == "cuda" else torch.float32
        torch_dtype = getattr(torch, dtype) if dtype else default_dtype
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_path)
        model: PreTrainedModel = AutoModelForCausalLM.from_pretrained(self.model_path, dtype=torch_dtype)
        self.model: Any = model.to(self.device).eval()
        config = model.config.get_text_config()
        self.context_length = context_length or int(
            getattr(config, "max_position_embeddings", None) or self.tokenizer.model_max_length)
        self.end_ids = _end_ids(model.generation_config, self.tokenizer)
        self.adapters: dict[str, str] = {}
        self.native_tools = tools.template_supports_tools(self.tokenizer.chat_template)
        self.grammars = Grammars(self.tokenizer, self.end_ids)
        self.generator = BatchGenerator(self.model, self.tokenizer, end_ids=self.end_ids,
                                        max_batch_size=max_batch_size, uses_adapters=lambda: bool(self.adapters),
                                        grammars=self.grammars)

    # ------------------------------------------------------------ models and adapters

    def models(self) -> list[p.ModelCard]:
        base = p.ModelCard(id=self.served_name, root=str(self.model_path), max_model_len=self.context_length)
        return [base] + [p.ModelCard(id=name, root=path, parent=self.served_name, max_model_len=self.context_length)
                         for name, path in sorted(self.adapters.items())]

    def load_adapter(self, name: str, path: str) -> None:
        """Load the PEFT LoRA adapter at ``path`` as model ``name`` (between two decoding steps)."""
        if name == self.served_name or name in self.adapters:
            raise InvalidRequest(f"A model called {name!r} is already served here; pick another name.", param="name")
        if not (Path(path) / "adapter_config.json").is_file():
            raise InvalidRequest(f"{path} holds no adapter_config.json; point at a PEFT adapter folder.", param="path")

        def load() -> None:
            from peft import PeftModel

            if isinstance(self.model, PeftModel):
                self.model.load_adapter(path, adapter_name=name)
            else:
                self.model = PeftModel.from_pretrained(self.model, path, adapter_name=name)
            self.model.eval()
            self.generator.model = self.model

        try:
            self.generator.call(load).result()
        except (ValueError, RuntimeError, OSError) as exc:
            raise InvalidRequest(f"Could not load the adapter at {path}: {exc}", param="path") from exc
        self.adapters[name] = str(path)

    def unload_adapter(self, name: str) -> None:
        """Stop serving adapter ``name``; requests already running with it finish first."""
        if name not in self.adapters:
            raise ModelNotServed(f"No adapter called {name!r} is loaded here.")
        del self.adapters[name]

        def unload() -> None:
            if self.adapters:
                self.model.delete_adapter(name)
            else:  # the last adapter: give the plain model back (PEFT keeps no adapter-less wrapper)
                self.model = self.model.unload()
            self.generator.model = self.model

        self.generator.call(unload).result()

    def _target(self, model: str) -> str | None:
        """The adapter serving ``model`` (``None`` for the base model); 404 for a name not served."""
        if model == self.served_name:
            return None
        if model in self.adapters:
            return model
        raise ModelNotServed(f"The model {model!r} is not served here; served: "
                             f"{', '.join([self.served_name, *self.adapters])}.")

    # ------------------------------------------------------------ preparing requests

    def tokenize(self, model: str, text: str) -> list[int]:
        self._target(model)
        return list(self.tokenizer.encode(text, add_special_tokens=False))

    def _prepare_chat(self, request: p.ChatCompletionRequest) -> _Prepared:
        refuse_unsupported(self.capabilities, request)
        adapter = self._target(request.model)
        if request.tool_choice not in (None, "none", "auto") and not request.tools:
            raise InvalidRequest("tool_choice asks for a tool call but the request has no tools; send tools or "
                                 "leave tool_choice out.", param="tool_choice")
        offered = list(request.tools or []) if request.tool_choice != "none" else []
        if isinstance(request.tool_choice, p.NamedToolChoice):
            wanted = request.tool_choice.function.get("name")
            offered = [t for t in offered if t.function.name == wanted]
            if not offered:
                raise InvalidRequest(f"tool_choice names {wanted!r}, which is not in tools.", param="tool_choice")
        try:
            messages = tools.message_dicts(request.messages, native_tools=self.native_tools)
        except ValueError as exc:
            raise InvalidRequest(str(exc), param="messages") from exc
        instructions = []
        if offered and not self.native_tools:
            instructions.append(tools.tools_system_prompt(offered))
        forced = offered if request.tool_choice == "required" or isinstance(request.tool_choice,
                                                                            p.NamedToolChoice) else []
        if forced:
            instructions.append("You must call one of the functions now.")
        if request.response_format and not forced and (hint := tools.format_instruction(request.response_format)):
            instructions.append(hint)
        if instructions:
            messages = _with_system(messages, "\n\n".join(instructions))
        template_tools = [t.model_dump(exclude_none=True) for t in offered] if offered and self.native_tools else None
        if not self.tokenizer.chat_template:
            raise InvalidRequest(f"The model {request.model!r} has no chat template; use /v1/completions.",
                                 param="model")
        try:
            text = self.tokenizer.apply_chat_template(messages, tools=template_tools, add_generation_prompt=True,
                                                      tokenize=False)
        except Exception as exc:  # jinja's raise_exception: e.g. roles that must alternate
            raise InvalidRequest(f"The model's chat template refused these messages: {exc}",
                                 param="messages") from exc
        prompt_ids = list(self.tokenizer.encode(text, add_special_tokens=False))
        params = resolve(request, prompt_tokens=len(prompt_ids), context_length=self.context_length,
                         default_max_tokens=self.default_max_tokens, logprobs=request.logprobs,
                         top_logprobs=request.top_logprobs or 0, grammar=self._grammar(request, forced))
        return _Prepared(model=request.model, adapter=adapter, prompt_ids=prompt_ids, params=params,
                         tool_names={t.function.name for t in offered})

    def _grammar(self, request: p.ChatCompletionRequest, forced: list[p.ToolDefinition]) -> str | None:
        """The grammar decoding must follow: a call of a forced tool, else the ``response_format``, else none."""
        if forced:
            functions = [t.function.model_dump(exclude_none=True) for t in forced]
            return self.grammars.compile(tool_call_schema(functions), param="tools")
        schema = tools.format_schema(request.response_format) if request.response_format else None
        if schema is None:
            return None
        return self.grammars.compile(schema, param="response_format")

    def _prepare_completion(self, request: p.CompletionRequest) -> _Prepared:
        refuse_unsupported(self.capabilities, request)
        adapter = self._target(request.model)
        if request.echo and request.logprobs is not None:
            raise InvalidRequest("echo with logprobs (prompt logprobs) is not supported.", param="echo")
        if isinstance(request.prompt, str):
            prompt_ids = list(self.tokenizer(request.prompt).input_ids)
        else:
            vocab = len(self.tokenizer)
            if any(not 0 <= t < vocab for t in request.prompt):
                raise InvalidRequest(f"The prompt holds token ids outside the vocabulary (0..{vocab - 1}).",
                                     param="prompt")
            prompt_ids = list(request.prompt)  # type: ignore[arg-type]
        wants = request.logprobs is not None
        params = resolve(request, prompt_tokens=len(prompt_ids), context_length=self.context_length,
                         default_max_tokens=self.default_max_tokens, logprobs=wants,
                         top_logprobs=request.logprobs or 0)
        return _Prepared(model=request.model, adapter=adapter, prompt_ids=prompt_ids, params=params)

    # ------------------------------------------------------------ generating

    async def _generate(self, prepared: _Prepared) -> tuple[list[_Choice], int]:
        """Every choice of a request, whole, and the total completion tokens."""
        if prepared.params.num_beams > 1:
            future = self.generator.call(lambda: self._beam_search(prepared))
            return await asyncio.wrap_future(future)
        handle = self.generator.submit(prepared.prompt_ids, prepared.params, prepared.adapter)
        choices = [_Choice() for _ in range(prepared.params.n)]
        async for event in handle.events():
            if isinstance(event, Finished):
                return choices, event.completion_tokens
            choice = choices[event.index]
            choice.text += event.text
            choice.token_ids.extend(event.token_ids)
            choice.logprobs.extend(event.logprobs)
            choice.finish_reason = event.finish_reason or choice.finish_reason
        raise RuntimeError("generation ended without finishing")

    def _beam_search(self, prepared: _Prepared) -> tuple[list[_Choice], int]:
        """Beam search with ``model.generate`` (runs in the generation thread, between steps)."""
        params = prepared.params
        config = GenerationConfig(
            max_new_tokens=params.max_new_tokens, min_new_tokens=params.min_new_tokens or None,
            num_beams=params.num_beams, num_return_sequences=params.n, length_penalty=params.length_penalty,
            early_stopping=True, do_sample=params.do_sample, temperature=params.temperature, top_p=params.top_p,
            top_k=params.top_k or None, min_p=params.min_p or None, repetition_penalty=params.repetition_penalty,
            no_repeat_ngram_size=params.no_repeat_ngram_size or None,
            bad_words_ids=processors.bad_word_ids(self.tokenizer, params.bad_words) if params.bad_words else None,
            eos_token_id=sorted(set(self.end_ids) | set(params.stop_token_ids)),
            pad_token_id=self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.end_ids[0],
        )
        extra: dict[str, Any] = {}
        if params.presence_penalty or params.frequency_penalty:
            extra["logits_processor"] = [processors.PresenceFrequencyPenalty(
                params.presence_penalty, params.frequency_penalty, len(prepared.prompt_ids))]
        if self.adapters:
            # PEFT repeats adapter_names per beam only when num_beams is a keyword of generate().
            extra.update(adapter_names=[prepared.adapter or BASE_ADAPTER], num_beams=params.num_beams)
        input_ids = torch.tensor([prepared.prompt_ids], dtype=torch.long, device=self.device)
        torch.manual_seed(params.seed)
        output = self.model.generate(input_ids=input_ids, attention_mask=torch.ones_like(input_ids),
                                     generation_config=config, **extra)
        ends = set(config.eos_token_id)
        choices, total = [], 0
        for row in output[:, input_ids.shape[1]:].tolist():
            tokens = []
            reason = "length"
            for token in row:
                if token in ends:
                    reason = "stop"
                    break
                tokens.append(token)
            total += len(tokens) + (reason == "stop")
            text = self.tokenizer.decode(tokens, skip_special_tokens=True)
            cuts = [i for i in (text.find(s) for s in params.stop) if i >= 0]
            if cuts:
                text, reason = text[: min(cuts)], "stop"
            choices.append(_Choice(text=text, token_ids=tokens, finish_reason=reason))
        return choices, total

    # ------------------------------------------------------------ chat

    async def chat(self, request: p.ChatCompletionRequest) -> p.ChatCompletionResponse:
        prepared = self._prepare_chat(request)
        choices, completion_tokens = await self._generate(prepared)
        out = []
        for index, choice in enumerate(choices):
            message, reason = self._assistant_message(prepared, choice.text, choice.finish_reason)
            logprobs = self._chat_logprobs(choice.logprobs) if prepared.params.logprobs else None
            out.append(p.ChatChoice(index=index, message=message, finish_reason=reason, logprobs=logprobs))
        return p.ChatCompletionResponse(model=prepared.model, choices=out,
                                        usage=_usage(len(prepared.prompt_ids), completion_tokens))

    def _assistant_message(self, prepared: _Prepared, text: str, reason: str | None) -> tuple[p.AssistantMessage, Any]:
        if prepared.tool_names:
            content, calls = tools.parse_tool_calls(text, prepared.tool_names)
            if calls:
                return p.AssistantMessage(content=content, tool_calls=calls), "tool_calls"
        return p.AssistantMessage(content=text), reason

    def _chat_logprobs(self, items: list[tuple[int, float, list[tuple[int, float]]]]) -> p.ChoiceLogprobs:
        content = []
        for token, logprob, top in items:
            text = self.tokenizer.decode([token])
            content.append(p.TokenLogprob(
                token=text, logprob=logprob, bytes=list(text.encode()),
                top_logprobs=[p.TopLogprob(token=(alt := self.tokenizer.decode([i])), logprob=lp,
                                           bytes=list(alt.encode())) for i, lp in top],
            ))
        return p.ChoiceLogprobs(content=content)

    def chat_stream(self, request: p.ChatCompletionRequest) -> AsyncIterator[p.ChatCompletionChunk]:
        """Validate now (so errors are plain 400s), then stream the chunks."""
        prepared = self._prepare_chat(request)
        if prepared.params.num_beams > 1:
            raise InvalidRequest("Beam search cannot stream; send stream: false.", param="num_beams")
        handle = self.generator.submit(prepared.prompt_ids, prepared.params, prepared.adapter)
        return self._chat_chunks(prepared, handle)

    async def _chat_chunks(self, prepared: _Prepared, handle: GenerationHandle) -> AsyncIterator[p.ChatCompletionChunk]:
        head = p.ChatCompletionChunk(id=p.new_id("chatcmpl"), created=p.now(), model=prepared.model, choices=[])

        def chunk(index: int, delta: p.ChatDelta, reason: Any = None, logprobs: Any = None) -> p.ChatCompletionChunk:
            return head.model_copy(update={"choices": [
                p.ChatChunkChoice(index=index, delta=delta, finish_reason=reason, logprobs=logprobs)]})

        for index in range(prepared.params.n):
            yield chunk(index, p.ChatDelta(role="assistant", content=""))
        # Text that may turn out to be a tool call is held until the end (it becomes tool_calls deltas).
        held = ["" for _ in range(prepared.params.n)]
        holding = [bool(prepared.tool_names)] * prepared.params.n
        async for event in handle.events():
            if isinstance(event, Finished):
                yield head.model_copy(update={"usage": _usage(len(prepared.prompt_ids), event.completion_tokens)})
                return
            i = event.index
            logprobs = self._chat_logprobs(event.logprobs) if prepared.params.logprobs and event.logprobs else None
            if holding[i]:
                held[i] += event.text
                if not tools.could_be_tool_call(held[i]):
                    holding[i] = False
                    event.text, held[i] = held[i], ""
                elif event.finish_reason is None:
                    continue
                else:
                    message, reason = self._assistant_message(prepared, held[i], event.finish_reason)
                    calls = [p.DeltaToolCall(index=n, **call.model_dump()) for n, call in
                             enumerate(message.tool_calls or [])]
                    yield chunk(i, p.ChatDelta(content=message.content, tool_calls=calls or None), reason, logprobs)
                    continue
            if event.text or logprobs or event.finish_reason:
                yield chunk(i, p.ChatDelta(content=event.text or None), event.finish_reason, logprobs)

    # ------------------------------------------------------------ text completions

    async def completion(self, request: p.CompletionRequest) -> p.CompletionResponse:
        prepared = self._prepare_completion(request)
        choices, completion_tokens = await self._generate(prepared)
        prefix = self._echo(request, prepared)
        out = [p.CompletionChoice(index=i, text=prefix + c.text, finish_reason=c.finish_reason,
                                  logprobs=self._completion_logprobs(c.logprobs) if prepared.params.logprobs else None)
               for i, c in enumerate(choices)]
        return p.CompletionResponse(model=prepared.model, choices=out,
                                    usage=_usage(len(prepared.prompt_ids), completion_tokens))

    def _echo(self, request: p.CompletionRequest, prepared: _Prepared) -> str:
        if not request.echo:
            return ""
        return request.prompt if isinstance(request.prompt, str) else self.tokenizer.decode(prepared.prompt_ids)

    def _completion_logprobs(self, items: list[tuple[int, float, list[tuple[int, float]]]],
                             offset: int = 0) -> p.CompletionLogprobs:
        out = p.CompletionLogprobs()
        for token, logprob, top in items:
            text = self.tokenizer.decode([token])
            out.tokens.append(text)
            out.token_logprobs.append(logprob)
            out.top_logprobs.append({self.tokenizer.decode([i]): lp for i, lp in top} if top else None)
            out.text_offset.append(offset)
            offset += len(text)
        return out

    def completion_stream(self, request: p.CompletionRequest) -> AsyncIterator[p.CompletionResponse]:
        prepared = self._prepare_completion(request)
        if prepared.params.num_beams > 1:
            raise InvalidRequest("Beam search cannot stream; send stream: false.", param="num_beams")
        handle = self.generator.submit(prepared.prompt_ids, prepared.params, prepared.adapter)
        return self._completion_chunks(prepared, handle, self._echo(request, prepared))

    async def _completion_chunks(self, prepared: _Prepared, handle: GenerationHandle,
                                 echo: str) -> AsyncIterator[p.CompletionResponse]:
        head = p.CompletionResponse(model=prepared.model, choices=[])
        offsets = [len(echo)] * prepared.params.n
        if echo:
            for index in range(prepared.params.n):
                yield head.model_copy(update={"choices": [p.CompletionChoice(index=index, text=echo,
                                                                             finish_reason=None)]})
        async for event in handle.events():
            if isinstance(event, Finished):
                yield head.model_copy(update={"usage": _usage(len(prepared.prompt_ids), event.completion_tokens)})
                return
            if not (event.text or event.finish_reason or event.logprobs):
                continue
            logprobs = None
            if prepared.params.logprobs:
                logprobs = self._completion_logprobs(event.logprobs, offsets[event.index])
            offsets[event.index] += len(event.text)
            yield head.model_copy(update={"choices": [p.CompletionChoice(
                index=event.index, text=event.text, finish_reason=event.finish_reason, logprobs=logprobs)]})

    # ------------------------------------------------------------ the rest of the interface

    async def embeddings(self, request: p.EmbeddingRequest) -> p.EmbeddingResponse:
        raise unsupported("embeddings", self.kind)

    def health(self) -> dict[str, Any]:
        alive = self.generator._thread.is_alive()
        return {"ok": alive, "engine": self.kind, "device": str(self.device), **self.generator.load()}

    def close(self) -> None:
        self.generator.close()


def _with_system(messages: list[dict[str, Any]], instruction: str) -> list[dict[str, Any]]:
    """``messages`` with ``instruction`` appended to the system message (added first when there is none)."""
    if messages and messages[0]["role"] == "system":
        first = {**messages[0], "content": f"{messages[0]['content']}\n\n{instruction}".strip()}
        return [first, *messages[1:]]
    return [{"role": "system", "content": instruction}, *messages]


def _end_ids(generation_config: GenerationConfig, tokenizer: Any) -> list[int]:
    """Every token id that ends a sequence: the generation config's eos ids and the tokenizer's."""
    found: set[int] = set()
    configured = generation_config.eos_token_id
    if isinstance(configured, int):
        found.add(configured)
    elif configured:
        found.update(configured)
    if tokenizer.eos_token_id is not None:
        found.add(tokenizer.eos_token_id)
    return sorted(found)


def _usage(prompt_tokens: int, completion_tokens: int) -> p.Usage:
    return p.Usage(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
                   total_tokens=prompt_tokens + completion_tokens)
