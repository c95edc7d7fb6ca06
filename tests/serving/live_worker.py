"""Start and stop real ``llmore worker`` processes on free ports for tests."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.processes import free_port, spawn_llmore, stop_process, wait_until_healthy

STARTUP_TIMEOUT_S = 120


@dataclass
class LiveWorker:
    """A running worker process: its URL and everything it printed."""

    url: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def health(self) -> dict:  # type: ignore[type-arg]
        return httpx.get(f"{self.url}/health", timeout=5).json()


def start_worker(*args: str, home: Path, env: dict[str, str] | None = None) -> LiveWorker:
    """``llmore worker ARGS --port <free>``; returns once ``/health`` answers."""
    port = free_port()
    output: list[str] = []
    process = spawn_llmore(["worker", *args, "--port", str(port)], home=home, env=env, on_line=output.append)
    worker = LiveWorker(url=f"http://127.0.0.1:{port}", process=process, output=output)
    wait_until_healthy(process, f"{worker.url}/health", timeout=STARTUP_TIMEOUT_S, what="llmore worker", output=output)
    return worker


def stop_worker(worker: LiveWorker) -> None:
    stop_process(worker.process)
