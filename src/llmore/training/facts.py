"""What the defaults advisor reasons about: the model, the data and the hardware, read from what exists."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path

import psutil

from llmore.errors import AppError
from llmore.monitoring.gpus import visible_gpu_indices

SAFETENSORS_HEADER_BYTES = 8
DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}


@dataclass(frozen=True)
class ModelFacts:
    """Size and shape of a base model."""

    parameters: int
    hidden_size: int
    layers: int
    attention_heads: int
    context_length: int
    vocab_size: int


@dataclass(frozen=True)
class DataFacts:
    """Size and token lengths of a dataset version's training sequences (for GRPO: the prompts)."""

    rows: int
    tokens_p50: int
    tokens_p99: int
    tokens_max: int
    tokens_mean: float
    data_schema: str
    answer_tokens_p99: int = 0  # GRPO: the reference answers alone, for the completion budget
    eval_rows: int = 0  # rows of the held-out split the run evaluates on (0: no evaluation)


@dataclass(frozen=True)
class HardwareFacts:
    """Where training runs: accelerator count and memory, host memory, bf16 support."""

    device: str  # "cpu" or "cuda"
    gpus: int
    gpu_memory_gb: float
    ram_gb: float
    cpus: int
    bf16: bool


def model_facts(folder: Path) -> ModelFacts:
    """Read config.json and count parameters from the safetensors headers (no weights are loaded)."""
    config_file = folder / "config.json"
    if not config_file.is_file():
        raise AppError(
            f"{folder} has no config.json; point at a transformers model folder.",
            details=[{"field": "base_model", "message": "not a model folder"}],
        )
    config = json.loads(config_file.read_text())
    text = config.get("text_config", config)
    return ModelFacts(
        parameters=_safetensors_parameters(folder) or _estimate_parameters(text),
        hidden_size=int(text["hidden_size"]),
        layers=int(text["num_hidden_layers"]),
        attention_heads=int(text.get("num_attention_heads", 1)),
        context_length=int(text.get("max_position_embeddings", 2048)),
        vocab_size=int(text.get("vocab_size", 32000)),
    )


def _safetensors_parameters(folder: Path) -> int:
    total = 0
    for shard in folder.glob("*.safetensors"):
        with shard.open("rb") as handle:
            (length,) = struct.unpack("<Q", handle.read(SAFETENSORS_HEADER_BYTES))
            header = json.loads(handle.read(length))
        for name, tensor in header.items():
            if name != "__metadata__":
                count = 1
                for dim in tensor["shape"]:
                    count *= dim
                total += count
    return total


def _estimate_parameters(config: dict[str, int]) -> int:
    """12·L·h² for the blocks plus the embeddings, for folders without safetensors."""
    hidden, layers = int(config["hidden_size"]), int(config["num_hidden_layers"])
    return 12 * layers * hidden * hidden + int(config.get("vocab_size", 32000)) * hidden


def hardware_facts() -> HardwareFacts:
    """This machine as the local executor sees it."""
    gpus = visible_gpu_indices()
    memory_gb, bf16 = 0.0, True  # recent x86 CPUs run bf16 autocast well (measured: fastest on this host)
    if gpus:
        import torch

        if torch.cuda.is_available():
            memory_gb = min(torch.cuda.get_device_properties(i).total_memory for i in range(len(gpus))) / 2**30
            bf16 = torch.cuda.is_bf16_supported()
    return HardwareFacts(
        device="cuda" if gpus else "cpu",
        gpus=len(gpus),
        gpu_memory_gb=memory_gb,
        ram_gb=psutil.virtual_memory().total / 2**30,
        cpus=psutil.cpu_count() or 1,
        bf16=bf16,
    )
