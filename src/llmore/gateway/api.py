"""The OpenAI-compatible API of the platform (``/v1``), authenticated with LLMore API keys.

Send ``Authorization: Bearer llm-…`` (an API key of a user holding ``inference:use``). Each
request goes to a live worker serving its ``model`` (:mod:`llmore.gateway.routing`), which the
gateway authenticates to with the secret issued at the worker's registration; errors use
OpenAI's shape (:func:`llmore.errors.openai_error_body`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.orm import Session

from llmore.auth.permissions import Perm
from llmore.auth.service import Principal
from llmore.deps import DB, get_settings, requires
from llmore.gateway.routing import Replica, relay_of
from llmore.serving import protocol as p
from llmore.serving import service as serving_service

router = APIRouter(prefix="/v1", tags=["openai"])


def _replicas(db: Session, model: str, secret_key: str) -> list[Replica]:
    return [Replica.of(worker, secret_key) for worker in serving_service.workers_for(db, model)]


async def _route(request: Request, db: Session, path: str, body: p.SamplingFields | p.EmbeddingRequest) -> Response:
    secret_key = get_settings(request).resolved_secret_key()
    replicas = await run_in_threadpool(_replicas, db, body.model, secret_key)
    payload: dict[str, Any] = body.model_dump(mode="json", exclude_unset=True, by_alias=True)
    stream = bool(getattr(body, "stream", False))
    return await relay_of(request.app).forward(replicas, path, payload, stream=stream)


@router.get("/models", response_model=p.ModelList, summary="Models served by live workers")
def list_models(_: Principal = requires(Perm.INFERENCE), db: Session = DB) -> p.ModelList:
    seen: dict[str, p.ModelCard] = {}
    for worker in serving_service.live_workers(db):
        for name in worker.models:
            seen.setdefault(name, p.ModelCard(id=name, created=int(worker.created_at.timestamp())))
    return p.ModelList(data=sorted(seen.values(), key=lambda card: card.id))


@router.post("/chat/completions", response_model=p.ChatCompletionResponse, summary="Chat completion (OpenAI)")
async def chat_completions(body: p.ChatCompletionRequest, request: Request,
                           _: Principal = requires(Perm.INFERENCE), db: Session = DB) -> Response:
    return await _route(request, db, "/v1/chat/completions", body)


@router.post("/completions", response_model=p.CompletionResponse, summary="Text completion (OpenAI)")
async def completions(body: p.CompletionRequest, request: Request,
                      _: Principal = requires(Perm.INFERENCE), db: Session = DB) -> Response:
    return await _route(request, db, "/v1/completions", body)


@router.post("/embeddings", response_model=p.EmbeddingResponse, summary="Embeddings (OpenAI)")
async def embeddings(body: p.EmbeddingRequest, request: Request,
                     _: Principal = requires(Perm.INFERENCE), db: Session = DB) -> Response:
    return await _route(request, db, "/v1/embeddings", body)
