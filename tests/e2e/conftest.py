"""A real ``llmore up`` process on a free port, shared by the end-to-end tests of a session."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.processes import free_port, spawn_llmore, stop_process, wait_until_healthy

PASSWORD_LINE = re.compile(r"one-time admin password:\s*(\S+)")
STARTUP_TIMEOUT_S = 60


@dataclass
class LiveServer:
    """A running server: where it listens, its state folder and the admin's one-time password."""

    url: str
    home: Path
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    @property
    def admin_password(self) -> str:
        """The one-time password the server printed on first start ("" when it printed none)."""
        found = next((m for line in self.output if (m := PASSWORD_LINE.search(line))), None)
        return found.group(1) if found else ""

    def login(self, username: str = "admin", password: str | None = None) -> httpx.Client:
        """An HTTP client signed in as ``username`` (bearer token from a real login)."""
        response = httpx.post(
            f"{self.url}/api/auth/login", json={"username": username, "password": password or self.admin_password}
        )
        response.raise_for_status()
        return httpx.Client(
            base_url=self.url, timeout=30, headers={"Authorization": f"Bearer {response.json()['token']}"}
        )


def start_server(home: Path, *extra_args: str) -> LiveServer:
    """Start ``llmore up`` and wait until it answers."""
    port = free_port()
    output: list[str] = []
    process = spawn_llmore(["up", "--port", str(port), *extra_args], home=home, on_line=output.append)
    server = LiveServer(url=f"http://127.0.0.1:{port}", home=home, process=process, output=output)
    wait_until_healthy(process, f"{server.url}/healthz", timeout=STARTUP_TIMEOUT_S, what="llmore up", output=output)
    return server


def stop_server(server: LiveServer) -> None:
    stop_process(server.process)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One ``llmore up`` for the whole session, on a fresh home and SQLite database."""
    server = start_server(tmp_path_factory.mktemp("live-home"))
    yield server
    stop_server(server)
