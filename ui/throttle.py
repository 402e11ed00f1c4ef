"""Throttling of wrong passwords at the web chat's login (the rule is `rag.lockout`'s: after 5 wrong passwords
from one address within a minute, its login attempts are answered 429 for 5 minutes). Behind a reverse proxy
on the same host, uvicorn takes the client address from the proxy's X-Forwarded-For header.
"""

from __future__ import annotations

import json
import math
import time
from typing import Callable

from rag.lockout import Lockout


class LoginThrottle:
    """ASGI middleware in front of Gradio's POST /login, which answers 400 to a wrong login and 200 to a right one."""

    def __init__(self, app, message: str, clock: Callable[[], float] = time.monotonic):
        self.app = app
        self.message = message
        self.lockout = Lockout(clock)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].rstrip("/").endswith("/login"):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown",))[0]
        wait = self.lockout.wait(client)
        if wait > 0:
            await self._refuse(send, wait)
            return

        async def watched(message):
            if message["type"] == "http.response.start":
                self._record(client, message["status"])
            await send(message)

        await self.app(scope, receive, watched)

    def _record(self, client: str, status: int) -> None:
        if status == 200:
            self.lockout.succeeded(client)
        elif status == 400:
            self.lockout.failed(client)

    async def _refuse(self, send, wait: float) -> None:
        seconds = math.ceil(wait)
        body = json.dumps({"detail": self.message.format(seconds=seconds)}, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 429,
                    "headers": [(b"content-type", b"application/json"), (b"retry-after", str(seconds).encode()),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
