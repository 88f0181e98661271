"""Replay: run the alert rules over stored history, to tune thresholds before going live.

The rules are evaluated hour by hour over `[since, until)` as if the pipeline had run at
the end of each hour, on the mentions published in that hour. Nothing is stored and
nobody is notified. Like the live stage, one alert per rule and brand stays open; the
replay assumes each alert is handled at its SLA due time, after which the rule's
cool-down applies.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from configuration.loader import VeilleConfig
from pipeline.alerts.policy import OpenAlert, decide
from pipeline.alerts.rules import Finding
from pipeline.alerts.stage import evaluate_rules
from storage import MentionFilter, Store

logger = logging.getLogger(__name__)
BATCH_LIMIT = 100_000


@dataclass
class ReplayEvent:
    """An alert the rules would have raised (or updated) at a time."""

    at: datetime
    rule_id: str
    brand_id: str
    severity: str
    why: str
    mentions: int
    kind: str = "raised"


@dataclass
class _Open:
    """The replay's open alert of a rule and brand; handled (closed) at its due time."""

    mention_ids: set[str]
    severity: str
    due: datetime


def replay(
    config: VeilleConfig,
    store: Store,
    since: datetime,
    until: datetime,
    step: timedelta = timedelta(hours=1),
    with_updates: bool = False,
) -> list[ReplayEvent]:
    """What the rules would have raised between `since` and `until`, oldest first."""
    if until <= since:
        raise ValueError(f"replay: --to ({until}) must be after --from ({since})")
    events: list[ReplayEvent] = []
    state: dict[tuple[str, str], _Open] = {}
    at = since
    while at < until:
        end = min(at + step, until)
        flt = MentionFilter(since=at, until=end, include_official=True)
        mentions = store.search_mentions(flt, limit=BATCH_LIMIT)
        if mentions:
            for rule, finding in evaluate_rules(config, store, mentions, end):
                key = (rule.id, finding.brand_id)
                current = state.get(key)
                # The replay's world: an alert is handled (closed) at its due time.
                open_alert, last_closed = None, None
                if current is not None and end < current.due:
                    open_alert = OpenAlert(current.mention_ids, current.severity, current.due)
                elif current is not None:
                    last_closed = current.due
                decision = decide(
                    finding,
                    open_alert,
                    last_closed,
                    end,
                    sla=timedelta(hours=config.alerts.sla_for(rule)),
                    cooldown=timedelta(hours=config.alerts.cooldown_for(rule)),
                )
                if decision.action == "update" and current is not None:
                    assert decision.due_at is not None
                    current.mention_ids.update(decision.added)
                    current.due = decision.due_at
                    if decision.escalated:
                        current.severity = finding.severity
                    if with_updates:
                        events.append(_event(end, rule.id, finding, "updated"))
                elif decision.action == "create":
                    assert decision.due_at is not None
                    state[key] = _Open(set(finding.mention_ids), finding.severity, decision.due_at)
                    if finding.why_from_mentions:
                        mentions_of = store.get_mentions(finding.mention_ids)
                        finding.why = finding.why_from_mentions(mentions_of)
                    events.append(_event(end, rule.id, finding, "raised"))
        at = end
    logger.info("replay %s → %s: %d events", since, until, len(events))
    return events


def _event(at: datetime, rule_id: str, finding: Finding, kind: str) -> ReplayEvent:
    why = finding.why or "+"
    return ReplayEvent(
        at=at,
        rule_id=rule_id,
        brand_id=finding.brand_id,
        severity=finding.severity,
        why=why,
        mentions=len(finding.mention_ids),
        kind=kind,
    )
