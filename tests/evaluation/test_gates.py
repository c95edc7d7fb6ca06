"""Deploy gates over the API: rules judged on stored evaluation runs, the lifecycle move, decisions, errors, access."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from llmore.auth.permissions import Perm
from llmore.auth.service import Principal
from llmore.errors import Forbidden
from llmore.evaluation.gates import service as gates
from llmore.evaluation.gates.models import GateDecision
from llmore.evaluation.models import EvalRun
from llmore.jobs.models import Job
from llmore.models.models import ModelVersion
from llmore.settings import Settings
from tests.conftest import Account
from tests.models.test_lifecycle import _move, _registered

BASE_DIMENSIONS = {"reasoning": 65.0, "reading": 71.0, "chinese": 58.0, "instruction": 79.0, "creativity": 45.0}
RULES = [{"metric": "f1", "min": 0.8}, {"max_dimension_drop": 5}, {"dimension": "instruction", "min": 70},
         {"metric": "ter", "max": 0.5}]


def _stored_run(session_factory: sessionmaker[Session], versions: list[dict[str, Any]], *, bot: dict[str, float],
                bot_dimensions: dict[str, float], state: str = "succeeded", baseline: str = "base:1") -> int:
    """An evaluation run as the evaluation job leaves it: its job, the models, summary and dimensions."""
    labels = [v["reference"] for v in versions]
    with session_factory.begin() as session:
        job = Job(kind="evaluation.run", name="nightly eval", state=state)
        session.add(job)
        session.flush()
        run = EvalRun(name="nightly", job_id=job.id, baseline=baseline,
                      models=[{"label": v["reference"], "model_id": v["model_id"], "version_number": v["number"],
                               "kind": v["kind"]} for v in versions],
                      summary={labels[0]: {"f1": 0.71, "ter": 0.62, "suite_overall": 63.6}, labels[1]: bot},
                      dimensions={labels[0]: BASE_DIMENSIONS, labels[1]: bot_dimensions})
        session.add(run)
        session.flush()
        return run.id


@pytest.fixture
def dev(make_account: Callable[..., Account]) -> Account:
    return make_account("developer")


@pytest.fixture
def versions(client: TestClient, dev: Account, settings: Settings, tiny_causal_lm: Path) -> list[dict[str, Any]]:
    """base:1 and its fine-tuned bot:1, both evaluated (as a finished evaluation run leaves them)."""
    found = [_registered(client, dev, settings, tiny_causal_lm, name=name) for name in ("base", "bot")]
    for version in found:
        for state in ("evaluating", "evaluated"):
            assert _move(client, dev, version, state).status_code == 200
    return found


def _set(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rules as sent: without the optional fields the API answers as null."""
    return [{key: value for key, value in rule.items() if value is not None} for rule in rules]


def _gate(client: TestClient, account: Account, model_id: int, rules: list[dict[str, Any]], **body: Any) -> Any:
    return client.put(f"/api/evaluation/gates/{model_id}", json={"rules": rules, **body}, headers=account.headers)


def _check(client: TestClient, account: Account, model_id: int, run_id: int, action: str = "check", **body: Any
           ) -> Any:
    return client.post(f"/api/evaluation/gates/{model_id}/{action}", json={"run_id": run_id, **body},
                       headers=account.headers)


def test_a_version_meeting_every_rule_is_approved_and_the_decision_is_kept(
    client: TestClient, dev: Account, versions: list[dict[str, Any]], session_factory: sessionmaker[Session]
) -> None:
    bot = versions[1]
    created = _gate(client, dev, bot["model_id"], RULES, description="release bar")
    assert created.status_code == 200, created.text
    assert _set(created.json()["rules"]) == RULES
    # creativity sits exactly 5 points below the base: the boundary passes.
    dims = {"reasoning": 62.0, "reading": 74.5, "chinese": 58.0, "instruction": 80.0, "creativity": 40.0}
    run_id = _stored_run(session_factory, versions, bot={"f1": 0.8421, "ter": 0.31}, bot_dimensions=dims)

    preview = _check(client, dev, bot["model_id"], run_id, "preview")
    assert preview.status_code == 200, preview.text
    assert preview.json()["passed"] is True
    assert client.get(f"/api/models/{bot['model_id']}/versions/1", headers=dev.headers).json()["state"] == "evaluated"

    response = _check(client, dev, bot["model_id"], run_id)
    assert response.status_code == 201, response.text
    decision = response.json()
    assert (decision["passed"], decision["from_state"], decision["to_state"], decision["state"]) == (
        True, "evaluated", "approved", "approved")
    assert (decision["label"], decision["version_number"], decision["baseline"], decision["run_name"],
            decision["decided_by"]) == ("bot:1", 1, "base:1", "nightly", dev.user.username)
    assert _set(decision["rules"]) == RULES
    assert decision["results"] == preview.json()["results"]
    rows = [(r["rule"], r["kind"], r["subject"], r["value"], r["op"], r["threshold"], r["baseline"], r["passed"])
            for r in decision["results"]]
    assert rows == [
        (0, "metric_min", "f1", 0.8421, ">=", 0.8, None, True),
        *[(1, "dimension_drop", name, dims[name], ">=", BASE_DIMENSIONS[name] - 5, BASE_DIMENSIONS[name], True)
          for name in sorted(BASE_DIMENSIONS)],
        (2, "dimension_min", "instruction", 80.0, ">=", 70.0, None, True),
        (3, "metric_max", "ter", 0.31, "<=", 0.5, None, True),
    ]
    assert decision["results"][0]["message"] == "f1 0.8421 ≥ 0.8"
    assert decision["results"][1]["message"] == ("chinese 58 vs 58 for the baseline base:1 (+0 points; at most 5 "
                                                  "below allowed)")

    version = client.get(f"/api/models/{bot['model_id']}/versions/1", headers=dev.headers).json()
    assert version["state"] == "approved"
    last = client.get(f"/api/models/{bot['model_id']}/versions/1/history", headers=dev.headers).json()[-1]
    assert (last["id"], last["from_state"], last["to_state"], last["created_by"]) == (
        decision["transition_id"], "evaluated", "approved", dev.user.id)
    assert last["reason"] == f"deploy gate decision {decision['id']} on evaluation run {run_id} 'nightly': every " \
                             "rule passed"

    listed = client.get("/api/evaluation/gates/decisions", params={"model_id": bot["model_id"], "number": 1},
                        headers=dev.headers).json()
    assert [d["id"] for d in listed["items"]] == [decision["id"]]
    assert listed["total"] == 1
    assert client.get(f"/api/evaluation/gates/decisions/{decision['id']}", headers=dev.headers).json() == decision
    gate = client.get(f"/api/evaluation/gates/{bot['model_id']}", headers=dev.headers).json()
    assert (gate["model_name"], gate["description"], gate["last_decision"]["id"]) == (
        "bot", "release bar", decision["id"])

    # A deleted model takes its gate out of the list; its decisions stay readable.
    assert client.delete(f"/api/models/{bot['model_id']}", headers=dev.headers).status_code == 200
    assert client.get("/api/evaluation/gates", headers=dev.headers).json()["total"] == 0
    assert client.get(f"/api/evaluation/gates/decisions/{decision['id']}", headers=dev.headers).status_code == 200


def test_a_failing_version_is_rejected_and_a_later_pass_cannot_approve_it_without_a_new_evaluation(
    client: TestClient, dev: Account, versions: list[dict[str, Any]], session_factory: sessionmaker[Session]
) -> None:
    bot = versions[1]
    assert _gate(client, dev, bot["model_id"], RULES).status_code == 200
    forgot = {**BASE_DIMENSIONS, "reasoning": 52.5}  # 12.5 points below the base
    run_id = _stored_run(session_factory, versions, bot={"f1": 0.79, "ter": 0.3}, bot_dimensions=forgot)

    decision = _check(client, dev, bot["model_id"], run_id).json()
    assert (decision["passed"], decision["to_state"], decision["state"], decision["refusal"]) == (
        False, "rejected", "rejected", None)
    failed = [r["message"] for r in decision["results"] if not r["passed"]]
    assert failed == ["f1 0.79 is below the minimum 0.8",
                      "reasoning 52.5 vs 65 for the baseline base:1 (-12.5 points; at most 5 below allowed)"]
    history = client.get(f"/api/models/{bot['model_id']}/versions/1/history", headers=dev.headers).json()
    assert history[-1]["reason"].endswith("2 of 8 check(s) failed")

    # A better run does not silently approve a rejected version: the lifecycle refuses, the decision says so.
    better = _stored_run(session_factory, versions, bot={"f1": 0.9, "ter": 0.2}, bot_dimensions=BASE_DIMENSIONS)
    again = _check(client, dev, bot["model_id"], better)
    assert again.status_code == 201, again.text
    refused = again.json()
    assert (refused["passed"], refused["to_state"], refused["state"], refused["transition_id"]) == (
        True, None, "rejected", None)
    assert "is rejected and cannot become approved" in refused["refusal"]
    assert client.get(f"/api/models/{bot['model_id']}/versions/1", headers=dev.headers).json()["state"] == "rejected"
    by_run = client.get("/api/evaluation/gates/decisions", params={"run_id": better}, headers=dev.headers).json()
    assert [d["id"] for d in by_run["items"]] == [refused["id"]]


def test_mistakes_are_explained(
    client: TestClient, dev: Account, versions: list[dict[str, Any]], session_factory: sessionmaker[Session],
    settings: Settings, tiny_causal_lm: Path,
) -> None:
    bot = versions[1]
    good = {"f1": 0.9, "ter": 0.2}
    run_id = _stored_run(session_factory, versions, bot=good, bot_dimensions=BASE_DIMENSIONS)

    def error(response: Any, status: int) -> dict[str, Any]:
        assert response.status_code == status, response.text
        return response.json()["error"]

    no_gate = error(_check(client, dev, bot["model_id"], run_id), 404)
    assert no_gate["code"] == "no_gate"
    assert "has no deploy gate yet" in no_gate["message"]
    assert _gate(client, dev, bot["model_id"], []).status_code == 200
    empty = error(_check(client, dev, bot["model_id"], run_id), 400)
    assert empty["code"] == "gate_without_rules"

    shapeless = error(_gate(client, dev, bot["model_id"], [{"metric": "f1"}]), 422)
    assert "a metric rule needs min, max or both" in str(shapeless["details"])
    stale = error(_gate(client, dev, bot["model_id"], RULES, version=99), 409)
    assert stale["code"] == "stale_version"
    gate = client.get(f"/api/evaluation/gates/{bot['model_id']}", headers=dev.headers).json()
    assert error(_gate(client, dev, bot["model_id"], RULES), 409)["details"][0]["field"] == "body.version"
    asked = [{"metric": "accuracy", "min": 0.5}, {"metric": "human_overall", "min": 0.6},
             {"dimension": "coding", "min": 50}]
    assert _gate(client, dev, bot["model_id"], asked, version=gate["version"]).status_code == 200

    missing = error(_check(client, dev, bot["model_id"], run_id), 400)
    assert missing["code"] == "missing_scores"
    run = f"evaluation run {run_id} 'nightly'"
    assert missing["details"] == [
        {"field": "rules[0].metric", "message": f"{run} has no 'accuracy' for bot:1; it has: f1, ter"},
        {"field": "rules[1].metric", "message": f"{run} has no 'human_overall' for bot:1 (human scores are merged "
                                                "when the run's human evaluation finishes); it has: f1, ter"},
        {"field": "rules[2].dimension", "message": f"{run} has no 'coding' dimension for bot:1; it has: chinese, "
                                                   "creativity, instruction, reading, reasoning"},
    ]

    gate = client.get(f"/api/evaluation/gates/{bot['model_id']}", headers=dev.headers).json()
    assert _gate(client, dev, bot["model_id"], [{"max_dimension_drop": 5}], version=gate["version"]).status_code == 200
    alone = _stored_run(session_factory, versions, bot=good, bot_dimensions=BASE_DIMENSIONS, baseline="")
    no_base = error(_check(client, dev, bot["model_id"], alone), 400)
    assert no_base["details"][0] == {"field": "rules[0].max_dimension_drop",
                                     "message": "the run has no baseline; evaluate bot:1 beside its base model with "
                                                "the general suite"}
    itself = _stored_run(session_factory, versions, bot=good, bot_dimensions=BASE_DIMENSIONS, baseline="bot:1")
    assert "bot:1 is the run's baseline itself" in str(error(_check(client, dev, bot["model_id"], itself), 400))

    running = _stored_run(session_factory, versions, bot=good, bot_dimensions=BASE_DIMENSIONS, state="running")
    busy = error(_check(client, dev, bot["model_id"], running), 409)
    assert busy["code"] == "run_not_finished"
    assert busy["message"].startswith(f"Evaluation run {running} 'nightly' is still running (job ")
    failed = _stored_run(session_factory, versions, bot=good, bot_dimensions=BASE_DIMENSIONS, state="failed")
    assert "ended failed" in error(_check(client, dev, bot["model_id"], failed), 409)["message"]
    assert error(_check(client, dev, bot["model_id"], 424242), 404)["details"][0]["field"] == "body.run_id"

    other = _registered(client, dev, settings, tiny_causal_lm, name="other")
    not_in_run = error(_check(client, dev, other["model_id"], run_id), 404)  # no gate yet for 'other'
    assert not_in_run["code"] == "no_gate"
    assert _gate(client, dev, other["model_id"], [{"metric": "f1", "min": 0.1}]).status_code == 200
    absent = error(_check(client, dev, other["model_id"], run_id), 400)
    assert absent["code"] == "version_not_in_run"
    assert "evaluated no version of 'other' (it evaluated base:1, bot:1)" in absent["message"]
    wrong_number = error(_check(client, dev, bot["model_id"], run_id, number=7), 400)
    assert "did not evaluate bot:7; it evaluated base:1, bot:1" in wrong_number["message"]
    assert client.get(f"/api/models/{bot['model_id']}/versions/1", headers=dev.headers).json()["state"] == "evaluated"


def test_who_may_read_edit_and_decide(
    client: TestClient, dev: Account, versions: list[dict[str, Any]], make_account: Callable[..., Account],
    session_factory: sessionmaker[Session],
) -> None:
    bot = versions[1]
    reviewer, annotator = make_account("reviewer"), make_account("annotator")
    assert _gate(client, reviewer, bot["model_id"], RULES).status_code == 403
    assert _gate(client, dev, bot["model_id"], RULES).status_code == 200
    run_id = _stored_run(session_factory, versions, bot={"f1": 0.9, "ter": 0.2}, bot_dimensions=BASE_DIMENSIONS)
    assert client.get("/api/evaluation/gates", headers=reviewer.headers).json()["total"] == 1
    assert _check(client, reviewer, bot["model_id"], run_id, "preview").json()["passed"] is True
    assert _check(client, reviewer, bot["model_id"], run_id).status_code == 403
    assert client.get("/api/evaluation/gates", headers=annotator.headers).status_code == 403

    # evaluation:write alone does not move a version: the registry's models:write is checked too.
    evaluator_only = Principal(user_id=dev.user.id, username="evaluator", roles=("custom",), via="session",
                               credential_id=0, permissions=frozenset({Perm.EVALUATION_READ, Perm.EVALUATION_WRITE}))
    with session_factory() as session, pytest.raises(Forbidden, match="needs 'models:write'"):
        gates.check(session, model_id=bot["model_id"], run_id=run_id, number=None, principal=evaluator_only)
    with session_factory() as session:
        assert session.query(GateDecision).count() == 0
        assert session.get(ModelVersion, bot["id"]).state == "evaluated"  # type: ignore[union-attr]
