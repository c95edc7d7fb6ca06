"""LLM-as-judge: rubric grading and pairwise preference by a served model or an upstream OpenAI-compatible API.

A judge is any :class:`ChatClient`. :func:`served_chat_client` reaches a model served by a registered
worker through the gateway's own routing (least-loaded replica, retry on another, the per-worker
secret); :func:`openai_chat_client` reaches an upstream channel. Both ask for JSON with
``response_format: json_schema``: our transformers engine enforces the schema while decoding, so
even a small judge returns parseable scores.

:func:`prefer` asks twice with the answers' positions swapped, because judges favour one position
(usually the first); when the two verdicts disagree the result is a tie and is reported as
inconsistent rather than trusting either order.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import httpx
from sqlalchemy.orm import Session

from llmore.errors import AppError, NotFound
from llmore.gateway.routing import TIMEOUT, Relay, Replica
from llmore.serving import protocol as p
from llmore.serving import service as serving_service
from llmore.settings import Settings

CRITERIA = ("consistency", "relevance", "truthfulness")
CRITERION_TEXT = {
    "consistency": "agrees with the context and the question",
    "relevance": "answers what was asked",
    "truthfulness": "states only correct facts",
}
REASON_CHARS = 300
"""The longest reason a judge may write by default: bounds the tokens a verdict costs (and a small model's ramble)."""
DEFAULT_PARAMS: dict[str, Any] = {"temperature": 0, "max_tokens": 512}


class ChatClient(Protocol):
    """Sends chat messages to a model and returns its reply text; ``response_format`` as OpenAI takes it."""

    async def __call__(self, messages: list[dict[str, str]], *,
                       response_format: dict[str, Any] | None = None) -> str: ...


class ModelCallFailed(AppError):
    """The judged or judging model answered with an error or with something other than what was asked (502)."""

    status_code = 502
    code = "model_call_failed"


def not_deployed(model: str, field_name: str) -> AppError:
    """The error for a model no live worker serves, saying how to serve it."""
    return NotFound(
        f"The model {model!r} is not deployed: no live worker serves it. Start one with `llmore worker --model "
        f"<folder or registry reference> --served-name {model} --control-plane <this server's URL> --api-key <key>`;"
        " GET /v1/models lists the models served now.",
        code="model_not_deployed", details=[{"field": field_name, "message": f"{model!r} is not served"}])


def _reply_text(model: str, status: int, content: bytes) -> str:
    """The first choice's text of a chat completion, or a clear error naming ``model``."""
    try:
        body = json.loads(content)
    except ValueError:
        body = {}
    if status != 200:
        message = (body.get("error") or {}).get("message") if isinstance(body, dict) else None
        raise ModelCallFailed(f"The model {model!r} refused the request ({status}): {message or content[:300]!r}")
    try:
        return str(body["choices"][0]["message"]["content"] or "")
    except (KeyError, IndexError, TypeError) as exc:
        raise ModelCallFailed(f"The model {model!r} answered without a chat completion choice.") from exc


def _request_body(model: str, messages: list[dict[str, str]], params: dict[str, Any],
                  response_format: dict[str, Any] | None) -> dict[str, Any]:
    """A chat completion body, checked like the gateway checks it (a bad parameter is named)."""
    raw = {**params, "model": model, "messages": messages}
    if response_format is not None:
        raw["response_format"] = response_format
    try:
        request = p.ChatCompletionRequest.model_validate(raw)
    except ValueError as exc:
        raise AppError(f"Invalid request for the model {model!r}: {exc}", code="invalid_generation_parameters",
                       details=[{"field": "generation", "message": str(exc)}]) from exc
    return request.model_dump(mode="json", exclude_unset=True, by_alias=True)


def served_chat_client(settings: Settings, db: Session, model_name: str, *, relay: Relay | None = None,
                       field_name: str = "model", **params: Any) -> ChatClient:
    """A client of ``model_name`` as served by the live workers registered with this control plane.

    The replicas are looked up now, so a model nobody serves fails here with :func:`not_deployed`
    (``field_name`` names the request field that chose it). Pass the app's ``relay`` inside a
    request (:func:`llmore.gateway.routing.relay_of`); without one each call opens its own, which suits
    job processes that run several event loops. ``params`` are sampling parameters for every call.
    """
    try:
        workers = serving_service.workers_for(db, model_name)
    except NotFound as exc:
        raise not_deployed(model_name, field_name) from exc
    replicas = [Replica.of(worker, settings.resolved_secret_key()) for worker in workers]

    async def call(messages: list[dict[str, str]], *, response_format: dict[str, Any] | None = None) -> str:
        body = _request_body(model_name, messages, params, response_format)
        own = relay is None
        active = Relay() if own else relay
        try:
            response = await active.forward(replicas, "/v1/chat/completions", body, stream=False)
        finally:
            if own:
                await active.close()
        return _reply_text(model_name, response.status_code, bytes(response.body))

    return call


def openai_chat_client(base_url: str, api_key: str | None, model: str, **params: Any) -> ChatClient:
    """A client of ``model`` at an upstream OpenAI-compatible endpoint (``base_url`` ends in ``/v1``)."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    url = base_url.rstrip("/") + "/chat/completions"

    async def call(messages: list[dict[str, str]], *, response_format: dict[str, Any] | None = None) -> str:
        body = _request_body(model, messages, params, response_format)
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            try:
                response = await client.post(url, json=body, headers=headers)
            except httpx.HTTPError as exc:
                raise ModelCallFailed(f"Cannot reach {url} for the model {model!r}: {exc}") from exc
        return _reply_text(model, response.status_code, response.content)

    return call


@dataclass(frozen=True)
class Grade:
    """A rubric verdict: 1–5 per criterion, ``overall`` their mean mapped to 0..1, and the judge's reason."""

    scores: dict[str, int]
    overall: float
    reason: str


@dataclass(frozen=True)
class Preference:
    """A pairwise verdict after asking in both orders; ``consistent`` is False when the orders disagreed."""

    winner: Literal["a", "b", "tie"]
    consistent: bool
    votes: list[dict[str, str]] = field(default_factory=list)
    """Per order asked: ``order`` ("ab" or "ba"), the judge's raw ``verdict``, what it means for a/b, its ``reason``."""


def _json_format(name: str, properties: dict[str, Any]) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "required": list(properties),
              "additionalProperties": False}
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}


def _parse(text: str, keys: Sequence[str]) -> dict[str, Any]:
    """The judge's JSON object; an upstream judge may wrap it in prose or a code fence."""
    start, end = text.find("{"), text.rfind("}")
    try:
        value = json.loads(text[start:end + 1]) if start >= 0 else None
    except ValueError:
        value = None
    if not isinstance(value, dict) or any(key not in value for key in keys):
        raise ModelCallFailed(
            f"The judge did not answer the JSON asked for (keys {', '.join(keys)}): {text[:200]!r}. Use a judge "
            "served by the transformers engine (it enforces the schema) or give it more max_tokens.")
    return value


async def grade(client: ChatClient, *, question: str, answer: str, context: str | None = None,
                criteria: Sequence[str] = CRITERIA, reason_chars: int = REASON_CHARS) -> Grade:
    """Grade ``answer`` to ``question`` (given ``context``) 1–5 on each criterion, with a reason."""
    unknown = [c for c in criteria if c not in CRITERION_TEXT]
    if unknown or not criteria:
        raise AppError(f"Unknown rubric criteria {unknown}; choose from {', '.join(CRITERIA)}.",
                       code="invalid_criteria", details=[{"field": "criteria", "message": "unknown or empty"}])
    rubric = "\n".join(f"- {c}: {CRITERION_TEXT[c]}" for c in criteria)
    # Short prompts: the engine adds the JSON schema to the system message, and small judges have small contexts.
    system = f"Score the answer from 1 (poor) to 5 (excellent) on each criterion:\n{rubric}\nGive a short reason first."
    user = (f"[Context]\n{context}\n\n" if context else "") + f"[Question]\n{question}\n\n[Answer]\n{answer}"
    score = {"type": "integer", "minimum": 1, "maximum": 5}
    response_format = _json_format("grade", {"reason": {"type": "string", "maxLength": reason_chars},
                                             **{c: score for c in criteria}})
    reply = await client([{"role": "system", "content": system}, {"role": "user", "content": user}],
                         response_format=response_format)
    verdict = _parse(reply, [*criteria, "reason"])
    try:
        scores = {c: int(verdict[c]) for c in criteria}
    except (TypeError, ValueError) as exc:
        raise ModelCallFailed(f"The judge's scores are not integers: {reply[:200]!r}") from exc
    if any(not 1 <= s <= 5 for s in scores.values()):
        raise ModelCallFailed(f"The judge's scores are outside 1–5: {scores}")
    overall = sum((s - 1) / 4 for s in scores.values()) / len(scores)
    return Grade(scores=scores, overall=round(overall, 4), reason=str(verdict["reason"]))


PAIR_SYSTEM = ("Which answer to the question is better? Judge correctness and helpfulness, not position or length. "
               "Give a short reason, then the winner: A, B or tie.")


async def _ask_pair(client: ChatClient, question: str, first: str, second: str, reason_chars: int) -> dict[str, Any]:
    user = f"[Question]\n{question}\n\n[Answer A]\n{first}\n\n[Answer B]\n{second}"
    response_format = _json_format("preference", {"reason": {"type": "string", "maxLength": reason_chars},
                                                  "winner": {"type": "string", "enum": ["A", "B", "tie"]}})
    reply = await client([{"role": "system", "content": PAIR_SYSTEM}, {"role": "user", "content": user}],
                         response_format=response_format)
    verdict = _parse(reply, ["winner", "reason"])
    if verdict["winner"] not in ("A", "B", "tie"):
        raise ModelCallFailed(f"The judge's winner is not A, B or tie: {verdict['winner']!r}")
    return verdict


async def prefer(client: ChatClient, *, question: str, answer_a: str, answer_b: str,
                 reason_chars: int = REASON_CHARS) -> Preference:
    """Which of two answers is better, asked with ``answer_a`` first and again with it second."""
    straight, swapped = await asyncio.gather(_ask_pair(client, question, answer_a, answer_b, reason_chars),
                                             _ask_pair(client, question, answer_b, answer_a, reason_chars))
    meaning_straight = {"A": "a", "B": "b", "tie": "tie"}[straight["winner"]]
    meaning_swapped = {"A": "b", "B": "a", "tie": "tie"}[swapped["winner"]]
    votes = [
        {"order": "ab", "verdict": straight["winner"], "winner": meaning_straight, "reason": str(straight["reason"])},
        {"order": "ba", "verdict": swapped["winner"], "winner": meaning_swapped, "reason": str(swapped["reason"])},
    ]
    consistent = meaning_straight == meaning_swapped
    winner: Literal["a", "b", "tie"] = meaning_straight if consistent else "tie"  # type: ignore[assignment]
    return Preference(winner=winner, consistent=consistent, votes=votes)
