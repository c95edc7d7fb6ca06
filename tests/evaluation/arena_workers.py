"""A real chat worker for the judge and arena tests, and its registration with the app under test.

One ``llmore worker`` process serves the tiny random model as ``tiny`` and a random LoRA adapter over
it as ``tiny-lora`` (so two contestants that answer differently). It runs ``--no-auth`` because it is
registered through the app's real ``/api/workers/register`` route with a TestClient, which cannot pass
the issued gateway secret on to the process; everything after registration (replica lookup, relay,
retries) is the gateway's real path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import Account
from tests.serving.conftest import build_lora_adapter
from tests.serving.live_worker import LiveWorker, start_worker, stop_worker

MODELS = ("tiny", "tiny-lora")


@pytest.fixture(scope="session")
def chat_worker(tiny_causal_lm: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveWorker]:
    adapter = build_lora_adapter(tiny_causal_lm, tmp_path_factory.mktemp("arena-lora"))
    worker = start_worker("--model", str(tiny_causal_lm), "--served-name", MODELS[0], "--adapter",
                          f"{MODELS[1]}={adapter}", "--no-auth", home=tmp_path_factory.mktemp("arena-worker"))
    yield worker
    stop_worker(worker)


def register(client: TestClient, admin: Account, worker: LiveWorker) -> None:
    """Register ``worker`` with the app as ``llmore worker --control-plane`` would (long heartbeat window)."""
    response = client.post("/api/workers/register", headers=admin.headers, json={
        "name": "arena-test", "url": worker.url, "engine": "transformers", "models": list(MODELS),
        "heartbeat_seconds": 3600})
    assert response.status_code == 201, response.text


def direct_answer(worker: LiveWorker, model: str, prompt: str, max_tokens: int) -> str:
    """What ``model`` answers greedily when asked on the worker itself, bypassing the platform."""
    response = httpx.post(f"{worker.url}/v1/chat/completions", timeout=60, json={
        "model": model, "messages": [{"role": "user", "content": prompt}], "max_tokens": max_tokens,
        "temperature": 0})
    response.raise_for_status()
    return str(response.json()["choices"][0]["message"]["content"])
