"""Serve the demo forum over HTTP on loopback, in a background thread."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from demo.forum.models import Forum
from demo.forum.routes import Response, resolve

logger = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _Handler(BaseHTTPRequestHandler):
    """Answers GET and HEAD from the forum; everything else is 501 (the base class's)."""

    server: _ForumHTTPServer
    server_version = "VeilleDemoForum/1.0"

    def do_GET(self) -> None:
        """Serve a page (http.server dispatches on this name)."""
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        """Serve a page's headers only."""
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        owner = self.server.owner
        owner.record_hit(self.path)
        status = owner.faults.get(self.path)
        if status is not None:
            body = f"Erreur {status} (panne simulée)\n".encode()
            response = Response(status, body, "text/plain; charset=utf-8")
        else:
            response = resolve(owner.forum, self.path, owner.clock())
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        """Log a request at debug level."""
        # http.server writes every request to stderr; tests and demos want silence.
        logger.debug("demo forum %s: " + format, self.address_string(), *args)


class _ForumHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], owner: DemoForumServer) -> None:
        self.owner = owner
        super().__init__(address, _Handler)


class DemoForumServer:
    """The demo forum on http://host:port/; `port=0` picks a free port.

    `faults` maps a request target (path plus query, as sent) to a status served instead
    of the page, to exercise a crawler's error handling. `hits` counts requests per target.
    `clock` gives the "now" that relative dates are rendered against.
    """

    def __init__(
        self,
        forum: Forum,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: dict[str, int] | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.forum = forum
        self.host = host
        self.faults: dict[str, int] = dict(faults or {})
        self.clock = clock
        self.hits: Counter[str] = Counter()
        self._port = port
        self._lock = threading.Lock()
        self._httpd: _ForumHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port once started (the requested one before)."""
        return self._port

    @property
    def base_url(self) -> str:
        """Root URL without a trailing slash, e.g. "http://127.0.0.1:54321"."""
        return f"http://{self.host}:{self._port}"

    def record_hit(self, target: str) -> None:
        """Count one request for `target` (called from request threads)."""
        with self._lock:
            self.hits[target] += 1

    def start(self) -> None:
        """Bind and serve in a daemon thread; returns once the port is listening."""
        if self._httpd is not None:
            raise RuntimeError("demo forum server already started")
        self._httpd = _ForumHTTPServer((self.host, self._port), self)
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="demo-forum",
            daemon=True,
        )
        self._thread.start()
        logger.info("demo forum serving on %s/", self.base_url)

    def stop(self) -> None:
        """Stop serving and close the listening socket; safe to call twice."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None
        logger.info("demo forum on %s stopped", self.base_url)

    def __enter__(self) -> DemoForumServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
