"""``llmore eval gate`` from the shell: set rules, preview, check (exit status follows the verdict), show decisions."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmore.cli.main import app
from llmore.db.engine import make_engine, make_session_factory
from llmore.evaluation.models import EvalRun
from llmore.jobs.models import Job
from llmore.settings import load_settings

runner = CliRunner()


def invoke(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), env={"LLMORE_NEW_PASSWORD": "cli password 1", "COLUMNS": "220"})
    assert result.exit_code == code, result.output
    return result.output


def _finished_run(bot_f1: float) -> int:
    """A succeeded evaluation run of tiny:1 beside tiny-base:1, stored as the evaluation job leaves it."""
    engine = make_engine(load_settings().effective_database_url)
    try:
        with make_session_factory(engine).begin() as session:
            job = Job(kind="evaluation.run", name="eval", state="succeeded")
            session.add(job)
            session.flush()
            run = EvalRun(name="release", job_id=job.id, baseline="tiny-base:1",
                          models=[{"label": "tiny-base:1", "model_id": 1, "version_number": 1, "kind": "base"},
                                  {"label": "tiny:1", "model_id": 2, "version_number": 1, "kind": "base"}],
                          summary={"tiny-base:1": {"f1": 0.5}, "tiny:1": {"f1": bot_f1}},
                          dimensions={"tiny-base:1": {"reasoning": 60.0}, "tiny:1": {"reasoning": 58.0}})
            session.add(run)
            session.flush()
            return run.id
    finally:
        engine.dispose()


def test_set_preview_check_and_show_from_the_shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    tiny_causal_lm: Path) -> None:
    monkeypatch.setenv("LLMORE_HOME", str(tmp_path))
    monkeypatch.setenv("LLMORE_IMPORT_ROOTS", f'["{tiny_causal_lm.parent}"]')
    invoke("db", "upgrade")
    invoke("users", "create", "dev", "--role", "developer")
    for name in ("tiny-base", "tiny"):
        invoke("models", "import", name, str(tiny_causal_lm), "--as", "dev")

    bad = invoke("eval", "gate", "set", "tiny", "--rule", "{metric: f1, min: 0.8}", "--rule", "{min: 3}",
                 code=1)
    assert "--rule 2: rule: a rule names one of metric, dimension or max_dimension_drop" in bad
    rules = ("--rule", '{"metric": "f1", "min": 0.8}', "--rule", "{max_dimension_drop: 5}")
    assert "f1 ≥ 0.8; no dimension more than 5 points below the baseline" in invoke(
        "eval", "gate", "set", "tiny", *rules, "--as", "dev")

    good, poor = _finished_run(0.85), _finished_run(0.6)
    preview = invoke("eval", "gate", "check", "tiny", "--run", str(poor), "--preview", code=1)
    assert "tiny:1 on run 2 'release': failed; would be rejected" in preview
    assert "f1 0.6 is below the minimum 0.8" in preview
    approved = invoke("eval", "gate", "check", "tiny:1", "--run", str(good), "--as", "dev")
    assert "tiny:1 on run 1 'release': passed; registered → approved (decision 1)" in approved
    refused = invoke("eval", "gate", "check", "tiny", "--run", str(poor), "--as", "dev", code=1)
    assert "failed; approved → rejected (decision 2)" in refused

    shown = invoke("eval", "gate", "show", "tiny")
    assert "0. f1 ≥ 0.8" in shown
    assert "2 decision(s)" in shown
    missing = invoke("eval", "gate", "show", "tiny-base", code=1)
    assert "Model 'tiny-base' has no deploy gate yet" in missing
