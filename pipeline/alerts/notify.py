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
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from configuration.alerts import CHANNEL_TYPES, ChannelConfig
from configuration.loader import VeilleConfig
from messages import t
from records import Alert, AlertEvent, OutboxItem
from records.vocab import severity_rank
from storage import Store

logger = logging.getLogger(__name__)


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


def _line(item: OutboxItem, config: VeilleConfig) -> str:
    payload = item.payload
    due = datetime.fromisoformat(payload["due_at"]).astimezone(ZoneInfo(config.alerts.timezone))
    return t(
        "notify.line",
        config.alerts.language,
        severity=payload["severity"].upper(),
        brand=payload["brand_id"],
        rule=payload["rule_id"],
        why=payload["why"],
        due=f"{due:%d/%m %H:%M}",
        alert_id=item.alert_id,
    )


def compose(items: Sequence[OutboxItem], config: VeilleConfig) -> tuple[str, str]:
    """Title and body of one message carrying one or several alerts."""
    lang = config.alerts.language
    if len(items) == 1:
        payload = items[0].payload
        title = t("notify.title.one", lang, severity=payload["severity"], brand=payload["brand_id"])
        return title, _line(items[0], config)
    title = t("notify.title.many", lang, n=len(items))
    return title, "\n\n".join(_line(i, config) for i in items)


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
    due = store.notifications(("pending",), channel_id=channel.id, due_before=now)
    if channel.digest != "none":
        period = _period_start(now, channel.digest)
        due = [i for i in due if i.created_at < period]
    if not due:
        return
    budget = channel.max_per_hour - store.notifications_sent_since(
        channel.id, now - timedelta(hours=1)
    )
    if budget <= 0:
        report.waiting += len(due)
        logger.info("channel %s: hourly limit reached, %d waiting", channel.id, len(due))
        return
    # One message each while the budget allows, else everything in one message.
    groups = [[i] for i in due] if channel.digest == "none" and len(due) <= budget else [due]
    send = CHANNEL_TYPES.get(channel.type).send
    for group in groups:
        title, body = compose(group, config)
        try:
            send(channel, title, body)
        except Exception as exc:
            _failed(config, store, channel, group, now, str(exc) or type(exc).__name__, report)
            continue
        report.messages += 1
        message_id = uuid.uuid4().hex
        for item in group:
            item.status, item.sent_at, item.attempts = "sent", now, item.attempts + 1
            item.message_id = message_id
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
        item.attempts += 1
        item.last_error = error[:500]
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
