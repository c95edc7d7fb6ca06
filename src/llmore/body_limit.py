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
    """Reject bodies over ``max_bytes`` (``upload_max_bytes`` for file uploads) before a handler sees them.

    Uploads are ``PUT`` requests whose path ends with ``upload_suffix``, and ``POST`` requests to one
    of ``upload_posts`` (multipart uploads such as ``/v1/files``); their handlers stream the body to
    disk, so they may be far larger than a JSON body.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, upload_max_bytes: int, upload_suffix: str = "/upload",
                 upload_posts: frozenset[str] = frozenset()):
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes
        self.upload_suffix = upload_suffix
        self.upload_posts = upload_posts

    def _limit(self, scope: Scope) -> int:
        is_upload = (scope["method"] == "PUT" and scope["path"].endswith(self.upload_suffix)) or (
            scope["method"] == "POST" and scope["path"] in self.upload_posts)
        return self.upload_max_bytes if is_upload else self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
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
            await self._refuse(send, limit)

    async def _refuse(self, send: Send, limit: int) -> None:
        body = json.dumps(
            error_body(
                "payload_too_large",
                f"The request body exceeds {limit} bytes; send less, or ask an admin to raise "
                "LLMORE_MAX_REQUEST_BYTES (LLMORE_MAX_UPLOAD_BYTES for uploads).",
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
