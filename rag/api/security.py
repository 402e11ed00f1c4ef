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
from typing import Callable

from rag.lockout import Lockout
from rag.settings import Settings

API_PREFIXES = ("/v1", "/api", "/mcp")


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

    Wrong (not missing) keys from one client address lock it out as wrong passwords do (`rag.lockout`): it is
    then answered 429, right key or not.
    """

    def __init__(self, app, key: str, clock: Callable[[], float] = time.monotonic):
        self.app = app
        self.key = key.encode()
        self.lockout = Lockout(clock)

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not any(path == p or path.startswith(p + "/") for p in API_PREFIXES):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown",))[0]
        wait = self.lockout.wait(client)
        if wait > 0:
            await _json(send, 429, "too many wrong API keys; try again later", [(b"retry-after", str(int(wait) + 1).encode())])
            return
        sent = _bearer(scope)
        if hmac.compare_digest(sent, self.key):
            self.lockout.succeeded(client)
            await self.app(scope, receive, send)
            return
        if sent:  # a missing key is a client not set up yet, not a guess
            self.lockout.failed(client)
        await _json(send, 401, "missing or wrong API key: send 'Authorization: Bearer <RAG_API_KEY>'",
                    [(b"www-authenticate", b"Bearer")])


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
