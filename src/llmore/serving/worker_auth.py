"""Who may call a model worker: holders of its own key, and the gateway with the secret it was issued.

A worker listening on the network must not be an open door to the model. Two credentials open it,
both sent as ``Authorization: Bearer …``:

* the worker's own key (``llmore worker --worker-key``, env ``LLMORE_WORKER_KEY``; when none is
  given the worker makes one up and prints it once), for callers that talk to the worker directly;
* the *gateway secret* the control plane issues when the worker registers. The control plane
  does not store it: it derives it on demand (:func:`gateway_secret`, an HMAC of the worker's id
  and a per-registration nonce under the platform's secret key), so a copy of the database does
  not open any worker, and every registration rotates it.

The worker keeps only SHA-256 digests of both and compares them in constant time. ``--no-auth``
turns the check off for a worker that only trusted callers can reach.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

from llmore.errors import Unauthenticated

WORKER_KEY_PREFIX = "wk-"


def new_worker_key() -> str:
    """A fresh random worker key."""
    return WORKER_KEY_PREFIX + secrets.token_urlsafe(32)


def new_nonce() -> str:
    """A per-registration value mixed into the gateway secret (not a secret itself)."""
    return secrets.token_urlsafe(16)


def gateway_secret(secret_key: str, worker_id: int, nonce: str) -> str:
    """The secret the gateway presents to worker ``worker_id`` registered with ``nonce``."""
    message = f"llmore-worker:{worker_id}:{nonce}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def _digest(credential: str) -> bytes:
    return hashlib.sha256(credential.encode()).digest()


class WorkerAuth:
    """The credentials a worker accepts; used as a FastAPI dependency on its ``/v1`` and ``/admin`` routes."""

    def __init__(self, worker_key: str | None, *, required: bool = True):
        self.required = required
        self._key = _digest(worker_key) if worker_key else None
        self._gateway: bytes | None = None

    def accept_gateway_secret(self, secret: str) -> None:
        """Accept ``secret`` from now on, in place of the one from an earlier registration."""
        self._gateway = _digest(secret)

    def allows(self, credential: str | None) -> bool:
        """Whether ``credential`` is the worker key or the current gateway secret."""
        if not self.required:
            return True
        if not credential:
            return False
        given = _digest(credential)
        # Compare against both, always, so timing does not tell which one matched.
        matches = [hmac.compare_digest(given, known) for known in (self._key, self._gateway) if known is not None]
        return any(matches)

    def __call__(self, request: Request) -> None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        credential = value.strip() if scheme.lower() == "bearer" else None
        if not self.allows(credential):
            raise Unauthenticated(
                "This worker needs Authorization: Bearer <key>: the worker key it printed at start "
                "(--worker-key, env LLMORE_WORKER_KEY), or call it through the platform's /v1 gateway "
                "with an API key.", code="invalid_api_key")
