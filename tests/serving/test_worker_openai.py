"""The official OpenAI SDK against a real worker process on the tiny model (and MiniLM for embeddings)."""

from __future__ import annotations

import base64
import concurrent.futures
from functools import cache
from pathlib import Path

import httpx
import openai
import pytest

from tests.serving.conftest import ADAPTER, TINY
from tests.serving.live_worker import LiveWorker

HELLO = [{"role": "user", "content": "What is the capital of France?"}]


@pytest.fixture(scope="module")
def client(tiny_worker: LiveWorker) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{tiny_worker.url}/v1", api_key=tiny_worker.api_key, max_retries=0)


@cache
def _reference(model_dir: str) -> tuple[object, object]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    return AutoTokenizer.from_pretrained(model_dir), AutoModelForCausalLM.from_pretrained(model_dir).eval()


def greedy_reference(model_dir: Path, messages: list[dict[str, str]], max_new_tokens: int) -> list[int]:
    """Token ids plain ``model.generate`` produces greedily for the chat ``messages``."""
    import torch

    tokenizer, model = _reference(str(model_dir))
    text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)  # type: ignore[attr-defined]
    ids = torch.tensor([tokenizer.encode(text, add_special_tokens=False)])  # type: ignore[attr-defined]
    out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=max_new_tokens,  # type: ignore[attr-defined]
                         do_sample=False)
    return out[0, ids.shape[1]:].tolist()


def _chat(client: openai.OpenAI, **kwargs: object) -> openai.types.chat.ChatCompletion:
    body = {"model": TINY, "messages": HELLO, "max_tokens": 12, **kwargs}
    extra = {k: body.pop(k) for k in list(body) if k in EXTRA}
    return client.chat.completions.create(**body, extra_body=extra or None)  # type: ignore[call-overload]


EXTRA = {"top_k", "min_p", "repetition_penalty", "no_repeat_ngram_size", "do_sample", "num_beams", "length_penalty",
         "min_tokens", "min_new_tokens", "max_new_tokens", "stop_token_ids", "bad_words"}


def test_models_lists_the_base_model_and_its_adapter(client: openai.OpenAI) -> None:
    ids = [m.id for m in client.models.list().data]
    assert ids == [TINY, ADAPTER]


def test_chat_reports_usage_and_matches_plain_generate(client: openai.OpenAI, tiny_causal_lm: Path) -> None:
    response = _chat(client, temperature=0, max_tokens=10, logprobs=True)
    assert response.object == "chat.completion"
    assert response.usage is not None
    assert response.usage.completion_tokens == 10
    assert response.usage.total_tokens == response.usage.prompt_tokens + 10
    choice = response.choices[0]
    assert choice.finish_reason == "length"
    expected = greedy_reference(tiny_causal_lm, HELLO, 10)
    tokenizer, _ = _reference(str(tiny_causal_lm))
    assert choice.message.content == tokenizer.decode(expected, skip_special_tokens=True)  # type: ignore[attr-defined]


def test_stream_sends_chunks_then_usage_and_done(client: openai.OpenAI) -> None:
    whole = _chat(client, temperature=0).choices[0].message.content
    chunks = list(client.chat.completions.create(model=TINY, messages=HELLO, max_tokens=12, temperature=0,
                                                 stream=True))  # type: ignore[call-overload]
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "length"
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 12


def test_raw_stream_is_server_sent_events_ending_in_done(tiny_worker: LiveWorker) -> None:
    with httpx.stream("POST", f"{tiny_worker.url}/v1/chat/completions", timeout=60, headers=tiny_worker.headers,
                      json={"model": TINY, "messages": HELLO, "max_tokens": 4, "stream": True}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line]
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"


def test_completions_plain_and_streamed(client: openai.OpenAI) -> None:
    whole = client.completions.create(model=TINY, prompt="The capital of France is", max_tokens=8, temperature=0)
    assert whole.usage is not None
    assert whole.usage.completion_tokens == 8
    streamed = list(client.completions.create(model=TINY, prompt="The capital of France is", max_tokens=8,
                                              temperature=0, stream=True))
    assert "".join(c.choices[0].text for c in streamed if c.choices) == whole.choices[0].text
    echoed = client.completions.create(model=TINY, prompt="Hello", max_tokens=3, temperature=0, echo=True)
    assert echoed.choices[0].text.startswith("Hello")


def test_n_returns_distinct_choices(client: openai.OpenAI) -> None:
    response = _chat(client, n=3, seed=5, max_tokens=8)
    assert [c.index for c in response.choices] == [0, 1, 2]
    assert len({c.message.content for c in response.choices}) > 1
    assert response.usage is not None
    assert response.usage.completion_tokens == 24


def test_seed_makes_sampling_reproducible(client: openai.OpenAI) -> None:
    first = _chat(client, seed=123, temperature=1.0).choices[0].message.content
    again = _chat(client, seed=123, temperature=1.0).choices[0].message.content
    other = _chat(client, seed=124, temperature=1.0).choices[0].message.content
    assert first == again
    assert first != other


def test_stop_strings_and_stop_token_ids(client: openai.OpenAI) -> None:
    from tests.fixtures.tiny_models import build_tiny_tokenizer

    tokenizer = build_tiny_tokenizer()  # the worker's tokenizer, rebuilt identically
    sampled = _chat(client, seed=3, temperature=1.0, max_tokens=16, logprobs=True).choices[0]
    full = sampled.message.content or ""
    pieces = [item.token for item in (sampled.logprobs.content or [])]  # type: ignore[union-attr]
    # A token that first occurs a few tokens into the output and is one whole token of plain text.
    position = next(i for i, piece in enumerate(pieces) if i >= 2 and piece.strip() and piece.isprintable()
                    and piece not in "".join(pieces[:i])
                    and len(tokenizer.encode(piece, add_special_tokens=False)) == 1)
    token_id = tokenizer.encode(pieces[position], add_special_tokens=False)[0]
    by_id = _chat(client, seed=3, temperature=1.0, max_tokens=16, stop_token_ids=[token_id]).choices[0]
    assert by_id.finish_reason == "stop"
    assert by_id.message.content == "".join(pieces[:position])
    by_string = _chat(client, seed=3, temperature=1.0, max_tokens=16, stop=[pieces[position]]).choices[0]
    assert by_string.finish_reason == "stop"
    assert by_string.message.content == full[: full.index(pieces[position])]


def test_logprobs_come_with_top_alternatives(client: openai.OpenAI) -> None:
    choice = _chat(client, temperature=0, max_tokens=5, logprobs=True, top_logprobs=3).choices[0]
    assert choice.logprobs is not None
    content = choice.logprobs.content or []
    assert len(content) == 5
    for item in content:
        assert item.logprob <= 0
        assert len(item.top_logprobs) == 3
        assert item.top_logprobs[0].logprob == pytest.approx(item.logprob)  # greedy picks the most likely
    text = client.completions.create(model=TINY, prompt="Hi", max_tokens=4, temperature=0, logprobs=2)
    assert text.choices[0].logprobs is not None
    assert len(text.choices[0].logprobs.token_logprobs or []) == 4


def test_every_sampling_parameter_changes_the_output_or_is_refused(client: openai.OpenAI, tiny_causal_lm: Path) -> None:
    greedy = _chat(client, temperature=0, max_tokens=16).choices[0].message.content
    sampled = _chat(client, temperature=1.0, seed=9, max_tokens=16).choices[0].message.content

    def differs(**kwargs: object) -> bool:
        return _chat(client, max_tokens=16, **kwargs).choices[0].message.content != greedy

    # Penalties and constraints change greedy output (the random model repeats itself).
    assert differs(temperature=0, repetition_penalty=5.0)
    assert differs(temperature=0, presence_penalty=2.0)
    assert differs(temperature=0, frequency_penalty=2.0)
    assert differs(temperature=0, no_repeat_ngram_size=1)
    assert differs(temperature=0, bad_words=[(greedy or "x")[:1]])
    # Sampling filters: made extreme, they collapse sampling back to greedy.
    assert not differs(temperature=1.0, seed=9, top_k=1)
    assert not differs(temperature=1.0, seed=9, top_p=0.0001)
    assert not differs(temperature=1.0, seed=9, min_p=1.0)
    assert not differs(temperature=1.0, seed=9, do_sample=False)
    assert _chat(client, temperature=0.05, seed=9, max_tokens=16).choices[0].message.content != sampled
    # Lengths.
    assert _chat(client, temperature=0, max_new_tokens=3).usage.completion_tokens == 3  # type: ignore[union-attr]
    assert _chat(client, temperature=0, max_completion_tokens=2).usage.completion_tokens == 2  # type: ignore[union-attr]
    first_token = greedy_reference(tiny_causal_lm, HELLO, 1)[0]
    eos_first = _chat(client, temperature=0, max_tokens=8, stop_token_ids=[first_token])
    assert eos_first.usage.completion_tokens == 1  # type: ignore[union-attr]
    held = _chat(client, temperature=0, max_tokens=8, min_tokens=4, stop_token_ids=[first_token])
    assert held.usage.completion_tokens >= 4  # type: ignore[union-attr]
    # Beam search runs without streaming and keeps n <= num_beams.
    beams = _chat(client, temperature=0, num_beams=3, n=2, length_penalty=0.5, max_tokens=6)
    assert len(beams.choices) == 2
    for refused in ({"num_beams": 2, "stream": True}, {"length_penalty": 2.0}, {"num_beams": 2, "n": 3},
                    {"do_sample": True, "temperature": 0}, {"min_tokens": 20, "max_tokens": 5},
                    {"num_beams": 2, "logprobs": True}):
        with pytest.raises(openai.BadRequestError) as caught:
            _chat(client, **refused)
        assert caught.value.body["param"] in refused  # type: ignore[index]


def test_adapters_are_models_of_their_own_and_load_at_run_time(client: openai.OpenAI, tiny_worker: LiveWorker,
                                                               tiny_adapter: Path) -> None:
    base = _chat(client, temperature=0).choices[0].message.content
    adapted = _chat(client, model=ADAPTER, temperature=0).choices[0].message.content
    assert adapted != base
    loaded = httpx.post(f"{tiny_worker.url}/admin/adapters", json={"name": "second", "path": str(tiny_adapter)},
                        headers=tiny_worker.headers)
    assert loaded.status_code == 201, loaded.text
    assert _chat(client, model="second", temperature=0).choices[0].message.content == adapted
    # A mixed batch: base and adapter requests at once give each their own answer.
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda m: _chat(client, model=m, temperature=0).choices[0].message.content,
                                [TINY, "second", TINY, ADAPTER]))
    assert results == [base, adapted, base, adapted]
    assert httpx.delete(f"{tiny_worker.url}/admin/adapters/second", headers=tiny_worker.headers).status_code == 200
    with pytest.raises(openai.NotFoundError):
        _chat(client, model="second")


def test_concurrent_requests_are_batched_and_match_sequential_ones(client: openai.OpenAI,
                                                                   tiny_worker: LiveWorker) -> None:
    prompts = [[{"role": "user", "content": f"Question number {i}: {'why ' * i}?"}] for i in range(8)]
    sequential = [_chat(client, messages=m, temperature=0, max_tokens=16).choices[0].message.content
                  for m in prompts]
    steps_before = tiny_worker.health()["steps"]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        concurrent_out = list(pool.map(
            lambda m: _chat(client, messages=m, temperature=0, max_tokens=16).choices[0].message.content, prompts))
    steps = tiny_worker.health()["steps"] - steps_before
    assert concurrent_out == sequential
    assert steps < 8 * 15 * 0.6, f"{steps} decoding steps for 8 requests: they were not batched"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "wizard", "content": "hi"}]}, "messages.0.role"),
        ({"messages": HELLO, "max_tokens": 100_000}, "max_tokens"),
        ({"messages": HELLO, "temperature": -0.5}, "temperature"),
        ({"messages": [{"role": "user", "content": "why " * 2000}]}, "messages"),
        ({"messages": HELLO, "frobnicate": 1}, "frobnicate"),
        ({"messages": HELLO, "n": 0}, "n"),
        ({"messages": HELLO, "top_p": 0}, "top_p"),
        ({"messages": HELLO, "response_format": {"type": "json_schema"}}, "response_format"),
        ({"messages": HELLO, "tool_choice": "required"}, "tool_choice"),
        ({"messages": HELLO, "response_format": {"type": "json_object"}, "num_beams": 2}, "num_beams"),
    ],
)
def test_bad_input_is_a_clear_400_and_the_worker_keeps_serving(tiny_worker: LiveWorker, body: dict[str, object],
                                                               param: str) -> None:
    response = httpx.post(f"{tiny_worker.url}/v1/chat/completions", json={"model": TINY, **body}, timeout=60,
                          headers=tiny_worker.headers)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    ok = httpx.post(f"{tiny_worker.url}/v1/chat/completions", json={"model": TINY, "messages": HELLO, "max_tokens": 2},
                    timeout=60, headers=tiny_worker.headers)
    assert ok.status_code == 200


def test_unknown_model_is_a_404_in_openai_format(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        _chat(client, model="no-such-model")
    assert caught.value.body["code"] == "model_not_found"  # type: ignore[index]


def test_embeddings_with_minilm(minilm_worker: LiveWorker) -> None:
    client = openai.OpenAI(base_url=f"{minilm_worker.url}/v1", api_key=minilm_worker.api_key, max_retries=0)
    response = client.embeddings.create(model="minilm", input=["A cat sits on the mat.", "A kitten is on the rug.",
                                                               "Quarterly revenue grew by 4%."])
    vectors = [d.embedding for d in response.data]
    assert [len(v) for v in vectors] == [384, 384, 384]
    assert response.usage.prompt_tokens > 0

    def cosine(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))

    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]) + 0.2
    packed = client.embeddings.create(model="minilm", input="hello", encoding_format="base64")
    assert len(base64.b64decode(packed.data[0].embedding)) == 384 * 4  # type: ignore[arg-type]
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="minilm", messages=HELLO)  # type: ignore[arg-type]


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-key", "Basic dXNlcjpwYXNz"])
def test_the_worker_refuses_callers_without_its_key(tiny_worker: LiveWorker, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    for method, path in (("GET", "/v1/models"), ("POST", "/v1/chat/completions"), ("POST", "/admin/adapters")):
        response = httpx.request(method, f"{tiny_worker.url}{path}", headers=headers, timeout=10,
                                 json={"model": TINY, "messages": HELLO} if method == "POST" else None)
        assert response.status_code == 401, (path, response.text)
    error = httpx.get(f"{tiny_worker.url}/v1/models", headers=headers, timeout=10).json()["error"]
    assert error["type"] == "authentication_error"
    assert "LLMORE_WORKER_KEY" in error["message"]
    assert httpx.get(f"{tiny_worker.url}/health", timeout=10).status_code == 200
