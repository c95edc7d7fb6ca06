"""Start and stop real ``llmore worker`` processes on free ports for tests."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.e2e.conftest import free_port

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
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LLMORE_") or k.startswith("LLMORE_TEST_")}
    environment.update(LLMORE_HOME=str(home), PYTHONUNBUFFERED="1", HF_HUB_OFFLINE="1", COLUMNS="200", **(env or {}))
    process = subprocess.Popen(
        [sys.executable, "-m", "llmore.cli.main", "worker", *args, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment, stdin=subprocess.DEVNULL,
    )
    worker = LiveWorker(url=f"http://127.0.0.1:{port}", process=process)
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: worker.output.extend(stdout), daemon=True).start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("llmore worker exited early:\n" + "".join(worker.output))
        try:
            if httpx.get(f"{worker.url}/health", timeout=1).status_code == 200:
                return worker
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_worker(worker)
    raise RuntimeError("llmore worker did not answer in time:\n" + "".join(worker.output))


def stop_worker(worker: LiveWorker) -> None:
    if worker.process.poll() is None:
        worker.process.terminate()
        try:
            worker.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()
