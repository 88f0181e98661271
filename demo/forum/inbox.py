"""A local webhook that takes Veille's notifications and counts them by idempotency key.

What the crash test and the soak point a channel at (`json://127.0.0.1:PORT/hook`, the
JSON that apprise posts): every delivery is kept, with the alert ids its text names and
the key it carries, so a check can tell a repeat (same key, which a real receiver drops)
from a second notification of the same event (a new key).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from pipeline.alerts.notify import message_key

logger = logging.getLogger(__name__)

_ALERT_ID = re.compile(r"veille alerts show ([0-9a-f]{16})")


@dataclass(frozen=True)
class Delivery:
    """One message as it arrived."""

    at: datetime
    title: str
    body: str
    key: str | None
    alert_ids: tuple[str, ...]


class _Handler(BaseHTTPRequestHandler):
    server: _InboxServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            payload = json.loads(raw)
            body, title = str(payload.get("message", "")), str(payload.get("title", ""))
        except (ValueError, AttributeError):
            self.send_response(400)
            self.end_headers()
            return
        self.server.owner.record(title, body)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("inbox %s: " + format, self.address_string(), *args)


class _InboxServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], owner: NotificationInbox) -> None:
        self.owner = owner
        super().__init__(address, _Handler)


class NotificationInbox:
    """A webhook on 127.0.0.1 (free port) keeping every notification it is sent."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        self._httpd = _InboxServer((host, port), self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )

    @property
    def url(self) -> str:
        """The apprise URL of this webhook."""
        host, port = self._httpd.server_address[:2]
        return f"json://{host!s}:{port}/hook"

    def record(self, title: str, body: str) -> None:
        """Keep one delivery (called from request threads)."""
        delivery = Delivery(
            datetime.now(UTC), title, body, message_key(body), tuple(_ALERT_ID.findall(body))
        )
        with self._lock:
            self.deliveries.append(delivery)

    def keys_by_alert(self) -> dict[str, set[str | None]]:
        """Every alert id named in a delivery, with the keys it came under."""
        with self._lock:
            out: dict[str, set[str | None]] = {}
            for d in self.deliveries:
                for alert_id in d.alert_ids:
                    out.setdefault(alert_id, set()).add(d.key)
            return out

    def repeats(self) -> int:
        """Deliveries beyond the first of their key (what a receiver drops)."""
        with self._lock:
            counts = Counter(d.key for d in self.deliveries)
        return sum(n - 1 for n in counts.values())

    def __enter__(self) -> NotificationInbox:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
