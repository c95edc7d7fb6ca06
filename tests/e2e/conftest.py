"""A real ``llmore up`` process on a free port, shared by the end-to-end tests of a session."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

PASSWORD_LINE = re.compile(r"one-time admin password:\s*(\S+)")
STARTUP_TIMEOUT_S = 60


@dataclass
class LiveServer:
    """A running server: where it listens, its state folder and the admin's one-time password."""

    url: str
    home: Path
    admin_password: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def login(self, username: str = "admin", password: str | None = None) -> httpx.Client:
        """An HTTP client signed in as ``username`` (bearer token from a real login)."""
        response = httpx.post(
            f"{self.url}/api/auth/login", json={"username": username, "password": password or self.admin_password}
        )
        response.raise_for_status()
        return httpx.Client(
            base_url=self.url, timeout=30, headers={"Authorization": f"Bearer {response.json()['token']}"}
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(home: Path, *extra_args: str) -> LiveServer:
    """Start ``llmore up`` and wait until it answers; read the password it prints."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMORE_") or k.startswith("LLMORE_TEST_")}
    env.update(LLMORE_HOME=str(home), PYTHONUNBUFFERED="1", COLUMNS="200", HF_HUB_OFFLINE="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "llmore.cli.main", "up", "--port", str(port), *extra_args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    server = LiveServer(url=f"http://127.0.0.1:{port}", home=home, admin_password="", process=process)
    assert process.stdout is not None
    stdout = process.stdout

    def pump() -> None:
        for line in stdout:
            server.output.append(line)
            found = PASSWORD_LINE.search(line)
            if found:
                server.admin_password = found.group(1)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("llmore up exited early:\n" + "".join(server.output))
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError("llmore up did not answer in time:\n" + "".join(server.output))


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One ``llmore up`` for the whole session, on a fresh home and SQLite database."""
    server = start_server(tmp_path_factory.mktemp("live-home"))
    yield server
    stop_server(server)
