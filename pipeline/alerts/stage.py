"""The alerts stage: applies every enabled rule to a batch of mentions.

One open alert per rule and brand: new evidence is added to it (and its `why` rewritten
with the new figures) instead of raising another alert.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from pipeline.alerts.rules import RULE_TYPES, Evidence
from pipeline.config import CrisisRuleConfig, VeilleConfig
from pipeline.models import Alert, AlertEvent, Mention
from pipeline.store import Store

logger = logging.getLogger(__name__)


def _alert_id(rule_id: str, brand_id: str, first_mention: str) -> str:
    return hashlib.sha1(f"{rule_id}\x1f{brand_id}\x1f{first_mention}".encode()).hexdigest()[:16]


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def crisis_why(
    brand_name: str, mentions: Sequence[Mention], terms: Counter[str], tz: str = "Europe/Paris"
) -> str:
    """The sentence a community manager reads: how many, which words, since when."""
    words = ", ".join(f"« {t} » ×{n}" for t, n in terms.most_common(5))
    dates = [m.post.published_at or m.post.fetched_at for m in mentions]
    first = min(dates).astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y à %Hh%M") if dates else "?"
    sources = sorted({m.post.source_id for m in mentions})
    return (
        f"{_plural(len(mentions), 'mention négative', 'mentions négatives')} de {brand_name} "
        f"avec un vocabulaire de crise ({words}) depuis le {first}, "
        f"sur {_plural(len(sources), 'source', 'sources')} ({', '.join(sources)})."
    )


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
        changed: list[Alert] = []
        for rule in self.rules:
            for evidence in RULE_TYPES[rule.type](rule, mentions):
                alert = self._apply(rule, evidence)
                if alert is not None:
                    changed.append(alert)
        return changed

    def _apply(self, rule: CrisisRuleConfig, evidence: Evidence) -> Alert | None:
        now = self.now()
        alert = self.store.open_alert(rule.id, evidence.brand_id)
        if alert is None:
            alert = Alert(
                id=_alert_id(rule.id, evidence.brand_id, evidence.mention_ids[0]),
                rule_id=rule.id,
                brand_id=evidence.brand_id,
                severity=rule.severity,
                created_at=now,
                updated_at=now,
                window_start=now,
                window_end=now,
                why="",
                mention_ids=[],
                due_at=now + timedelta(hours=rule.sla_hours),
                history=[AlertEvent(at=now, kind="created", by="veille")],
            )
        known = set(alert.mention_ids)
        added = [m for m in evidence.mention_ids if m not in known]
        if not added:
            return None
        alert.mention_ids.extend(added)
        mentions = self.store.get_mentions(alert.mention_ids)
        if len(mentions) < rule.min_mentions:
            return None
        terms = self._terms(rule, evidence.brand_id, mentions)
        dates = [m.post.published_at or m.post.fetched_at for m in mentions]
        alert.window_start, alert.window_end = min(dates), max(dates)
        alert.why = crisis_why(
            self.config.brand(evidence.brand_id).name,
            mentions,
            terms,
            self.config.settings.dashboard.timezone,
        )
        alert.updated_at = now
        if known:
            alert.history.append(
                AlertEvent(at=now, kind="evidence", by="veille", text=f"+{len(added)} mention(s)")
            )
        self.store.save_alert(alert)
        logger.info("alert %s (%s, %s): %s", alert.id, rule.id, alert.brand_id, alert.why)
        return alert

    @staticmethod
    def _terms(rule: CrisisRuleConfig, brand_id: str, mentions: Sequence[Mention]) -> Counter[str]:
        counts: Counter[str] = Counter()
        for evidence in RULE_TYPES[rule.type](rule, mentions):
            if evidence.brand_id == brand_id:
                counts.update(evidence.terms)
        return counts
