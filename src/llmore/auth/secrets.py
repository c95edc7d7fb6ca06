"""Password hashing (argon2) and random bearer secrets (stored as SHA-256).

Passwords are low-entropy and need a slow, salted hash: argon2id through argon2-cffi.
Session tokens and API keys are 256-bit random strings; a single SHA-256 is the standard way
to store such secrets (brute force is hopeless) and keeps every authenticated request fast.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

API_KEY_PREFIX = "llm-"
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def random_password() -> str:
    """A one-time password a person can type: 20 URL-safe characters."""
    return secrets.token_urlsafe(15)


def sha256_hex(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def new_api_key() -> tuple[str, str]:
    """A fresh API key and its displayable prefix (the first characters after ``llm-``)."""
    body = secrets.token_urlsafe(32)
    return f"{API_KEY_PREFIX}{body}", body[:8]
