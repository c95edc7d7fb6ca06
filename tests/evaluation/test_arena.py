"""The arena through its API: blind battles answered by a real served worker, one vote each, the leaderboard."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Account
from tests.evaluation.arena_workers import MODELS, chat_worker, direct_answer, register  # noqa: F401 - fixture
from tests.serving.live_worker import LiveWorker

BASE = "/api/evaluation/arena"
PROMPTS = ["Hello!", "What is the capital of France?", "Write a haiku about rain."]
TOKENS = 6


def _error(response, status: int) -> dict:  # type: ignore[no-untyped-def, type-arg]
    assert response.status_code == status, response.text
    return response.json()["error"]


def test_blind_battles_from_a_prompt_set_rank_the_model_voters_prefer(
        client: TestClient, admin: Account, make_account: Callable[..., Account],
        chat_worker: LiveWorker) -> None:  # noqa: F811
    register(client, admin, chat_worker)
    developer, voter, colleague = make_account("developer"), make_account("annotator"), make_account("reviewer")
    assert client.get(f"{BASE}/models", headers=voter.headers).json() == list(MODELS)
    made = client.post(f"{BASE}/prompt-sets", json={"name": "smoke", "prompts": PROMPTS}, headers=developer.headers)
    assert made.status_code == 201, made.text
    answers = {(model, prompt): direct_answer(chat_worker, model, prompt, TOKENS) for model in MODELS
               for prompt in PROMPTS}
    assert all(answers[("tiny", p)] != answers[("tiny-lora", p)] for p in PROMPTS), "the contestants must differ"

    seen_prompts = []
    for _ in range(4):
        response = client.post(f"{BASE}/battles", headers=voter.headers, json={
            "prompt_set_id": made.json()["id"], "max_tokens": TOKENS, "temperature": 0})
        assert response.status_code == 201, response.text
        battle = response.json()
        seen_prompts.append(battle["prompt"])
        assert (battle["model_a"], battle["model_b"], battle["vote"]) == (None, None, None)  # anonymous
        assert client.get(f"{BASE}/battles/{battle['id']}", headers=voter.headers).json()["model_a"] is None
        # The voter prefers what the adapter writes, knowing only the answers.
        outcome = "a" if battle["answer_a"] == answers[("tiny-lora", battle["prompt"])] else "b"
        voted = client.post(f"{BASE}/battles/{battle['id']}/vote", json={"outcome": outcome}, headers=voter.headers)
        assert voted.status_code == 200, voted.text
        revealed = voted.json()
        assert {revealed["model_a"], revealed["model_b"]} == set(MODELS)
        # Each side's answer is what its revealed model writes: the labels were not mixed up.
        assert battle["answer_a"] == answers[(revealed["model_a"], battle["prompt"])]
        assert battle["answer_b"] == answers[(revealed["model_b"], battle["prompt"])]
        assert revealed["model_a" if outcome == "a" else "model_b"] == "tiny-lora"
        again = _error(client.post(f"{BASE}/battles/{battle['id']}/vote", json={"outcome": "tie"},
                                   headers=voter.headers), 409)
        assert again["code"] == "already_voted"
    assert seen_prompts == [*PROMPTS, PROMPTS[0]]  # the set's prompts in turn

    # A colleague votes on the last battle too (one vote per battle per user); names stay hidden until then.
    assert client.get(f"{BASE}/battles/{battle['id']}", headers=colleague.headers).json()["model_a"] is None
    assert client.post(f"{BASE}/battles/{battle['id']}/vote", json={"outcome": "both_bad"},
                       headers=colleague.headers).status_code == 200

    board = client.get(f"{BASE}/leaderboard", headers=voter.headers).json()
    assert board["votes"] == 5
    best, worst = board["models"]
    assert (best["model"], best["rank"], worst["model"], worst["rank"]) == ("tiny-lora", 1, "tiny", 2)
    assert (best["votes"], best["wins"], best["win_rate"]) == (5, 4.5, 0.9)  # both bad counts as a tie
    assert (worst["wins"], worst["win_rate"]) == (0.5, 0.1)
    for row in board["models"]:
        assert row["elo_low"] <= row["elo"] <= row["elo_high"]
        assert row["bt_low"] <= row["bt"] <= row["bt_high"]
    assert best["elo"] > worst["elo"]
    assert best["bt"] > worst["bt"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # nothing here depends on the backend
def test_an_own_prompt_between_two_chosen_models(client: TestClient, admin: Account,
                                                 chat_worker: LiveWorker) -> None:  # noqa: F811
    register(client, admin, chat_worker)
    response = client.post(f"{BASE}/battles", headers=admin.headers, json={
        "prompt": "  Tell me a joke.  ", "models": ["tiny-lora", "tiny"], "max_tokens": TOKENS, "temperature": 0})
    assert response.status_code == 201, response.text
    battle = response.json()
    assert battle["prompt"] == "Tell me a joke."
    assert {battle["answer_a"], battle["answer_b"]} == {direct_answer(chat_worker, m, "Tell me a joke.", TOKENS)
                                                        for m in MODELS}


def test_bad_arena_requests_say_what_to_fix(client: TestClient, admin: Account, make_account: Callable[..., Account],
                                            chat_worker: LiveWorker) -> None:  # noqa: F811
    voter = make_account("annotator")
    assert client.get(f"{BASE}/leaderboard", headers=voter.headers).json() == {"votes": 0, "models": []}
    error = _error(client.post(f"{BASE}/prompt-sets", json={"name": "empty", "prompts": []}, headers=admin.headers),
                   400)
    assert error["code"] == "empty_prompt_set"
    assert error["details"] == [{"field": "prompts", "message": "empty"}]
    error = _error(client.post(f"{BASE}/prompt-sets", json={"name": "blank", "prompts": ["ok", "  "]},
                               headers=admin.headers), 422)
    assert error["details"][0]["field"] == "body.prompts.1"
    assert client.post(f"{BASE}/prompt-sets", json={"name": "one", "prompts": ["Hi"]},
                       headers=admin.headers).status_code == 201
    error = _error(client.post(f"{BASE}/prompt-sets", json={"name": "one", "prompts": ["Hi"]}, headers=admin.headers),
                   409)
    assert error["details"][0]["field"] == "name"
    _error(client.post(f"{BASE}/prompt-sets", json={"name": "mine", "prompts": ["Hi"]}, headers=voter.headers), 403)

    error = _error(client.post(f"{BASE}/battles", json={}, headers=voter.headers), 400)
    assert error["code"] == "prompt_required"
    error = _error(client.post(f"{BASE}/battles", json={"prompt": "Hi"}, headers=voter.headers), 400)
    assert error["code"] == "too_few_models"
    assert "0 served now" in error["message"]
    register(client, admin, chat_worker)
    error = _error(client.post(f"{BASE}/battles", json={"prompt": "Hi", "models": ["tiny", "ghost"]},
                               headers=voter.headers), 404)
    assert error["code"] == "model_not_deployed"
    assert "'ghost' is not deployed" in error["message"]
    assert "llmore worker" in error["message"]
    assert error["details"][0]["field"] == "models[1]"
    error = _error(client.post(f"{BASE}/battles", json={"prompt": "Hi", "models": ["tiny", "tiny"]},
                               headers=voter.headers), 400)
    assert error["code"] == "same_model"
    _error(client.post(f"{BASE}/battles", json={"prompt_set_id": 999_999}, headers=voter.headers), 404)
    _error(client.post(f"{BASE}/battles/999999/vote", json={"outcome": "a"}, headers=voter.headers), 404)
    error = _error(client.post(f"{BASE}/battles", json={"prompt": "Hi", "max_tokens": 10**6}, headers=voter.headers),
                   422)
    assert error["details"][0]["field"] == "body.max_tokens"
