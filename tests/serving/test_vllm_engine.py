"""A real ``llmore worker --engine vllm`` on SmolLM2, driven with the official OpenAI SDK.

Needs the engine's virtual environment (``make test-vllm`` builds it and runs these tests);
without it every test here is skipped with the reason. The environment is looked up in
``$LLMORE_TEST_ENGINES_DIR`` (default ``~/.llmore/engines``, where ``llmore engines install``
puts it).
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import openai
import psutil
import pytest

from llmore.cli.engines import installed
from tests.processes import free_port, spawn_llmore, stop_process, wait_until_healthy

ENGINES_DIR = Path(os.environ.get("LLMORE_TEST_ENGINES_DIR") or "~/.llmore/engines").expanduser()
STARTUP_TIMEOUT_S = 400  # vLLM on 2 shared CPU cores: import, load, KV-cache profiling
MODEL = "smollm2"
QUESTION = [{"role": "user", "content": "Name three colours of the rainbow."}]

pytestmark = [
    pytest.mark.vllm,
    pytest.mark.slow,
    pytest.mark.timeout(STARTUP_TIMEOUT_S + 300),  # the first test pays for vLLM's start
    pytest.mark.skipif(installed(ENGINES_DIR / "vllm") is None,
                       reason=f"the vllm engine is not installed in {ENGINES_DIR}: run `make test-vllm` (or "
                              "`llmore engines install vllm` and set LLMORE_TEST_ENGINES_DIR)"),
]


@dataclass
class VllmWorker:
    url: str
    process: object
    client: openai.OpenAI
    key: str
    output: list[str]


def start_vllm_worker(model: Path, home: Path, *args: str) -> VllmWorker:
    """``llmore worker --engine vllm`` on SmolLM2 with a worker key, once it answers ``/health``."""
    port = free_port()
    key = "wk-vllm-" + secrets.token_hex(8)
    output: list[str] = []
    process = spawn_llmore(["worker", "--model", str(model), "--engine", "vllm", "--served-name", MODEL,
                            "--default-max-tokens", "48", "--port", str(port),
                            # torch.compile's warm-up takes minutes on 2 shared cores; behaviour is the same.
                            "--engine-arg=--enforce-eager", *args],
                           home=home, on_line=output.append,
                           env={"LLMORE_ENGINES_DIR": str(ENGINES_DIR), "LLMORE_WORKER_KEY": key})
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(process, f"{url}/health", timeout=STARTUP_TIMEOUT_S, what="llmore worker --engine vllm",
                       output=output)
    client = openai.OpenAI(base_url=f"{url}/v1", api_key=key, timeout=120, max_retries=0)
    return VllmWorker(url=url, process=process, client=client, key=key, output=output)


@pytest.fixture(scope="module")
def vllm_worker(smollm2_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[VllmWorker]:
    worker = start_vllm_worker(smollm2_dir, tmp_path_factory.mktemp("vllm-home"))
    yield worker
    stop_process(worker.process)  # type: ignore[arg-type]


def greedy(worker: VllmWorker, **fields: object) -> str:
    answer = worker.client.chat.completions.create(model=MODEL, messages=QUESTION, temperature=0, max_tokens=24,
                                                   **fields)  # type: ignore[call-overload]
    return str(answer.choices[0].message.content)


def test_chat_answers_with_usage(vllm_worker: VllmWorker) -> None:
    answer = vllm_worker.client.chat.completions.create(model=MODEL, messages=QUESTION, temperature=0, max_tokens=24)
    assert answer.model == MODEL
    assert answer.choices[0].message.content
    assert answer.choices[0].finish_reason in ("stop", "length")
    assert answer.usage is not None
    assert answer.usage.completion_tokens > 0
    health = httpx.get(f"{vllm_worker.url}/health", timeout=5).json()
    assert health["ok"] is True
    assert health["engine"] == "vllm"
    assert health["models"] == [MODEL]


def test_stream_gives_the_same_text_and_ends_with_usage(vllm_worker: VllmWorker) -> None:
    whole = greedy(vllm_worker)
    chunks = list(vllm_worker.client.chat.completions.create(model=MODEL, messages=QUESTION, temperature=0,
                                                             max_tokens=24, stream=True))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == whole
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 3  # really streamed
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens > 0


def test_n_gives_that_many_choices(vllm_worker: VllmWorker) -> None:
    answer = vllm_worker.client.chat.completions.create(model=MODEL, messages=QUESTION, n=3, temperature=1.0,
                                                        seed=3, max_tokens=16)
    assert sorted(c.index for c in answer.choices) == [0, 1, 2]
    assert all(c.message.content for c in answer.choices)


def test_stop_cuts_the_text_before_the_stop_string(vllm_worker: VllmWorker) -> None:
    full = greedy(vllm_worker)
    word = full.split()[2]
    answer = vllm_worker.client.chat.completions.create(model=MODEL, messages=QUESTION, temperature=0,
                                                        max_tokens=24, stop=[word])
    assert answer.choices[0].message.content == full[: full.index(word)]
    assert answer.choices[0].finish_reason == "stop"


def test_seed_makes_sampling_reproducible(vllm_worker: VllmWorker) -> None:
    def sample(seed: int) -> str:
        answer = vllm_worker.client.chat.completions.create(model=MODEL, messages=QUESTION, temperature=1.2,
                                                            seed=seed, max_tokens=24)
        return str(answer.choices[0].message.content)

    first = sample(11)
    assert sample(11) == first
    assert {sample(12), sample(13)} != {first}


def test_logprobs_with_alternatives(vllm_worker: VllmWorker) -> None:
    answer = vllm_worker.client.chat.completions.create(model=MODEL, messages=QUESTION, temperature=0, max_tokens=8,
                                                        logprobs=True, top_logprobs=2)
    content = answer.choices[0].logprobs.content  # type: ignore[union-attr]
    assert content is not None
    assert len(content) == answer.usage.completion_tokens
    assert "".join(item.token for item in content) == answer.choices[0].message.content
    for item in content:
        assert item.logprob <= 0
        assert len(item.top_logprobs) == 2
        assert item.top_logprobs[0].logprob >= item.top_logprobs[1].logprob
        assert item.logprob == pytest.approx(item.top_logprobs[0].logprob, abs=1e-3)  # greedy takes the best


def test_text_completions_whole_and_streamed(vllm_worker: VllmWorker) -> None:
    prompt = "The capital of France is"
    whole = vllm_worker.client.completions.create(model=MODEL, prompt=prompt, temperature=0, max_tokens=6,
                                                  logprobs=1, echo=False)
    text = whole.choices[0].text
    assert text
    assert whole.choices[0].logprobs is not None
    assert "".join(whole.choices[0].logprobs.tokens or []) == text
    streamed = vllm_worker.client.completions.create(model=MODEL, prompt=prompt, temperature=0, max_tokens=6,
                                                     stream=True)
    assert "".join(c.choices[0].text for c in streamed if c.choices) == text


def test_vllm_native_parameters_and_refusals(vllm_worker: VllmWorker) -> None:
    answer = vllm_worker.client.chat.completions.create(
        model=MODEL, messages=QUESTION, temperature=0, max_tokens=12,
        extra_body={"min_tokens": 10, "top_k": 5, "repetition_penalty": 1.3, "max_new_tokens": 10})
    assert answer.usage is not None
    assert answer.usage.completion_tokens == 10
    with pytest.raises(openai.BadRequestError) as refused:
        vllm_worker.client.chat.completions.create(model=MODEL, messages=QUESTION,
                                                   extra_body={"no_repeat_ngram_size": 3})
    assert refused.value.body["param"] == "no_repeat_ngram_size"  # type: ignore[index]
    assert "does not support the parameter 'no_repeat_ngram_size'" in refused.value.message
    with pytest.raises(openai.NotFoundError):
        vllm_worker.client.chat.completions.create(model="gpt-4", messages=QUESTION)


def test_stopping_the_worker_stops_vllm(vllm_worker: VllmWorker) -> None:
    pid = httpx.get(f"{vllm_worker.url}/health", timeout=5).json()["pid"]
    server = psutil.Process(pid)
    family = [server, *server.children(recursive=True)]
    stop_process(vllm_worker.process)  # type: ignore[arg-type]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in family):
        time.sleep(0.5)
    assert not [p.pid for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_lora_adapters_at_start_and_while_serving(smollm2_dir: Path, tmp_path: Path) -> None:
    """An adapter given at start is a model of its own; more load and unload through /admin/adapters."""
    from tests.serving.conftest import build_lora_adapter

    adapter = build_lora_adapter(smollm2_dir, tmp_path / "lora")
    worker = start_vllm_worker(smollm2_dir, tmp_path / "home", "--adapter", f"tuned={adapter}")
    try:
        listed = {m.id: m for m in worker.client.models.list().data}
        assert set(listed) == {MODEL, "tuned"}
        assert listed["tuned"].parent == MODEL  # type: ignore[attr-defined]

        def answer(model: str) -> str:
            reply = worker.client.chat.completions.create(model=model, messages=QUESTION, temperature=0,
                                                          max_tokens=12)
            return str(reply.choices[0].message.content)

        tuned = answer("tuned")
        assert tuned != answer(MODEL)  # the adapter's random weights change the output
        auth = {"Authorization": f"Bearer {worker.key}"}
        loaded = httpx.post(f"{worker.url}/admin/adapters", json={"name": "again", "path": str(adapter)},
                            headers=auth, timeout=120)
        assert loaded.status_code == 201, loaded.text
        assert answer("again") == tuned
        assert httpx.delete(f"{worker.url}/admin/adapters/again", headers=auth, timeout=60).status_code == 200
        with pytest.raises(openai.NotFoundError):
            answer("again")
    finally:
        stop_process(worker.process)  # type: ignore[arg-type]
