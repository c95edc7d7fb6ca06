"""Runs each job as a child process of the dispatcher on this machine."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

import psutil

from llmore.jobs.context import log_path
from llmore.jobs.executors.base import Exited, Liveness, Placement
from llmore.jobs.runner import runner_env
from llmore.monitoring.gpus import visible_gpu_indices
from llmore.settings import Settings


@dataclass
class _Child:
    popen: subprocess.Popen[bytes]
    gpus: list[int]
    kill_at: float | None = None


@dataclass
class _Adopted:
    """A job process started by an earlier dispatcher on this host, still running."""

    pid: int
    kill_at: float | None = None


@dataclass
class LocalExecutor:
    """Child processes with a concurrency limit and exclusive GPU assignment via CUDA_VISIBLE_DEVICES.

    Each child runs in its own session (process group), so cancelling reaches the workers a
    job spawns, and a dispatcher crash does not take running jobs down with it: the next
    dispatcher finds them by their reference ``host:pid:start_time``.
    """

    settings: Settings
    name: str = "local"
    gpu_indices: list[int] = field(default_factory=visible_gpu_indices)
    _children: dict[int, _Child] = field(default_factory=dict)
    _exited: dict[int, int] = field(default_factory=dict)
    _adopted: dict[int, _Adopted] = field(default_factory=dict)

    # ------------------------------------------------------------ capacity

    def free_slots(self) -> int:
        busy = len(self._children) + len(self._adopted)
        return max(0, self.settings.job_concurrency - busy)

    def _free_gpus(self) -> list[int]:
        used = {gpu for child in self._children.values() for gpu in child.gpus}
        return [gpu for gpu in self.gpu_indices if gpu not in used]

    def unplaceable_reason(self, gpus: int) -> str | None:
        if gpus > len(self.gpu_indices):
            return (
                f"The job needs {gpus} GPU(s) but this machine has {len(self.gpu_indices)}; "
                "lower `gpus` or run it on an executor with GPUs."
            )
        return None

    def can_place(self, gpus: int) -> bool:
        return self.free_slots() > 0 and len(self._free_gpus()) >= gpus

    # ------------------------------------------------------------ lifecycle

    def start(self, job_id: int, gpus: int) -> Placement:
        assigned = self._free_gpus()[:gpus]
        env = {**os.environ, **runner_env(self.settings)}
        # An empty list hides every GPU from CPU-only jobs instead of letting them grab one.
        env["CUDA_VISIBLE_DEVICES"] = ",".join(str(g) for g in assigned)
        path = log_path(self.settings, job_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab") as log_file:
            popen = subprocess.Popen(
                [sys.executable, "-m", "llmore.jobs.runner", str(job_id)],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        self._children[job_id] = _Child(popen=popen, gpus=assigned)
        return Placement(ref=_make_ref(popen.pid), gpus=assigned)

    def poll(self, job_id: int, ref: str | None) -> Exited | Liveness:
        if job_id in self._exited:
            return Exited(self._exited[job_id])
        if job_id in self._children:
            return Liveness.RUNNING
        if ref is None:
            return Liveness.LOST
        host, pid, started = _parse_ref(ref)
        if host != socket.gethostname():
            return Liveness.UNKNOWN
        if _same_process_alive(pid, started):
            self._adopted.setdefault(job_id, _Adopted(pid=pid))
            return Liveness.RUNNING
        self._adopted.pop(job_id, None)
        return Liveness.LOST

    def terminate(self, job_id: int, ref: str, grace_seconds: float) -> None:
        target: _Child | _Adopted | None = self._children.get(job_id) or self._adopted.get(job_id)
        if target is None or target.kill_at is not None:
            return
        pid = target.popen.pid if isinstance(target, _Child) else target.pid
        _signal_group(pid, signal.SIGTERM)
        target.kill_at = time.monotonic() + grace_seconds

    def tick(self) -> None:
        now = time.monotonic()
        for job_id, child in list(self._children.items()):
            code = child.popen.poll()
            if code is not None:
                self._exited[job_id] = code
                del self._children[job_id]
            elif child.kill_at is not None and now >= child.kill_at:
                _signal_group(child.popen.pid, signal.SIGKILL)
        for job_id, adopted in list(self._adopted.items()):
            if not psutil.pid_exists(adopted.pid):
                del self._adopted[job_id]  # finished on its own; frees its slot
            elif adopted.kill_at is not None and now >= adopted.kill_at:
                _signal_group(adopted.pid, signal.SIGKILL)

    def forget(self, job_id: int) -> None:
        self._exited.pop(job_id, None)
        self._adopted.pop(job_id, None)

    def retain(self, running_job_ids: set[int]) -> None:
        for job_id in set(self._exited) - running_job_ids:
            del self._exited[job_id]

    def shutdown(self) -> None:
        """Leave running children alone (they outlive us) but stop tracking them."""
        self._children.clear()
        self._adopted.clear()


def _make_ref(pid: int) -> str:
    try:
        started = psutil.Process(pid).create_time()
    except psutil.Error:
        started = 0.0
    return f"{socket.gethostname()}:{pid}:{started:.2f}"


def _parse_ref(ref: str) -> tuple[str, int, float]:
    host, pid, started = ref.rsplit(":", 2)
    return host, int(pid), float(started)


def _same_process_alive(pid: int, started: float) -> bool:
    """Whether ``pid`` still runs and is the same process (pids are reused)."""
    try:
        process = psutil.Process(pid)
        return abs(process.create_time() - started) < 0.05 and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signum)
