"""Dynamic batching over a causal LM's forward pass with a shared KV cache (imports torch: worker only).

One background thread owns the model. Between two decoding steps it admits waiting requests
(each is prefilled on its own, then its cache rows join the batch) and retires finished
sequences, so requests join and leave the running batch at every step instead of waiting for
each other. Each step is one forward pass of the last token of every running sequence.

The batch cache is a :class:`~transformers.DynamicCache` whose rows are left-padded to a common
length; a 2-D attention mask hides the padding and explicit ``position_ids`` give every row its
true positions, so a row computes exactly what it would compute alone. When finished rows leave,
columns that only held padding are cut off again.

Per sequence: its own logits processors (:mod:`.processors`) over its own token history, its own
``torch.Generator`` (``seed`` + choice index, so a seeded request is reproducible), stop strings,
stop token ids and ``logprobs``. LoRA adapters of a PEFT model are chosen per row through PEFT's
``adapter_names`` (mixed-adapter batches). Beam search, which reorders a request's rows every
step, runs through ``model.generate`` in the same thread between two steps (:meth:`call`), as do
adapter loads and unloads, so nothing touches the model while a step runs.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import torch
import torch.nn.functional as F  # noqa: N812 - the conventional name
from transformers import DynamicCache, PreTrainedModel, PreTrainedTokenizerBase

from llmore.serving.engines import processors
from llmore.serving.engines.grammar import Grammars, JsonConstraint
from llmore.serving.engines.sampling import SamplingParams

log = logging.getLogger(__name__)
T = TypeVar("T")

BASE_ADAPTER = "__base__"
"""PEFT's name for "no adapter" in a mixed-adapter batch."""
IDLE_WAIT_S = 0.05


@dataclass
class TokenEvent:
    """What one step produced for one choice: a text delta, its token, and maybe the end."""

    index: int
    text: str = ""
    token_ids: list[int] = field(default_factory=list)
    logprobs: list[tuple[int, float, list[tuple[int, float]]]] = field(default_factory=list)
    """Per token: ``(token_id, logprob, [(alternative_id, logprob), ...])``."""
    finish_reason: str | None = None


@dataclass
class Finished:
    """All choices of a request are done; ``completion_tokens`` counts every choice's tokens."""

    completion_tokens: int


class GenerationHandle:
    """The asynchronous side of one request: its events arrive on the submitter's event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self._loop = loop
        self._queue: asyncio.Queue[TokenEvent | Finished | BaseException] = asyncio.Queue()
        self.cancelled = False

    def push(self, item: TokenEvent | Finished | BaseException) -> None:
        """Deliver ``item`` from the generation thread (thread-safe)."""
        self._loop.call_soon_threadsafe(self._queue.put_nowait, item)

    def cancel(self) -> None:
        """Stop generating for this request at the next step (the client went away)."""
        self.cancelled = True

    async def events(self) -> AsyncIterator[TokenEvent | Finished]:
        """Token events until :class:`Finished`; an error in the generation thread is raised here."""
        try:
            while True:
                item = await self._queue.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
                if isinstance(item, Finished):
                    return
        finally:
            self.cancel()


@dataclass
class _Job:
    prompt_ids: list[int]
    params: SamplingParams
    adapter: str | None
    handle: GenerationHandle
    remaining: int = 0
    completion_tokens: int = 0


class _Sequence:
    """One choice of one request inside the running batch."""

    def __init__(self, job: _Job, index: int, chain: Any, end_ids: set[int], device: torch.device):
        self.job = job
        self.index = index
        self.chain = chain
        self.end_ids = end_ids
        prompt_len = len(job.prompt_ids)
        self.prompt_len = prompt_len
        # A preallocated history, so each step's processors see a view instead of a new tensor.
        self.ids = torch.empty((1, prompt_len + job.params.max_new_tokens), dtype=torch.long, device=device)
        self.ids[0, :prompt_len] = torch.tensor(job.prompt_ids, dtype=torch.long)
        self.length = prompt_len
        self.generator = torch.Generator(device=device).manual_seed(job.params.seed + index)
        self.generated: list[int] = []
        self.emitted = 0
        self.finish_reason: str | None = None
        self.hold = max((len(s) for s in job.params.stop), default=1) - 1

    @property
    def last_token(self) -> int:
        return int(self.ids[0, self.length - 1])

    def choose(self, logits: torch.Tensor) -> tuple[int, tuple[int, float, list[tuple[int, float]]] | None]:
        """Pick the next token from this row's logits ``[1, vocab]``; logprobs come from the raw distribution."""
        params = self.job.params
        info = None
        if params.logprobs:
            logprobs = torch.log_softmax(logits, dim=-1)
        scores = self.chain(self.ids[:, : self.length], logits) if self.chain else logits
        if params.do_sample:
            probs = torch.softmax(scores, dim=-1)
            token = int(torch.multinomial(probs, 1, generator=self.generator))
        else:
            token = int(scores.argmax(dim=-1))
        if params.logprobs:
            top: list[tuple[int, float]] = []
            if params.top_logprobs:
                values, indices = logprobs.topk(params.top_logprobs, dim=-1)
                top = [(int(i), float(v)) for i, v in zip(indices[0], values[0], strict=True)]
            info = (token, float(logprobs[0, token]), top)
        return token, info

    def advance(self, token: int, info: tuple[int, float, list[tuple[int, float]]] | None,
                tokenizer: PreTrainedTokenizerBase) -> TokenEvent:
        """Append ``token``, decide whether the sequence ends, and return the text that can be shown now."""
        params = self.job.params
        event = TokenEvent(index=self.index)
        if token in self.end_ids and len(self.generated) >= params.min_new_tokens:
            self.finish_reason = "stop"
            event.text = self._text(tokenizer)[self.emitted:]
            event.finish_reason = "stop"
            self.job.completion_tokens += 1
            return event
        self.ids[0, self.length] = token
        self.length += 1
        self.generated.append(token)
        self.job.completion_tokens += 1
        event.token_ids.append(token)
        if info is not None:
            event.logprobs.append(info)
        text = self._text(tokenizer)
        if params.stop:
            start = max(self.emitted - self.hold, 0)
            cut = min((i for i in (text.find(s, start) for s in params.stop) if i >= 0), default=-1)
            if cut >= 0:
                self.finish_reason = "stop"
                event.finish_reason = "stop"
                event.text = text[self.emitted:cut]
                self.emitted = max(self.emitted, cut)
                return event
        if len(self.generated) >= params.max_new_tokens:
            self.finish_reason = event.finish_reason = "length"
            event.text = text[self.emitted:]
            self.emitted = len(text)
            return event
        # Hold back what may still become a stop string, and half-decoded UTF-8 sequences.
        visible = len(text) - self.hold
        if text.endswith("\ufffd"):
            visible = min(visible, len(text.rstrip("\ufffd")))
        if visible > self.emitted:
            event.text = text[self.emitted:visible]
            self.emitted = visible
        return event

    def _text(self, tokenizer: PreTrainedTokenizerBase) -> str:
        return tokenizer.decode(self.generated, skip_special_tokens=True)


class BatchGenerator:
    """Runs the model in one thread and batches every concurrent request (see the module docstring)."""

    def __init__(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, *, end_ids: list[int],
                 max_batch_size: int = 16, uses_adapters: Callable[[], bool] = lambda: False,
                 grammars: Grammars | None = None):
        self.model = model
        self.grammars = grammars
        self.tokenizer = tokenizer
        self.end_ids = list(end_ids)
        self.max_batch_size = max_batch_size
        self.device = next(model.parameters()).device
        self._uses_adapters = uses_adapters
        self._waiting: queue.Queue[_Job] = queue.Queue()
        self._calls: queue.Queue[tuple[Callable[[], Any], concurrent.futures.Future[Any]]] = queue.Queue()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._rows: list[_Sequence] = []
        self._cache: DynamicCache | None = None
        self._mask: torch.Tensor | None = None
        self.steps = 0
        self._thread = threading.Thread(target=self._run, name="llmore-batching", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------ the caller's side

    def submit(self, prompt_ids: list[int], params: SamplingParams, adapter: str | None) -> GenerationHandle:
        """Queue a request; its events arrive on the running event loop."""
        handle = GenerationHandle(asyncio.get_running_loop())
        self._waiting.put(_Job(prompt_ids=prompt_ids, params=params, adapter=adapter, handle=handle))
        self._wake.set()
        return handle

    def call(self, fn: Callable[[], T]) -> concurrent.futures.Future[T]:
        """Run ``fn`` in the generation thread between two steps (model changes, beam search)."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._calls.put((fn, future))
        self._wake.set()
        return future

    def load(self) -> dict[str, int]:
        """Sequences decoding now and requests waiting to join."""
        return {"running": len(self._rows), "waiting": self._waiting.qsize(), "steps": self.steps}

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    # ------------------------------------------------------------ the generation thread

    def _run(self) -> None:
        torch.set_grad_enabled(False)
        while not self._stop.is_set():
            self._run_calls()
            self._admit()
            if not self._rows:
                self._wake.wait(IDLE_WAIT_S)
                self._wake.clear()
                continue
            try:
                self._step()
            except Exception as exc:  # a failed forward pass fails the requests in it, not the worker
                log.exception("decoding step failed; failing %d running sequences", len(self._rows))
                for job in {id(s.job): s.job for s in self._rows}.values():
                    job.handle.push(exc)
                self._rows, self._cache, self._mask = [], None, None
        for job in {id(s.job): s.job for s in self._rows}.values():
            job.handle.push(RuntimeError("the worker is shutting down"))

    def _run_calls(self) -> None:
        while True:
            try:
                fn, future = self._calls.get_nowait()
            except queue.Empty:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as exc:
                future.set_exception(exc)

    def _admit(self) -> None:
        while len(self._rows) < self.max_batch_size:
            try:
                job = self._waiting.get_nowait()
            except queue.Empty:
                return
            if job.handle.cancelled:
                continue
            try:
                self._prefill(job)
            except Exception as exc:
                log.exception("prefill failed")
                job.handle.push(exc)

    def _adapter_kwargs(self, rows: list[_Sequence]) -> dict[str, Any]:
        if not self._uses_adapters():
            return {}
        return {"adapter_names": [row.job.adapter or BASE_ADAPTER for row in rows]}

    def _prefill(self, job: _Job) -> None:
        params = job.params
        end_ids = set(self.end_ids) | set(params.stop_token_ids)
        rows = [
            _Sequence(job, index,
                      processors.build(params, prompt_length=len(job.prompt_ids), end_ids=sorted(end_ids),
                                       tokenizer=self.tokenizer, constraint=self._constraint(job)),
                      end_ids, self.device)
            for index in range(params.n)
        ]
        job.remaining = len(rows)
        input_ids = torch.tensor([job.prompt_ids], dtype=torch.long, device=self.device)
        cache = DynamicCache()
        out = self.model(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), past_key_values=cache,
                         use_cache=True, logits_to_keep=1, **self._adapter_kwargs(rows[:1]))
        logits = out.logits[:, -1, :].float()
        if params.n > 1:
            cache.batch_repeat_interleave(params.n)
        self._merge(cache, torch.ones((params.n, len(job.prompt_ids)), dtype=torch.long, device=self.device))
        self._rows.extend(rows)
        self._advance(rows, logits.expand(params.n, -1))

    def _constraint(self, job: _Job) -> JsonConstraint | None:
        """A fresh grammar matcher for one choice of ``job`` (each choice walks the grammar on its own)."""
        if job.params.grammar is None:
            return None
        if self.grammars is None:
            raise RuntimeError("this generator was built without grammar support")
        return self.grammars.constraint(job.params.grammar, len(job.prompt_ids))

    def _merge(self, cache: DynamicCache, mask: torch.Tensor) -> None:
        if self._cache is None or self._mask is None:
            self._cache, self._mask = cache, mask
            return
        length = max(self._mask.shape[1], mask.shape[1])
        for old, new in zip(self._cache.layers, cache.layers, strict=True):
            old.keys = torch.cat([_left_pad(old.keys, length), _left_pad(new.keys, length)], dim=0)
            old.values = torch.cat([_left_pad(old.values, length), _left_pad(new.values, length)], dim=0)
        self._mask = torch.cat([F.pad(self._mask, (length - self._mask.shape[1], 0)),
                                F.pad(mask, (length - mask.shape[1], 0))], dim=0)

    def _step(self) -> None:
        assert self._cache is not None
        assert self._mask is not None
        rows = self._rows
        input_ids = torch.tensor([[row.last_token] for row in rows], dtype=torch.long, device=self.device)
        self._mask = F.pad(self._mask, (0, 1), value=1)
        positions = torch.tensor([[row.length - 1] for row in rows], dtype=torch.long, device=self.device)
        out = self.model(input_ids=input_ids, attention_mask=self._mask, position_ids=positions,
                         past_key_values=self._cache, use_cache=True, **self._adapter_kwargs(rows))
        self.steps += 1
        self._advance(rows, out.logits[:, -1, :].float())

    def _advance(self, rows: list[_Sequence], logits: torch.Tensor) -> None:
        """Choose each row's next token, deliver the events, retire finished and cancelled rows."""
        for i, row in enumerate(rows):
            if row.job.handle.cancelled:
                row.finish_reason = "cancelled"
                continue
            token, info = row.choose(logits[i: i + 1])
            event = row.advance(token, info, self.tokenizer)
            if event.text or event.token_ids or event.finish_reason:
                row.job.handle.push(event)
            if row.finish_reason is not None:
                row.job.remaining -= 1
                if row.job.remaining == 0:
                    row.job.handle.push(Finished(completion_tokens=row.job.completion_tokens))
        self._retire()

    def _retire(self) -> None:
        keep = [i for i, row in enumerate(self._rows) if row.finish_reason is None]
        if len(keep) == len(self._rows):
            return
        self._rows = [self._rows[i] for i in keep]
        if not keep:
            self._cache, self._mask = None, None
            return
        assert self._cache is not None
        assert self._mask is not None
        index = torch.tensor(keep, dtype=torch.long, device=self.device)
        self._cache.batch_select_indices(index)
        self._mask = self._mask[index]
        # Columns that are padding in every remaining row cost compute and memory: cut them.
        used = self._mask.any(dim=0).nonzero()
        first = int(used[0]) if used.numel() else 0
        if first:
            self._mask = self._mask[:, first:]
            for layer in self._cache.layers:
                layer.keys = layer.keys[:, :, first:, :]
                layer.values = layer.values[:, :, first:, :]


def _left_pad(states: torch.Tensor, length: int) -> torch.Tensor:
    """``[batch, heads, seq, dim]`` padded with zeros on the left of ``seq`` to ``length``."""
    return F.pad(states, (0, 0, length - states.shape[2], 0))
