"""Evaluation runs over the general suite and a local benchmark file, with creativity graded by a served judge.

Every stored number is recomputed from the stored answers with the suite library, so the run's
dimension scores are exactly what the library says of what the model wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from statistics import fmean

import pytest
from fastapi.testclient import TestClient

from llmore.evaluation.suite import creativity_score, general_suite, score_item
from llmore.settings import Settings
from tests.conftest import Account
from tests.evaluation.arena_workers import chat_worker, register  # noqa: F401 - a fixture
from tests.evaluation.eval_runs import finished_run
from tests.evaluation.eval_runs import register as register_model
from tests.fixtures.dispatcher import RunningDispatcher
from tests.serving.live_worker import LiveWorker

MMLU = "What is 7 times 8?,54,56,64,48,B\nWhich is a prime number?,4,6,7,9,C\nWhat is 10 + 5?,15,20,25,5,A\n"
DIMENSIONS = ["reasoning", "instruction", "creativity"]


@pytest.fixture
def benchmark_file(tmp_path: Path, settings: Settings, tiny_causal_lm: Path) -> Path:
    path = tmp_path / "bench" / "mmlu_arith.csv"
    path.parent.mkdir()
    path.write_text(MMLU, encoding="utf-8")
    settings.import_roots = [tiny_causal_lm.parent, path.parent]
    return path


def test_the_suite_and_a_benchmark_file_give_dimension_scores_with_a_judge_grading_creativity(
    client: TestClient, make_account: Callable[..., Account], admin: Account, running_dispatcher: RunningDispatcher,
    settings: Settings, tiny_causal_lm: Path, benchmark_file: Path, chat_worker: LiveWorker,  # noqa: F811
) -> None:
    if not settings.effective_database_url.startswith("sqlite"):
        pytest.skip("the job touches the database only through its rows; it runs once, on SQLite")
    register(client, admin, chat_worker)
    dev = make_account("developer")
    model = register_model(client, dev, "tiny", tiny_causal_lm)
    run = finished_run(client, dev, running_dispatcher, settings, {
        "models": [model], "generation": {"max_new_tokens": 8},
        "suite": {"dimensions": DIMENSIONS, "per_dimension": 2, "seed": 3, "judge_model": "tiny",
                  "benchmark_files": [str(benchmark_file)]}})
    records = client.get(f"/api/evaluation/runs/{run['id']}/records", params={"limit": 200},
                         headers=dev.headers).json()["items"]
    suite = [r for r in records if r["source"] == "suite"]
    bench = [r for r in records if r["source"] == "benchmark:mmlu_arith"]
    assert len(records) == len(suite) + len(bench) == 6 + 3

    items = general_suite(per_dimension=2, seed=3, dimensions=DIMENSIONS)
    by_prompt = {item.prompt: item for item in items}
    assert sorted(r["input"][0]["content"] for r in suite) == sorted(by_prompt)
    creative_outputs, grades = [], []
    for record in suite:
        item = by_prompt[record["input"][0]["content"]]
        assert record["dimension"] == item.dimension.value  # type: ignore[union-attr]
        if item.dimension == "creativity":
            creative_outputs.append(record["output"])
            grades.append(record["scores"]["score"])
        else:
            assert record["scores"]["score"] == score_item(item, record["output"])
    assert any(grade is not None for grade in grades), "the judge graded no creativity answer"

    dimensions = run["dimensions"][model]
    assert set(dimensions) == set(DIMENSIONS)
    for name in ("reasoning", "instruction"):
        assert dimensions[name] == pytest.approx(100 * fmean(
            r["scores"]["score"] for r in suite if r["dimension"] == name))
    assert dimensions["creativity"] == pytest.approx(100 * creativity_score(creative_outputs, grades))
    summary = run["summary"][model]
    assert summary["suite_overall"] == pytest.approx(fmean(dimensions.values()))
    assert summary["benchmark:mmlu_arith"] == pytest.approx(fmean(r["scores"]["score"] for r in bench))
    assert [r["reference"] for r in sorted(bench, key=lambda r: r["item_index"])] == ["B", "C", "A"]


def test_suite_mistakes_are_refused_with_the_field(
    client: TestClient, make_account: Callable[..., Account], settings: Settings, tiny_causal_lm: Path,
    benchmark_file: Path, tmp_path: Path,
) -> None:
    dev = make_account("developer")
    model = register_model(client, dev, "tiny", tiny_causal_lm)

    def refused(suite: dict[str, object], status: int = 400) -> dict[str, object]:
        response = client.post("/api/evaluation/runs", json={"models": [model], "suite": suite},
                               headers=dev.headers)
        assert response.status_code == status, response.text
        return dict(response.json()["error"])

    empty = refused({"per_dimension": 0})
    assert empty["code"] == "empty_prompt_set"
    assert empty["details"] == [{"field": "body.suite.per_dimension", "message": "0 items"}]
    judge = refused({"judge_model": "judge-7b"}, 404)
    assert judge["code"] == "model_not_deployed"
    assert judge["details"] == [{"field": "body.suite.judge_model", "message": "'judge-7b' is not served"}]
    outside = refused({"benchmark_files": [str(tmp_path / "elsewhere.csv")]})
    assert outside["details"][0]["field"] == "body.suite.benchmark_files[0]"  # type: ignore[index]
    benchmark_file.write_text(MMLU + "Broken line,1,2\n", encoding="utf-8")
    broken = refused({"per_dimension": 0, "benchmark_files": [str(benchmark_file)]})
    assert f"{benchmark_file}:4:" in str(broken["message"])
    assert broken["details"][0]["field"] == "body.suite.benchmark_files[0]"  # type: ignore[index]
    unknown = client.post("/api/evaluation/runs", json={"models": [model], "suite": {"dimensions": ["poetry"]}},
                          headers=dev.headers)
    assert unknown.status_code == 422
    assert "dimensions" in unknown.text
