"""A scripted OpenAI-compatible chat server on 127.0.0.1 for tests.

Real HTTP (streaming SSE and plain JSON). Fake by necessity: no LLM can run
here; it replies what each test scripts, and records what it was sent.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    text: str = "好的。"
    status: int = 200
    delay: float = 0.0


@dataclass
class StubLLM:
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    default: Reply = field(default_factory=Reply)
    url: str = ""

    def next(self) -> Reply:
        return self.replies.pop(0) if self.replies else self.default


def _handler(stub: StubLLM):  # type: ignore[no-untyped-def]
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            stub.requests.append(body)
            reply = stub.next()
            if reply.delay:
                time.sleep(reply.delay)
            if reply.status != 200:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"error": {"message": "scripted failure"}}')
                return
            if body.get("stream"):
                self._stream(body, reply.text)
            else:
                self._plain(body, reply.text)

        def _plain(self, body: dict[str, Any], text: str) -> None:
            data = {"id": "stub", "object": "chat.completion", "created": 0, "model": body["model"],
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
            raw = json.dumps(data, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _stream(self, body: dict[str, Any], text: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            pieces = [text[i : i + 4] for i in range(0, len(text), 4)]
            for piece in pieces:
                chunk = {"id": "stub", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                         "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()
            end = {"id": "stub", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                   "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
            self.wfile.flush()

    return Handler


def start() -> tuple[StubLLM, ThreadingHTTPServer]:
    """Start the stub on a free loopback port; stop it with server.shutdown()."""
    stub = StubLLM()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    stub.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return stub, server
