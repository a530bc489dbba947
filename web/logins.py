"""Login throttling: wrong passwords counted per account and per address, and lockouts.

`login_failures_per_account` wrong passwords for one username within the window lock that
username (the right password included) for `login_lockout_seconds`; `login_failures_per_address`
wrong passwords from one address, whatever the usernames, lock that address the same way. An
operator lifts either. A username that does not exist is counted like one that does, so a
lockout says nothing about which accounts exist.

Kept in this process's memory: each web process (the agents' app, the dashboard, every replica)
counts on its own, so an attacker who can reach N of them gets N times the budget, and a lift
reaches only the process it is sent to. The web has no shared store yet to keep them in.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_TRACKED = 100_000  # keys kept at most per kind; the oldest go first when full


@dataclass
class _Record:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


class _Counter:
    def __init__(self, limit: int, window: float, lockout: float, clock: Callable[[], float]):
        self.limit, self.window, self.lockout, self.clock = limit, window, lockout, clock
        self.records: dict[str, _Record] = {}

    def retry_after(self, key: str) -> float:
        record = self.records.get(key)
        if record is None:
            return 0.0
        return max(0.0, record.locked_until - self.clock())

    def fail(self, key: str) -> None:
        now = self.clock()
        record = self.records.pop(key, None) or _Record()
        self.records[key] = record  # most recently failed last, so pruning takes the oldest
        record.failures.append(now)
        while record.failures and record.failures[0] <= now - self.window:
            record.failures.popleft()
        if len(record.failures) >= self.limit:
            record.locked_until = now + self.lockout
            record.failures.clear()
        while len(self.records) > MAX_TRACKED:
            del self.records[next(iter(self.records))]

    def lift(self, key: str) -> bool:
        record = self.records.pop(key, None)
        return record is not None and record.locked_until > self.clock()

    def locked(self) -> dict[str, float]:
        now = self.clock()
        records = self.records.items()
        return {key: r.locked_until - now for key, r in records if r.locked_until > now}


class LoginThrottle:
    def __init__(
        self,
        per_account: int,
        per_address: int,
        window_seconds: float,
        lockout_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.accounts = _Counter(per_account, window_seconds, lockout_seconds, clock)
        self.addresses = _Counter(per_address, window_seconds, lockout_seconds, clock)

    def retry_after(self, username: str, address: str) -> int:
        """Whole seconds until this login may be tried, 0 when it may be tried now."""
        wait = max(self.accounts.retry_after(username), self.addresses.retry_after(address))
        return math.ceil(wait)

    def failed(self, username: str, address: str) -> None:
        self.accounts.fail(username)
        self.addresses.fail(address)

    def succeeded(self, username: str) -> None:
        self.accounts.records.pop(username, None)

    def lift_account(self, username: str) -> bool:
        return self.accounts.lift(username)

    def lift_address(self, address: str) -> bool:
        return self.addresses.lift(address)

    def lockouts(self) -> dict[str, dict[str, int]]:
        return {
            "accounts": {key: math.ceil(left) for key, left in self.accounts.locked().items()},
            "addresses": {key: math.ceil(left) for key, left in self.addresses.locked().items()},
        }
