"""An HTTP relay that lets Elasticsearch's client talk to the live OpenSearch node.

Elasticsearch cannot run here, but the request bodies Veille sends are the same on both
products; what stops Elasticsearch's client on OpenSearch is only its media types
(`application/vnd.elasticsearch+json; compatible-with=8`, which OpenSearch answers with
406) and its product check (the `X-Elastic-Product` response header). This relay changes
exactly those two headers and nothing else, so the store's contract suites can run
through the adapter's Elasticsearch path (`storage.search.elastic`) against a real node:
a test of the adapter's translation of every store call, not of Elasticsearch itself.
"""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

_COMPATIBLE = re.compile(r"application/vnd\.elasticsearch\+([\w-]+);\s*compatible-with=\d+")
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


def plain_media_type(value: str) -> str:
    """`application/vnd.elasticsearch+json; compatible-with=8` as `application/json`."""
    return _COMPATIBLE.sub(r"application/\1", value)


def relay(target: str) -> Iterator[str]:
    """Relay 127.0.0.1:<port> to `target` while the generator is suspended; yields its URL."""
    parts = urlsplit(target)
    host, port = parts.hostname or "127.0.0.1", parts.port or 9200
    local = threading.local()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def handle(self) -> None:
            # One connection to the node per client connection, closed with it.
            try:
                super().handle()
            finally:
                connection = getattr(local, "connection", None)
                if connection is not None:
                    connection.close()
                    local.connection = None

        def _connection(self) -> http.client.HTTPConnection:
            if getattr(local, "connection", None) is None:
                local.connection = http.client.HTTPConnection(host, port, timeout=120)
            connection: http.client.HTTPConnection = local.connection
            return connection

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {
                k: plain_media_type(v)
                for k, v in self.headers.items()
                if k.lower() not in _HOP_BY_HOP
            }
            connection = self._connection()
            try:
                connection.request(self.command, self.path, body or None, headers)
                response = connection.getresponse()
            except (OSError, http.client.HTTPException):
                connection.close()  # a stale keep-alive connection: one fresh try
                connection.request(self.command, self.path, body or None, headers)
                response = connection.getresponse()
            payload = response.read()
            self.send_response(response.status)
            for key, value in response.getheaders():
                if key.lower() not in _HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
