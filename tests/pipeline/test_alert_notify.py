"""Notifications through apprise to a local SMTP server (aiosmtpd) and a local webhook
receiver (http.server), both on 127.0.0.1 with ports the OS chooses."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from configuration.alerts import AlertsFile
from configuration.loader import VeilleConfig
from pipeline.alerts import lifecycle
from pipeline.alerts.notify import dispatch
from pipeline.alerts.stage import AlertsStage
from pipeline.runner import evaluate_alerts, send_notifications
from records import BrandMatch, Mention, RawPost, Sentiment
from storage.sqlite import SQLiteStore

NOW = datetime(2026, 11, 24, 10, 5, tzinfo=UTC)


class _FreePortController(Controller):
    def _trigger_server(self) -> None:
        # Port 0: the OS chose the port; read it before the readiness check connects.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    inbox = _Inbox()
    controller = _FreePortController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    yield inbox, controller.port
    controller.stop()


class _Hook(ThreadingHTTPServer):
    status = 200
    received: list[dict[str, Any]]


class _HookHandler(BaseHTTPRequestHandler):
    server: _Hook

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.server.status == 200:
            self.server.received.append(json.loads(body))
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[_Hook]:
    server = _Hook(("127.0.0.1", 0), _HookHandler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def crisis(n: int, brand: str = "lumio") -> Mention:
    post = RawPost(
        source_id="demo-forum",
        kind="forum",
        external_id=f"n{n}",
        url=f"http://f.test/{n}",
        body_text="Arnaque totale, je porte plainte",
        published_at=NOW - timedelta(minutes=n + 1),
    )
    return Mention(
        post=post,
        lang="fr",
        brands=[BrandMatch(brand, brand, 0, 1)],
        sentiment=Sentiment("negative", 0.9, "test"),
    )


def with_channels(config: VeilleConfig, *channels: dict[str, Any], **extra: Any) -> VeilleConfig:
    data = {
        "rules": [{"id": "crisis", "terms": ["arnaque", "plainte"]}],
        "notifications": {"channels": list(channels), **extra},
    }
    parsed = AlertsFile.model_validate(data)
    return config.model_copy(update={"rules": parsed.rules, "alerts": parsed})


def raise_alerts(config: VeilleConfig, store: SQLiteStore, brands: list[str], at: datetime) -> None:
    batch = [crisis(i, b) for i, b in enumerate(brands)]
    store.upsert_mentions(batch)
    AlertsStage(config, store, now=at)(batch)


def test_email_and_webhook_delivery(
    config: VeilleConfig,
    store: SQLiteStore,
    smtp: tuple[_Inbox, int],
    hook: _Hook,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox, port = smtp
    monkeypatch.setenv(
        "VEILLE_TEST_SMTP_URL",
        f"mailto://127.0.0.1:{port}?from=veille@example.org&to=cm@example.org",
    )
    monkeypatch.setenv("VEILLE_TEST_HOOK_URL", f"json://127.0.0.1:{hook.server_port}/hook")
    cfg = with_channels(
        config,
        {"id": "mail", "url_env": "VEILLE_TEST_SMTP_URL"},
        {"id": "hook", "url_env": "VEILLE_TEST_HOOK_URL", "brands": ["lumio"]},
    )
    raise_alerts(cfg, store, ["lumio", "azur"], NOW)
    report = dispatch(cfg, store, now=NOW)
    assert report.sent == 3 and report.failed == 0
    subjects = sorted(str(m["Subject"]) for m in inbox.messages)
    assert len(subjects) == 2 and all("Alerte high" in s for s in subjects)
    text = inbox.messages[0].get_payload()[0].get_payload(decode=True).decode()
    assert "vocabulaire de crise" in text and "veille alerts show" in text
    (posted,) = hook.received
    assert "Lumio" in posted["message"] and posted["title"].startswith("[Veille]")
    lumio = next(a for a in store.list_alerts() if a.brand_id == "lumio")
    sent = [e for e in lumio.history if e.kind == "notification"]
    assert sorted(e.by for e in sent) == ["channel:hook", "channel:mail"]
    # Nothing is sent twice.
    assert dispatch(cfg, store, now=NOW + timedelta(minutes=1)).messages == 0


def test_failed_webhook_is_retried_and_logged(
    config: VeilleConfig, store: SQLiteStore, hook: _Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VEILLE_TEST_HOOK_URL", f"json://127.0.0.1:{hook.server_port}/hook")
    cfg = with_channels(
        config, {"id": "hook", "url_env": "VEILLE_TEST_HOOK_URL"}, max_attempts=3, retry_minutes=2
    )
    raise_alerts(cfg, store, ["lumio"], NOW)
    hook.status = 500
    first = dispatch(cfg, store, now=NOW)
    assert first.failed == 1 and first.sent == 0 and "hook" in first.errors[0]
    (item,) = store.notifications()
    assert item.status == "pending" and item.attempts == 1
    assert item.next_attempt_at == NOW + timedelta(minutes=2)
    # Not due yet: no attempt.
    assert dispatch(cfg, store, now=NOW + timedelta(minutes=1)).failed == 0
    hook.status = 200
    second = dispatch(cfg, store, now=NOW + timedelta(minutes=2))
    assert second.sent == 1 and len(hook.received) == 1
    (alert,) = store.list_alerts()
    kinds = [e.kind for e in alert.history]
    assert kinds == ["created", "notification_failed", "notification"]


def test_missing_secret_and_dead_server_never_block(
    config: VeilleConfig, store: SQLiteStore, hook: _Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The URL's variable is not set for "nowhere"; "dead" points at a closed port.
    monkeypatch.delenv("VEILLE_TEST_UNSET", raising=False)
    dead_port = hook.server_port
    hook.shutdown()
    hook.server_close()
    monkeypatch.setenv("VEILLE_TEST_DEAD", f"json://127.0.0.1:{dead_port}/hook")
    cfg = with_channels(
        config,
        {"id": "nowhere", "url_env": "VEILLE_TEST_UNSET"},
        {"id": "dead", "url_env": "VEILLE_TEST_DEAD"},
        max_attempts=2,
        retry_minutes=1,
    )
    store.upsert_mentions([crisis(1)])
    report = evaluate_alerts(cfg, store, now=NOW)
    assert len(report.alerts_touched) == 1
    first = send_notifications(cfg, store, now=NOW)
    assert first.failed == 2
    assert any("VEILLE_TEST_UNSET is not set" in e for e in first.errors)
    last = send_notifications(cfg, store, now=NOW + timedelta(minutes=5))
    assert last.given_up == 2
    assert {i.status for i in store.notifications()} == {"failed"}


def test_rate_limit_folds_alerts_into_one_message(
    config: VeilleConfig, store: SQLiteStore, hook: _Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VEILLE_TEST_HOOK_URL", f"json://127.0.0.1:{hook.server_port}/hook")
    cfg = with_channels(
        config, {"id": "hook", "url_env": "VEILLE_TEST_HOOK_URL", "max_per_hour": 2}
    )
    raise_alerts(cfg, store, ["lumio", "azur"], NOW)
    assert dispatch(cfg, store, now=NOW).messages == 2  # within the limit: one each
    raise_alerts(cfg, store, ["telvia"], NOW + timedelta(minutes=10))
    held = dispatch(cfg, store, now=NOW + timedelta(minutes=10))
    assert held.messages == 0 and held.waiting == 1
    # A flood once the hour has passed: everything waiting goes out in one message.
    for alert in store.list_alerts():
        lifecycle.resolve(store, alert.id, "cm", now=NOW + timedelta(minutes=20))
    later = NOW + timedelta(hours=8)
    raise_alerts(cfg, store, ["lumio", "azur"], later)
    flood = dispatch(cfg, store, now=later)
    assert flood.messages == 1 and flood.sent == 3
    assert hook.received[-1]["title"] == "[Veille] 3 alertes"


def test_hourly_digest(
    config: VeilleConfig, store: SQLiteStore, hook: _Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VEILLE_TEST_HOOK_URL", f"json://127.0.0.1:{hook.server_port}/hook")
    cfg = with_channels(
        config, {"id": "hook", "url_env": "VEILLE_TEST_HOOK_URL", "digest": "hourly"}
    )
    raise_alerts(cfg, store, ["lumio"], NOW)
    raise_alerts(cfg, store, ["azur"], NOW + timedelta(minutes=30))
    assert dispatch(cfg, store, now=NOW + timedelta(minutes=50)).messages == 0
    report = dispatch(cfg, store, now=NOW.replace(minute=0) + timedelta(hours=1, minutes=1))
    assert report.messages == 1 and report.sent == 2
    (digest,) = hook.received
    assert digest["title"] == "[Veille] 2 alertes"
    assert "lumio" in digest["message"] and "azur" in digest["message"]
