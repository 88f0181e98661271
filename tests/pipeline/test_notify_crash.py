"""The outbox across a crash: a message sent but not recorded goes out again under its key,
and an alert is never stored without its notifications."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from configuration.loader import VeilleConfig
from demo.forum.inbox import NotificationInbox
from pipeline.alerts import channels
from pipeline.alerts.notify import dispatch, message_key
from storage.sqlite import SQLiteStore
from tests.pipeline.test_alert_notify import NOW, crisis, raise_alerts, with_channels


class Killed(BaseException):
    """Stands for the process dying: not an Exception, so nothing in dispatch catches it."""


@pytest.fixture
def inbox() -> Iterator[NotificationInbox]:
    with NotificationInbox() as running:
        yield running


def test_a_send_cut_short_by_a_crash_is_repeated_under_the_same_key(
    config: VeilleConfig,
    store: SQLiteStore,
    inbox: NotificationInbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VEILLE_TEST_HOOK_URL", inbox.url)
    cfg = with_channels(config, {"id": "hook", "url_env": "VEILLE_TEST_HOOK_URL"})
    cfg.settings.dashboard.public_url = "https://veille.example.org/"
    raise_alerts(cfg, store, ["lumio", "azur"], NOW)

    def send_then_die(url: str, title: str, body: str) -> None:
        real_send(url, title, body)
        raise Killed  # delivered, then killed before the outbox learns it

    real_send = channels.apprise_send
    monkeypatch.setattr(channels, "apprise_send", send_then_die)
    with pytest.raises(Killed):
        dispatch(cfg, store, now=NOW)
    monkeypatch.setattr(channels, "apprise_send", real_send)
    (first,) = inbox.deliveries
    (sending,) = store.notifications(("sending",))
    assert first.key == sending.message_id and first.alert_ids == (sending.alert_id,)

    report = dispatch(cfg, store, now=NOW)
    assert report.sent == 2 and {i.status for i in store.notifications()} == {"sent"}
    keys = inbox.keys_by_alert()
    assert keys[sending.alert_id] == {sending.message_id}  # repeated under its key
    assert len(keys) == 2 and inbox.repeats() == 1
    link = f"https://veille.example.org/alertes?alert={sending.alert_id}"
    assert link in first.body and message_key(first.body) == sending.message_id
    assert dispatch(cfg, store, now=NOW).messages == 0


def test_a_failed_send_keeps_its_key_and_its_group(
    config: VeilleConfig, store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VEILLE_TEST_HOOK_URL", "json://127.0.0.1:9/hook")  # never reached
    cfg = with_channels(config, {"id": "hook", "url_env": "VEILLE_TEST_HOOK_URL"})

    def refuse(url: str, title: str, body: str) -> None:
        raise RuntimeError("503 from the channel")

    monkeypatch.setattr(channels, "apprise_send", refuse)
    raise_alerts(cfg, store, ["lumio"], NOW)
    assert dispatch(cfg, store, now=NOW).failed == 1
    (failed,) = store.notifications()
    assert failed.status == "pending" and failed.message_id and failed.attempts == 1
    raise_alerts(cfg, store, ["azur"], NOW)
    sent: list[tuple[str, str]] = []
    later = failed.next_attempt_at
    assert later is not None
    monkeypatch.setattr(channels, "apprise_send", lambda u, t, b: sent.append((t, b)))
    dispatch(cfg, store, now=later)
    keys = [message_key(body) for _, body in sent]
    # The retry is its own message under its old key; the new alert gets a new one.
    assert len(sent) == 2 and keys[0] == failed.message_id and keys[1] != keys[0]


def test_an_alert_and_its_notifications_are_one_write(
    config: VeilleConfig, store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = with_channels(config, {"id": "hook", "url_env": "VEILLE_TEST_HOOK_URL"})

    def fail_enqueue(conn: object, items: object) -> int:
        raise Killed

    monkeypatch.setattr(SQLiteStore, "_enqueue", staticmethod(fail_enqueue))
    with pytest.raises(Killed):
        raise_alerts(cfg, store, ["lumio"], NOW)
    assert store.list_alerts() == [] and store.notifications() == []
    monkeypatch.undo()
    store.upsert_mentions([crisis(1)])
    raise_alerts(cfg, store, ["lumio"], NOW)
    (alert,) = store.list_alerts()
    assert [i.alert_id for i in store.notifications()] == [alert.id]
