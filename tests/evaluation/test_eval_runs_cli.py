"""``llmore eval run/show/export``: mistakes named by file and line, a run followed to its scores, its records saved."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from llmore.auth import service as auth_service
from llmore.auth.models import User
from llmore.datasets import service as data_service
from llmore.datasets import versions
from llmore.db.engine import make_engine, make_session_factory
from llmore.models import service as registry
from llmore.settings import load_settings
from tests.fixtures.dispatcher import RunningDispatcher
from tests.training.test_train_cli import invoke

ROWS = [{"prompt": f"Say {word}.", "answer": word} for word in ("red", "green", "blue", "red")]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_causal_lm: Path) -> Iterator[Path]:
    """A migrated home with an admin, a prompt/answer dataset 'colours' and the tiny model 'tiny:1', dispatching."""
    monkeypatch.setenv("LLMORE_HOME", str(tmp_path))
    invoke("db", "upgrade")
    invoke("users", "create", "admin", "--role", "admin")
    settings = load_settings()
    engine = make_engine(settings.effective_database_url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        user = session.scalar(select(User).where(User.username == "admin"))
        assert user is not None
        principal = auth_service.principal_of_user(user, via="cli")
        dataset = data_service.create_dataset(session, principal=principal, name="colours")
        written = versions.write_rows(data_service.artifact_store(settings),
                                      ({"_id": str(i), **row} for i, row in enumerate(ROWS)), parent=None,
                                      scratch=tmp_path / "scratch")
        data_service.record_version(session, dataset_id=dataset.id, parent=None, operation="import", params={},
                                    data_schema="prompt_answer", written=written)
        model = registry.create_model(session, principal=principal, name="tiny")
        registry.register_reference(session, model=model, path=tiny_causal_lm, source_kind="path")
    dispatcher = RunningDispatcher(settings, factory).start()
    yield tmp_path
    dispatcher.stop()
    engine.dispose()


def _config(folder: Path, text: str) -> str:
    path = folder / "eval.yaml"
    path.write_text(text)
    return str(path)


def test_eval_run_names_mistakes_then_runs_shows_and_exports(home: Path) -> None:
    broken = _config(home, "models: [tiny:1\n")
    assert "eval.yaml:2:" in invoke("eval", "run", broken, ok=False)
    unknown = _config(home, "models: [tiny:1]\ntask:\n  dataset_id: 1\n  number: 1\n  metric: [bleu_4]\n")
    assert "eval.yaml:5: task.metric: Extra inputs are not permitted" in invoke("eval", "run", unknown, ok=False)
    wrong_metric = _config(home, "models: [tiny:1]\ntask:\n  dataset_id: 1\n  number: 1\n  metrics: [bleurt]\n")
    said = invoke("eval", "run", wrong_metric, ok=False)
    assert "eval.yaml:5: task.metrics: Unknown metrics: bleurt." in said
    ghost = _config(home, "task: {dataset_id: 1, number: 1}\nmodels:\n  - ghost:1\n")
    assert "eval.yaml:2: models: No model named 'ghost'" in invoke("eval", "run", ghost, ok=False)

    good = _config(home, "name: colours\nmodels: [tiny:1]\ntask:\n  dataset_id: 1\n  number: 1\n"
                         "  metrics: [exact_match, chrf]\ngeneration:\n  max_new_tokens: 3\n")
    said = invoke("eval", "run", good, "--wait")
    assert "Queued evaluation run 1 (job" in said
    assert "succeeded" in said
    shown = invoke("eval", "show", "1")
    assert "colours · run 1" in shown
    assert "exact_match" in shown
    assert "chrf" in shown
    assert "tiny:1" in shown

    target = home / "records.csv"
    assert "Wrote 4 records" in invoke("eval", "export", "1", "--format", "csv", "-o", str(target))
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [row["reference"] for row in rows] == [row["answer"] for row in ROWS]
    assert {row["model_label"] for row in rows} == {"tiny:1"}
    assert all(float(row["score_exact_match"]) == float(row["output"].strip() == row["reference"]) for row in rows)
    assert "No evaluation run with id 9." in invoke("eval", "show", "9", ok=False)
