"""LLM-as-judge: rubric grades and swapped pairwise preferences from a real served model, and the swap logic."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from llmore.errors import AppError
from llmore.evaluation.judge import ModelCallFailed, grade, openai_chat_client, prefer, served_chat_client
from llmore.settings import Settings
from tests.conftest import Account
from tests.evaluation.arena_workers import chat_worker, register  # noqa: F401 - the fixture is used by name
from tests.serving.live_worker import LiveWorker

QUESTION = "What is the capital of France?"
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
T = TypeVar("T")


def settle(coroutine: Coroutine[Any, Any, T]) -> T:
    """The coroutine's result, run on a thread of its own: the browser tests' Playwright keeps an event loop
    running on the main thread for the whole session, where ``asyncio.run`` refuses to start another."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


class ScriptedJudge:
    """An external judge stand-in that answers by a rule and records what it was asked."""

    def __init__(self, rule: Any) -> None:
        self.rule = rule
        self.asked: list[list[dict[str, str]]] = []
        self.formats: list[dict[str, Any] | None] = []

    async def __call__(self, messages: list[dict[str, str]], *, response_format: dict[str, Any] | None = None) -> str:
        self.asked.append(messages)
        self.formats.append(response_format)
        return self.rule(messages[-1]["content"])


def _first_shown(prompt: str) -> str:
    return json.dumps({"reason": "the first answer is shown first", "winner": "A"})


def _paris_wins(prompt: str) -> str:
    first = prompt.split("[Answer A]")[1].split("[Answer B]")[0]
    return json.dumps({"reason": "mentions Paris", "winner": "A" if "Paris" in first else "B"})


def test_a_judge_that_always_prefers_the_first_position_gives_a_tie_reported_as_inconsistent() -> None:
    judge = ScriptedJudge(_first_shown)
    verdict = settle(prefer(judge, question=QUESTION, answer_a="Paris.", answer_b="Lyon."))
    assert verdict.winner == "tie"
    assert not verdict.consistent
    assert [(v["order"], v["verdict"], v["winner"]) for v in verdict.votes] == [("ab", "A", "a"), ("ba", "A", "b")]
    # It was really asked both ways round, with the JSON schema each time.
    shown_first = [m[-1]["content"].split("[Answer A]\n")[1].split("\n")[0] for m in judge.asked]
    assert shown_first == ["Paris.", "Lyon."]
    assert all(f and f["json_schema"]["schema"]["properties"]["winner"]["enum"] == ["A", "B", "tie"]
               for f in judge.formats)


def test_a_judge_that_prefers_content_wins_in_both_orders() -> None:
    for answer_a, answer_b, expected in (("Paris.", "Lyon.", "a"), ("Lyon.", "It is Paris.", "b")):
        verdict = settle(prefer(ScriptedJudge(_paris_wins), question=QUESTION, answer_a=answer_a,
                                     answer_b=answer_b))
        assert (verdict.winner, verdict.consistent) == (expected, True)


def test_grades_map_to_overall_and_bad_judges_are_named() -> None:
    judge = ScriptedJudge(lambda _: 'Sure! ```json\n{"reason": "ok", "consistency": 5, "relevance": 3, '
                                    '"truthfulness": 1}\n```')
    verdict = settle(grade(judge, question=QUESTION, answer="Paris", context="France is in Europe."))
    assert verdict.scores == {"consistency": 5, "relevance": 3, "truthfulness": 1}
    assert verdict.overall == 0.5
    assert "[Context]\nFrance is in Europe." in judge.asked[0][-1]["content"]

    with pytest.raises(ModelCallFailed, match="did not answer the JSON asked for"):
        settle(grade(ScriptedJudge(lambda _: "I think it is fine."), question=QUESTION, answer="Paris"))
    with pytest.raises(ModelCallFailed, match="outside 1–5"):
        settle(grade(ScriptedJudge(lambda _: '{"reason": "", "consistency": 9, "relevance": 1, '
                                                  '"truthfulness": 1}'), question=QUESTION, answer="Paris"))
    with pytest.raises(AppError) as unknown:
        settle(grade(judge, question=QUESTION, answer="Paris", criteria=("fluency",)))
    assert unknown.value.details[0]["field"] == "criteria"


def _check_grade_and_preference(judge: Any) -> None:
    # The tiny model holds 512 tokens and its tokenizer is small, while the engine adds the JSON schema to the
    # prompt: one criterion and short reasons keep prompt and verdict inside that context.
    verdict = settle(grade(judge, question=QUESTION, answer="Paris.", criteria=("relevance",),
                                reason_chars=20))
    assert set(verdict.scores) == {"relevance"}
    assert 1 <= verdict.scores["relevance"] <= 5
    assert verdict.overall == (verdict.scores["relevance"] - 1) / 4
    assert len(verdict.reason) <= 20
    pair = settle(prefer(judge, question=QUESTION, answer_a="Paris.", answer_b="Berlin.", reason_chars=20))
    assert [v["order"] for v in pair.votes] == ["ab", "ba"]
    assert pair.consistent == (pair.votes[0]["winner"] == pair.votes[1]["winner"])
    assert pair.winner == (pair.votes[0]["winner"] if pair.consistent else "tie")


@SQLITE_ONLY
def test_a_model_served_by_a_registered_worker_judges_through_the_gateway(
        client: TestClient, admin: Account, settings: Settings, db: Session, chat_worker: LiveWorker) -> None:  # noqa: F811
    register(client, admin, chat_worker)
    steps = chat_worker.health()["steps"]
    # The tiny model's weights are random: that its verdicts parse is the schema-constrained decoding's doing.
    _check_grade_and_preference(served_chat_client(settings, db, "tiny", max_tokens=100))
    assert chat_worker.health()["steps"] > steps


def test_an_upstream_openai_compatible_endpoint_judges(chat_worker: LiveWorker) -> None:  # noqa: F811
    _check_grade_and_preference(openai_chat_client(f"{chat_worker.url}/v1", None, "tiny", max_tokens=100))
    with pytest.raises(ModelCallFailed, match="'ghost' refused the request \\(404\\)"):
        settle(grade(openai_chat_client(f"{chat_worker.url}/v1", None, "ghost"), question="q", answer="a"))


@SQLITE_ONLY
def test_a_judge_model_that_is_not_deployed_is_named_with_how_to_serve_it(settings: Settings, db: Session) -> None:
    with pytest.raises(AppError) as missing:
        served_chat_client(settings, db, "judge-7b", field_name="suite.judge_model")
    assert missing.value.code == "model_not_deployed"
    assert missing.value.status_code == 404
    assert "'judge-7b' is not deployed" in missing.value.message
    assert "llmore worker --model" in missing.value.message
    assert missing.value.details == [{"field": "suite.judge_model", "message": "'judge-7b' is not served"}]
