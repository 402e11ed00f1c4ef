"""Locking out a client address that keeps guessing: the page's passwords and the APIs' keys alike.

After MAX_FAILURES failures from one address within WINDOW_S seconds, that address is refused for LOCKOUT_S
seconds, at once: a guesser is refused, never slowed by a sleeping server thread. Old failures and ended
lockouts are dropped as new ones come, so many addresses cannot fill memory.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Callable

MAX_FAILURES = 5
WINDOW_S = 60.0
LOCKOUT_S = 300.0


class Lockout:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.failures: dict[str, deque[float]] = {}
        self.locked_until: dict[str, float] = {}

    def wait(self, client: str) -> float:
        """Seconds the address is still refused (0 or less when it is not)."""
        return self.locked_until.get(client, 0.0) - self.clock()

    def succeeded(self, client: str) -> None:
        self.failures.pop(client, None)

    def failed(self, client: str) -> None:
        now = self.clock()
        for other, recent in list(self.failures.items()):
            while recent and recent[0] <= now - WINDOW_S:
                recent.popleft()
            if not recent:
                del self.failures[other]
        self.locked_until = {c: until for c, until in self.locked_until.items() if until > now}
        recent = self.failures.setdefault(client, deque())
        recent.append(now)
        if len(recent) >= MAX_FAILURES:
            self.locked_until[client] = now + LOCKOUT_S
            del self.failures[client]
