"""Alert triage: the transitions a person makes and the SLA figures over them.

new → acknowledged → resolved, or dismissed (from new or acknowledged). Every change is
an `AlertEvent` (when, who, what) appended to the alert's history, written through the
store's atomic `update_alert`, so a triage click and the alerts stage adding evidence
at the same moment do not overwrite each other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from records import Alert, AlertEvent
from storage import Store

logger = logging.getLogger(__name__)

# Which statuses each action may start from.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "acknowledge": ("new",),
    "assign": ("new", "acknowledged"),
    "resolve": ("new", "acknowledged"),
    "dismiss": ("new", "acknowledged"),
    "note": ("new", "acknowledged", "resolved", "dismissed"),
}
# The status an action leads to (None: the status does not change).
LEADS_TO: dict[str, str | None] = {
    "acknowledge": "acknowledged",
    "assign": None,
    "resolve": "resolved",
    "dismiss": "dismissed",
    "note": None,
}
# History kinds that mean a person has taken the alert in hand (the SLA clock stops).
HANDLED_KINDS = ("acknowledged", "resolved", "dismissed")
CLOSED_KINDS = ("resolved", "dismissed")


class TransitionError(ValueError):
    """An action the alert's current status does not allow."""

    def __init__(self, alert_id: str, status: str, action: str):
        self.alert_id = alert_id
        self.status = status
        self.action = action
        allowed = ", ".join(ALLOWED_FROM[action])
        super().__init__(
            f"alert {alert_id} is {status}: cannot {action} it (allowed from: {allowed})"
        )


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def _transition(
    store: Store,
    alert_id: str,
    action: str,
    actor: str,
    now: datetime | None,
    text: str = "",
    change: Callable[[Alert], None] | None = None,
) -> Alert:
    if not actor or not actor.strip():
        raise ValueError(f"alert {alert_id}: {action} needs an actor (who does it)")
    at = _now(now)
    kind = LEADS_TO[action] or {"assign": "assigned", "note": "note"}[action]

    def apply(alert: Alert) -> None:
        if alert.status not in ALLOWED_FROM[action]:
            raise TransitionError(alert.id, alert.status, action)
        status = LEADS_TO[action]
        if status is not None:
            alert.status = status
        if change is not None:
            change(alert)
        alert.history.append(AlertEvent(at=at, kind=kind, by=actor.strip(), text=text))
        alert.updated_at = at

    alert = store.update_alert(alert_id, apply)
    logger.info("alert %s: %s by %s%s", alert_id, kind, actor, f" ({text})" if text else "")
    return alert


def acknowledge(
    store: Store, alert_id: str, actor: str, note: str | None = None, now: datetime | None = None
) -> Alert:
    """A person takes a new alert in hand (stops its SLA clock)."""
    return _transition(store, alert_id, "acknowledge", actor, now, note or "")


def assign(
    store: Store, alert_id: str, assignee: str, actor: str, now: datetime | None = None
) -> Alert:
    """Give an open alert to someone (the status does not change)."""
    if not assignee or not assignee.strip():
        raise ValueError(f"alert {alert_id}: assign needs an assignee")

    def set_assignee(alert: Alert) -> None:
        alert.assignee = assignee.strip()

    return _transition(store, alert_id, "assign", actor, now, assignee.strip(), set_assignee)


def resolve(
    store: Store, alert_id: str, actor: str, note: str | None = None, now: datetime | None = None
) -> Alert:
    """Close an open alert as handled; the rule's cool-down starts now."""
    return _transition(store, alert_id, "resolve", actor, now, note or "")


def dismiss(
    store: Store, alert_id: str, actor: str, note: str | None = None, now: datetime | None = None
) -> Alert:
    """Close an open alert as not worth acting on (false positive, already known)."""
    return _transition(store, alert_id, "dismiss", actor, now, note or "")


def add_note(
    store: Store, alert_id: str, actor: str, text: str, now: datetime | None = None
) -> Alert:
    """Add a note to an alert in any status."""
    if not text or not text.strip():
        raise ValueError(f"alert {alert_id}: a note needs a text")
    return _transition(store, alert_id, "note", actor, now, text.strip())


def notes(alert: Alert) -> list[AlertEvent]:
    """The notes written on an alert, oldest first."""
    return [e for e in alert.history if e.kind == "note"]


def notification_log(alert: Alert) -> list[AlertEvent]:
    """Sends and failed attempts of the alert's notifications, oldest first."""
    return [e for e in alert.history if e.kind in ("notification", "notification_failed")]


def handled_at(alert: Alert) -> datetime | None:
    """When a person first acknowledged, resolved or dismissed the alert."""
    times = [e.at for e in alert.history if e.kind in HANDLED_KINDS]
    return min(times) if times else None


def closed_at(alert: Alert) -> datetime | None:
    """When the alert was resolved or dismissed (the last time, if reopened by hand)."""
    times = [e.at for e in alert.history if e.kind in CLOSED_KINDS]
    return max(times) if times else None


@dataclass
class SlaReport:
    """SLA figures over a set of alerts at one moment."""

    now: datetime
    open_breaches: list[Alert] = field(default_factory=list)
    handled_within: int = 0
    handled_late: int = 0
    open_within: int = 0

    @property
    def counted(self) -> int:
        """Alerts whose SLA outcome is known: handled, or open and already overdue."""
        return self.handled_within + self.handled_late + len(self.open_breaches)

    @property
    def share_within(self) -> float | None:
        """Share handled within SLA, among alerts whose outcome is known (None: none)."""
        return self.handled_within / self.counted if self.counted else None

    def overdue_by(self, alert: Alert) -> timedelta:
        """How late an open alert is (zero or negative when not due yet)."""
        return self.now - alert.due_at


def sla_report(alerts: Iterable[Alert], now: datetime | None = None) -> SlaReport:
    """Open alerts past their due time, and the share handled before it.

    An alert counts as handled within SLA when it was acknowledged, resolved or dismissed
    at or before `due_at`; an alert nobody has handled and already past `due_at` is an
    open breach (and counts as late); one not yet due is not counted either way.
    """
    report = SlaReport(now=_now(now))
    for alert in alerts:
        handled = handled_at(alert)
        if handled is not None:
            if handled <= alert.due_at:
                report.handled_within += 1
            else:
                report.handled_late += 1
        elif alert.is_open and alert.due_at < report.now:
            report.open_breaches.append(alert)
        elif alert.is_open:
            report.open_within += 1
    report.open_breaches.sort(key=lambda a: a.due_at)
    return report
