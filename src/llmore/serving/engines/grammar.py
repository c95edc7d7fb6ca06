"""Grammar-constrained decoding with llguidance: JSON output that always parses and fits its schema.

``response_format`` (``json_object`` or ``json_schema``) and forced tool calls (``tool_choice``
``required`` or a named function) become a JSON Schema; llguidance compiles it against the
model's tokenizer and, at every step, says which tokens may come next. :class:`JsonConstraint`
is a transformers logits processor that sets every other token to ``-inf``, so even a model with
random weights writes valid JSON that matches the schema. End-of-sequence is allowed only once the
JSON is complete.

llguidance was chosen because it depends on nothing (no torch pin: the wheel is a Rust library
with a Python API), runs on CPU, reads Hugging Face fast tokenizers directly, computes a mask in
microseconds, and refuses JSON Schema keywords it does not implement instead of ignoring them,
which is what lets the worker answer an unsupported schema with a 400 that names the problem.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

import llguidance
import llguidance.hf
import numpy as np
import torch
from transformers import PreTrainedTokenizerBase
from transformers.generation.logits_process import LogitsProcessor

from llmore.serving.engines.base import InvalidRequest

JSON_OPTIONS: dict[str, Any] = {"whitespace_flexible": False, "item_separator": ", ", "key_separator": ": ",
                                "lenient": False}
"""One space after separators and no other whitespace: models read it naturally, and a weak model
cannot wander off into endless blank space."""


class Grammars:
    """Compiles JSON Schemas for one tokenizer (the llguidance tokenizer is built once, on first use)."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, end_ids: list[int]):
        self.tokenizer = tokenizer
        self.end_ids = list(end_ids)

    @cached_property
    def _ll_tokenizer(self) -> llguidance.LLTokenizer:
        try:
            return llguidance.hf.from_tokenizer(self.tokenizer, n_vocab=len(self.tokenizer), eos_token=self.end_ids)
        except ValueError as exc:  # slow (Python) tokenizers
            raise InvalidRequest(f"Structured output needs a fast tokenizer for this model: {exc}",
                                 param="response_format") from exc

    def compile(self, schema: dict[str, Any], *, param: str) -> str:
        """The llguidance grammar of ``schema``; a 400 naming ``param`` when the schema cannot be enforced."""
        try:
            grammar = llguidance.LLMatcher.grammar_from_json_schema(json.dumps(schema), overrides=JSON_OPTIONS)
        except ValueError as exc:
            raise InvalidRequest(f"{param} is not a valid JSON Schema: {exc}", param=param) from exc
        problem = llguidance.LLMatcher.validate_grammar(grammar, self._ll_tokenizer)
        if problem:
            raise InvalidRequest(f"The JSON Schema in {param} is invalid or uses what constrained decoding cannot "
                                 f"enforce: {problem}. Fix or simplify it (supported: type, properties, required, "
                                 "additionalProperties, items, enum, const, anyOf/oneOf, $ref/$defs, string lengths, "
                                 "patterns and formats, numeric bounds).", param=param)
        return grammar

    def constraint(self, grammar: str, prompt_length: int) -> JsonConstraint:
        """A fresh processor following ``grammar`` for one sequence."""
        return JsonConstraint(llguidance.LLMatcher(self._ll_tokenizer, grammar, log_level=0), prompt_length,
                              len(self.tokenizer))


class JsonConstraint(LogitsProcessor):
    """Masks every token the grammar does not allow next (one sequence: a batch of one row)."""

    def __init__(self, matcher: llguidance.LLMatcher, prompt_length: int, vocab_size: int):
        self.matcher = matcher
        self.consumed = prompt_length
        self.vocab_size = vocab_size

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        # The history grows by the token chosen last step: feed the matcher what it has not seen yet.
        for token in input_ids[0, self.consumed:].tolist():
            self.matcher.consume_token(token)
        self.consumed = input_ids.shape[1]
        if self.matcher.is_error():
            raise RuntimeError(f"constrained decoding failed: {self.matcher.get_error()}")
        bits = np.unpackbits(np.frombuffer(self.matcher.compute_bitmask(), dtype=np.uint8), bitorder="little")
        allowed = torch.zeros(scores.shape[-1], dtype=torch.bool, device=scores.device)
        usable = min(len(bits), scores.shape[-1])
        allowed[:usable] = torch.from_numpy(bits[:usable].astype(bool)).to(scores.device)
        return scores.masked_fill(~allowed, float("-inf"))


def tool_call_schema(functions: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON Schema of one call ``{"name": …, "arguments": {…}}`` of any of ``functions`` (OpenAI definitions)."""
    variants = [{
        "type": "object",
        "properties": {"name": {"const": function["name"]},
                       "arguments": function.get("parameters") or {"type": "object"}},
        "required": ["name", "arguments"],
        "additionalProperties": False,
    } for function in functions]
    return variants[0] if len(variants) == 1 else {"anyOf": variants}
