"""Notifications: the durable outbox and its dispatch, channel by channel.

The alerts stage only queues `OutboxItem`s in the store; `dispatch` sends what is due,
channel by channel, each through the `send` of its registered channel type (the built-in
`apprise` type, in `pipeline.alerts.channels`, covers email, Slack, Teams and webhooks):
- `max_per_hour` limits the messages a channel sends: when more alerts wait than the
  hour allows, they go out together in one message instead of one each;
- `digest: hourly|daily` holds alerts until the hour (day, UTC) is over, then sends one
  message listing them;
- a failed send is logged, retried later with a doubling delay, and given up after
  `max_attempts`; every attempt is written to the alert's history. Nothing here raises
  into the pipeline.

Delivery is at least once, with an idempotency key: before a message goes out its items
are moved to `sending` with the message's key (`message_id`), stored; only after the
channel took it are they `sent`. A process killed in between leaves them `sending`, and
the next dispatch sends them again under the same key, which the message carries
("réf. <key>") so that a receiver drops the repeat. One dispatcher runs at a time on a
machine (`runner.send_notifications` holds a lock), so an item found `sending` belongs
to a dispatcher that died. Every message links to its alert in the dashboard when
`dashboard.public_url` is set.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from configuration.alerts import CHANNEL_TYPES, ChannelConfig
from configuration.loader import VeilleConfig
from messages import t
from records import Alert, AlertEvent, OutboxItem
from records.vocab import severity_rank
from storage import Store

logger = logging.getLogger(__name__)

_KEY_LINE = re.compile(r"^(?:réf|ref)\. ([0-9a-f]{32})$", re.MULTILINE)


class NotificationError(RuntimeError):
    """A channel refused or could not take a message."""


def outbox_items(config: VeilleConfig, alert: Alert, event: str, now: datetime) -> list[OutboxItem]:
    """One outbox item per enabled channel that takes this alert's brand and severity."""
    items = []
    for channel in config.alerts.notifications.channels:
        if not channel.enabled or (channel.brands and alert.brand_id not in channel.brands):
            continue
        if severity_rank(alert.severity) < severity_rank(channel.min_severity):
            continue
        items.append(
            OutboxItem(
                channel_id=channel.id,
                alert_id=alert.id,
                event=event,
                created_at=now,
                payload={
                    "severity": alert.severity,
                    "brand_id": alert.brand_id,
                    "rule_id": alert.rule_id,
                    "why": alert.why,
                    "due_at": alert.due_at.isoformat(),
                },
                next_attempt_at=now,
            )
        )
    return items


@dataclass
class DispatchReport:
    """What one dispatch did."""

    messages: int = 0
    sent: int = 0
    failed: int = 0
    given_up: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)


def _period_start(now: datetime, digest: str) -> datetime:
    start = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return start.replace(hour=0) if digest == "daily" else start


def alert_link(config: VeilleConfig, alert_id: str) -> str | None:
    """The dashboard's deep link to an alert, from `dashboard.public_url` (None if unset)."""
    base = config.settings.dashboard.public_url
    if not base:
        return None
    # "alertes" is the alerts page's URL path in the dashboard (dashboard/app.py).
    return f"{base.rstrip('/')}/alertes?{urlencode({'alert': alert_id})}"


def _line(item: OutboxItem, config: VeilleConfig) -> str:
    payload = item.payload
    due = datetime.fromisoformat(payload["due_at"]).astimezone(ZoneInfo(config.alerts.timezone))
    line = t(
        "notify.line",
        config.alerts.language,
        severity=payload["severity"].upper(),
        brand=payload["brand_id"],
        rule=payload["rule_id"],
        why=payload["why"],
        due=f"{due:%d/%m %H:%M}",
        alert_id=item.alert_id,
    )
    link = alert_link(config, item.alert_id)
    return f"{line}\n{link}" if link else line


def compose(items: Sequence[OutboxItem], config: VeilleConfig, key: str = "") -> tuple[str, str]:
    """Title and body of one message carrying one or several alerts; `key` is its
    idempotency key, written on the last line."""
    lang = config.alerts.language
    if len(items) == 1:
        payload = items[0].payload
        title = t("notify.title.one", lang, severity=payload["severity"], brand=payload["brand_id"])
        body = _line(items[0], config)
    else:
        title = t("notify.title.many", lang, n=len(items))
        body = "\n\n".join(_line(i, config) for i in items)
    if key:
        body += "\n\n" + t("notify.ref", lang, ref=key)
    return title, body


def message_key(body: str) -> str | None:
    """The idempotency key a message carries (what a receiver deduplicates on)."""
    match = _KEY_LINE.search(body)
    return match[1] if match else None


def dispatch(
    config: VeilleConfig,
    store: Store,
    now: datetime | None = None,
) -> DispatchReport:
    """Send what is due on every channel; never raises for a failed send."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    report = DispatchReport()
    for channel in config.alerts.notifications.channels:
        if channel.enabled:
            _dispatch_channel(config, store, channel, now, report)
    return report


def _dispatch_channel(
    config: VeilleConfig,
    store: Store,
    channel: ChannelConfig,
    now: datetime,
    report: DispatchReport,
) -> None:
    # A key names one set of items for good: a message left `sending` by a dispatcher
    # that died, or one whose send failed (it may have arrived all the same), goes out
    # again whole and under its key, before anything new.
    keyed: dict[str, list[OutboxItem]] = {}
    for item in store.notifications(("sending",), channel_id=channel.id):
        keyed.setdefault(item.message_id, []).append(item)
    due = []
    for item in store.notifications(("pending",), channel_id=channel.id, due_before=now):
        if item.message_id:
            keyed.setdefault(item.message_id, []).append(item)
        else:
            due.append(item)
    if channel.digest != "none":
        period = _period_start(now, channel.digest)
        due = [i for i in due if i.created_at < period]
    groups = list(keyed.values())
    if due:
        budget = channel.max_per_hour - store.notifications_sent_since(
            channel.id, now - timedelta(hours=1)
        )
        if budget <= 0:
            report.waiting += len(due)
            logger.info("channel %s: hourly limit reached, %d waiting", channel.id, len(due))
        elif channel.digest == "none" and len(due) <= budget:
            groups += [[i] for i in due]  # one message each while the budget allows
        else:
            groups.append(due)  # else everything waiting in one message
    send = CHANNEL_TYPES.get(channel.type).send
    for group in groups:
        key = group[0].message_id or uuid.uuid4().hex
        for item in group:
            item.status, item.message_id, item.attempts = "sending", key, item.attempts + 1
            store.save_notification(item)
        title, body = compose(group, config, key)
        try:
            send(channel, title, body)
        except Exception as exc:
            _failed(config, store, channel, group, now, str(exc) or type(exc).__name__, report)
            continue
        report.messages += 1
        for item in group:
            item.status, item.sent_at = "sent", now
            store.save_notification(item)
            report.sent += 1
            note = f"sent on {channel.id}" + (
                f" (with {len(group) - 1} others)" if len(group) > 1 else ""
            )
            _log_on_alert(store, item.alert_id, now, "notification", channel.id, note)


def _failed(
    config: VeilleConfig,
    store: Store,
    channel: ChannelConfig,
    group: Sequence[OutboxItem],
    now: datetime,
    error: str,
    report: DispatchReport,
) -> None:
    settings = config.alerts.notifications
    for item in group:
        item.last_error = error[:500]
        item.status = "pending"
        if item.attempts >= settings.max_attempts:
            item.status = "failed"
            report.given_up += 1
            logger.error(
                "channel %s: alert %s given up after %d attempts: %s",
                channel.id,
                item.alert_id,
                item.attempts,
                error,
            )
        else:
            delay = timedelta(minutes=settings.retry_minutes * 2 ** (item.attempts - 1))
            item.next_attempt_at = now + delay
            logger.warning(
                "channel %s: alert %s not sent (attempt %d, retry at %s): %s",
                channel.id,
                item.alert_id,
                item.attempts,
                item.next_attempt_at,
                error,
            )
        store.save_notification(item)
        report.failed += 1
        text = f"{channel.id}: attempt {item.attempts} failed: {item.last_error}"
        _log_on_alert(store, item.alert_id, now, "notification_failed", channel.id, text)
    report.errors.append(f"{channel.id}: {error}")


def _log_on_alert(
    store: Store, alert_id: str, now: datetime, kind: str, channel_id: str, text: str
) -> None:
    def add(alert: Alert) -> None:
        alert.history.append(AlertEvent(at=now, kind=kind, by=f"channel:{channel_id}", text=text))

    try:
        store.update_alert(alert_id, add)
    except KeyError:
        logger.warning("notification for unknown alert %s", alert_id)
