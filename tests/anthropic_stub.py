"""A local stand-in for the Anthropic API, served over real HTTP from the test process.

The SDK under test is the real one, pointed at this server with ``base_url``; nothing reaches the
network. Responses have the API's shapes (Messages, errors, token counts, Message Batches and
their JSONL results) and are scripted per test: ``queue`` answers to ``POST /v1/messages`` in
order (or ``respond`` picks the answer from the request, for calls made concurrently), and the
batch routes follow ``batch_polls`` and ``batch_outcome``. A cancelled batch ends at its next retrieve, its
unanswered requests "canceled", as the API does. Every request is recorded.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

STUB_MODEL = "claude-haiku-4-5-20251001"
_ids = itertools.count(1)


@dataclass
class StubResponse:
    status: int = 200
    body: object = None  # JSON-encoded unless a str (sent as is)
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: object


def message_json(
    answer: object,
    *,
    input_tokens: int = 1200,
    output_tokens: int = 300,
    cache_creation_input_tokens: int = 0,
    cache_read_input_tokens: int = 0,
    service_tier: str = "standard",
    model: str = STUB_MODEL,
    stop_reason: str = "end_turn",
) -> dict[str, object]:
    """A Messages API response whose text block is ``answer`` (JSON-encoded unless a str)."""
    text = answer if isinstance(answer, str) else json.dumps(answer)
    return {
        "id": f"msg_stub{next(_ids):06d}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": cache_creation_input_tokens,
            "cache_read_input_tokens": cache_read_input_tokens,
            "cache_creation": {
                "ephemeral_5m_input_tokens": cache_creation_input_tokens,
                "ephemeral_1h_input_tokens": 0,
            },
            "service_tier": service_tier,
        },
    }


def ok(answer: object, **usage: Any) -> StubResponse:
    return StubResponse(200, message_json(answer, **usage))


def api_error(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> StubResponse:
    body = {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_stub"}
    return StubResponse(status, body, headers or {})


def overloaded() -> StubResponse:
    return api_error(529, "overloaded_error", "Overloaded")


def _count_tokens(body: Mapping[str, object]) -> int:
    return len(json.dumps(body)) // 4  # a stand-in: the stub has no tokenizer


# batch_outcome(custom_id, params) -> the "result" object of that request's JSONL line.
BatchOutcome = Callable[[str, Mapping[str, object]], dict[str, object]]


@dataclass
class _Batch:
    id: str
    requests: list[dict[str, object]]
    polls_left: int
    canceled: bool = False


class AnthropicStub:
    def __init__(self) -> None:
        self.queue: deque[StubResponse] = deque()
        # When set, answers POST /v1/messages from the request body instead of the queue.
        self.respond: Callable[[Mapping[str, object]], StubResponse] | None = None
        # POST /v1/messages/count_tokens answers this for the request body.
        self.count_tokens: Callable[[Mapping[str, object]], int] = _count_tokens
        self.requests: list[Recorded] = []
        self.batch_polls = 1  # retrieves that still say in_progress before the batch ends
        self.batch_outcome: BatchOutcome | None = None
        self._batches: dict[str, _Batch] = {}
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # keep test output clean
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                record = Recorded(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                with stub._lock:
                    stub.requests.append(record)
                reply = stub._route(record)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                payload = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                data = payload.encode()
                try:
                    self.send_response(reply.status)
                    content_type = "application/binary" if isinstance(reply.body, str) else "application/json"
                    self.send_header("content-type", content_type)
                    self.send_header("content-length", str(len(data)))
                    self.send_header("request-id", "req_stub")
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            do_GET = _handle
            do_POST = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ routing

    def _route(self, req: Recorded) -> StubResponse:
        path = req.path.split("?", 1)[0]
        if req.method == "POST" and path == "/v1/messages":
            if self.respond is not None:
                assert isinstance(req.body, dict)
                return self.respond(req.body)
            with self._lock:
                if self.queue:
                    return self.queue.popleft()
            return api_error(500, "api_error", "stub: no scripted response left")
        if req.method == "POST" and path == "/v1/messages/count_tokens":
            assert isinstance(req.body, dict)
            return StubResponse(200, {"input_tokens": self.count_tokens(req.body)})
        if req.method == "POST" and path == "/v1/messages/batches":
            assert isinstance(req.body, dict)
            requests = req.body["requests"]
            assert isinstance(requests, list)
            batch = _Batch(f"msgbatch_stub{next(_ids):06d}", requests, self.batch_polls)
            with self._lock:
                self._batches[batch.id] = batch
            return StubResponse(200, self._batch_json(batch, ended=False))
        parts = path.strip("/").split("/")
        if len(parts) >= 4 and parts[:3] == ["v1", "messages", "batches"] and parts[3] in self._batches:
            batch = self._batches[parts[3]]
            tail = parts[4:]
            if req.method == "GET" and not tail:
                with self._lock:
                    ended = batch.polls_left <= 0 or batch.canceled
                    batch.polls_left -= 1
                return StubResponse(200, self._batch_json(batch, ended=ended))
            if req.method == "POST" and tail == ["cancel"]:
                with self._lock:
                    batch.canceled = True
                return StubResponse(200, self._batch_json(batch, ended=False))
            if req.method == "GET" and tail == ["results"]:
                return StubResponse(200, "".join(json.dumps(line) + "\n" for line in self._results(batch)))
        return api_error(404, "not_found_error", f"stub: no route {req.method} {path}")

    def _results(self, batch: _Batch) -> list[dict[str, object]]:
        lines: list[dict[str, object]] = []
        for request in batch.requests:
            custom_id = str(request["custom_id"])
            params = request["params"]
            assert isinstance(params, dict)
            if batch.canceled:  # cancelled before it was processed
                result: dict[str, object] = {"type": "canceled"}
            else:
                assert self.batch_outcome is not None, "set stub.batch_outcome before a batch ends"
                result = self.batch_outcome(custom_id, params)
            lines.append({"custom_id": custom_id, "result": result})
        return lines

    def _batch_json(self, batch: _Batch, *, ended: bool) -> dict[str, object]:
        counts = {
            "processing": len(batch.requests),
            "succeeded": 0,
            "errored": 0,
            "canceled": 0,
            "expired": 0,
        }
        if ended:
            counts["processing"] = 0
            for line in self._results(batch):
                result = line["result"]
                assert isinstance(result, dict)
                counts[str(result["type"])] += 1
        status = "ended" if ended else ("canceling" if batch.canceled else "in_progress")
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": status,
            "request_counts": counts,
            "created_at": "2026-11-26T00:00:00Z",
            "expires_at": "2026-11-27T00:00:00Z",
            "ended_at": "2026-11-26T00:05:00Z" if ended else None,
            "archived_at": None,
            "cancel_initiated_at": "2026-11-26T00:01:00Z" if batch.canceled else None,
            "results_url": f"{self.url}/v1/messages/batches/{batch.id}/results" if ended else None,
        }

    # ------------------------------------------------------------------ test helpers

    def reset(self) -> None:
        """Forget scripted answers, recorded requests and batches (one server for many tests)."""
        with self._lock:
            self.queue.clear()
            self.requests.clear()
            self._batches.clear()
            self.batch_polls = 1
            self.batch_outcome = None
            self.respond = None
            self.count_tokens = _count_tokens

    def count(self, method: str, path: str) -> int:
        """Requests seen with this method whose path (without query) equals ``path``."""
        with self._lock:
            return sum(1 for r in self.requests if r.method == method and r.path.split("?", 1)[0] == path)

    def message_requests(self) -> list[Recorded]:
        with self._lock:
            return [
                r for r in self.requests if r.method == "POST" and r.path.split("?", 1)[0] == "/v1/messages"
            ]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> AnthropicStub:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
