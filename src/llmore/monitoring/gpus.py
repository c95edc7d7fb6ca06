"""Which GPUs this machine exposes, via NVML when available, else ``nvidia-smi``."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence


def visible_gpu_indices() -> list[int]:
    """Indices of the GPUs jobs may use; honours an outer ``CUDA_VISIBLE_DEVICES``."""
    outer = os.environ.get("CUDA_VISIBLE_DEVICES")
    if outer is not None:
        return [int(part) for part in outer.split(",") if part.strip().isdigit()]
    return list(range(_nvml_count() or _nvidia_smi_count()))


def _nvml_count() -> int:
    try:
        import pynvml
    except ImportError:
        return 0
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        return 0
    try:
        return int(pynvml.nvmlDeviceGetCount())
    finally:
        pynvml.nvmlShutdown()


def _nvidia_smi_count() -> int:
    binary = shutil.which("nvidia-smi")
    if binary is None:
        return 0
    try:
        listing = subprocess.run([binary, "-L"], capture_output=True, text=True, timeout=10, check=True).stdout
    except (subprocess.SubprocessError, OSError):
        return 0
    return sum(1 for line in listing.splitlines() if line.startswith("GPU "))


def gpu_metrics(indices: Sequence[int]) -> dict[str, float]:
    """Utilisation (%) and memory in use (GB) of each GPU in ``indices`` from NVML; empty without NVML or GPUs."""
    if not indices:
        return {}
    try:
        import pynvml
    except ImportError:
        return {}
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        return {}
    metrics: dict[str, float] = {}
    try:
        for index in indices:
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            metrics[f"gpu{index}_utilization_percent"] = float(pynvml.nvmlDeviceGetUtilizationRates(handle).gpu)
            metrics[f"gpu{index}_memory_used_gb"] = pynvml.nvmlDeviceGetMemoryInfo(handle).used / 2**30
    except pynvml.NVMLError:
        pass  # a GPU that went away mid-run: report the ones that answered
    finally:
        pynvml.nvmlShutdown()
    return metrics
