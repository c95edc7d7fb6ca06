"""Evaluation runs end to end on the tiny model: a base and its LoRA adapter answer a small task through a real job.

The stored scores are compared with the metrics library on the stored outputs, so every number a
user reads is the library's number for the answer shown beside it.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from llmore.evaluation import metrics
from llmore.jobs.context import log_path
from llmore.settings import Settings
from tests.conftest import Account, wait_for
from tests.evaluation.eval_runs import finished_run, register, register_pair
from tests.fixtures.dispatcher import RunningDispatcher
from tests.models.test_registry_api import tiny_adapter  # noqa: F401 - a fixture
from tests.training.datasets import upload_dataset

ROWS = [{"prompt": f"Is {n} even? Answer yes or no.", "answer": "yes" if n % 2 == 0 else "no"} for n in range(6)]
LABEL_METRICS = ["accuracy", "precision", "recall", "f1"]


def _sqlite_only(settings: Settings) -> None:
    if not settings.effective_database_url.startswith("sqlite"):
        pytest.skip("the job touches the database only through its rows; it runs once, on SQLite")


def test_a_base_and_its_adapter_are_evaluated_on_a_task_with_stored_records(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    settings: Settings, tiny_causal_lm: Path, tiny_adapter: Path,  # noqa: F811 - the fixture
) -> None:
    _sqlite_only(settings)
    dev = make_account("developer")
    base, adapter = register_pair(client, dev, settings, tiny_causal_lm, tiny_adapter)
    dataset_id = upload_dataset(client, dev, running_dispatcher, "parity", ROWS)
    run = finished_run(client, dev, running_dispatcher, settings, {
        "name": "parity check", "models": [adapter, base],
        "task": {"dataset_id": dataset_id, "number": 1}, "generation": {"max_new_tokens": 4}})

    assert run["state"] == "succeeded"
    assert run["progress"] == 1.0
    assert run["baseline"] == base  # the adapter's base, though listed second
    assert [m["label"] for m in run["models"]] == [adapter, base]
    assert [m["kind"] for m in run["models"]] == ["adapter", "base"]
    assert run["config"]["task"]["metrics"] == LABEL_METRICS  # yes/no answers are labels
    assert run["config"]["task"]["split"] is None
    assert run["config"]["task"]["rows"] == 6
    log = log_path(settings, run["job_id"]).read_text()
    steps = int(log.split("12 answers in ")[1].split(" decoding steps")[0])
    assert steps <= 8, log  # 12 answers of ≤ 4 tokens, batched: one request at a time would need ~36 steps

    records = client.get(f"/api/evaluation/runs/{run['id']}/records", params={"limit": 200},
                         headers=dev.headers).json()
    assert records["total"] == 12
    outputs: dict[str, list[str]] = {}
    for label in (adapter, base):
        mine = [r for r in records["items"] if r["model_label"] == label]
        assert [r["item_index"] for r in mine] == list(range(6))
        assert [r["input"] for r in mine] == [[{"role": "user", "content": row["prompt"]}] for row in ROWS]
        assert [r["reference"] for r in mine] == [row["answer"] for row in ROWS]
        assert all(r["source"] == "task" and r["dimension"] is None for r in mine)
        outputs[label] = [r["output"] for r in mine]
        expected = metrics.compute(LABEL_METRICS, outputs[label], [[row["answer"]] for row in ROWS])
        assert run["summary"][label] == pytest.approx({name: result.score for name, result in expected.items()})
        assert run["details"][label]["per_label"] == expected["f1"].details["per_label"]
        for index, record in enumerate(mine):
            assert record["scores"] == pytest.approx({n: r.per_example[index] for n, r in expected.items()})
    assert outputs[adapter] != outputs[base]  # the adapter's weights change what the base says

    with running_dispatcher.factory() as session:
        from llmore.models import service as registry

        assert {registry.resolve_reference(session, ref).state for ref in (base, adapter)} == {"evaluated"}

    # Filters, search and paging.
    def listed(**params: object) -> dict[str, object]:
        return dict(client.get(f"/api/evaluation/runs/{run['id']}/records", params=params,
                               headers=dev.headers).json())

    assert listed(model=base)["total"] == 6
    assert listed(q="Is 3 even")["total"] == 2
    assert listed(source="suite")["total"] == 0
    page = listed(model=adapter, offset=4, limit=10)
    assert page["total"] == 6
    assert [r["item_index"] for r in page["items"]] == [4, 5]
    wrong = sum(1 for label in outputs for out, row in zip(outputs[label], ROWS, strict=True)
                if out.strip() != row["answer"])
    assert listed(score="accuracy", max_score=0)["total"] == wrong

    # Export round trips.
    jsonl = client.get(f"/api/evaluation/runs/{run['id']}/records/export", params={"format": "jsonl"},
                       headers=dev.headers)
    assert jsonl.headers["content-disposition"] == f'attachment; filename="eval-run-{run["id"]}.jsonl"'
    assert [json.loads(line) for line in jsonl.text.splitlines()] == records["items"]
    table = client.get(f"/api/evaluation/runs/{run['id']}/records/export", params={"format": "csv", "model": base},
                       headers=dev.headers)
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert [row["output"] for row in rows] == outputs[base]
    assert [json.loads(row["input"]) for row in rows] == [r["input"] for r in records["items"]
                                                         if r["model_label"] == base]
    assert [float(row["score_accuracy"]) for row in rows] == [
        r["scores"]["accuracy"] for r in records["items"] if r["model_label"] == base]

    # Compare and list.
    compared = client.get("/api/evaluation/compare", params={"runs": str(run["id"])}, headers=dev.headers).json()
    assert compared["columns"] == LABEL_METRICS
    assert [(r["run_id"], r["label"]) for r in compared["rows"]] == [(run["id"], adapter), (run["id"], base)]
    assert compared["rows"][1]["values"] == run["summary"][base]
    listing = client.get("/api/evaluation/runs", params={"q": "parity"}, headers=dev.headers).json()
    assert [r["id"] for r in listing["items"]] == [run["id"]]
    assert listing["total"] == 1


def test_a_failed_run_returns_the_versions_to_their_state_before(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    settings: Settings, tiny_causal_lm: Path, tmp_path: Path,
) -> None:
    _sqlite_only(settings)
    dev = make_account("developer")
    copy = Path(shutil.copytree(tiny_causal_lm, tmp_path / "models" / "doomed"))
    settings.import_roots = [copy.parent]
    reference = register(client, dev, "doomed", copy)
    dataset_id = upload_dataset(client, dev, running_dispatcher, "parity", ROWS)
    shutil.rmtree(copy)  # the weights disappear after registration
    response = client.post("/api/evaluation/runs", json={"models": [reference],
                                                         "task": {"dataset_id": dataset_id, "number": 1}},
                           headers=dev.headers)
    assert response.status_code == 201, response.text
    job = running_dispatcher.wait_state(response.json()["job_id"], "succeeded", "failed", timeout=120)
    assert job.state == "failed"
    run = client.get(f"/api/evaluation/runs/{response.json()['id']}", headers=dev.headers).json()
    assert run["state"] == "failed"
    assert run["error"]
    version = client.get("/api/models/resolve", params={"ref": reference}, headers=dev.headers).json()
    assert version["state"] == "registered"
    history = client.get(f"/api/models/{version['model_id']}/versions/1/history", headers=dev.headers)
    assert [(h["from_state"], h["to_state"]) for h in history.json()] == [
        (None, "registered"), ("registered", "evaluating"), ("evaluating", "registered")]


def test_a_run_reports_progress_with_an_eta_and_can_be_cancelled(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    settings: Settings, tiny_causal_lm: Path,
) -> None:
    _sqlite_only(settings)
    dev = make_account("developer")
    settings.import_roots = [tiny_causal_lm.parent]
    reference = register(client, dev, "tiny", tiny_causal_lm)
    rows = [{"prompt": f"Count from {n} onwards.", "answer": "x"} for n in range(2000)]  # minutes of work
    dataset_id = upload_dataset(client, dev, running_dispatcher, "counting", rows)
    run = client.post("/api/evaluation/runs", json={
        "models": [reference], "task": {"dataset_id": dataset_id, "number": 1, "metrics": ["exact_match"]},
        "generation": {"max_new_tokens": 16}}, headers=dev.headers).json()

    def running() -> dict[str, object] | None:
        shown = client.get(f"/api/evaluation/runs/{run['id']}", headers=dev.headers).json()
        return shown if 0 < shown["progress"] < 1 and shown["eta_seconds"] is not None else None

    shown = wait_for(running, timeout=120, what="answers to arrive")
    assert shown["state"] == "running"  # type: ignore[index]
    assert client.post(f"/api/jobs/{run['job_id']}/cancel", headers=dev.headers).status_code == 200
    assert running_dispatcher.wait_state(run["job_id"], "cancelled", "failed", "succeeded").state == "cancelled"
    version = client.get("/api/models/resolve", params={"ref": reference}, headers=dev.headers).json()
    assert version["state"] == "registered"
    assert client.get(f"/api/evaluation/runs/{run['id']}/records", headers=dev.headers).json()["total"] == 0


def test_bad_requests_are_refused_before_any_job_starts(
    client: TestClient, make_account: Callable[..., Account], running_dispatcher: RunningDispatcher,
    settings: Settings, tiny_causal_lm: Path, tiny_adapter: Path,  # noqa: F811 - the fixture
    session_factory: sessionmaker[Session],
) -> None:
    _sqlite_only(settings)
    dev = make_account("developer")
    base, _ = register_pair(client, dev, settings, tiny_causal_lm, tiny_adapter)
    labelled = upload_dataset(client, dev, running_dispatcher, "parity", ROWS)
    plain = upload_dataset(client, dev, running_dispatcher, "notes", [{"text": f"note {n}"} for n in range(3)])

    def refused(body: dict[str, object], status: int = 400) -> dict[str, object]:
        response = client.post("/api/evaluation/runs", json={"models": [base], **body}, headers=dev.headers)
        assert response.status_code == status, response.text
        return dict(response.json()["error"])

    task = {"dataset_id": labelled, "number": 1}
    error = refused({})
    assert error["code"] == "nothing_to_evaluate"
    error = refused({"models": ["nope:3"], "task": task}, 404)
    assert error["details"][0]["field"] == "body.models[0]"  # type: ignore[index]
    error = refused({"task": {**task, "metrics": ["accuracy", "bleurt"]}})
    assert error["code"] == "unknown_metric"
    assert "bleurt" in str(error["message"])
    assert "rouge_l" in error["details"][0]["message"]  # type: ignore[index]
    error = refused({"task": {"dataset_id": plain, "number": 1}})
    assert error["code"] == "missing_references"
    assert "bleu_4" in str(error["message"])
    assert "plain-text rows have none" in str(error["message"])
    error = refused({"task": {**task, "split": "test"}})
    assert error["code"] == "empty_prompt_set"
    error = refused({"task": {**task, "prompt_template": "Q: {question}"}})
    assert "question" in str(error["message"])
    assert "prompt" in str(error["message"])
    assert error["details"][0]["field"] == "body.task.prompt_template"  # type: ignore[index]
    error = refused({"baseline": "tiny-lora:1", "task": task})
    assert error["details"][0]["field"] == "body.baseline"  # type: ignore[index]
    error = refused({"models": [base, "tiny@latest"], "task": task}, 404)
    error = refused({"models": [base, "tiny:1"], "task": task})
    assert "listed twice" in str(error["message"])

    annotator = make_account("annotator")
    response = client.post("/api/evaluation/runs", json={"models": [base], "task": task}, headers=annotator.headers)
    assert response.status_code == 403
    reviewer = make_account("reviewer")
    assert client.get("/api/evaluation/runs", headers=reviewer.headers).status_code == 200
    response = client.post("/api/evaluation/runs", json={"models": [base], "task": task}, headers=reviewer.headers)
    assert response.status_code == 403

    from sqlalchemy import func, select

    from llmore.evaluation.models import EvalRun

    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(EvalRun)) == 0


def test_records_filter_by_score_text_and_dimension_on_every_database(
    client: TestClient, make_account: Callable[..., Account], session_factory: sessionmaker[Session],
) -> None:
    from llmore.evaluation.models import EvalRecord, EvalRun
    from llmore.jobs import service as jobs_service

    dev = make_account("developer")
    with session_factory.begin() as session:
        runs = []
        for name, summary in (("first", {"accuracy": 0.5}), ("second", {"bleu_4": 0.25})):
            job = jobs_service.submit_job(session, kind="evaluation.run", name=name)
            run = EvalRun(name=name, job_id=job.id, config={}, baseline="m:1", summary={"m:1": summary},
                          models=[{"label": "m:1", "model_id": 1, "version_number": 1, "kind": "base"}],
                          dimensions={"m:1": {"reasoning": 40.0}} if name == "second" else {})
            session.add(run)
            session.flush()
            runs.append(run.id)
        answers = [("task", None, "北京是中国的首都", {"accuracy": 1.0}), ("task", None, "Paris", {"accuracy": 0.0}),
                   ("suite", "reasoning", "42", {"score": 0.25}), ("suite", "creativity", "a poem", {"score": None})]
        session.add_all(EvalRecord(run_id=runs[0], model_label="m:1", item_index=i, source=source, dimension=dim,
                                   input=[{"role": "user", "content": f"question {i} 问题_%"}], reference="北京",
                                   output=output, scores=scores)
                        for i, (source, dim, output, scores) in enumerate(answers))

    def listed(**params: object) -> list[str]:
        response = client.get(f"/api/evaluation/runs/{runs[0]}/records", params=params, headers=dev.headers)
        assert response.status_code == 200, response.text
        return [r["output"] for r in response.json()["items"]]

    assert listed(q="中国") == ["北京是中国的首都"]
    assert listed(q="QUESTION 3") == ["a poem"]  # case-insensitive, in the input messages too
    assert listed(q="3 问题_%") == ["a poem"]  # Chinese inside the messages' JSON
    assert listed(score="accuracy", max_score=0.5) == ["Paris"]
    assert listed(score="score", max_score=0.5) == ["42"]  # a null score is not a failure
    assert listed(dimension="creativity") == ["a poem"]
    refused = client.get(f"/api/evaluation/runs/{runs[0]}/records", params={"max_score": 0.5}, headers=dev.headers)
    assert refused.status_code == 400
    assert refused.json()["error"]["details"] == [{"field": "query.score", "message": "required with max_score"}]
    assert client.get("/api/evaluation/runs/999999/records", headers=dev.headers).status_code == 404

    compared = client.get("/api/evaluation/compare", params={"runs": f"{runs[0]},{runs[1]}"},
                          headers=dev.headers).json()
    assert compared["columns"] == ["accuracy", "bleu_4", "reasoning"]
    assert [row["values"] for row in compared["rows"]] == [{"accuracy": 0.5}, {"bleu_4": 0.25, "reasoning": 40.0}]
    bad = client.get("/api/evaluation/compare", params={"runs": "1,x"}, headers=dev.headers)
    assert bad.status_code == 400
    assert bad.json()["error"]["details"][0]["field"] == "query.runs"
