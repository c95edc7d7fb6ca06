"""The platform's /v1 gateway with real processes: `llmore up`, workers that register, the OpenAI SDK."""

from __future__ import annotations

import concurrent.futures
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from tests.e2e.conftest import LiveServer, start_server, stop_server
from tests.serving.live_worker import LiveWorker, start_worker, stop_worker

HEARTBEAT_S = 1.0  # 3 missed beats drop a worker: a loaded CI machine must not miss them
HELLO = [{"role": "user", "content": "Hello!"}]

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("gateway-home"))
    yield live
    stop_server(live)


@pytest.fixture(scope="module")
def api_key(server: LiveServer) -> str:
    with server.login() as admin:
        response = admin.post("/api/api-keys", json={"name": "gateway tests"})
        response.raise_for_status()
        return str(response.json()["key"])


def _start(server: LiveServer, api_key: str, home: Path, *args: str) -> LiveWorker:
    return start_worker(*args, "--control-plane", server.url, "--api-key", api_key,
                        "--heartbeat-seconds", str(HEARTBEAT_S), home=home)


def _models(server: LiveServer, api_key: str) -> list[str]:
    response = httpx.get(f"{server.url}/v1/models", headers={"Authorization": f"Bearer {api_key}"})
    response.raise_for_status()
    return [m["id"] for m in response.json()["data"]]


def _wait_for(predicate, what: str, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def tiny_workers(server: LiveServer, api_key: str, tiny_causal_lm: Path,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[LiveWorker]]:
    """Two replicas of the tiny model, registered with the control plane."""
    workers = [_start(server, api_key, tmp_path_factory.mktemp("w"), "--model", str(tiny_causal_lm),
                      "--served-name", "tiny") for _ in range(2)]
    _wait_for(lambda: "tiny" in _models(server, api_key), "the workers to register")
    yield workers
    for worker in workers:
        stop_worker(worker)


def test_the_openai_sdk_works_through_the_gateway_with_an_api_key(
    server: LiveServer, api_key: str, tiny_workers: list[LiveWorker]
) -> None:
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=api_key, max_retries=0)
    assert "tiny" in [m.id for m in client.models.list().data]
    answer = client.chat.completions.create(model="tiny", messages=HELLO, max_tokens=5,
                                            temperature=0)  # type: ignore[arg-type]
    assert answer.usage is not None
    assert answer.usage.completion_tokens == 5
    chunks = list(client.chat.completions.create(model="tiny", messages=HELLO, max_tokens=5, temperature=0,
                                                 stream=True))  # type: ignore[call-overload]
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == answer.choices[0].message.content
    assert chunks[-1].usage is not None
    text = client.completions.create(model="tiny", prompt="Once", max_tokens=3)
    assert text.usage is not None
    # Both replicas take part under concurrent load (least-loaded routing).
    before = [w.health()["steps"] for w in tiny_workers]
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda _: client.chat.completions.create(model="tiny", messages=HELLO, max_tokens=8),  # type: ignore[arg-type]
                      range(12)))
    assert all(w.health()["steps"] > b for w, b in zip(tiny_workers, before, strict=True))


def test_errors_use_openai_shapes(server: LiveServer, api_key: str, tiny_workers: list[LiveWorker]) -> None:
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=api_key, max_retries=0)
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="no-such-model", messages=HELLO)  # type: ignore[arg-type]
    assert missing.value.body["code"] == "model_not_found"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as bad:
        client.chat.completions.create(model="tiny", messages=HELLO, temperature=-1)  # type: ignore[arg-type]
    assert bad.value.body["param"] == "temperature"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as too_long:
        client.chat.completions.create(model="tiny", messages=HELLO, max_tokens=10**6)  # type: ignore[arg-type]
    assert too_long.value.body["code"] == "context_length_exceeded"  # type: ignore[index]
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=f"{server.url}/v1", api_key="llm-bogus", max_retries=0).models.list()


def test_a_killed_replica_is_skipped_then_dropped(server: LiveServer, api_key: str, tiny_causal_lm: Path,
                                                  tmp_path: Path, tiny_workers: list[LiveWorker]) -> None:
    doomed = _start(server, api_key, tmp_path, "--model", str(tiny_causal_lm), "--served-name", "tiny-solo")
    try:
        _wait_for(lambda: "tiny-solo" in _models(server, api_key), "tiny-solo to register")
        doomed.process.send_signal(signal.SIGKILL)
        doomed.process.wait()
        killed_at = time.monotonic()
        client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=api_key, max_retries=0)
        # Before the heartbeat window passes the gateway still routes there, fails to connect, answers 503.
        with pytest.raises(openai.InternalServerError):
            client.chat.completions.create(model="tiny-solo", messages=HELLO, max_tokens=2)  # type: ignore[arg-type]
        _wait_for(lambda: "tiny-solo" not in _models(server, api_key), "the dead worker to be dropped", timeout=10)
        assert time.monotonic() - killed_at < HEARTBEAT_S * 3 + 3
        with pytest.raises(openai.NotFoundError):
            client.chat.completions.create(model="tiny-solo", messages=HELLO, max_tokens=2)  # type: ignore[arg-type]
    finally:
        stop_worker(doomed)


def test_requests_retry_on_another_replica_when_one_dies(server: LiveServer, api_key: str, tiny_causal_lm: Path,
                                                         tmp_path: Path) -> None:
    replicas = [_start(server, api_key, tmp_path / str(i), "--model", str(tiny_causal_lm), "--served-name", "tiny-ha")
                for i in range(2)]
    try:
        _wait_for(lambda: "tiny-ha" in _models(server, api_key), "tiny-ha to register")
        replicas[0].process.send_signal(signal.SIGKILL)
        replicas[0].process.wait()
        client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=api_key, max_retries=0)
        for _ in range(6):  # whichever replica routing picks first, every request succeeds
            answer = client.chat.completions.create(model="tiny-ha", messages=HELLO, max_tokens=2)  # type: ignore[arg-type]
            assert answer.usage is not None
    finally:
        for replica in replicas:
            stop_worker(replica)


def test_workers_are_listed_for_managers(server: LiveServer, tiny_workers: list[LiveWorker]) -> None:
    with server.login() as admin:
        workers = admin.get("/api/workers").json()
    live = [w for w in workers if w["live"] and "tiny" in w["models"]]
    assert len(live) == 2
    assert {w["url"] for w in live} == {w.url for w in tiny_workers}
    assert all(w["engine"] == "transformers" for w in live)


def test_embeddings_through_the_gateway(server: LiveServer, api_key: str, tmp_path: Path) -> None:
    from llmore.models.bundled import MINILM, get_bundled
    from llmore.settings import Settings

    path = get_bundled(MINILM, Settings(home=tmp_path)).prepared_path
    assert path is not None
    worker = _start(server, api_key, tmp_path, "--model", str(path), "--engine", "embeddings", "--served-name", "emb")
    try:
        _wait_for(lambda: "emb" in _models(server, api_key), "the embeddings worker to register")
        client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=api_key, max_retries=0)
        response = client.embeddings.create(model="emb", input=["one", "two"])
        assert [len(d.embedding) for d in response.data] == [384, 384]
    finally:
        stop_worker(worker)


def test_workers_refuse_callers_that_bypass_the_gateway(server: LiveServer, api_key: str,
                                                        tiny_workers: list[LiveWorker]) -> None:
    """The gateway reaches workers with their registration secret; an API key or no key at the worker is a 401."""
    for headers in ({}, {"Authorization": f"Bearer {api_key}"}):
        direct = httpx.post(f"{tiny_workers[0].url}/v1/chat/completions", headers=headers, timeout=10,
                            json={"model": "tiny", "messages": HELLO, "max_tokens": 2})
        assert direct.status_code == 401, direct.text
        assert direct.json()["error"]["type"] == "authentication_error"
    with server.login() as admin:
        workers = admin.get("/api/workers").json()
    assert workers
    assert all("gateway_nonce" not in w["info"] and "gateway_secret" not in w for w in workers)
    routed = httpx.post(f"{server.url}/v1/chat/completions", headers={"Authorization": f"Bearer {api_key}"},
                        json={"model": "tiny", "messages": HELLO, "max_tokens": 2}, timeout=60)
    assert routed.status_code == 200, routed.text


def test_langchain_chat_openai_works_unchanged(server: LiveServer, api_key: str,
                                               tiny_workers: list[LiveWorker]) -> None:
    from langchain_core.messages import AIMessageChunk, HumanMessage, ToolMessage
    from langchain_openai import ChatOpenAI

    def chat_model(max_tokens: int) -> ChatOpenAI:
        return ChatOpenAI(model="tiny", base_url=f"{server.url}/v1", api_key=api_key,  # type: ignore[arg-type]
                          temperature=0, max_tokens=max_tokens, max_retries=0)  # type: ignore[call-arg]

    llm = chat_model(6)
    answer = llm.invoke("Hello!")
    assert isinstance(answer.content, str)
    assert answer.content
    assert answer.usage_metadata is not None
    assert answer.usage_metadata["output_tokens"] == 6
    chunks = list(llm.stream("Hello!"))
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    assert "".join(str(c.content) for c in chunks) == answer.content

    weather = {"type": "function", "function": {"name": "get_weather", "description": "Weather of a city",
               "parameters": {"type": "object", "properties": {"city": {"type": "string", "enum": ["Paris", "Oslo"]}},
                              "required": ["city"], "additionalProperties": False}}}
    caller = chat_model(80).bind_tools([weather], tool_choice="get_weather")
    question = HumanMessage("What is the weather in Paris?")
    called = caller.invoke([question])
    assert [c["name"] for c in called.tool_calls] == ["get_weather"], called  # type: ignore[attr-defined]
    assert called.tool_calls[0]["args"]["city"] in ("Paris", "Oslo")  # type: ignore[attr-defined]
    result = ToolMessage(content="18 degrees", tool_call_id=called.tool_calls[0]["id"])  # type: ignore[attr-defined]
    final = llm.invoke([question, called, result])
    assert isinstance(final.content, str)
    assert final.content

    trip = {"title": "trip", "type": "object", "additionalProperties": False, "required": ["city", "days"],
            "properties": {"city": {"type": "string", "enum": ["Paris", "Rome"]},
                           "days": {"type": "integer", "minimum": 1, "maximum": 9}}}
    planner = chat_model(80).with_structured_output(trip, method="json_schema")
    planned = planner.invoke("Plan a trip.")
    assert isinstance(planned, dict)
    assert planned["city"] in ("Paris", "Rome")
    assert 1 <= planned["days"] <= 9
