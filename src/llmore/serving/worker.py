"""The model worker: a FastAPI app serving one engine's models over the OpenAI API.

``llmore worker`` builds it with :func:`create_worker_app`. Routes: ``GET /v1/models``,
``POST /v1/chat/completions``, ``POST /v1/completions``, ``POST /v1/embeddings`` (streams as
Server-Sent Events ``data: {chunk}`` … ``data: [DONE]``), ``GET /health`` (load, for routing),
and ``POST /admin/adapters`` / ``DELETE /admin/adapters/{name}`` to load and unload LoRA
adapters while serving.

With a control plane configured (:class:`ControlPlane`) the worker registers itself
(``POST /api/workers/register``), sends a heartbeat with its models and load every
``heartbeat_seconds``, registers again when the control plane has dropped it, and deregisters
when it stops. Its ``/v1`` and ``/admin`` routes need a credential (:mod:`.worker_auth`): the
worker's own key, or the secret the control plane issued at registration, which the gateway sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from llmore import __version__
from llmore.errors import AppError, install_error_handlers, openai_error_body
from llmore.serving import protocol as p
from llmore.serving.engines.base import Engine
from llmore.serving.worker_auth import WorkerAuth

log = logging.getLogger(__name__)

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@dataclass(frozen=True)
class ControlPlane:
    """Where and how the worker registers: the platform's URL, an API key with ``workers:manage``."""

    url: str
    api_key: str
    advertise_url: str
    name: str
    heartbeat_seconds: float = 5.0


class AdapterLoad(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:@\-/]+$")
    path: str = Field(min_length=1, max_length=4000)


def sse(chunks: AsyncIterator[BaseModel]) -> StreamingResponse:
    """Server-Sent Events of OpenAI chunks, ending with ``data: [DONE]``; a late error becomes an error event."""

    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in chunks:
                yield f"data: {chunk.model_dump_json(exclude_none=True)}\n\n".encode()
        except AppError as exc:
            yield _event(openai_error_body(exc.status_code, exc.code, exc.message, exc.details))
        except Exception:
            log.exception("stream failed")
            yield _event(openai_error_body(500, "internal_error", "The stream failed; see the worker log."))
        yield b"data: [DONE]\n\n"

    return StreamingResponse(body(), media_type="text/event-stream", headers=SSE_HEADERS)


def _event(data: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(data)}\n\n".encode()


def create_worker_app(engine: Engine, *, auth: WorkerAuth, control_plane: ControlPlane | None = None) -> FastAPI:
    """The worker's HTTP app around a loaded ``engine``; ``auth`` guards everything but ``/health``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_register_and_beat(engine, control_plane, auth)) if control_plane else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            engine.close()

    app = FastAPI(title="LLMore worker", version=__version__, lifespan=lifespan,
                  description="OpenAI-compatible model worker of LLMore.")
    install_error_handlers(app)
    app.state.engine = engine

    @app.get("/health", summary="Liveness and load")
    def health() -> dict[str, Any]:
        return {**engine.health(), "models": [m.id for m in engine.models()]}

    guarded = APIRouter(dependencies=[Depends(auth)])

    @guarded.get("/v1/models", response_model=p.ModelList, summary="Models served here")
    def list_models() -> p.ModelList:
        return p.ModelList(data=engine.models())

    @guarded.post("/v1/chat/completions", response_model=p.ChatCompletionResponse, summary="Chat completion")
    async def chat(body: p.ChatCompletionRequest) -> Any:
        if body.stream:
            return sse(engine.chat_stream(body))
        return await engine.chat(body)

    @guarded.post("/v1/completions", response_model=p.CompletionResponse, summary="Text completion")
    async def completion(body: p.CompletionRequest) -> Any:
        if body.stream:
            return sse(engine.completion_stream(body))
        return await engine.completion(body)

    @guarded.post("/v1/embeddings", response_model=p.EmbeddingResponse, summary="Embeddings")
    async def embeddings(body: p.EmbeddingRequest) -> p.EmbeddingResponse:
        return await engine.embeddings(body)

    @guarded.post("/admin/adapters", response_model=p.ModelList, status_code=201, summary="Load a LoRA adapter")
    async def load_adapter(body: AdapterLoad) -> p.ModelList:
        await asyncio.to_thread(engine.load_adapter, body.name, body.path)
        return p.ModelList(data=engine.models())

    @guarded.delete("/admin/adapters/{name:path}", response_model=p.ModelList, summary="Unload a LoRA adapter")
    async def unload_adapter(name: str) -> p.ModelList:
        await asyncio.to_thread(engine.unload_adapter, name)
        return p.ModelList(data=engine.models())

    app.include_router(guarded)
    return app


def _registration(engine: Engine, plane: ControlPlane) -> dict[str, Any]:
    return {
        "name": plane.name,
        "url": plane.advertise_url,
        "engine": engine.kind,
        "models": [m.id for m in engine.models()],
        "heartbeat_seconds": plane.heartbeat_seconds,
        "info": {"host": socket.gethostname(), "version": __version__},
    }


async def _register_and_beat(engine: Engine, plane: ControlPlane, auth: WorkerAuth) -> None:
    """Register, then beat until cancelled; re-register whenever the control plane forgot this worker.

    Each registration answers a fresh gateway secret, which replaces the one accepted before.
    """
    headers = {"Authorization": f"Bearer {plane.api_key}"}
    worker_id: int | None = None
    async with httpx.AsyncClient(base_url=plane.url, headers=headers, timeout=10) as client:
        try:
            while True:
                try:
                    if worker_id is None:
                        response = await client.post("/api/workers/register", json=_registration(engine, plane))
                        response.raise_for_status()
                        registered = response.json()
                        auth.accept_gateway_secret(registered["gateway_secret"])
                        worker_id = int(registered["id"])
                        log.info("registered with %s as worker %s", plane.url, worker_id)
                    else:
                        health = engine.health()
                        response = await client.post(f"/api/workers/{worker_id}/heartbeat", json={
                            "models": [m.id for m in engine.models()],
                            "load": {"running": health.get("running", 0), "waiting": health.get("waiting", 0)},
                        })
                        if response.status_code == 404:
                            log.warning("the control plane dropped this worker; registering again")
                            worker_id = None
                            continue
                        response.raise_for_status()
                except httpx.HTTPError as exc:
                    log.warning("control plane %s unreachable or refusing: %s", plane.url, exc)
                await asyncio.sleep(plane.heartbeat_seconds)
        finally:
            if worker_id is not None:
                with contextlib.suppress(httpx.HTTPError):
                    await client.delete(f"/api/workers/{worker_id}")
