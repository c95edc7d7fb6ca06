"""A training job killed with SIGKILL after a checkpoint resumes from that checkpoint when retried, and finishes."""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from llmore.jobs import service as jobs_service
from llmore.jobs.context import job_dir, log_path
from llmore.settings import Settings
from tests.conftest import Account, wait_for
from tests.fixtures.dispatcher import RunningDispatcher
from tests.training.test_base_models import upload_pingpong

STEPS, EVERY = 16, 4
FAST = {"learning_rate": 1e-2, "per_device_batch_size": 4, "gradient_accumulation_steps": 1}


@pytest.mark.slow
def test_a_killed_run_resumes_from_its_checkpoint_when_retried(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    session_factory: sessionmaker[Session], settings: Settings, tiny_causal_lm: Path,
) -> None:
    if not settings.effective_database_url.startswith("sqlite"):
        pytest.skip("training touches the database only through the job row; it runs once, on SQLite")
    dev = make_account("developer")
    dataset_id = upload_pingpong(client, dev, running_dispatcher)
    with session_factory.begin() as session:
        job_id = jobs_service.submit_job(session, kind="training.sft", params={
            "base_model": str(tiny_causal_lm), "dataset_id": dataset_id, "number": 1, "max_steps": STEPS,
            "checkpoint_every": EVERY, "overrides": FAST}).id
    checkpoints = job_dir(settings, job_id) / "checkpoints"
    first = checkpoints / f"checkpoint-{EVERY}"
    wait_for(lambda: (first / "trainer_state.json").is_file(), timeout=300, what="the first checkpoint")
    ref = running_dispatcher.job(job_id).executor_ref
    assert ref is not None
    os.killpg(int(ref.rsplit(":", 2)[1]), signal.SIGKILL)  # the job runs in its own process group
    killed = running_dispatcher.wait_state(job_id, "failed", "succeeded", timeout=60)
    assert killed.state == "failed", "the run finished before it could be killed; lower EVERY or raise STEPS"
    assert "without reporting" in (killed.error or "")
    log_at_kill = log_path(settings, job_id).read_text()
    killed_at = max(int(n) for n in re.findall(r"^.*step (\d+)/\d+ ", log_at_kill, re.MULTILINE))
    assert killed_at < STEPS

    retried = client.post(f"/api/jobs/{job_id}/retry", headers=dev.headers)
    assert retried.status_code == 200, retried.text
    job = running_dispatcher.wait_state(job_id, "succeeded", "failed", timeout=300)
    log = log_path(settings, job_id).read_text()
    assert job.state == "succeeded", log[-3000:]
    after_retry = log[len(log_at_kill):]
    resumed = re.search(r"resuming from .*checkpoint-(\d+)", after_retry)
    assert resumed, after_retry[-2000:]
    resumed_at = int(resumed.group(1))
    assert resumed_at >= EVERY
    steps_after = [int(n) for n in re.findall(r"step (\d+)/\d+ ", after_retry)]
    assert steps_after[0] == resumed_at + 1  # continued from the checkpoint, not from step 0
    assert steps_after[-1] == STEPS
    assert job.result["steps"] == STEPS
    series = client.get(f"/api/jobs/{job_id}/metrics", headers=dev.headers).json()["series"]
    assert {point["step"] for point in series["loss"]} >= set(range(resumed_at + 1, STEPS + 1))
