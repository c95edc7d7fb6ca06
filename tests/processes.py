"""Running ``llmore`` commands as real processes in tests: a clean environment, captured output, readiness."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spawn_llmore(
    args: list[str], *, home: Path, env: dict[str, str] | None = None, on_line: Callable[[str], None]
) -> subprocess.Popen[str]:
    """Start ``python -m llmore.cli.main ARGS`` on ``home``, ignoring the caller's LLMORE_* settings.

    Every line it prints goes to ``on_line`` (from a reader thread), so its output never blocks it.
    """
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LLMORE_") or k.startswith("LLMORE_TEST_")}
    environment.update(LLMORE_HOME=str(home), PYTHONUNBUFFERED="1", COLUMNS="200", HF_HUB_OFFLINE="1", **(env or {}))
    process = subprocess.Popen(
        [sys.executable, "-m", "llmore.cli.main", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
        stdin=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: [on_line(line) for line in stdout], daemon=True).start()
    return process


def wait_until_healthy(
    process: subprocess.Popen[str], url: str, *, timeout: float, what: str, output: list[str]
) -> None:
    """Poll ``url`` until it answers 200; fail with the process's output if it exits or takes too long."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited early:\n" + "".join(output))
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_process(process)
    raise RuntimeError(f"{what} did not answer in time:\n" + "".join(output))


def stop_process(process: subprocess.Popen[str], grace: float = 20) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
