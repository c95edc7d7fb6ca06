"""One request's generation settings, resolved from an OpenAI body and checked against the model.

Defaults follow OpenAI: temperature 1 and top_p 1 (sampling); ``temperature: 0`` or
``do_sample: false`` means greedy decoding. ``max_tokens`` defaults to what is left of the
context window, capped by the worker's ``default_max_tokens``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from llmore.serving import protocol as p
from llmore.serving.engines.base import InvalidRequest


@dataclass(frozen=True)
class SamplingParams:
    """Everything the generation loop needs to produce one request's sequences."""

    max_new_tokens: int
    min_new_tokens: int = 0
    do_sample: bool = True
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = 0
    min_p: float = 0.0
    repetition_penalty: float = 1.0
    presence_penalty: float = 0.0
    frequency_penalty: float = 0.0
    no_repeat_ngram_size: int = 0
    num_beams: int = 1
    length_penalty: float = 1.0
    stop: tuple[str, ...] = ()
    stop_token_ids: tuple[int, ...] = ()
    bad_words: tuple[str, ...] = ()
    n: int = 1
    seed: int = field(default_factory=lambda: secrets.randbits(31))
    logprobs: bool = False
    top_logprobs: int = 0
    grammar: str | None = None
    """A compiled llguidance grammar every choice must follow (:mod:`.grammar`); ``None``: free text."""

    @property
    def needs_processing(self) -> bool:
        """Whether any logits processor applies (else sampling reads the raw logits)."""
        return (
            (self.do_sample and (self.temperature != 1.0 or self.top_p < 1.0 or self.top_k > 0 or self.min_p > 0))
            or self.repetition_penalty != 1.0 or self.presence_penalty != 0.0 or self.frequency_penalty != 0.0
            or self.no_repeat_ngram_size > 0 or self.min_new_tokens > 0 or bool(self.bad_words)
            or self.grammar is not None
        )


def resolve(request: p.SamplingFields, *, prompt_tokens: int, context_length: int, default_max_tokens: int,
            logprobs: bool = False, top_logprobs: int = 0, grammar: str | None = None) -> SamplingParams:
    """The :class:`SamplingParams` of ``request`` for a prompt of ``prompt_tokens`` tokens.

    Raises :class:`InvalidRequest` (400) for a prompt that fills the context, a ``max_tokens``
    beyond it, and contradictory settings (``do_sample: true`` with ``temperature: 0``, ``n``
    larger than ``num_beams`` in beam search).
    """
    room = context_length - prompt_tokens
    if room <= 0:
        raise InvalidRequest(
            f"The prompt has {prompt_tokens} tokens but the model's context holds {context_length}; "
            "shorten the prompt.", param="messages" if isinstance(request, p.ChatCompletionRequest) else "prompt",
            code="context_length_exceeded")
    asked = request.max_tokens_requested()
    if asked is not None and asked > room:
        raise InvalidRequest(
            f"max_tokens is {asked} but only {room} tokens fit after the prompt of {prompt_tokens} tokens "
            f"(context {context_length}); lower max_tokens.", param="max_tokens", code="context_length_exceeded")
    max_new = asked if asked is not None else min(room, default_max_tokens)
    min_new = request.min_tokens_requested()
    if min_new > max_new:
        raise InvalidRequest(f"min_tokens ({min_new}) is larger than max_tokens ({max_new}).", param="min_tokens")
    temperature = 1.0 if request.temperature is None else request.temperature
    if request.do_sample and temperature == 0:
        raise InvalidRequest("do_sample: true needs a temperature above 0.", param="temperature")
    do_sample = request.do_sample if request.do_sample is not None else temperature > 0
    beams = request.num_beams or 1
    if beams > 1 and request.n > beams:
        raise InvalidRequest(f"n ({request.n}) cannot exceed num_beams ({beams}) in beam search.", param="n")
    if beams > 1 and logprobs:
        raise InvalidRequest("logprobs are not available with beam search.", param="logprobs")
    if request.length_penalty is not None and beams == 1:
        raise InvalidRequest("length_penalty only applies to beam search; set num_beams > 1.",
                             param="length_penalty")
    if grammar is not None and beams > 1:
        raise InvalidRequest("Structured output (response_format, forced tool calls) cannot use beam search; "
                             "leave num_beams out.", param="num_beams")
    if grammar is not None and min_new > 0:
        raise InvalidRequest("min_tokens cannot be combined with structured output: the JSON decides its own end.",
                             param="min_tokens")
    top_k = request.top_k or 0
    return SamplingParams(
        max_new_tokens=max_new,
        min_new_tokens=min_new,
        do_sample=do_sample,
        temperature=temperature if do_sample else 1.0,
        top_p=1.0 if request.top_p is None else request.top_p,
        top_k=max(top_k, 0),
        min_p=request.min_p or 0.0,
        repetition_penalty=1.0 if request.repetition_penalty is None else request.repetition_penalty,
        presence_penalty=request.presence_penalty or 0.0,
        frequency_penalty=request.frequency_penalty or 0.0,
        no_repeat_ngram_size=request.no_repeat_ngram_size or 0,
        num_beams=beams,
        length_penalty=1.0 if request.length_penalty is None else request.length_penalty,
        stop=tuple(request.stop_strings()),
        stop_token_ids=tuple(request.stop_token_ids or ()),
        bad_words=tuple(request.bad_words or ()),
        n=request.n,
        **({"seed": request.seed} if request.seed is not None else {}),
        logprobs=logprobs,
        top_logprobs=top_logprobs,
        grammar=grammar,
    )
