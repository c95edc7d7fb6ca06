"""ASGI middleware refusing request bodies above the configured size with a 413 in the API's error shape.

Starlette's own ``RequestBodyLimitMiddleware`` answers plain text, which breaks the promise
that every failure has the ``{"error": ...}`` shape; this one checks ``Content-Length`` up
front and also counts streamed (chunked) bodies, so omitting the header does not bypass it.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from llmore.errors import error_body


class BodySizeLimit:
    """Reject bodies over ``max_bytes`` before a handler sees them."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if response_started:
                raise
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            error_body(
                "payload_too_large",
                f"The request body exceeds {self.max_bytes} bytes; send less, or ask an admin to raise "
                "LLMORE_MAX_REQUEST_BYTES.",
            )
        ).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(BaseException):
    """Raised inside the app's ``receive`` once the streamed body passes the limit.

    A BaseException so that body parsers catching ``Exception`` (FastAPI answers those with 400)
    let it through to this middleware.
    """
