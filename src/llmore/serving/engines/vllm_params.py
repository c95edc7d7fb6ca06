"""Our OpenAI request bodies as vLLM's OpenAI server takes them: names mapped, what vLLM lacks refused.

vLLM honours most sampling parameters natively (``top_k``, ``min_p``, ``repetition_penalty``,
``min_tokens``, ``stop_token_ids``, ``bad_words``, ``seed``, ``n``, ``logprobs`` …), so most fields
pass through unchanged. transformers' names are turned into vLLM's (``max_new_tokens`` →
``max_tokens``, ``min_new_tokens`` → ``min_tokens``, ``do_sample: false`` → ``temperature: 0``);
``no_repeat_ngram_size``, beam search (``num_beams`` > 1, ``length_penalty``), tools and
``response_format`` are refused with the 400 every engine answers for a parameter it cannot honour.
"""

from __future__ import annotations

from typing import Any

from llmore.serving import protocol as p
from llmore.serving.engines.base import SAMPLING_FIELDS, Capabilities, InvalidRequest, refuse_unsupported

CAPABILITIES = Capabilities(
    chat=True, completions=True, streaming=True, logprobs=True, adapters=True,
    # num_beams stays accepted so that num_beams: 1 passes; beam_search=False refuses more.
    sampling=SAMPLING_FIELDS - {"no_repeat_ngram_size", "length_penalty"},
)

# Fields vLLM does not know under these names; request_body() sends their meaning under vLLM's.
_RENAMED = {"max_tokens", "max_completion_tokens", "max_new_tokens", "min_tokens", "min_new_tokens", "do_sample",
            "num_beams", "stream_options"}


def request_body(request: p.ChatCompletionRequest | p.CompletionRequest) -> dict[str, Any]:
    """The JSON body for vLLM's ``/v1/chat/completions`` or ``/v1/completions``; 400 for what it cannot honour."""
    refuse_unsupported(CAPABILITIES, request)
    body = request.model_dump(mode="json", exclude_unset=True, exclude=_RENAMED, by_alias=True)
    if (max_tokens := request.max_tokens_requested()) is not None:
        body["max_tokens"] = max_tokens
    if request.min_tokens is not None or request.min_new_tokens is not None:
        body["min_tokens"] = request.min_tokens_requested()
    if request.do_sample and request.temperature == 0:
        raise InvalidRequest("do_sample: true needs a temperature above 0.", param="temperature")
    if request.do_sample is False:
        body["temperature"] = 0.0
    if request.top_k == 0:  # our "off"; vLLM's is -1
        body["top_k"] = -1
    if request.stream:
        # The last chunk before [DONE] always carries usage, as with the transformers engine.
        body["stream_options"] = {"include_usage": True}
    return body
