"""A run's launch plan: how many training processes, which parallel strategy, and the memory each device holds.

Plain types, apart from the planning in :mod:`llmore.training.distributed`, so the advisor's
proposal can carry the plan (the planner itself builds on the advisor's memory accounting).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel


class Strategy(StrEnum):
    """How the training processes share the work: one process, data parallel, or a DeepSpeed ZeRO stage."""

    SINGLE = "single"
    DDP = "ddp"
    ZERO2 = "zero2"
    ZERO3 = "zero3"


class LaunchPlan(BaseModel):
    """How a run uses the machine's GPUs, what each GPU and the host then hold, and why."""

    strategy: Strategy
    processes: int
    offload_optimizer: bool = False
    offload_parameters: bool = False
    gpu_gb: float  # peak per GPU
    host_gb: float = 0.0  # offloaded to host memory
    fits: bool = True
    reason: str

    @property
    def summary(self) -> str:
        """One line for logs and the CLI: processes, strategy and why."""
        processes = "1 process" if self.processes == 1 else f"{self.processes} processes"
        return f"{processes} ({self.strategy.value}): {self.reason}"
