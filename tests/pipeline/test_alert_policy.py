"""The alert policy `decide`: cool-down, minimum count, evidence, escalation and SLA."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pipeline.alerts.policy import Decision, OpenAlert, decide
from pipeline.alerts.rules import Finding

NOW = datetime(2026, 11, 10, 14, 0, tzinfo=UTC)
SLA, COOLDOWN = timedelta(hours=4), timedelta(hours=6)


def finding(*ids: str, severity: str = "high", min_mentions: int = 1) -> Finding:
    return Finding("lumio", "why", list(ids), severity, min_mentions=min_mentions)


def test_a_first_finding_raises_an_alert_due_after_the_sla() -> None:
    assert decide(finding("a"), None, None, NOW, SLA, COOLDOWN) == Decision(
        "create", due_at=NOW + SLA
    )


def test_the_cooldown_after_a_closed_alert_keeps_the_rule_quiet() -> None:
    closed = NOW - timedelta(hours=5)
    assert decide(finding("a"), None, closed, NOW, SLA, COOLDOWN) == Decision(
        "skip", "cooldown", quiet_until=closed + COOLDOWN
    )
    # One hour later the cool-down is over.
    later = decide(finding("a"), None, closed, NOW + timedelta(hours=1), SLA, COOLDOWN)
    assert later.action == "create"


def test_evidence_accumulates_up_to_the_minimum_count() -> None:
    few = decide(finding("a", "b", min_mentions=3), None, None, NOW, SLA, COOLDOWN)
    assert few == Decision("skip", "too_few_mentions")
    enough = decide(finding("a", "b", "c", min_mentions=3), None, None, NOW, SLA, COOLDOWN)
    assert enough.action == "create"


def test_an_open_alert_gets_the_new_mentions_only() -> None:
    open_alert = OpenAlert({"a", "b"}, "high", NOW + timedelta(hours=2))
    decision = decide(finding("b", "c", "c", "d"), open_alert, None, NOW, SLA, COOLDOWN)
    assert decision == Decision("update", added=("c", "d"), due_at=NOW + timedelta(hours=2))
    same = decide(finding("a", "b"), open_alert, None, NOW, SLA, COOLDOWN)
    assert same == Decision("skip", "nothing_new")


def test_escalation_raises_severity_and_brings_the_due_time_closer() -> None:
    open_alert = OpenAlert({"a"}, "medium", NOW + timedelta(hours=10))
    decision = decide(finding("a", severity="critical"), open_alert, None, NOW, SLA, COOLDOWN)
    assert decision == Decision("update", escalated=True, due_at=NOW + SLA)
    # A lower severity is no escalation.
    lower = decide(finding("a", severity="low"), open_alert, None, NOW, SLA, COOLDOWN)
    assert lower.action == "skip"
