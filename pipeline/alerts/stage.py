"""The alerts stage: applies every enabled rule to a batch of mentions.

One open alert per rule and brand: new evidence is added to it (its `why` rewritten with
the new figures, its severity raised if the rule says so) instead of raising another.
After an alert is resolved or dismissed the rule stays quiet for that brand during its
cool-down. New and escalated alerts are queued in the notification outbox; sending is
the dispatcher's job (`pipeline.alerts.notify`), so a dead mail server never blocks here.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from configuration.alerts import RULE_TYPES, RuleConfig
from configuration.loader import VeilleConfig
from pipeline.alerts.lifecycle import closed_at
from pipeline.alerts.notify import outbox_items
from pipeline.alerts.policy import OpenAlert, decide
from pipeline.alerts.rules import Finding, RuleContext
from records import Alert, AlertEvent, Mention
from storage import Store

logger = logging.getLogger(__name__)


def _alert_id(rule_id: str, brand_id: str, opened: datetime, first_mention: str) -> str:
    key = f"{rule_id}\x1f{brand_id}\x1f{opened.isoformat()}\x1f{first_mention}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def evaluate_rules(
    config: VeilleConfig, store: Store, mentions: Sequence[Mention], now: datetime
) -> list[tuple[RuleConfig, Finding]]:
    """Every enabled rule's findings over a batch at time `now` (nothing is written)."""
    ctx = RuleContext(config=config, store=store, now=now, mentions=mentions)
    found: list[tuple[RuleConfig, Finding]] = []
    for rule in config.rules:
        if not rule.enabled or RULE_TYPES.get(rule.type).per_run:
            continue  # crawl rules run once per alerts run (AlertsStage.check_crawls)
        try:
            findings = RULE_TYPES.get(rule.type).evaluate(rule, ctx)
        except Exception:
            # One broken rule must not silence the others.
            logger.exception("alert rule %s failed; the other rules go on", rule.id)
            continue
        found.extend((rule, f) for f in findings)
    return found


class AlertsStage:
    """Callable over a batch of mentions; stores new or updated alerts."""

    def __init__(self, config: VeilleConfig, store: Store, now: datetime | None = None):
        self.config = config
        self.store = store
        self._now = now
        self.rules = [r for r in config.rules if r.enabled]
        for rule in self.rules:
            if rule.type not in RULE_TYPES:
                raise ValueError(f"alerts.yaml: rule {rule.id!r} has unknown type {rule.type!r}")

    def now(self) -> datetime:
        """The stage's clock (fixed in tests)."""
        return self._now or datetime.now(UTC)

    def __call__(self, mentions: Sequence[Mention]) -> list[Alert]:
        """Evaluate every rule on the batch; returns the alerts created or updated."""
        if not mentions:
            return []
        now = self.now()
        changed: list[Alert] = []
        for rule, finding in evaluate_rules(self.config, self.store, mentions, now):
            alert = self._apply(rule, finding, now)
            if alert is not None:
                changed.append(alert)
        return changed

    def check_crawls(self) -> list[Alert]:
        """The rules that read crawl runs, not mentions (`source_broken`), once per run.

        Called whether or not new mentions came: a broken source brings none.
        """
        now = self.now()
        crawl_rules = [r for r in self.rules if RULE_TYPES.get(r.type).per_run]
        ctx = RuleContext(config=self.config, store=self.store, now=now, mentions=[])
        changed: list[Alert] = []
        for rule in crawl_rules:
            try:
                findings = RULE_TYPES.get(rule.type).evaluate(rule, ctx)
            except Exception:
                logger.exception("alert rule %s failed; the other rules go on", rule.id)
                continue
            changed.extend(a for f in findings if (a := self._apply(rule, f, now)) is not None)
        return changed

    def _apply(self, rule: RuleConfig, finding: Finding, now: datetime) -> Alert | None:
        alert = self.store.open_alert(rule.id, finding.brand_id)
        last_closed = None
        if alert is None:
            last = self.store.last_closed_alert(rule.id, finding.brand_id)
            last_closed = closed_at(last) if last else None
        known = OpenAlert(alert.mention_ids, alert.severity, alert.due_at) if alert else None
        sla = timedelta(hours=self.config.alerts.sla_for(rule))
        cooldown = timedelta(hours=self.config.alerts.cooldown_for(rule))
        decision = decide(finding, known, last_closed, now, sla, cooldown)
        if decision.reason == "cooldown":
            logger.info(
                "rule %s, brand %s: in cool-down until %s",
                rule.id,
                finding.brand_id,
                decision.quiet_until,
            )
        if decision.action == "create":
            assert decision.due_at is not None
            return self._create(rule, finding, now, decision.due_at)
        if decision.action == "skip" or alert is None:
            return None
        added, escalated = decision.added, decision.escalated
        mentions = self._mentions_for(finding, [*alert.mention_ids, *added])
        why = finding.why_from_mentions(mentions) if finding.why_from_mentions else finding.why

        def update(current: Alert) -> None:
            current.mention_ids.extend(m for m in added if m not in set(current.mention_ids))
            current.why = why
            self._set_window(current, finding, mentions, merge=True)
            current.updated_at = now
            text = f"+{len(added)} mention(s)"
            if escalated:
                current.severity = finding.severity
                current.due_at = min(current.due_at, now + sla)
                text += f", severity {finding.severity}"
            current.history.append(AlertEvent(at=now, kind="evidence", by="veille", text=text))

        updated = self.store.update_alert(alert.id, update)
        if escalated:
            self._enqueue(updated, f"escalated-{finding.severity}", now)
        logger.info("alert %s updated (%s, %s): %s", alert.id, rule.id, alert.brand_id, why)
        return updated

    def _create(self, rule: RuleConfig, finding: Finding, now: datetime, due_at: datetime) -> Alert:
        mentions = self._mentions_for(finding, finding.mention_ids)
        why = finding.why_from_mentions(mentions) if finding.why_from_mentions else finding.why
        first = finding.mention_ids[0] if finding.mention_ids else ""
        alert = Alert(
            id=_alert_id(rule.id, finding.brand_id, now, first),
            rule_id=rule.id,
            brand_id=finding.brand_id,
            severity=finding.severity,
            created_at=now,
            updated_at=now,
            window_start=now,
            window_end=now,
            why=why,
            mention_ids=list(dict.fromkeys(finding.mention_ids)),
            due_at=due_at,
            history=[AlertEvent(at=now, kind="created", by="veille")],
        )
        self._set_window(alert, finding, mentions, merge=False)
        self.store.save_alert(alert)
        self._enqueue(alert, "created", now)
        logger.info("alert %s raised (%s, %s): %s", alert.id, rule.id, alert.brand_id, why)
        return alert

    def _mentions_for(self, finding: Finding, ids: Sequence[str]) -> list[Mention]:
        # Only a rule that sums up every mention, or gives no window, needs them loaded;
        # a volume alert may hold thousands of mention ids.
        if finding.why_from_mentions is None and finding.window_start is not None:
            return []
        return self.store.get_mentions(list(ids))

    @staticmethod
    def _set_window(
        alert: Alert, finding: Finding, mentions: Sequence[Mention], merge: bool
    ) -> None:
        dates = [m.post.published_at or m.post.fetched_at for m in mentions]
        start = finding.window_start or (min(dates) if dates else alert.window_start)
        end = finding.window_end or (max(dates) if dates else alert.window_end)
        alert.window_start = min(start, alert.window_start) if merge else start
        alert.window_end = max(end, alert.window_end) if merge else end

    def _enqueue(self, alert: Alert, event: str, now: datetime) -> None:
        items = outbox_items(self.config, alert, event, now)
        if items:
            self.store.enqueue_notifications(items)
