"""``llmore data`` end to end on a real database with a real dispatcher process."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmore.cli.main import app

runner = CliRunner()
ROWS = [
    {"instruction": "问候", "input": "", "output": "你好！"},
    {"instruction": "Greet", "input": "<i>politely</i>", "output": "Good morning."},
    {"instruction": "Greet", "input": "<i>politely</i>", "output": "Good morning."},
    {"instruction": "Count to three", "input": "", "output": "1, 2, 3"},
]


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"LLMORE_NEW_PASSWORD": "cli password 1"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A migrated home with an admin and a running dispatcher process."""
    monkeypatch.setenv("LLMORE_HOME", str(tmp_path))
    invoke("db", "upgrade")
    invoke("users", "create", "admin", "--role", "admin")
    dispatcher = subprocess.Popen([sys.executable, "-m", "llmore.cli.main", "dispatcher"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield tmp_path
    dispatcher.terminate()
    dispatcher.wait(20)


def test_import_clean_split_export_from_the_shell(cli_home: Path) -> None:
    source = cli_home / "greetings.jsonl"
    source.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in ROWS), encoding="utf-8")
    assert "succeeded" in invoke("data", "import", "greetings", str(source))
    rules = cli_home / "rules.yaml"
    rules.write_text("- rule: strip_html\n- rule: dedup_exact\n")
    preview = json.loads(invoke("data", "clean", "greetings", "--rules", str(rules), "--preview"))
    assert preview["output_rows"] == 3
    invoke("data", "clean", "greetings", "--rules", str(rules))
    invoke("data", "split", "greetings", "--train", "0.5", "--dev", "0.25", "--test", "0.25")
    shown = invoke("data", "show", "greetings")
    for operation in ("import", "clean", "split"):
        assert operation in shown
    assert "-1 ~1" in shown  # the clean step removed the duplicate and changed the HTML row
    out = cli_home / "export.jsonl"
    invoke("data", "export", "greetings", str(out), "--schema", "alpaca", "--version", "2")
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [row["output"] for row in exported] == ["你好！", "Good morning.", "1, 2, 3"]
    assert "politely" in exported[1]["instruction"] + exported[1]["input"]
    assert "<i>" not in json.dumps(exported)
    assert "greetings" in invoke("data", "list")


def test_bad_rules_file_is_refused_naming_the_field(cli_home: Path) -> None:
    source = cli_home / "tiny.jsonl"
    source.write_text(json.dumps(ROWS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    invoke("data", "import", "tiny", str(source))
    rules = cli_home / "rules.yaml"
    rules.write_text("- rule: drop_regex\n  pattern: '('\n")
    result = runner.invoke(app, ["data", "clean", "tiny", "--rules", str(rules)])
    assert result.exit_code == 1
    assert "body.rules.0" in result.output
    missing = runner.invoke(app, ["data", "show", "nope"])
    assert missing.exit_code == 1
    assert "No dataset named 'nope'" in missing.output
