"""Multi-GPU launch plans and their generated configs, and a real two-process data-parallel run on CPU."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from accelerate.commands.config.config_args import ClusterConfig, load_config_from_file
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from llmore.jobs import service as jobs_service
from llmore.jobs.runner import runner_env
from llmore.settings import Settings
from llmore.training.advisor import GIB, MemoryParts, Method, propose
from llmore.training.distributed import deepspeed_config, plan_launch, write_launch_files
from llmore.training.facts import DataFacts, HardwareFacts, ModelFacts
from llmore.training.launch import RESULT_FILE, WORKER_ENV
from llmore.training.launch_plan import Strategy
from tests.conftest import Account
from tests.fixtures.dispatcher import RunningDispatcher
from tests.training.datasets import only_sqlite, upload_dataset
from tests.training.test_recipe_jobs import lora_b_norm


def gpus(count: int, memory_gb: float, ram_gb: float = 256) -> HardwareFacts:
    return HardwareFacts(device="cuda" if count else "cpu", gpus=count, gpu_memory_gb=memory_gb, ram_gb=ram_gb,
                         cpus=32, bf16=True)


def parts(weights_gb: float, optimizer_gb: float, activations_gb: float) -> MemoryParts:
    return MemoryParts(weights=weights_gb * GIB, optimizer=optimizer_gb * GIB, activations=activations_gb * GIB)


# A 7B model: bf16 weights 14 GB; full fine-tuning's fp32 master, gradients and AdamW moments 112 GB.
FULL_7B = parts(28, 112, 6)
LORA_7B = parts(14, 0.3, 6)
LORA_70B = parts(140, 1.5, 10)
QLORA_70B = parts(38.5, 1.5, 10)  # 4-bit weights


@pytest.mark.parametrize(("hardware", "memory", "method", "expected"), [
    (gpus(0, 0), LORA_7B, Method.LORA, (Strategy.SINGLE, 1, False, False)),
    (gpus(1, 80), FULL_7B, Method.FULL, (Strategy.SINGLE, 1, False, False)),
    (gpus(2, 80), LORA_7B, Method.LORA, (Strategy.DDP, 2, False, False)),
    (gpus(8, 80), LORA_70B, Method.LORA, (Strategy.ZERO3, 8, False, False)),  # the base fits no single GPU
    (gpus(4, 24), QLORA_70B, Method.QLORA, (Strategy.ZERO3, 4, False, False)),
    (gpus(8, 80), FULL_7B, Method.FULL, (Strategy.ZERO2, 8, False, False)),
    (gpus(8, 40), FULL_7B, Method.FULL, (Strategy.ZERO3, 8, False, False)),  # ZeRO-2: 28 + 14 + 6 GB > 34 usable
    (gpus(2, 40), FULL_7B, Method.FULL, (Strategy.ZERO3, 2, True, False)),
    (gpus(2, 16), FULL_7B, Method.FULL, (Strategy.ZERO3, 2, True, True)),
])
def test_the_plan_is_the_fastest_strategy_that_fits(
    hardware: HardwareFacts, memory: MemoryParts, method: Method, expected: tuple[Strategy, int, bool, bool],
) -> None:
    plan = plan_launch(memory, hardware, method)
    assert (plan.strategy, plan.processes, plan.offload_optimizer, plan.offload_parameters) == expected
    assert plan.fits
    usable = (hardware.gpu_memory_gb * 0.85) if hardware.gpus > 1 else float("inf")
    assert plan.gpu_gb <= usable


def test_the_advisor_accepts_a_full_fine_tune_that_fits_only_sharded_across_gpus() -> None:
    model = ModelFacts(parameters=7_000_000_000, hidden_size=4096, layers=32, attention_heads=32,
                       context_length=4096, vocab_size=32000)
    data = DataFacts(rows=5000, tokens_p50=200, tokens_p99=400, tokens_max=500, tokens_mean=220, data_schema="chat")
    one_gpu = propose(model, data, gpus(1, 80), method=Method.FULL)
    assert "needs ~" in {p["field"]: p["message"] for p in one_gpu.problems}["per_device_batch_size"]
    eight = propose(model, data, gpus(8, 80), method=Method.FULL)
    assert eight.problems == []
    assert eight.launch is not None
    assert (eight.launch.strategy, eight.launch.processes) == (Strategy.ZERO2, 8)
    assert one_gpu.launch is not None
    assert one_gpu.launch.strategy is Strategy.SINGLE
    too_small = propose(model, data, gpus(2, 16, ram_gb=64), method=Method.FULL)
    assert "even with ZeRO-3" in {p["field"]: p["message"] for p in too_small.problems}["per_device_batch_size"]


def test_a_run_no_strategy_fits_is_marked_with_the_fix() -> None:
    plan = plan_launch(FULL_7B, gpus(2, 16, ram_gb=64), Method.FULL)
    assert not plan.fits
    assert plan.reason.startswith("does not fit 2 × 16 GB GPUs even with ZeRO-3 and offloading")


@pytest.mark.parametrize(("hardware", "memory", "method", "stage", "offload"), [
    (gpus(8, 80), FULL_7B, Method.FULL, 2, set()),
    (gpus(8, 40), FULL_7B, Method.FULL, 3, set()),
    (gpus(2, 16), FULL_7B, Method.FULL, 3, {"offload_optimizer", "offload_param"}),
])
def test_generated_configs_load_in_accelerate_and_carry_the_zero_stage(
    hardware: HardwareFacts, memory: MemoryParts, method: Method, stage: int, offload: set[str], tmp_path: Path,
) -> None:
    plan = plan_launch(memory, hardware, method)
    config_file = write_launch_files(plan, "bf16", tmp_path)
    config = load_config_from_file(str(config_file))
    assert isinstance(config, ClusterConfig)
    assert (config.distributed_type, config.num_processes, config.mixed_precision) == (
        "DEEPSPEED", hardware.gpus, "bf16")
    deepspeed = json.loads(Path(config.deepspeed_config["deepspeed_config_file"]).read_text())
    assert deepspeed == deepspeed_config(plan)
    zero = deepspeed["zero_optimization"]
    assert zero["stage"] == stage
    assert {key for key in zero if key.startswith("offload")} == offload
    assert config.deepspeed_config["zero3_init_flag"] is (stage == 3)
    if stage == 3:
        assert zero["stage3_gather_16bit_weights_on_model_save"] is True
    for key in ("train_micro_batch_size_per_gpu", "gradient_accumulation_steps", "train_batch_size"):
        assert deepspeed[key] == "auto"  # filled from the run's own arguments, never contradicting them


def test_data_parallel_config_has_no_deepspeed(tmp_path: Path) -> None:
    config = load_config_from_file(str(write_launch_files(plan_launch(LORA_7B, gpus(4, 80), Method.LORA), "bf16",
                                                          tmp_path)))
    assert (config.distributed_type, config.num_processes, config.deepspeed_config) == ("MULTI_GPU", 4, {})
    assert not (tmp_path / "deepspeed.json").exists()


ROWS = [{"messages": [{"role": "user", "content": f"ping {i}"}, {"role": "assistant", "content": "pong"}]}
        for i in range(16)]


def test_two_cpu_processes_train_one_run_and_rank_zero_saves_and_registers(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    session_factory: sessionmaker[Session], settings: Settings, tiny_causal_lm: Path,
) -> None:
    """The worker entry point a multi-GPU job launches, run by accelerate as 2 CPU processes (gloo)."""
    only_sqlite(settings)
    dev = make_account("developer")
    dataset_id = upload_dataset(client, dev, running_dispatcher, "ddp-chat", ROWS)
    running_dispatcher.stop()  # the launched processes run the job here, not the dispatcher
    with session_factory.begin() as session:
        job_id = jobs_service.submit_job(session, kind="training.sft", params={
            "base_model": str(tiny_causal_lm), "dataset_id": dataset_id, "number": 1, "max_steps": 3,
            "overrides": {"per_device_batch_size": 2, "gradient_accumulation_steps": 1}}).id
    command = [sys.executable, "-m", "accelerate.commands.launch", "--cpu", "--num_processes", "2",
               "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
               "-m", "llmore.training.launch", str(job_id)]
    env = {**os.environ, **runner_env(settings), WORKER_ENV: "1", "OMP_NUM_THREADS": "1"}
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240, check=False)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    result = json.loads((settings.home / "jobs" / str(job_id) / RESULT_FILE).read_text())
    assert result["steps"] == 3
    assert lora_b_norm(Path(result["output_path"])) > 0
    assert (Path(result["output_path"]) / "tokenizer.json").is_file()
    # one log line per step: rank 1 trains silently
    assert finished.stdout.count("step 1/3 ") == 1
    # 16 rows over 2 processes × batch 2: each step sees 4 rows, so an epoch is 4 steps
    metrics = client.get(f"/api/jobs/{job_id}/metrics", headers=dev.headers).json()["series"]
    assert [point["value"] for point in metrics["epoch"][:3]] == [0.25, 0.5, 0.75]
    registered = client.get("/api/models/resolve", params={"ref": result["model"]}, headers=dev.headers).json()
    assert (registered["kind"], registered["source"]["job_id"]) == ("adapter", job_id)
