"""Throttling of wrong passwords at the web chat's login.

After MAX_FAILURES wrong passwords from one client address within WINDOW_S seconds, that address's login
attempts are answered 429 for LOCKOUT_S seconds, at once: a guesser is refused, never slowed by a sleeping
server thread. Behind a reverse proxy on the same host, uvicorn takes the client address from the proxy's
X-Forwarded-For header.
"""

from __future__ import annotations

import json
import math
import time
from collections import deque
from typing import Callable

MAX_FAILURES = 5
WINDOW_S = 60.0
LOCKOUT_S = 300.0


class LoginThrottle:
    """ASGI middleware in front of Gradio's POST /login, which answers 400 to a wrong login and 200 to a right one."""

    def __init__(self, app, message: str, clock: Callable[[], float] = time.monotonic):
        self.app = app
        self.message = message
        self.clock = clock
        self.failures: dict[str, deque[float]] = {}
        self.locked_until: dict[str, float] = {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].rstrip("/").endswith("/login"):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown",))[0]
        wait = self.locked_until.get(client, 0.0) - self.clock()
        if wait > 0:
            await self._refuse(send, wait)
            return

        async def watched(message):
            if message["type"] == "http.response.start":
                self._record(client, message["status"])
            await send(message)

        await self.app(scope, receive, watched)

    def _record(self, client: str, status: int) -> None:
        now = self.clock()
        if status == 200:
            self.failures.pop(client, None)
            return
        if status != 400:
            return
        self._forget_before(now)
        recent = self.failures.setdefault(client, deque())
        recent.append(now)
        if len(recent) >= MAX_FAILURES:
            self.locked_until[client] = now + LOCKOUT_S
            del self.failures[client]

    def _forget_before(self, now: float) -> None:
        """Drops failures older than the window and ended lockouts, so many addresses cannot fill memory."""
        for client, recent in list(self.failures.items()):
            while recent and recent[0] <= now - WINDOW_S:
                recent.popleft()
            if not recent:
                del self.failures[client]
        for client, until in list(self.locked_until.items()):
            if until <= now:
                del self.locked_until[client]

    async def _refuse(self, send, wait: float) -> None:
        seconds = math.ceil(wait)
        body = json.dumps({"detail": self.message.format(seconds=seconds)}, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 429,
                    "headers": [(b"content-type", b"application/json"), (b"retry-after", str(seconds).encode()),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
