"""A local HTTP server that answers as Elasticsearch 8 does, and records every request.

Elasticsearch itself cannot run here (its modules are not on Maven Central), so the
adapter's Elasticsearch path is tested through the real `elasticsearch` client against
this server: each test reads back the method, path, query, headers and body the client
sent and checks them against Elasticsearch's documented REST API. Answers have the
shapes of Elasticsearch's own (with its `X-Elastic-Product` header, without which the
client refuses the server); a test overrides one route with `server.answer(...)`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

ROOT = {
    "name": "es-test",
    "cluster_name": "veille",
    "cluster_uuid": "k9tQWJ4gQ3yq0x7nYy2F8w",
    "version": {
        "number": "8.19.0",
        "build_flavor": "default",
        "build_type": "docker",
        "lucene_version": "9.12.1",
        "minimum_wire_compatibility_version": "7.17.0",
        "minimum_index_compatibility_version": "7.0.0",
    },
    "tagline": "You Know, for Search",
}
MEDIA_TYPE = "application/vnd.elasticsearch+json;compatible-with=8"
JSON = "application/json; charset=UTF-8"


@dataclass
class Request:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as one JSON document."""
        return json.loads(self.body)

    def ndjson(self) -> list[Any]:
        """The body as NDJSON lines (each line one JSON document; the body ends with one)."""
        text = self.body.decode()
        assert text.endswith("\n"), "an NDJSON body ends with a newline"
        return [json.loads(line) for line in text.splitlines()]


Answer = Callable[[Request], tuple[int, Any]]


def _error(status: int, kind: str, reason: str) -> tuple[int, Any]:
    """An error body as Elasticsearch writes one."""
    cause = {"type": kind, "reason": reason}
    return status, {"error": {"root_cause": [cause], **cause}, "status": status}


@dataclass
class FakeElasticsearch:
    """The server's state: what was asked, what exists, the overridden answers."""

    requests: list[Request] = field(default_factory=list)
    indices: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)
    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)
    url: str = ""

    def answer(self, method: str, path: str, answer: Answer) -> None:
        """Answer `method path` with `answer(request) -> (status, body)` from now on."""
        self.answers[(method, path)] = answer

    def sent(self, method: str, path: str) -> list[Request]:
        """The requests received for `method path`."""
        return [r for r in self.requests if (r.method, r.path) == (method, path)]

    def respond(self, request: Request) -> tuple[int, Any]:
        """The answer Elasticsearch would give (for the calls Veille makes)."""
        override = self.answers.get((request.method, request.path))
        if override is not None:
            return override(request)
        parts = request.path.strip("/").split("/")
        if request.method in ("GET", "HEAD") and request.path == "/":
            return 200, ROOT
        if request.path == "/_cluster/health":
            return 200, {"cluster_name": "veille", "status": "green", "timed_out": False}
        if request.path == "/_bulk":
            return 200, self._bulk(request)
        if parts[0] == "_index_template":
            if request.method == "DELETE":
                return _error(404, "resource_not_found_exception", f"{parts[1]} not found")
            return 200, {"acknowledged": True}
        if request.method == "PUT" and len(parts) == 1:
            if parts[0] in self.indices:
                return _error(
                    400,
                    "resource_already_exists_exception",
                    f"index [{parts[0]}/abc] already exists",
                )
            self.indices.add(parts[0])
            return 200, {"acknowledged": True, "shards_acknowledged": True, "index": parts[0]}
        if request.method == "GET" and len(parts) == 3 and parts[1] == "_doc":
            return 404, {"_index": parts[0], "_id": parts[2], "found": False}
        if request.method == "DELETE":
            return 200, {"acknowledged": True}
        return _error(400, "illegal_argument_exception", f"no route {request.path}")

    def _bulk(self, request: Request) -> dict[str, Any]:
        lines = request.ndjson()
        items = []
        for action in lines[::2]:
            (op, meta), *_ = action.items()
            known = meta["_id"] in self.documents
            self.documents.add(meta["_id"])
            result, status = ("noop", 200) if known else ("created", 201)
            items.append({op: {"_index": meta["_index"], "_id": meta["_id"], "result": result,
                               "status": status}})  # fmt: skip
        return {"took": 3, "errors": False, "items": items}


def serve() -> Iterator[FakeElasticsearch]:
    """Run the server on 127.0.0.1 in a thread while the generator is suspended."""
    state = FakeElasticsearch()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                self.command,
                unquote(parts.path),
                dict(parse_qsl(parts.query, keep_blank_values=True)),
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length),
            )
            state.requests.append(request)
            status, body = state.respond(request)
            payload = json.dumps(body).encode()
            self.send_response(status)
            # As Elasticsearch: the compatible-with media type to a client that asked for it.
            asked = request.headers.get("accept", "")
            self.send_header("Content-Type", MEDIA_TYPE if "compatible-with" in asked else JSON)
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the test reads `state.requests`

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
