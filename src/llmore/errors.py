"""The one error shape of the API and the exceptions services raise to produce it.

Every failure answers ``{"error": {"code", "message", "details"}}``. ``details`` is a list of
``{"field": ..., "message": ..., "line": ...}`` items pointing at what was wrong.

The OpenAI-compatible API under ``/v1/`` answers OpenAI's shape instead,
``{"error": {"message", "type", "param", "code"}}``, because OpenAI SDKs parse that one
(:func:`openai_error_body`); its validation errors are 400s there, as OpenAI answers them.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class AppError(Exception):
    """An error a user can act on; services raise it, the API renders it."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []
        if code:
            self.code = code


class NotFound(AppError):
    """The addressed object does not exist (or is deleted)."""

    status_code = 404
    code = "not_found"


class Conflict(AppError):
    """The request clashes with the stored state (duplicate name, stale version, wrong state)."""

    status_code = 409
    code = "conflict"


class StaleVersion(Conflict):
    """The client edited an older version of the row than the one stored."""

    code = "stale_version"


class Unauthenticated(AppError):
    """No valid credentials were presented."""

    status_code = 401
    code = "unauthenticated"


class Forbidden(AppError):
    """The caller is known but lacks the permission."""

    status_code = 403
    code = "forbidden"


class TooManyRequests(AppError):
    """A rate limit was hit; ``retry_after`` says when to try again."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The JSON body of an error response."""
    return {"error": {"code": code, "message": message, "details": details or []}}


OPENAI_PREFIX = "/v1/"
_OPENAI_TYPES = {401: "authentication_error", 403: "permission_error", 404: "invalid_request_error",
                 429: "rate_limit_error"}


def openai_error_body(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """An error in OpenAI's shape; ``param`` is the first detail's field without its ``body.`` prefix."""
    field = next((d.get("field") for d in details or [] if d.get("field")), None)
    param = str(field).removeprefix("body.") if field else None
    kind = _OPENAI_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def _error_response(request: Request, status: int, code: str, message: str,
                    details: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    """The error in the shape the path's clients expect (OpenAI's under ``/v1/``)."""
    if request.url.path.startswith(OPENAI_PREFIX):
        return JSONResponse(openai_error_body(status, code, message, details), status, headers=headers)
    return JSONResponse(error_body(code, message, details), status, headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic errors as the API's detail items."""
    return [
        {"field": _field_path(err.get("loc", ())), "message": err.get("msg", ""), "type": err.get("type")}
        for err in errors
    ]


def _json_syntax_detail(request_body: bytes | None, err: dict[str, Any]) -> dict[str, Any]:
    """Line and column of a JSON syntax error, re-parsed with the stdlib for exact positions."""
    detail: dict[str, Any] = {"field": "body", "message": err.get("msg", "invalid JSON")}
    if request_body:
        try:
            json.loads(request_body)
        except json.JSONDecodeError as exc:
            detail.update(message=exc.msg, line=exc.lineno, column=exc.colno)
        except UnicodeDecodeError:
            detail.update(message="body is not UTF-8 text")
    return detail


def install_error_handlers(app: FastAPI) -> None:
    """Render every exception in the one error shape; nothing leaks as a bare 500."""

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        return _error_response(request, exc.status_code, exc.code, exc.message, exc.details, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        syntax = [e for e in errors if e.get("type") == "json_invalid"]
        if syntax:
            body = getattr(exc, "body", None)
            raw = body if isinstance(body, bytes) else await request.body()
            return _error_response(
                request, 400, "malformed_json", "The request body is not valid JSON.",
                [_json_syntax_detail(raw, syntax[0])],
            )
        details = validation_details(errors)
        if request.url.path.startswith(OPENAI_PREFIX):
            problems = "; ".join(f"{str(d['field']).removeprefix('body.')}: {d['message']}" for d in details)
            return _error_response(request, 400, "invalid_request", f"Invalid request: {problems}.", details)
        return JSONResponse(
            error_body("validation_error", "Some fields are missing or invalid; see details.", details), 422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {
            404: "not_found",
            405: "method_not_allowed",
            401: "unauthenticated",
            403: "forbidden",
        }.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        if exc.status_code == 404 and message == "Not Found":
            message = f"No route {request.method} {request.url.path}; see /docs for the API."
        return _error_response(request, exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> JSONResponse:
        return JSONResponse(
            error_body("stale_version", "Someone else changed this item meanwhile; reload it and try again."), 409
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        incident = uuid.uuid4().hex[:12]
        log.exception("unhandled error (incident %s) on %s %s", incident, request.method, request.url.path)
        return _error_response(
            request, 500, "internal_error", f"An unexpected error occurred; the server log has incident {incident}."
        )
