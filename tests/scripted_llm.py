"""A real HTTP server on loopback that speaks the OpenAI chat-completions API (and Ollama's native /api/chat)
and replies from a script.

It is a fake only in what it says: each request takes the next scripted reply (text, an HTTP status,
garbage, or a delay), streamed as server-sent events when the client asks for a stream. Every request
body is kept so tests can check what reached the server.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    text: str = ""
    status: int = 200
    garbage: bool = False
    delay: float = 0.0


class ScriptedLLM:
    def __init__(self):
        self.script: list[Reply] = []
        self.default = Reply(text="")
        self.requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"{self.root}/v1"

    def start(self) -> "ScriptedLLM":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def say(self, *replies: Reply | str) -> None:
        self.script.extend(r if isinstance(r, Reply) else Reply(text=r) for r in replies)

    def _next(self) -> Reply:
        return self.script.pop(0) if self.script else self.default

    def _handler(self):
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                self._json(200, {"object": "list", "data": [{"id": "scripted", "object": "model"}]})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                owner.requests.append(body)
                reply = owner._next()
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status != 200:
                    self._json(reply.status, {"error": {"message": f"scripted {reply.status}", "type": "server"}})
                elif reply.garbage:
                    self._raw(200, "application/json", b"{not json at all")
                elif self.path.startswith("/api/chat"):
                    self._ollama(reply.text, stream=body.get("stream", True))
                elif body.get("stream"):
                    self._stream(reply.text)
                else:
                    self._json(200, _completion(reply.text))

            def _json(self, status: int, payload: dict) -> None:
                self._raw(status, "application/json", json.dumps(payload, ensure_ascii=False).encode())

            def _raw(self, status: int, kind: str, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, text: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                pieces = [text[i : i + 12] for i in range(0, len(text), 12)]
                for piece in pieces:
                    self._event({"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "scripted",
                                 "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
                self._event({"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "scripted",
                             "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

            def _ollama(self, text: str, stream: bool) -> None:
                done = {"model": "scripted", "created_at": "2026-01-01T00:00:00Z", "done": True,
                        "done_reason": "stop", "total_duration": 1, "load_duration": 1, "prompt_eval_count": 1,
                        "prompt_eval_duration": 1, "eval_count": 1, "eval_duration": 1}
                if not stream:
                    self._json(200, {**done, "message": {"role": "assistant", "content": text}})
                    return
                pieces = [text[i : i + 12] for i in range(0, len(text), 12)]
                lines = [{"model": "scripted", "created_at": "2026-01-01T00:00:00Z", "done": False,
                          "message": {"role": "assistant", "content": piece}} for piece in pieces]
                lines.append({**done, "message": {"role": "assistant", "content": ""}})
                data = b"".join(json.dumps(line, ensure_ascii=False).encode() + b"\n" for line in lines)
                self._raw(200, "application/x-ndjson", data)

            def _event(self, payload: dict) -> None:
                self.wfile.write(b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n")
                self.wfile.flush()

        return Handler


def _completion(text: str) -> dict:
    return {"id": "x", "object": "chat.completion", "created": 0, "model": "scripted",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
