"""Choosing a worker replica and relaying a request to it (httpx, streaming passthrough).

Least-loaded: each candidate's load is what it reported in its last heartbeat (``running`` +
``waiting``) plus the requests this process has in flight to it right now, which reacts
between heartbeats. Ties go to a random replica so equal workers share the work. A replica that
refuses the connection is skipped and the next one tried; an answer of any status is relayed
as-is (a 400 from a worker is the caller's problem, not the replica's).
"""

from __future__ import annotations

import json
import logging
import random
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.responses import Response, StreamingResponse

from llmore.errors import AppError, openai_error_body
from llmore.serving import service as serving_service
from llmore.serving.models import Worker

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(connect=5.0, read=600.0, write=60.0, pool=30.0)
RETRYABLE = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError)


class NoReplicaAvailable(AppError):
    """Every worker serving the model failed to answer (503)."""

    status_code = 503
    code = "service_unavailable"


@dataclass(frozen=True)
class Replica:
    """What routing needs of a worker row, detached from the database session."""

    id: int
    url: str
    reported_load: float
    secret: str
    """The gateway secret this worker was issued at registration (sent as its Bearer credential)."""

    @classmethod
    def of(cls, worker: Worker, secret_key: str) -> Replica:
        load = worker.load or {}
        return cls(id=worker.id, url=worker.url.rstrip("/"), secret=serving_service.secret_for(worker, secret_key),
                   reported_load=float(load.get("running", 0)) + float(load.get("waiting", 0)))


class Relay:
    """One per app: a pooled HTTP client and the in-flight count per worker."""

    def __init__(self) -> None:
        self.client = httpx.AsyncClient(timeout=TIMEOUT)
        self.in_flight: Counter[int] = Counter()

    def order(self, replicas: list[Replica]) -> list[Replica]:
        """Least loaded first, random among equals."""
        shuffled = random.sample(replicas, len(replicas))
        return sorted(shuffled, key=lambda r: r.reported_load + self.in_flight[r.id])

    async def forward(self, replicas: list[Replica], path: str, body: dict[str, Any], *, stream: bool) -> Response:
        """POST ``body`` to the best replica, falling back to the next on connection failure."""
        failures = []
        for replica in self.order(replicas):
            self.in_flight[replica.id] += 1
            try:
                request = self.client.build_request("POST", replica.url + path, json=body,
                                                    headers={"Authorization": f"Bearer {replica.secret}"})
                response = await self.client.send(request, stream=True)
            except RETRYABLE as exc:
                self.in_flight[replica.id] -= 1
                log.warning("worker %s at %s unreachable (%s); trying the next replica", replica.id, replica.url, exc)
                failures.append(f"{replica.url}: {type(exc).__name__}")
                continue
            if stream and response.status_code == 200:
                return StreamingResponse(self._relay(response, replica), media_type="text/event-stream",
                                         headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
            try:
                content = await response.aread()
            finally:
                await response.aclose()
                self.in_flight[replica.id] -= 1
            return Response(content, response.status_code,
                            media_type=response.headers.get("content-type", "application/json"))
        raise NoReplicaAvailable(f"No worker serving this model answered ({'; '.join(failures)}); try again shortly.")

    async def _relay(self, response: httpx.Response, replica: Replica) -> AsyncIterator[bytes]:
        try:
            async for chunk in response.aiter_raw():
                yield chunk
        except httpx.HTTPError as exc:
            log.warning("stream from worker %s broke: %s", replica.id, exc)
            error = openai_error_body(502, "worker_failed", "The worker stopped in the middle of the stream.")
            yield f"data: {json.dumps(error)}\n\ndata: [DONE]\n\n".encode()
        finally:
            await response.aclose()
            self.in_flight[replica.id] -= 1

    async def close(self) -> None:
        await self.client.aclose()


def relay_of(app: FastAPI) -> Relay:
    """The app's :class:`Relay`, created on first use (the API server may never route anything)."""
    relay = getattr(app.state, "gateway_relay", None)
    if relay is None:
        relay = app.state.gateway_relay = Relay()
    return relay
