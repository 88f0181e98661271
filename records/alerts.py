"""Alert and its history, and the outbox item a notification waits in."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from records.times import parse_utc
from records.vocab import OPEN_ALERT_STATUSES


@dataclass
class AlertEvent:
    """One timestamped entry of an alert's history (transition, note, notification)."""

    at: datetime
    kind: str
    by: str = ""
    text: str = ""


@dataclass
class Alert:
    """An alert raised by a rule for a brand, with its evidence and triage state."""

    id: str
    rule_id: str
    brand_id: str
    severity: str
    created_at: datetime
    updated_at: datetime
    window_start: datetime
    window_end: datetime
    why: str
    mention_ids: list[str]
    due_at: datetime
    status: str = "new"
    assignee: str | None = None
    history: list[AlertEvent] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        """Still waiting for someone (new or acknowledged)."""
        return self.status in OPEN_ALERT_STATUSES

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        data = asdict(self)
        for key in ("created_at", "updated_at", "window_start", "window_end", "due_at"):
            data[key] = getattr(self, key).isoformat()
        data["history"] = [{**asdict(e), "at": e.at.isoformat()} for e in self.history]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        """Inverse of `to_dict`."""
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        for key in ("created_at", "updated_at", "window_start", "window_end", "due_at"):
            kwargs[key] = parse_utc(kwargs[key])
        kwargs["history"] = [
            AlertEvent(**{**e, "at": parse_utc(e["at"])}) for e in data.get("history") or []
        ]
        return cls(**kwargs)


@dataclass
class OutboxItem:
    """One notification waiting in (or gone through) the durable outbox."""

    channel_id: str
    alert_id: str
    event: str
    created_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""
    sent_at: datetime | None = None
    message_id: str = ""
    id: int | None = None
