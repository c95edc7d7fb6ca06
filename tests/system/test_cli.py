"""The ``llmore`` command on a real database: migrations, users, jobs."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmore.cli.main import app

runner = CliRunner()


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LLMORE_HOME", str(tmp_path))
    return tmp_path


def invoke(*args: str, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_commands_refuse_an_unmigrated_database_with_advice(cli_home: Path) -> None:
    result = runner.invoke(app, ["users", "list"])
    assert result.exit_code == 1
    assert "llmore db upgrade" in result.output


def test_users_create_list_and_set_password(cli_home: Path) -> None:
    invoke("db", "upgrade")
    assert "Created user ana" in invoke("users", "create", "ana", "--role", "annotator", "--role", "reviewer",
                                        env={"LLMORE_NEW_PASSWORD": "ten chars long"})
    listed = invoke("users", "list")
    assert "ana" in listed
    assert "annotator, reviewer" in listed
    assert "signed out" in invoke("users", "set-password", "ana", env={"LLMORE_NEW_PASSWORD": "another password"})
    short = runner.invoke(app, ["users", "create", "bob"], env={"LLMORE_NEW_PASSWORD": "short"})
    assert short.exit_code == 1
    assert "at least 10" in short.output
    duplicate = runner.invoke(app, ["users", "create", "ana"], env={"LLMORE_NEW_PASSWORD": "ten chars long"})
    assert duplicate.exit_code == 1
    assert "taken" in duplicate.output


def test_jobs_submit_list_show_cancel(cli_home: Path) -> None:
    invoke("db", "upgrade")
    assert "Queued job 1" in invoke("jobs", "submit", "demo.gradient_descent", "-p", "steps=3", "-p",
                                    "learning_rate=0.2")
    assert "queued" in invoke("jobs", "list")
    shown = invoke("jobs", "show", "1")
    assert '"steps": 3' in shown
    assert '"learning_rate": 0.2' in shown
    assert "cancelled" in invoke("jobs", "cancel", "1")
    again = runner.invoke(app, ["jobs", "cancel", "1"])
    assert again.exit_code == 1
    assert "nothing to cancel" in again.output
    bad = runner.invoke(app, ["jobs", "submit", "demo.gradient_descent", "-p", "steps=-2"])
    assert bad.exit_code == 1
    assert "params.steps" in bad.output
    missing = runner.invoke(app, ["jobs", "show", "99"])
    assert missing.exit_code == 1
    assert "No job with id 99" in missing.output


def test_jobs_wait_shows_progress_until_the_end(cli_home: Path) -> None:
    """``--wait`` follows a job run by a real dispatcher process to its end."""
    import subprocess
    import sys

    invoke("db", "upgrade")
    dispatcher = subprocess.Popen([sys.executable, "-m", "llmore.cli.main", "dispatcher"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        output = invoke("jobs", "submit", "demo.gradient_descent", "-p", "steps=3", "-p", "step_seconds=0.1",
                        "--wait")
    finally:
        dispatcher.terminate()
        dispatcher.wait(20)
    assert "job 1 succeeded" in output
    assert "100%" in output
    assert "job succeeded" in invoke("jobs", "logs", "1")
