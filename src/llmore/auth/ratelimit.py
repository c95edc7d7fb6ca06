"""Login throttling against password guessing, on the `limits` library.

Failures are counted per username and per client address in a moving window; the storage URL
(``memory://`` by default, ``redis://`` for several API replicas) comes from the settings.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, RateLimitItemPerSecond, storage, strategies

from llmore.errors import TooManyRequests

CLIENT_BUDGET_FACTOR = 4


class LoginThrottle:
    """Counts failed logins and refuses further attempts once a key exceeds the limit."""

    def __init__(self, storage_url: str, attempts: int, window_seconds: int):
        self._limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_url))
        # One address may try several accounts (people share NATs), so it gets a larger budget.
        self._per_user = RateLimitItemPerSecond(attempts, window_seconds)
        self._per_client = RateLimitItemPerSecond(attempts * CLIENT_BUDGET_FACTOR, window_seconds)

    def _limits(self, username: str, client: str) -> tuple[tuple[RateLimitItem, str], ...]:
        return ((self._per_user, f"login:user:{username.lower()}"), (self._per_client, f"login:client:{client}"))

    def check(self, username: str, client: str) -> None:
        """Raise 429 when this username or client used up its failures."""
        for item, key in self._limits(username, client):
            if not self._limiter.test(item, key):
                reset_at, _ = self._limiter.get_window_stats(item, key)
                wait = max(1, math.ceil(reset_at - time.time()))
                raise TooManyRequests(f"Too many failed sign-ins; try again in {wait} seconds.", retry_after=wait)

    def record_failure(self, username: str, client: str) -> None:
        for item, key in self._limits(username, client):
            self._limiter.hit(item, key)

    def reset(self, username: str) -> None:
        """Forget a username's failures after a successful sign-in."""
        item, key = self._limits(username, "")[0]
        self._limiter.clear(item, key)
