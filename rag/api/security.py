"""One access rule for every entry point of `rag serve`.

On loopback nothing is asked. Bound to any other address, the web page keeps its login (RAG_UI_USERNAME,
RAG_UI_PASSWORD) and every API (/v1, /api, /mcp) requires `Authorization: Bearer $RAG_API_KEY`; starting
exposed without a key is refused before anything slow happens.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import socket
import time
from collections import deque
from typing import Callable

from rag.settings import Settings

API_PREFIXES = ("/v1", "/api", "/mcp")
# The same numbers as the page's login throttle (ui/throttle.py): a key guesser is refused, never slowed.
MAX_FAILURES = 5
WINDOW_S = 60.0
LOCKOUT_S = 300.0


def is_loopback(host: str) -> bool:
    try:
        return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None))
    except (socket.gaierror, ValueError):
        return False


def api_key(settings: Settings, host: str) -> str | None:
    """The key the APIs require on `host`: None on loopback (unless one is set), else RAG_API_KEY or a refusal."""
    key = settings.api_key.get_secret_value() if settings.api_key else None
    if key is not None and not key.strip():
        raise RuntimeError("refusing to start: RAG_API_KEY is blank")
    if key is None and not is_loopback(host):
        raise RuntimeError(f"refusing to serve the APIs on {host} without a key: set RAG_API_KEY (clients send "
                           "'Authorization: Bearer <key>'), or keep the default 127.0.0.1")
    return key


class ApiKeyGuard:
    """ASGI middleware: requests under API_PREFIXES without the right bearer key get 401 and reach nothing.

    After MAX_FAILURES wrong (not missing) keys from one client address within WINDOW_S seconds, that address is answered
    429 for LOCKOUT_S seconds, right key or not.
    """

    def __init__(self, app, key: str, clock: Callable[[], float] = time.monotonic):
        self.app = app
        self.key = key.encode()
        self.clock = clock
        self.failures: dict[str, deque[float]] = {}
        self.locked_until: dict[str, float] = {}

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not any(path == p or path.startswith(p + "/") for p in API_PREFIXES):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown",))[0]
        now = self.clock()
        wait = self.locked_until.get(client, 0.0) - now
        if wait > 0:
            await _json(send, 429, "too many wrong API keys; try again later", [(b"retry-after", str(int(wait) + 1).encode())])
            return
        sent = _bearer(scope)
        if hmac.compare_digest(sent, self.key):
            self.failures.pop(client, None)
            await self.app(scope, receive, send)
            return
        if sent:  # a missing key is a client not set up yet, not a guess
            self._fail(client, now)
        await _json(send, 401, "missing or wrong API key: send 'Authorization: Bearer <RAG_API_KEY>'",
                    [(b"www-authenticate", b"Bearer")])

    def _fail(self, client: str, now: float) -> None:
        for other, recent in list(self.failures.items()):
            while recent and recent[0] <= now - WINDOW_S:
                recent.popleft()
            if not recent:
                del self.failures[other]
        self.locked_until = {c: t for c, t in self.locked_until.items() if t > now}
        recent = self.failures.setdefault(client, deque())
        recent.append(now)
        if len(recent) >= MAX_FAILURES:
            self.locked_until[client] = now + LOCKOUT_S
            del self.failures[client]


def _bearer(scope) -> bytes:
    for name, value in scope.get("headers", []):
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return value[7:].strip()
    return b""


async def _json(send, status: int, message: str, headers: list[tuple[bytes, bytes]]) -> None:
    """An error shaped as OpenAI's, which the REST and MCP clients read as well as any JSON."""
    body = json.dumps({"error": {"message": message, "type": "authentication_error" if status == 401 else
                                 "rate_limit_error", "code": status}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})
