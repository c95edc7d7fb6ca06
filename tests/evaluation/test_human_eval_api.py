"""Human evaluation through the HTTP API on every backend: assignment, blind scoring, QA, merge into the run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from statistics import fmean
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from llmore.evaluation.models import EvalRecord, EvalRun
from llmore.jobs.states import JobState
from tests.conftest import Account
from tests.evaluation.human_eval_runs import LABELS, make_run

BASE = "/api/evaluation/human"


def _create(client: TestClient, admin: Account, **body: Any) -> Any:
    return client.post(f"{BASE}/tasks", json=body, headers=admin.headers)


def _task(client: TestClient, admin: Account, **body: Any) -> dict[str, Any]:
    response = _create(client, admin, **body)
    assert response.status_code == 201, response.text
    return response.json()


def _next(client: TestClient, who: Account, task_id: int) -> dict[str, Any]:
    response = client.get(f"{BASE}/tasks/{task_id}/next", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


def _score(client: TestClient, who: Account, assignment_id: int, **scores: int) -> Any:
    return client.post(f"{BASE}/assignments/{assignment_id}/score", json={"scores": scores}, headers=who.headers)


def _error(response: Any, status: int) -> tuple[str, dict[str, str]]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    return error["message"], {d["field"]: d["message"] for d in error["details"]}


def _assignment_owners(client: TestClient, reviewer: Account, task_id: int) -> list[dict[str, Any]]:
    response = client.get(f"{BASE}/tasks/{task_id}/assignments", params={"page_size": 200}, headers=reviewer.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_items_are_split_round_robin_or_given_to_k_evaluators_balanced(
    client: TestClient, admin: Account, make_account: Callable[..., Account],
    session_factory: sessionmaker[Session],
) -> None:
    run_id = make_run(session_factory, inputs=4)
    people = [make_account("annotator") for _ in range(3)]
    reviewer = make_account("reviewer")
    ids = [p.user.id for p in people]

    split = _task(client, admin, run_id=run_id, sample_size=4, evaluator_ids=ids)
    assert (split["items"], split["assignments"], split["models"]) == (8, 8, list(LABELS))
    assert sorted(p["total"] for p in split["progress"]) == [2, 3, 3]

    overlap = _task(client, admin, run_id=run_id, sample_size=4, evaluator_ids=ids, overlap=2, seed=3)
    assert overlap["assignments"] == 16
    assert sorted(p["total"] for p in overlap["progress"]) == [5, 5, 6]
    rows = _assignment_owners(client, reviewer, overlap["id"])
    by_text: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        by_text.setdefault((row["input"][0]["content"], row["output"]), set()).add(row["evaluator"])
    # every sampled answer (4 inputs x 2 models) goes to exactly two different evaluators
    assert len(by_text) == 8
    assert all(len(evaluators) == 2 for evaluators in by_text.values())
    pairs = Counter(frozenset(evaluators) for evaluators in by_text.values())
    assert len(pairs) == 3, "with overlap every pair of the three evaluators shares items"


def test_the_queue_hides_the_model_and_skipped_items_come_back_last(
    client: TestClient, admin: Account, make_account: Callable[..., Account],
    session_factory: sessionmaker[Session],
) -> None:
    run_id = make_run(session_factory, inputs=2)
    alice = make_account("annotator")
    task = _task(client, admin, run_id=run_id, sample_size=2, evaluator_ids=[alice.user.id],
                 criteria=[{"name": "helpfulness", "description": "Useful?", "scale": 5}])

    first = _next(client, alice, task["id"])
    assert (first["total"], first["done"], first["remaining"]) == (4, 0, 4)
    item = first["item"]
    assert item["input"][0]["content"].startswith("What is")
    assert item["reference"] is not None
    assert item["output"].startswith("I think it is")
    assert "model_label" not in item
    assert not any(label in str(item) for label in LABELS), "the model that wrote the answer must stay hidden"

    skipped = client.post(f"{BASE}/assignments/{item['id']}/skip", headers=alice.headers)
    assert skipped.json()["state"] == "skipped"
    seen = []
    for _ in range(3):
        current = _next(client, alice, task["id"])["item"]
        assert current["id"] != item["id"]
        seen.append(current["id"])
        assert _score(client, alice, current["id"], helpfulness=4).status_code == 200
    last = _next(client, alice, task["id"])
    assert (last["item"]["id"], last["remaining"]) == (item["id"], 1)
    assert _score(client, alice, item["id"], helpfulness=2).json()["state"] == "scored"
    assert _next(client, alice, task["id"]) | {"item": None} == {
        "task_id": task["id"], "total": 4, "done": 4, "remaining": 0, "item": None}


def test_mistakes_are_refused_with_what_and_where(
    client: TestClient, admin: Account, make_account: Callable[..., Account],
    session_factory: sessionmaker[Session],
) -> None:
    run_id = make_run(session_factory, inputs=3)
    alice, bob = make_account("annotator"), make_account("annotator")
    nobody = make_account()  # no role: may not score
    good = {"run_id": run_id, "sample_size": 2, "evaluator_ids": [alice.user.id, bob.user.id]}

    message, fields = _error(_create(client, admin, **(good | {"evaluator_ids": [alice.user.id, nobody.user.id]})),
                             400)
    assert fields == {"body.evaluator_ids.1": f"'{nobody.user.username}' lacks evaluation:score"}
    assert f"User '{nobody.user.username}' (roles: none) may not score" in message
    assert "annotator" in message

    message, fields = _error(_create(client, admin, **(good | {"sample_size": 4})), 400)
    assert fields == {"body.sample_size": "at most 3"}
    assert "3 inputs" in message

    message, fields = _error(_create(client, admin, **(good | {"overlap": 3})), 400)
    assert fields == {"body.overlap": "overlap 3 needs at least 3 evaluators; 2 chosen"}
    assert "lower the overlap" in message

    _, fields = _error(_create(client, admin, **(good | {"models": ["base:1", "other:7"]})), 400)
    assert fields == {"body.models.1": "'other:7' is not a model of run 1; choose from base:1, tuned:1"
                      .replace("run 1", f"run {run_id}")}

    running = make_run(session_factory, state=JobState.RUNNING, name="still going")
    message, _ = _error(_create(client, admin, **(good | {"run_id": running})), 409)
    assert "running" in message

    task = _task(client, admin, **good)
    mine = _next(client, alice, task["id"])["item"]
    message, _ = _error(_score(client, bob, mine["id"], helpfulness=3, correctness=3, fluency=3), 403)
    assert "another evaluator" in message

    message, fields = _error(_score(client, alice, mine["id"], helpfulness=6, correctness=0, tone=3), 400)
    assert fields == {
        "body.scores.tone": "not a criterion of this task (helpfulness, correctness, fluency)",
        "body.scores.helpfulness": "6 is outside helpfulness's scale 1..5",
        "body.scores.correctness": "0 is outside correctness's scale 1..5",
        "body.scores.fluency": "missing: score fluency from 1 to 5",
    }
    # the annotator may not open results, and nobody sees a task that gives them no work
    assert client.get(f"{BASE}/tasks/{task['id']}/results", headers=alice.headers).status_code == 403
    outsider = make_account("annotator")
    assert client.get(f"{BASE}/tasks/{task['id']}/next", headers=outsider.headers).status_code == 404


def test_review_sends_back_and_accepted_scores_are_merged_into_the_run(
    client: TestClient, admin: Account, make_account: Callable[..., Account],
    session_factory: sessionmaker[Session], db: Session,
) -> None:
    run_id = make_run(session_factory, inputs=2)
    alice, bob = make_account("annotator"), make_account("reviewer")  # bob both scores and reviews
    reviewer = make_account("reviewer")
    criteria = [{"name": "helpfulness", "scale": 5}, {"name": "fluency", "scale": 3}]
    task = _task(client, admin, run_id=run_id, sample_size=2, evaluator_ids=[alice.user.id, bob.user.id],
                 overlap=2, criteria=criteria)
    given: dict[int, dict[str, int]] = {}  # item position in the reviewer's list -> scores
    for who, base in ((alice, 2), (bob, 3)):
        while (item := _next(client, who, task["id"])["item"]) is not None:
            scores = {"helpfulness": base + item["position"] % 2, "fluency": 1 + item["position"] % 3}
            assert _score(client, who, item["id"], **scores).status_code == 200
            given[item["id"]] = scores

    rows = _assignment_owners(client, reviewer, task["id"])
    own = next(row for row in rows if row["evaluator"] == bob.user.username)
    message, _ = _error(client.post(f"{BASE}/assignments/{own['id']}/review", json={"decision": "accept"},
                                    headers=bob.headers), 403)
    assert message == "You scored this item yourself; another reviewer must check it."
    sent_back = next(row for row in rows if row["evaluator"] == alice.user.username)
    _, fields = _error(client.post(f"{BASE}/assignments/{sent_back['id']}/review", json={"decision": "return"},
                                   headers=reviewer.headers), 400)
    assert fields == {"body.comment": "required when sending back"}
    returned = client.post(f"{BASE}/assignments/{sent_back['id']}/review",
                           json={"decision": "return", "comment": "The answer is wrong; correctness cannot be 5."},
                           headers=reviewer.headers)
    assert returned.json()["state"] == "returned"
    accepted = client.post(f"{BASE}/tasks/{task['id']}/accept-scored", headers=reviewer.headers)
    assert accepted.json() == {"accepted": 7}
    assert client.get(f"{BASE}/tasks/{task['id']}", headers=admin.headers).json()["complete"] is False
    # merging on demand before the end writes what is accepted so far; the sent-back rating is left out
    early = client.post(f"{BASE}/tasks/{task['id']}/merge", headers=admin.headers).json()
    assert early["complete"] is False
    assert early["merged_at"] is not None
    assert sorted(p["accepted"] for p in early["progress"]) == [3, 4]
    early_run = db.get(EvalRun, run_id)
    assert early_run is not None
    assert {m["label"]: m["overall"] for m in early["models"]} == {
        label: early_run.summary[label]["human_overall"] for label in LABELS}

    back = _next(client, alice, task["id"])["item"]
    assert back["id"] == sent_back["id"]
    assert back["review_comment"] == "The answer is wrong; correctness cannot be 5."
    given[back["id"]] = {"helpfulness": 1, "fluency": 3}
    assert _score(client, alice, back["id"], **given[back["id"]]).status_code == 200
    assert client.post(f"{BASE}/assignments/{back['id']}/review", json={"decision": "accept"},
                       headers=reviewer.headers).json()["state"] == "accepted"

    # accepting the last open item completed the task, which merged its results into the run
    results = client.get(f"{BASE}/tasks/{task['id']}/results", headers=reviewer.headers).json()
    assert results["complete"] is True
    assert results["merged_at"] is not None
    db.rollback()  # a new transaction: MariaDB's repeatable read would keep showing the earlier snapshot
    per_record: dict[int, dict[str, list[int]]] = {}
    rows = {row["id"]: row for row in _assignment_owners(client, reviewer, task["id"])}
    records = {(r.input[0]["content"], r.output): r for r in db.scalars(select(EvalRecord)
                                                                       .where(EvalRecord.run_id == run_id))}
    for assignment_id, scores in given.items():
        record = records[(rows[assignment_id]["input"][0]["content"], rows[assignment_id]["output"])]
        for name, value in scores.items():
            per_record.setdefault(record.id, {}).setdefault(name, []).append(value)
    for record_id, by_name in per_record.items():
        stored = db.get(EvalRecord, record_id)
        assert stored is not None
        assert stored.scores["exact_match"] in (0.0, 1.0), "the run's own scores stay"
        assert {k: v for k, v in stored.scores.items() if k.startswith("human_")} == {
            f"human_{name}": fmean(values) for name, values in by_name.items()}
    run = db.get(EvalRun, run_id)
    assert run is not None
    for model in results["models"]:
        mine = [per_record[r.id] for r in records.values() if r.model_label == model["label"]]
        normalised = [(fmean(s["helpfulness"]) - 1) / 4 for s in mine] + [(fmean(s["fluency"]) - 1) / 2 for s in mine]
        assert model["overall"] == pytest.approx(fmean(normalised))
        assert run.summary[model["label"]]["human_overall"] == pytest.approx(fmean(normalised))
        assert run.summary[model["label"]]["exact_match"] == 0.5
    agreement = {a["criterion"]: a for a in results["agreement"]}
    assert agreement["helpfulness"]["items"] == 4
    assert [(p["evaluator_a"], p["evaluator_b"], p["items"]) for p in agreement["helpfulness"]["pairs"]] == [
        (*sorted((alice.user.username, bob.user.username)), 4)]


def test_evaluators_are_the_users_who_may_score(
    client: TestClient, admin: Account, make_account: Callable[..., Account],
) -> None:
    annotator, developer = make_account("annotator"), make_account("developer")
    make_account()
    response = client.get(f"{BASE}/evaluators", headers=admin.headers)
    assert response.status_code == 200, response.text
    names = {user["username"] for user in response.json()}
    assert names == {admin.user.username, annotator.user.username, developer.user.username}
