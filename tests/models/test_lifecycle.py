"""The model version lifecycle: every legal move, the refusals with their reasons, forced overrides in the history."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from llmore.models.lifecycle import ALLOWED, State, refusal
from llmore.settings import Settings
from tests.conftest import Account

LABEL = "Version 3 of 'bot'"


# ---------------------------------------------------------------- the rules alone


@pytest.mark.parametrize(("current", "target"), [(c, t) for c, targets in ALLOWED.items() for t in sorted(targets)])
def test_every_listed_move_is_allowed(current: State, target: State) -> None:
    # Deploying from anything but approved needs the setting off; an abandoned evaluation
    # returns to the state it came from.
    require_approval = not (target is State.DEPLOYED and current is not State.APPROVED)
    assert refusal(current, target, require_approval=require_approval, label=LABEL,
                   evaluation_return=target if current is State.EVALUATING else None) is None


@pytest.mark.parametrize("current", [s for s in State if s is not State.APPROVED])
def test_deploying_needs_approval_by_default(current: State) -> None:
    reason = refusal(current, State.DEPLOYED, require_approval=True, label=LABEL)
    assert reason is not None
    if current is not State.DEPLOYED:
        assert reason == (f"{LABEL} is {current.value}; only approved versions can be deployed — approve it first, "
                          "or an admin may override with force=true, which is logged.")


def test_illegal_moves_say_what_is_allowed() -> None:
    reason = refusal(State.REGISTERED, State.TRAINED, require_approval=True, label=LABEL)
    assert reason is not None
    assert "is registered and cannot become trained" in reason
    assert "allowed next: approved, deployed, evaluating, rejected, retired, training" in reason
    retired = refusal(State.RETIRED, State.APPROVED, require_approval=True, label=LABEL)
    assert retired is not None
    assert "retired is final" in retired
    same = refusal(State.APPROVED, State.APPROVED, require_approval=True, label=LABEL)
    assert same == f"{LABEL} is already approved."
    back = refusal(State.EVALUATING, State.TRAINED, require_approval=True, label=LABEL,
                   evaluation_return=State.REGISTERED)
    assert back is not None
    assert "returns it to registered, not trained" in back


# ---------------------------------------------------------------- through the API


def _registered(client: TestClient, account: Account, settings: Settings, folder: Path, name: str = "bot"
                ) -> dict[str, Any]:
    settings.import_roots = [folder.parent]
    model = client.post("/api/models", json={"name": name}, headers=account.headers).json()
    response = client.post(f"/api/models/{model['id']}/imports", json={"source": "path", "location": str(folder)},
                           headers=account.headers)
    assert response.status_code == 201, response.text
    return response.json()["version"]


def _move(client: TestClient, account: Account, row: dict[str, Any], to: str, **body: Any) -> Any:
    return client.post(f"/api/models/{row['model_id']}/versions/{row['number']}/transition",
                       json={"to": to, **body}, headers=account.headers)


def test_a_version_walks_the_whole_lifecycle_and_the_history_records_it(
    client: TestClient, make_account: Callable[..., Account], settings: Settings, tiny_causal_lm: Path
) -> None:
    dev = make_account("developer")
    version = _registered(client, dev, settings, tiny_causal_lm)
    assert version["state"] == "registered"
    path = ["training", "trained", "evaluating", "evaluated", "approved", "deployed", "approved", "deployed",
            "retired"]
    for state in path:
        response = _move(client, dev, version, state, reason=f"to {state}")
        assert response.status_code == 200, response.text
        assert response.json()["state"] == state
    history = client.get(f"/api/models/{version['model_id']}/versions/1/history", headers=dev.headers).json()
    assert [(h["from_state"], h["to_state"]) for h in history] == list(
        zip([None, "registered", *path[:-1]], ["registered", *path], strict=True))
    assert all(h["created_by"] == dev.user.id and not h["forced"] for h in history)
    assert history[2]["reason"] == "to trained"

    refused = _move(client, dev, version, "approved")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "illegal_transition"
    assert "is retired and cannot become approved" in refused.json()["error"]["message"]


def test_refusals_answer_409_with_the_reason_and_admins_may_force_with_a_logged_reason(
    client: TestClient, make_account: Callable[..., Account], admin: Account, settings: Settings,
    tiny_causal_lm: Path,
) -> None:
    dev = make_account("developer")
    version = _registered(client, dev, settings, tiny_causal_lm)
    skipped = _move(client, dev, version, "trained")
    assert skipped.status_code == 409
    assert "is registered and cannot become trained" in skipped.json()["error"]["message"]

    assert _move(client, dev, version, "rejected", reason="toxic answers").status_code == 200
    refused = _move(client, dev, version, "deployed")
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == (
        "Version 1 of 'bot' is rejected; only approved versions can be deployed — approve it first, or an admin "
        "may override with force=true, which is logged.")
    assert refused.json()["error"]["details"] == [{"field": "body.to", "message": "rejected → deployed refused"}]

    not_admin = _move(client, dev, version, "deployed", force=True, reason="urgent")
    assert not_admin.status_code == 403
    no_reason = _move(client, admin, version, "deployed", force=True)
    assert no_reason.status_code == 400
    assert no_reason.json()["error"]["details"][0]["field"] == "body.reason"

    forced = _move(client, admin, version, "deployed", force=True, reason="customer demo, risk accepted")
    assert forced.status_code == 200, forced.text
    assert forced.json()["state"] == "deployed"
    last = client.get(f"/api/models/{version['model_id']}/versions/1/history", headers=dev.headers).json()[-1]
    assert (last["from_state"], last["to_state"], last["forced"], last["created_by"], last["reason"]) == (
        "rejected", "deployed", True, admin.user.id, "customer demo, risk accepted")


def test_a_stale_version_and_an_abandoned_evaluation(
    client: TestClient, make_account: Callable[..., Account], settings: Settings, tiny_causal_lm: Path
) -> None:
    dev = make_account("developer")
    version = _registered(client, dev, settings, tiny_causal_lm)
    seen = version["version"]
    assert _move(client, dev, version, "evaluating", version=seen).status_code == 200
    stale = _move(client, dev, version, "evaluated", version=seen)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_version"
    wrong_way_back = _move(client, dev, version, "trained")
    assert wrong_way_back.status_code == 409
    assert "returns it to registered, not trained" in wrong_way_back.json()["error"]["message"]
    assert _move(client, dev, version, "registered", reason="evaluation cancelled").json()["state"] == "registered"


def test_deploying_without_approval_when_the_setting_allows_it(
    client: TestClient, make_account: Callable[..., Account], settings: Settings, tiny_causal_lm: Path
) -> None:
    dev = make_account("developer")
    version = _registered(client, dev, settings, tiny_causal_lm)
    settings.require_approval_to_deploy = False
    assert _move(client, dev, version, "evaluating").status_code == 200
    assert _move(client, dev, version, "evaluated").status_code == 200
    deployed = _move(client, dev, version, "deployed", reason="approval not required here")
    assert deployed.status_code == 200, deployed.text
    assert not client.get(f"/api/models/{version['model_id']}/versions/1/history",
                          headers=dev.headers).json()[-1]["forced"]
