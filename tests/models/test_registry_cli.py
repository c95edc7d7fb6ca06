"""``llmore models`` end to end on a real database with a real dispatcher process."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmore.cli.main import app
from tests.models.test_registry_api import build_lora_adapter

runner = CliRunner()


def invoke(*args: str, ok: bool = True) -> str:
    result = runner.invoke(app, list(args), env={"LLMORE_NEW_PASSWORD": "cli password 1", "COLUMNS": "200"})
    assert (result.exit_code == 0) is ok, result.output
    return result.output


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A migrated home with an admin and a running dispatcher process."""
    monkeypatch.setenv("LLMORE_HOME", str(tmp_path))
    invoke("db", "upgrade")
    invoke("users", "create", "admin", "--role", "admin")
    invoke("users", "create", "dev", "--role", "developer")
    dispatcher = subprocess.Popen([sys.executable, "-m", "llmore.cli.main", "dispatcher"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield tmp_path
    dispatcher.terminate()
    dispatcher.wait(20)


def test_import_move_alias_merge_and_show_from_the_shell(cli_home: Path, tiny_causal_lm: Path) -> None:
    registered = invoke("models", "import", "tiny", str(tiny_causal_lm), "--as", "dev")
    assert "Registered tiny:1 (base" in registered
    adapter = build_lora_adapter(tiny_causal_lm, cli_home / "lora")
    copied = invoke("models", "import", "tiny-lora", str(adapter), "--copy", "--as", "dev")
    assert "succeeded" in copied
    assert "Registered tiny-lora:1" in copied

    invoke("models", "transition", "tiny:1", "evaluating", "--as", "dev")
    invoke("models", "transition", "tiny:1", "evaluated", "--reason", "looks fine", "--as", "dev")
    refused = invoke("models", "transition", "tiny:1", "deployed", "--as", "dev", ok=False)
    assert "only approved versions can be deployed" in refused
    forced = invoke("models", "transition", "tiny:1", "deployed", "--force", "--reason", "demo day")
    assert "evaluated → deployed (forced)" in forced
    invoke("models", "alias", "tiny", "prod", "1")

    merged = invoke("models", "merge", "tiny-lora", "--into", "tiny-merged", "--as", "dev")
    assert "Registered tiny-merged:1" in merged

    listed = invoke("models", "list")
    assert "3 models" in listed
    assert "prod→1" in listed
    shown = invoke("models", "show", "tiny@prod")
    assert "LlamaForCausalLM" in shown
    assert "demo day" in shown
    assert "yes" in shown  # the forced entry
    family = invoke("models", "show", "tiny-lora")
    assert "tiny:1" in family  # the adapter's base
    assert "No model named 'ghost'" in invoke("models", "show", "ghost", ok=False)
