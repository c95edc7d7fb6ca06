"""``llmore train RECIPE.yaml``: mistakes named by file and line, the advice previewed, the run queued."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from llmore.auth import service as auth_service
from llmore.auth.models import User
from llmore.cli.main import app
from llmore.datasets import service as data_service
from llmore.datasets import versions
from llmore.db.engine import make_engine, make_session_factory
from llmore.jobs.models import Job
from llmore.settings import load_settings

runner = CliRunner()
ROWS = [{"messages": [{"role": "user", "content": f"ping {i}"}, {"role": "assistant", "content": "pong"}]}
        for i in range(12)]


def invoke(*args: str, ok: bool = True) -> str:
    result = runner.invoke(app, list(args), env={"LLMORE_NEW_PASSWORD": "cli password 1", "COLUMNS": "200"})
    assert (result.exit_code == 0) is ok, result.output
    return result.output


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrated home with an admin and a chat dataset 'pingpong' (version 1)."""
    monkeypatch.setenv("LLMORE_HOME", str(tmp_path))
    invoke("db", "upgrade")
    invoke("users", "create", "admin", "--role", "admin")
    settings = load_settings()
    engine = make_engine(settings.effective_database_url)
    with make_session_factory(engine).begin() as session:
        user = session.scalar(select(User).where(User.username == "admin"))
        assert user is not None
        principal = auth_service.principal_of_user(user, via="cli")
        dataset = data_service.create_dataset(session, principal=principal, name="pingpong")
        written = versions.write_rows(data_service.artifact_store(settings),
                                      ({"_id": str(i), **row} for i, row in enumerate(ROWS)), parent=None,
                                      scratch=tmp_path / "scratch")
        data_service.record_version(session, dataset_id=dataset.id, parent=None, operation="import", params={},
                                    data_schema="chat", written=written)
    engine.dispose()
    return tmp_path


def _recipe(folder: Path, text: str) -> str:
    path = folder / "recipe.yaml"
    path.write_text(text)
    return str(path)


def test_mistakes_are_named_by_file_line_and_field(home: Path, tiny_causal_lm: Path) -> None:
    broken = _recipe(home, f"base_model: {tiny_causal_lm}\ndataset: pingpong\nrecipe: [sft\n")
    assert "recipe.yaml:4:" in invoke("train", broken, ok=False)

    unknown_field = _recipe(home, f"base_model: {tiny_causal_lm}\ndataset: pingpong\n\nlearning_rate: 0.1\n")
    said = invoke("train", unknown_field, "--dry-run", ok=False)
    assert "recipe.yaml:4: learning_rate: Extra inputs are not permitted" in said

    bad_method = _recipe(home, f"base_model: {tiny_causal_lm}\ndataset:\n  name: pingpong\n  version: 0\n"
                               "method: lorax\n")
    said = invoke("train", bad_method, "--dry-run", ok=False)
    assert "recipe.yaml:4: dataset.version: Input should be greater than or equal to 1" in said
    assert "recipe.yaml:5: method: Input should be 'full', 'lora' or 'qlora'" in said

    missing = _recipe(home, f"base_model: {tiny_causal_lm}\ndataset:\n  name: ghost\n")
    assert "recipe.yaml:3: dataset.name: no dataset named 'ghost'" in invoke("train", missing, "--dry-run", ok=False)

    too_new = _recipe(home, f"base_model: {tiny_causal_lm}\ndataset: {{name: pingpong, version: 5}}\n")
    assert "recipe.yaml:2: dataset.version: dataset 'pingpong' has no version 5 (latest is 1)" in invoke(
        "train", too_new, "--dry-run", ok=False)

    ghost_base = _recipe(home, "dataset: pingpong\nbase_model: ghost-model\n")
    assert "recipe.yaml:2: base_model: " in invoke("train", ghost_base, "--dry-run", ok=False)

    impossible = _recipe(home, f"base_model: {tiny_causal_lm}\ndataset: pingpong\noverrides:\n  epochs: 1\n"
                               "  learning_rate: -1\n")
    said = invoke("train", impossible, "--dry-run", ok=False)
    assert "recipe.yaml:5: overrides.learning_rate:" in said


def test_dry_run_shows_the_advice_and_a_run_is_queued(home: Path, tiny_causal_lm: Path) -> None:
    recipe = _recipe(home, f"base_model: {tiny_causal_lm}\ndataset: pingpong\noverrides:\n  epochs: 2\n"
                           "max_steps: 3\noutput_model: tiny-pong\nauto_stop: true\n")
    preview = invoke("train", recipe, "--dry-run")
    assert "learning_rate" in preview
    assert "LoRA trains small adapters" in preview  # the reason beside the value
    assert "set by you" in preview  # epochs, from the overrides
    assert "The run is possible" in preview
    assert "launch: 1 process (single): one device" in preview
    queued = invoke("train", recipe)
    assert "Queued job" in queued
    settings = load_settings()
    engine = make_engine(settings.effective_database_url)
    with make_session_factory(engine)() as session:
        job = session.scalar(select(Job))
        assert job is not None
        assert (job.kind, job.state) == ("training.sft", "queued")
        assert job.params["overrides"] == {"epochs": 2}
        assert (job.params["max_steps"], job.params["output_model"], job.params["auto_stop"]) == (3, "tiny-pong", True)
    engine.dispose()
