"""Replay over stored history, and the `veille alerts` triage commands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from cli.app import app
from configuration.loader import VeilleConfig, load_config
from pipeline.alerts.replay import replay
from pipeline.alerts.stage import AlertsStage
from records import BrandMatch, Mention, RawPost, Sentiment
from storage import MentionFilter
from storage.sqlite import SQLiteStore

runner = CliRunner()
MONDAY = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)


def post(n: int, at: datetime, body: str = "ok", label: str = "neutral") -> Mention:
    raw = RawPost(
        source_id="demo-forum",
        kind="forum",
        external_id=f"r{n}",
        url=f"http://f.test/{n}",
        body_text=body,
        published_at=at,
    )
    return Mention(
        post=raw,
        lang="fr",
        brands=[BrandMatch("lumio", "Lumio", 0, 5)],
        sentiment=Sentiment(label, 0.9, "test"),
    )


def history() -> list[Mention]:
    """Three weeks of 4 mentions an hour, then a burst of 40 on the fourth Tuesday 14 h."""
    out, n = [], 0
    hour = MONDAY - timedelta(weeks=3)
    while hour < MONDAY + timedelta(days=2):
        for i in range(4):
            out.append(post(n, hour + timedelta(minutes=15 * i)))
            n += 1
        hour += timedelta(hours=1)
    burst_end = MONDAY + timedelta(days=1, hours=14)
    for i in range(40):
        body = "panne réseau, arnaque" if i < 3 else "panne du réseau"
        out.append(post(n + i, burst_end - timedelta(minutes=i + 1), body, "negative"))
    return out


def test_replay_lists_what_would_fire_and_stores_nothing(
    config_dir: Path, store: SQLiteStore
) -> None:
    config = load_config(config_dir)
    store.upsert_mentions(history())
    events = replay(config, store, MONDAY, MONDAY + timedelta(days=2))
    raised = [(e.rule_id, e.at) for e in events]
    tuesday_14h = MONDAY + timedelta(days=1, hours=14)
    assert raised == [
        ("crisis-vocabulary", tuesday_14h),
        ("volume-spike", tuesday_14h),
        ("negative-surge", tuesday_14h),
    ]
    volume = events[1]
    assert volume.why.startswith("44 mentions de Lumio dans la dernière heure, 11,0× l'habituel")
    assert store.list_alerts() == [] and store.notifications() == []


def test_cli_triage_replay_and_sla(
    config_dir: Path, config: VeilleConfig, store: SQLiteStore
) -> None:
    store.upsert_mentions(history())
    args = ["--config-dir", str(config_dir)]
    replayed = runner.invoke(
        app, ["alerts", "replay", "--from", "2026-11-17", "--to", "2026-11-18", *args]
    )
    assert replayed.exit_code == 0, replayed.output
    assert "3 alerte(s) auraient été levées" in replayed.output
    english = runner.invoke(
        app,
        ["alerts", "replay", "--from", "2026-11-17", "--to", "2026-11-18", "--lang", "en", *args],
    )
    assert "3 alert(s) would have fired" in english.output
    assert "Replay (nothing stored or sent)" in english.output

    # The alerts stage as it ran then (rules judged at that time), then as it runs now:
    # the burst is long past, so no new alert, and the old ones are overdue.
    then = MONDAY + timedelta(days=1, hours=14)
    AlertsStage(load_config(config_dir), store, now=then)(
        store.search_mentions(
            MentionFilter(since=then - timedelta(hours=1), until=then), limit=1000
        )
    )
    assert runner.invoke(app, ["alerts", *args]).exit_code == 0
    alerts = store.list_alerts()
    assert {a.rule_id for a in alerts} == {"crisis-vocabulary", "volume-spike", "negative-surge"}
    target = alerts[0].id
    listing = runner.invoke(app, ["alerts", "list", *args])
    assert listing.exit_code == 0 and "Alertes" in listing.output
    assert "SLA : 0 traitées à temps, 0 en retard, 3 ouvertes hors délai" in listing.output
    for command in (["ack", target], ["assign", target, "yanis"], ["note", target, "vu"]):
        done = runner.invoke(app, ["alerts", *command, "--by", "camille", *args])
        assert done.exit_code == 0, done.output
    resolved = runner.invoke(app, ["alerts", "resolve", target, "--by", "camille", *args])
    assert f"Alerte {target} : résolue" in resolved.output
    refused = runner.invoke(app, ["alerts", "ack", target, "--by", "camille", *args])
    assert refused.exit_code == 1 and "is resolved: cannot acknowledge" in refused.output
    unknown = runner.invoke(app, ["alerts", "show", "nope", *args])
    assert unknown.exit_code == 1 and "unknown alert" in unknown.output
    shown = runner.invoke(app, ["alerts", "show", target, "--lang", "en", *args])
    assert "assignee: yanis" in shown.output
    assert "acknowledged camille" in shown.output and "note camille vu" in shown.output
    sla = runner.invoke(app, ["alerts", "sla", "--lang", "en", *args])
    assert sla.exit_code == 0
    # The resolved alert was handled days after its due time; the others are still open.
    other = next(a.id for a in alerts if a.id != target)
    assert f"{other} lumio" in sla.output and "OVERDUE" in sla.output
    assert "0 handled in time, 1 late, 2 open past due" in sla.output
    assert "share handled within SLA: 0%" in sla.output
