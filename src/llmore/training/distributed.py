"""Multi-GPU training: the launch plan, accelerate config and DeepSpeed ZeRO JSON, generated from the hardware.

Users never write these files. The plan follows common practice:

* one GPU (or none): a single process, no launcher;
* LoRA / QLoRA on several GPUs: plain data parallelism (DDP) while the frozen base fits on each
  GPU — the trainable state is tiny, so ZeRO-2 would save nothing; else ZeRO-3 shards the base
  across the GPUs, then also offloads the optimizer to host memory;
* full fine-tuning: ZeRO-2 (gradients and optimizer states sharded: same speed as DDP, far less
  memory) while it fits, then ZeRO-3 (weights sharded too), then ZeRO-3 with the optimizer and
  finally also the weights offloaded to host memory, if the host has room.

QLoRA with ZeRO-3 needs the 4-bit weights stored in the compute dtype (``bnb_4bit_quant_storage``)
so DeepSpeed can shard them like any tensor, and cannot offload them (they are not plain tensors).
Memory per GPU comes from the advisor's accounting (:func:`advisor.memory_parts`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from llmore.training.advisor import GIB, MEMORY_HEADROOM, MemoryParts, Method
from llmore.training.facts import HardwareFacts
from llmore.training.launch_plan import LaunchPlan, Strategy

ACCELERATE_CONFIG = "accelerate.yaml"
DEEPSPEED_CONFIG = "deepspeed.json"


def _candidates(method: Method) -> list[tuple[Strategy, bool, bool]]:
    """(strategy, offload optimizer, offload weights), cheapest in speed first."""
    if method is Method.FULL:
        return [
            (Strategy.ZERO2, False, False),
            (Strategy.ZERO3, False, False),
            (Strategy.ZERO3, True, False),
            (Strategy.ZERO3, True, True),
        ]
    # 4-bit weights cannot be offloaded; a LoRA run's optimizer state is tiny but offloading it is harmless
    return [(Strategy.DDP, False, False), (Strategy.ZERO3, False, False), (Strategy.ZERO3, True, False)]


def _placement(
    parts: MemoryParts, gpus: int, strategy: Strategy, offload_optimizer: bool, offload_parameters: bool
) -> tuple[float, float]:
    """Bytes on each GPU and on the host under one strategy."""
    weights, optimizer = parts.weights, parts.optimizer
    if strategy is Strategy.ZERO2:
        optimizer /= gpus
    elif strategy is Strategy.ZERO3:
        weights, optimizer = weights / gpus, optimizer / gpus
    host = 0.0
    if offload_optimizer:
        host, optimizer = host + parts.optimizer, 0.0
    if offload_parameters:
        host, weights = host + parts.weights, 0.0
    return weights + optimizer + parts.activations, host


def plan_launch(parts: MemoryParts, hardware: HardwareFacts, method: Method) -> LaunchPlan:
    """The fastest strategy whose per-GPU (and offloaded host) memory fits; ``fits`` False when none does."""
    if hardware.device != "cuda" or hardware.gpus <= 1:
        return LaunchPlan(
            strategy=Strategy.SINGLE,
            processes=1,
            gpu_gb=round(parts.total / GIB, 2),
            reason="one device: a single training process",
        )
    gpu_room = hardware.gpu_memory_gb * MEMORY_HEADROOM * GIB
    host_room = hardware.ram_gb * MEMORY_HEADROOM * GIB
    placements = [(option, *_placement(parts, hardware.gpus, *option)) for option in _candidates(method)]
    chosen = next((p for p in placements if p[1] <= gpu_room and p[2] <= host_room), None)
    # nothing fits: describe the most frugal option, marked as not fitting
    (strategy, offload_optimizer, offload_parameters), on_gpu, on_host = chosen or placements[-1]
    return LaunchPlan(
        strategy=strategy,
        processes=hardware.gpus,
        offload_optimizer=offload_optimizer,
        offload_parameters=offload_parameters,
        gpu_gb=round(on_gpu / GIB, 2),
        host_gb=round(on_host / GIB, 2),
        fits=chosen is not None,
        reason=_reason(strategy, method, hardware, (offload_optimizer, offload_parameters), on_gpu)
        if chosen
        else f"does not fit {hardware.gpus} × {hardware.gpu_memory_gb:.0f} GB GPUs even with ZeRO-3 and offloading: "
        "lower the batch or max_length, use LoRA/QLoRA, or more GPUs",
    )


def _reason(
    strategy: Strategy, method: Method, hardware: HardwareFacts, offload: tuple[bool, bool], on_gpu: float
) -> str:
    where = f"~{on_gpu / GIB:.1f} GB of {hardware.gpu_memory_gb:.0f} GB on each of {hardware.gpus} GPUs"
    if strategy is Strategy.DDP:
        return f"data parallel: the frozen base fits on every GPU and the adapter state is tiny ({where})"
    if strategy is Strategy.ZERO2:
        return f"ZeRO-2 shards gradients and optimizer states at DDP speed ({where})"
    if offload[0]:
        offloaded = "the optimizer and the weights" if offload[1] else "the optimizer"
        return f"ZeRO-3 with {offloaded} in host memory: nothing less fits ({where})"
    unfit = "data parallel" if method is not Method.FULL else "ZeRO-2"
    return f"ZeRO-3 shards the weights too: {unfit} does not fit ({where})"


def deepspeed_config(plan: LaunchPlan) -> dict[str, Any]:
    """DeepSpeed JSON for a ZeRO plan; "auto" values are filled in by the transformers integration from the run."""
    zero: dict[str, Any] = {
        "stage": 2 if plan.strategy is Strategy.ZERO2 else 3,
        "overlap_comm": True,
        "contiguous_gradients": True,
        "reduce_bucket_size": "auto",
    }
    if plan.strategy is Strategy.ZERO2:
        zero["allgather_bucket_size"] = "auto"
    else:
        zero |= {
            "stage3_prefetch_bucket_size": "auto",
            "stage3_param_persistence_threshold": "auto",
            # whole 16-bit weights on rank 0 when saving, so the saved model loads without DeepSpeed
            "stage3_gather_16bit_weights_on_model_save": True,
        }
    if plan.offload_optimizer:
        zero["offload_optimizer"] = {"device": "cpu", "pin_memory": True}
    if plan.offload_parameters:
        zero["offload_param"] = {"device": "cpu", "pin_memory": True}
    return {
        "zero_optimization": zero,
        "bf16": {"enabled": "auto"},
        "fp16": {"enabled": "auto"},
        "gradient_accumulation_steps": "auto",
        "gradient_clipping": "auto",
        "train_batch_size": "auto",
        "train_micro_batch_size_per_gpu": "auto",
    }


def accelerate_config(plan: LaunchPlan, precision: str, deepspeed_file: Path | None) -> dict[str, Any]:
    """accelerate's config file contents (what ``accelerate config`` would write) for a multi-GPU plan."""
    config: dict[str, Any] = {
        "compute_environment": "LOCAL_MACHINE",
        "distributed_type": "DEEPSPEED" if deepspeed_file else "MULTI_GPU",
        "num_machines": 1,
        "machine_rank": 0,
        "num_processes": plan.processes,
        "gpu_ids": "all",
        "mixed_precision": precision if precision in ("bf16", "fp16") else "no",
        "main_training_function": "main",
        "rdzv_backend": "static",
        "same_network": True,
        "use_cpu": False,
    }
    if deepspeed_file:
        # ZeRO-3 builds the model already sharded, so no GPU ever holds all of it at load time
        config["deepspeed_config"] = {
            "deepspeed_config_file": str(deepspeed_file),
            "zero3_init_flag": plan.strategy is Strategy.ZERO3,
        }
    return config


def write_launch_files(plan: LaunchPlan, precision: str, folder: Path) -> Path:
    """Write the plan's accelerate config (and DeepSpeed JSON for ZeRO) into the run's folder; returns the config."""
    folder.mkdir(parents=True, exist_ok=True)
    deepspeed_file = None
    if plan.strategy in (Strategy.ZERO2, Strategy.ZERO3):
        deepspeed_file = folder / DEEPSPEED_CONFIG
        deepspeed_file.write_text(json.dumps(deepspeed_config(plan), indent=2) + "\n")
    config_file = folder / ACCELERATE_CONFIG
    config_file.write_text(yaml.safe_dump(accelerate_config(plan, precision, deepspeed_file), sort_keys=False))
    return config_file
