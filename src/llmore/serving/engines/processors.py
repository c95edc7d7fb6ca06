"""Per-request transformers logits processors for the batching loop (imports torch: worker only).

Each sequence in the running batch owns its processor list and applies it to its own row of
logits with its own token history, so requests with different settings share one forward pass.
The order matches ``GenerationMixin._get_logits_processor``: penalties and constraints first,
then temperature, top-k, top-p and min-p.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from transformers import PreTrainedTokenizerBase
from transformers.generation.logits_process import (
    LogitsProcessor,
    LogitsProcessorList,
    MinNewTokensLengthLogitsProcessor,
    MinPLogitsWarper,
    NoBadWordsLogitsProcessor,
    NoRepeatNGramLogitsProcessor,
    RepetitionPenaltyLogitsProcessor,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

from llmore.serving.engines.base import InvalidRequest

if TYPE_CHECKING:
    from llmore.serving.engines.sampling import SamplingParams


class PresenceFrequencyPenalty(LogitsProcessor):
    """OpenAI's presence and frequency penalties over the generated tokens (not the prompt).

    ``logit[t] -= presence * (count[t] > 0) + frequency * count[t]``, as OpenAI documents them.
    """

    def __init__(self, presence: float, frequency: float, prompt_length: int):
        self.presence = presence
        self.frequency = frequency
        self.prompt_length = prompt_length

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        generated = input_ids[:, self.prompt_length:]
        if generated.shape[1] == 0:
            return scores
        counts = torch.zeros_like(scores).scatter_add_(1, generated, torch.ones_like(generated, dtype=scores.dtype))
        return scores - self.presence * (counts > 0).to(scores.dtype) - self.frequency * counts


def bad_word_ids(tokenizer: PreTrainedTokenizerBase, words: tuple[str, ...]) -> list[list[int]]:
    """Token sequences of each bad word, with and without a leading space (how words appear mid-text)."""
    sequences: set[tuple[int, ...]] = set()
    for word in words:
        for variant in (word, " " + word):
            ids = tokenizer.encode(variant, add_special_tokens=False)
            if ids:
                sequences.add(tuple(ids))
    if not sequences:
        raise InvalidRequest("bad_words holds no word that tokenizes to anything.", param="bad_words")
    return [list(ids) for ids in sorted(sequences)]


def build(params: SamplingParams, *, prompt_length: int, end_ids: list[int],
          tokenizer: PreTrainedTokenizerBase, constraint: LogitsProcessor | None = None) -> LogitsProcessorList:
    """The processors that realise ``params`` for one sequence whose prompt has ``prompt_length`` tokens.

    ``constraint`` (a grammar, :mod:`.grammar`) comes after the penalties, so no penalty can lift a
    forbidden token, and before the warpers, so top-k/top-p choose among allowed tokens only.
    """
    chain = LogitsProcessorList()
    if params.min_new_tokens > 0:
        chain.append(MinNewTokensLengthLogitsProcessor(prompt_length, params.min_new_tokens, end_ids))
    if params.repetition_penalty != 1.0:
        chain.append(RepetitionPenaltyLogitsProcessor(params.repetition_penalty))
    if params.presence_penalty or params.frequency_penalty:
        chain.append(PresenceFrequencyPenalty(params.presence_penalty, params.frequency_penalty, prompt_length))
    if params.no_repeat_ngram_size > 0:
        chain.append(NoRepeatNGramLogitsProcessor(params.no_repeat_ngram_size))
    if params.bad_words:
        chain.append(NoBadWordsLogitsProcessor(bad_word_ids(tokenizer, params.bad_words), eos_token_id=end_ids))
    if constraint is not None:
        chain.append(constraint)
    if params.do_sample:
        if params.temperature != 1.0:
            chain.append(TemperatureLogitsWarper(params.temperature))
        if params.top_k > 0:
            chain.append(TopKLogitsWarper(params.top_k))
        if params.top_p < 1.0:
            chain.append(TopPLogitsWarper(params.top_p))
        if params.min_p > 0:
            chain.append(MinPLogitsWarper(params.min_p))
    return chain
