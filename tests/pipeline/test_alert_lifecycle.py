"""Triage transitions and SLA figures over a real SQLite store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.alerts import lifecycle
from pipeline.alerts.lifecycle import TransitionError, sla_report
from records import Alert, AlertEvent
from storage.sqlite import SQLiteStore

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def make_alert(alert_id: str = "a1", created: datetime = T0, sla_hours: float = 4) -> Alert:
    return Alert(
        id=alert_id,
        rule_id="crisis-vocabulary",
        brand_id="lumio",
        severity="high",
        created_at=created,
        updated_at=created,
        window_start=created,
        window_end=created,
        why="test",
        mention_ids=["m1"],
        due_at=created + timedelta(hours=sla_hours),
        history=[AlertEvent(at=created, kind="created", by="veille")],
    )


def test_full_lifecycle_is_timestamped(store: SQLiteStore) -> None:
    store.save_alert(make_alert())
    lifecycle.acknowledge(store, "a1", "camille", now=T0 + timedelta(minutes=20))
    lifecycle.assign(store, "a1", "yanis", "camille", now=T0 + timedelta(minutes=21))
    lifecycle.add_note(store, "a1", "yanis", "Répondu sur le forum", now=T0 + timedelta(hours=1))
    done = lifecycle.resolve(
        store, "a1", "yanis", note="client rappelé", now=T0 + timedelta(hours=2)
    )
    stored = store.get_alert("a1")
    assert stored is not None and stored == done
    assert stored.status == "resolved" and stored.assignee == "yanis"
    assert [(e.kind, e.by, e.at - T0) for e in stored.history[1:]] == [
        ("acknowledged", "camille", timedelta(minutes=20)),
        ("assigned", "camille", timedelta(minutes=21)),
        ("note", "yanis", timedelta(hours=1)),
        ("resolved", "yanis", timedelta(hours=2)),
    ]
    assert stored.history[-1].text == "client rappelé"
    assert [n.text for n in lifecycle.notes(stored)] == ["Répondu sur le forum"]
    assert lifecycle.handled_at(stored) == T0 + timedelta(minutes=20)
    # A note is still allowed on a closed alert; another transition is not.
    lifecycle.add_note(store, "a1", "camille", "post-mortem", now=T0 + timedelta(days=1))


@pytest.mark.parametrize(
    ("setup", "action"),
    [
        (["acknowledge"], "acknowledge"),
        (["resolve"], "acknowledge"),
        (["resolve"], "resolve"),
        (["dismiss"], "resolve"),
        (["dismiss"], "assign"),
        (["acknowledge", "resolve"], "dismiss"),
    ],
)
def test_refused_transitions_name_alert_status_and_action(
    store: SQLiteStore, setup: list[str], action: str
) -> None:
    store.save_alert(make_alert())
    calls = {
        "acknowledge": lambda: lifecycle.acknowledge(store, "a1", "cm"),
        "resolve": lambda: lifecycle.resolve(store, "a1", "cm"),
        "dismiss": lambda: lifecycle.dismiss(store, "a1", "cm"),
        "assign": lambda: lifecycle.assign(store, "a1", "bob", "cm"),
    }
    for step in setup:
        calls[step]()
    before = store.get_alert("a1")
    with pytest.raises(TransitionError) as err:
        calls[action]()
    assert "a1" in str(err.value) and action in str(err.value)
    assert before is not None and before.status in str(err.value)
    assert store.get_alert("a1") == before  # nothing written


def test_unknown_alert_is_a_key_error(store: SQLiteStore) -> None:
    with pytest.raises(KeyError, match="nope"):
        lifecycle.acknowledge(store, "nope", "cm")


def test_actor_and_note_text_are_required(store: SQLiteStore) -> None:
    store.save_alert(make_alert())
    with pytest.raises(ValueError, match="actor"):
        lifecycle.acknowledge(store, "a1", " ")
    with pytest.raises(ValueError, match="text"):
        lifecycle.add_note(store, "a1", "cm", "")


def test_sla_report_counts_within_late_and_open_breaches(store: SQLiteStore) -> None:
    for i in range(5):
        store.save_alert(make_alert(f"a{i}", created=T0 + timedelta(minutes=i)))
    lifecycle.acknowledge(store, "a0", "cm", now=T0 + timedelta(hours=1))  # within
    lifecycle.dismiss(store, "a1", "cm", now=T0 + timedelta(hours=3))  # within
    lifecycle.resolve(store, "a2", "cm", now=T0 + timedelta(hours=6))  # late
    # a3 untouched and overdue at now; a4 created later below is not due yet.
    store.save_alert(make_alert("late-new", created=T0 + timedelta(hours=5)))
    now = T0 + timedelta(hours=6)
    report = sla_report(store.list_alerts(), now)
    assert report.handled_within == 2 and report.handled_late == 1
    assert [a.id for a in report.open_breaches] == ["a3", "a4"]
    assert report.open_within == 1
    assert report.share_within == pytest.approx(2 / 5)
    assert report.overdue_by(report.open_breaches[0]) == timedelta(hours=2, minutes=-3)


def test_sla_report_with_nothing_known() -> None:
    report = sla_report([make_alert()], T0)
    assert report.share_within is None and report.open_within == 1
