"""Signed webhooks to a receiver on 127.0.0.1 that verifies them and refuses replays."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from configuration.crm import WebhookConfig
from pipeline.crm.context import CrmContext
from pipeline.crm.stage import sync
from pipeline.crm.webhooks import deliver, deliver_all
from storage.sqlite import SQLiteStore
from tests.pipeline.crm.conftest import NOW, seed

OLD_SECRET = "whsec_" + base64.b64encode(b"old-secret-0123456789abcdef").decode()
NEW_SECRET = "whsec_" + base64.b64encode(b"new-secret-0123456789abcdef").decode()


class Receiver(ThreadingHTTPServer):
    """A CRM's endpoint: verifies with the new secret only, deduplicates by webhook-id."""

    def __init__(self, fail_first: int = 0) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.verifier = Webhook(NEW_SECRET)
        self.fail_first = fail_first
        self.accepted: dict[str, dict] = {}
        self.requests: list[tuple[bytes, dict[str, str]]] = []
        self.refused: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.server.requests.append((body, headers))
        if self.server.fail_first > 0:
            self.server.fail_first -= 1
            self.send_response(503)
            self.end_headers()
            return
        try:
            payload = self.server.verifier.verify(body, headers)
        except WebhookVerificationError as exc:
            self.server.refused.append(str(exc))
            self.send_response(400)
            self.end_headers()
            return
        self.server.accepted.setdefault(headers["webhook-id"], payload)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(fail_first=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_webhooks_are_signed_retried_and_replays_refused(
    ctx: CrmContext, store: SQLiteStore, receiver: Receiver
) -> None:
    seed(store)
    sync(ctx, store, now=NOW, deliver=False)
    hook = WebhookConfig(
        id="crm", url=receiver.url, secrets_env="HOOK_SECRETS", backoff_seconds=0.5
    )
    # Rotation: the sender signs with the old and the new secret; the receiver knows the new.
    ctx.environ["HOOK_SECRETS"] = f"{OLD_SECRET} {NEW_SECRET}"
    waits: list[float] = []
    sent = deliver(ctx, hook, sleep=waits.append)
    feed = ctx.db.feed_after(0)
    assert sent == len(feed) > 0
    assert waits == [0.5, 1.0]  # two 503s, exponential back-off
    assert list(receiver.accepted) == [e["event_id"] for e in feed]
    first = receiver.accepted[feed[0]["event_id"]]
    assert first["type"] == feed[0]["type"] and first["cursor"] == feed[0]["seq"]
    assert len(receiver.requests[-1][1]["webhook-signature"].split(" ")) == 2
    # Nothing new: a second delivery, through the sink registry, sends nothing (the
    # endpoint's cursor is stored).
    ctx.crm.webhooks = [hook]
    assert deliver_all(ctx) == {"webhook:crm": 0}
    body, headers = receiver.requests[-1]
    # A body changed in transit does not verify.
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(NEW_SECRET).verify(body.replace(b"lumio", b"azur"), headers)


def test_a_replay_older_than_five_minutes_is_refused_by_the_receiver(receiver: Receiver) -> None:
    """A captured message sent again 6 minutes later carries its 6-minute-old timestamp."""
    import urllib.error
    import urllib.request

    from pipeline.crm.webhooks import sign

    receiver.fail_first = 0
    body = json.dumps({"type": "signals_updated"})
    headers = sign([NEW_SECRET], "evt_replayed", datetime.now(UTC) - timedelta(minutes=6), body)
    request = urllib.request.Request(
        receiver.url, data=body.encode(), method="POST", headers=headers
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=5)
    assert err.value.code == 400
    err.value.close()
    assert receiver.refused == ["Message timestamp too old"]
