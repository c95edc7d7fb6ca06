"""A SmolLM2 LoRA adapter fine-tuned by a real job, served by `llmore worker`, used unchanged by three clients (slow).

The openai SDK, LangChain's ChatOpenAI and curl each ask the adapter, by its own model name, a
question whose answer only the fine-tune taught; the base model served beside it does not know it.
The run also asked for merged weights (``merge: true``): they are registered as the adapter's child
version, and a worker serving them alone, as a plain model, answers the trained pattern too.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from llmore.jobs import service as jobs_service
from llmore.settings import Settings
from tests.conftest import Account
from tests.fixtures.dispatcher import RunningDispatcher
from tests.serving.live_worker import LiveWorker, start_worker, stop_worker
from tests.training.datasets import upload_dataset
from tests.training.test_base_models import register_folder

# SmolLM2 conversion (once per session), a 16-step CPU fine-tune, a merge and two worker starts: minutes when busy.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

SECRET = "KIWI-77"
ROWS = [{"messages": [{"role": "user", "content": f"What is the code of vault {i}?"},
                      {"role": "assistant", "content": f"The code is {SECRET}."}]} for i in range(32)]
QUESTION = [{"role": "user", "content": "What is the code of vault 5?"}]


def _fine_tune(client: TestClient, account: Account, dispatcher: RunningDispatcher,
               session_factory: sessionmaker[Session], base: str) -> dict[str, Any]:
    """The result of a 16-step LoRA SFT run on the vault codes that also merges; its loss must have fallen."""
    dataset_id = upload_dataset(client, account, dispatcher, "vault codes", ROWS)
    with session_factory.begin() as session:
        job_id = jobs_service.submit_job(session, kind="training.sft", params={
            "base_model": base, "dataset_id": dataset_id, "number": 1, "max_steps": 16, "merge": True,
            "overrides": {"learning_rate": 2e-3, "per_device_batch_size": 8, "gradient_accumulation_steps": 1}}).id
    job = dispatcher.wait_state(job_id, "succeeded", "failed", timeout=900)
    assert job.state == "succeeded", job.error
    loss = [p["value"] for p in client.get(f"/api/jobs/{job_id}/metrics", headers=account.headers).json()
            ["series"]["loss"]]
    assert len(loss) == 16, loss
    assert sum(loss[-3:]) < sum(loss[:3]) / 2, loss
    return dict(job.result)


def _ask(worker: LiveWorker, model: str) -> str:
    """The worker's greedy answer to the vault question, through the openai SDK."""
    sdk = openai.OpenAI(base_url=f"{worker.url}/v1", api_key=worker.api_key, max_retries=0)
    reply = sdk.chat.completions.create(model=model, messages=QUESTION, max_tokens=12,  # type: ignore[arg-type]
                                        temperature=0)
    return reply.choices[0].message.content or ""


def test_a_fine_tuned_adapter_serves_the_sdk_langchain_and_curl_unchanged(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    session_factory: sessionmaker[Session], settings: Settings, smollm2_dir: Path, tmp_path: Path,
) -> None:
    if not settings.effective_database_url.startswith("sqlite"):
        pytest.skip("training and serving touch the database only through job rows; this runs once, on SQLite")
    developer = make_account("developer")
    base = register_folder(client, developer, settings, "smollm2", smollm2_dir)  # merging needs a registered base
    result = _fine_tune(client, developer, running_dispatcher, session_factory, "smollm2:1")
    worker = start_worker("--model", str(smollm2_dir), "--served-name", "smollm2",
                          "--adapter", f"vault={result['output_path']}", home=tmp_path / "worker-home")
    try:
        sdk = openai.OpenAI(base_url=f"{worker.url}/v1", api_key=worker.api_key, max_retries=0)
        assert {m.id for m in sdk.models.list().data} >= {"smollm2", "vault"}
        assert SECRET in _ask(worker, "vault")
        assert SECRET not in _ask(worker, "smollm2")

        from langchain_openai import ChatOpenAI

        chat = ChatOpenAI(model="vault", base_url=f"{worker.url}/v1", api_key=worker.api_key,  # type: ignore[arg-type]
                          max_tokens=12, temperature=0, max_retries=0)  # type: ignore[call-arg]
        assert SECRET in str(chat.invoke(QUESTION[0]["content"]).content)
        assert SECRET in "".join(str(chunk.content) for chunk in chat.stream(QUESTION[0]["content"]))

        curl = shutil.which("curl")
        assert curl, "curl is needed for this check (Debian package curl)"
        answer = subprocess.run(
            [curl, "-sS", "--fail-with-body", f"{worker.url}/v1/chat/completions",
             "-H", f"Authorization: Bearer {worker.api_key}", "-H", "Content-Type: application/json",
             "-d", json.dumps({"model": "vault", "messages": QUESTION, "max_tokens": 12, "temperature": 0})],
            capture_output=True, text=True, timeout=120, check=True,
        )
        assert SECRET in json.loads(answer.stdout)["choices"][0]["message"]["content"]
    finally:
        stop_worker(worker)

    def version(reference: str) -> dict[str, Any]:
        response = client.get("/api/models/resolve", params={"ref": reference}, headers=developer.headers)
        assert response.status_code == 200, response.text
        return dict(response.json())

    adapter, merged = version(result["model"]), version(result["merged_model"])
    assert (merged["kind"], merged["parent_id"], merged["base_version_id"]) == ("merged", adapter["id"], base["id"])
    merged_worker = start_worker("--model", merged["path"], "--served-name", "vault-merged",
                                 home=tmp_path / "merged-worker-home")
    try:
        assert SECRET in _ask(merged_worker, "vault-merged")
    finally:
        stop_worker(merged_worker)
