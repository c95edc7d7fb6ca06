"""Start and stop real ``llmore worker`` processes on free ports for tests."""

from __future__ import annotations

import secrets
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
    api_key: str
    """The worker key it was started with: what direct callers send."""
    output: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def health(self) -> dict:  # type: ignore[type-arg]
        return httpx.get(f"{self.url}/health", timeout=5).json()


def start_worker(*args: str, home: Path, env: dict[str, str] | None = None) -> LiveWorker:
    """``llmore worker ARGS --port <free>`` with a fresh worker key (env); returns once ``/health`` answers."""
    port = free_port()
    output: list[str] = []
    key = "wk-test-" + secrets.token_hex(8)
    process = spawn_llmore(["worker", *args, "--port", str(port)], home=home,
                           env={"LLMORE_WORKER_KEY": key, **(env or {})}, on_line=output.append)
    worker = LiveWorker(url=f"http://127.0.0.1:{port}", process=process, api_key=key, output=output)
    wait_until_healthy(process, f"{worker.url}/health", timeout=STARTUP_TIMEOUT_S, what="llmore worker", output=output)
    return worker


def stop_worker(worker: LiveWorker) -> None:
    stop_process(worker.process)
