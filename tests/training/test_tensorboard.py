"""Every run writes TensorBoard event files in its job folder; MLflow is used when configured; GPU series need NVML."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from llmore.jobs import service as jobs_service
from llmore.jobs.context import job_dir, log_path
from llmore.monitoring.gpus import gpu_metrics, visible_gpu_indices
from llmore.settings import Settings
from tests.conftest import Account
from tests.fixtures.dispatcher import RunningDispatcher
from tests.training.test_base_models import upload_pingpong

STEPS = 6


@pytest.mark.slow
def test_loss_reaches_tensorboard_files_and_gpu_series_are_skipped_without_a_gpu(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    session_factory: sessionmaker[Session], settings: Settings, tiny_causal_lm: Path,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    if not settings.effective_database_url.startswith("sqlite"):
        pytest.skip("training touches the database only through the job row; it runs once, on SQLite")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    monkeypatch.setenv("LLMORE_MLFLOW_TRACKING_URI", (tmp_path / "mlruns").as_uri())  # the job process reads it
    dev = make_account("developer")
    dataset_id = upload_pingpong(client, dev, running_dispatcher)
    with session_factory.begin() as session:
        job_id = jobs_service.submit_job(session, kind="training.sft", params={
            "base_model": str(tiny_causal_lm), "dataset_id": dataset_id, "number": 1, "max_steps": STEPS,
            "overrides": {"per_device_batch_size": 4, "gradient_accumulation_steps": 1}}).id
    job = running_dispatcher.wait_state(job_id, "succeeded", "failed", timeout=300)
    log = log_path(settings, job_id).read_text()
    assert job.state == "succeeded", log[-3000:]

    events = EventAccumulator(str(job_dir(settings, job_id) / "tensorboard"))
    events.Reload()
    tensorboard_loss = [(point.step, point.value) for point in events.Scalars("train/loss")]
    series = client.get(f"/api/jobs/{job_id}/metrics", headers=dev.headers).json()["series"]
    job_loss = [(point["step"], point["value"]) for point in series["loss"]]
    assert [step for step, _ in tensorboard_loss] == list(range(1, STEPS + 1))
    assert dict(tensorboard_loss) == pytest.approx(dict(job_loss))
    assert "train/learning_rate" in events.Tags()["scalars"]

    if importlib.util.find_spec("mlflow") is None:
        assert "Not logging to MLflow" in log
        assert "pip install mlflow" in log
    else:
        assert list((tmp_path / "mlruns").rglob("loss"))

    # The job ran with no GPU assigned (CUDA_VISIBLE_DEVICES=""): no GPU series, and no error for it.
    assert not [name for name in series if name.startswith("gpu")]
    assert series["system_cpu_percent"]
    # In this (test) process: per-GPU numbers exactly where NVML sees GPUs, nothing and no error elsewhere.
    gpus = visible_gpu_indices() if importlib.util.find_spec("pynvml") else []
    here = gpu_metrics(gpus)
    assert sorted(here) == sorted(f"gpu{i}_{what}" for i in gpus for what in ("utilization_percent", "memory_used_gb"))
