"""Erasure, access export, retention, unlinking, reviews and the feed's cursor."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa
from typer.testing import CliRunner

from cli.app import app
from pipeline.crm.context import CrmContext
from pipeline.crm.linking import unlink
from pipeline.crm.privacy import export_customer, forget_author, forget_customer, purge
from pipeline.crm.reviews import decide
from pipeline.crm.stage import sync
from storage.sqlite import SQLiteStore
from tests.pipeline.crm.conftest import NOW, mention, seed


def _signals(ctx: CrmContext) -> dict[str, dict]:
    return {r["ckey"]: r for r in ctx.db.rows(sa.select(ctx.db.signals))}


def test_forget_customer_reaches_the_feed_and_the_sql_table_and_sticks(
    ctx: CrmContext, store: SQLiteStore
) -> None:
    seed(store)
    sync(ctx, store, now=NOW)
    assert "lumio:c1" in _signals(ctx)
    cursor = ctx.db.feed_after(0)[-1]["seq"]
    counts = forget_customer(ctx, "lumio:c1", "dpo", now=NOW)
    assert counts["links"] == 2 and counts["signals"] == 1
    assert "lumio:c1" not in _signals(ctx)
    deleted = ctx.db.feed_after(cursor)
    assert [(e["type"], e["ckey"]) for e in deleted] == [("customer_deleted", "lumio:c1")]
    # The customer is still in the CRM file: the suppression list keeps them out.
    report = sync(ctx, store, now=NOW)
    assert report.suppressed >= 1 and report.links_new == 0
    assert "lumio:c1" not in _signals(ctx)
    audit = ctx.db.t["veille_crm_audit"]
    actions = {r["action"] for r in ctx.db.rows(sa.select(audit).where(audit.c.ckey == "lumio:c1"))}
    assert {"link", "forget_customer"} <= actions


def test_forget_author_removes_their_mentions_and_later_crawls_stay_out(
    ctx: CrmContext, store: SQLiteStore
) -> None:
    seed(store)
    sync(ctx, store, now=NOW)
    result = forget_author(ctx, "@JMartin", "dpo", now=NOW)
    assert len(result["mentions"]) == 3 and result["customers"] == ["lumio:c1"]
    assert "lumio:c1" not in _signals(ctx)
    types = [e["type"] for e in ctx.db.feed_after(0)]
    assert "author_forgotten" in types and "signals_removed" in types
    # A new post of theirs, crawled later, is not taken in.
    store.upsert_mentions([mention(50, "jmartin", "Lumio encore en panne", hours_ago=1)])
    report = sync(ctx, store, now=NOW)
    assert report.suppressed == 1 and report.links_new == 0
    men = ctx.db.t["veille_crm_mentions"]
    assert not ctx.db.rows(sa.select(men).where(men.c.author == "jmartin"))


def test_export_gives_everything_held_about_a_customer(ctx: CrmContext, store: SQLiteStore) -> None:
    seed(store)
    sync(ctx, store, now=NOW)
    data = export_customer(ctx, "lumio:c1")
    assert len(data["links"]) == 2 and len(data["mentions"]) == 2
    assert data["consents"][0]["granted"] and data["signals"][0]["veille_status"] == "detractor"
    assert {e["type"] for e in data["feed"]} >= {"signals_updated", "turned_detractor"}
    assert "jeanne.martin@example.org" not in json.dumps(data, default=str)


def test_unlinking_reverts_what_was_written_and_is_not_redone(
    ctx: CrmContext, store: SQLiteStore
) -> None:
    mentions = seed(store)
    sync(ctx, store, now=NOW)
    assert unlink(ctx, "lumio:c1", mentions[1].id, "cm")
    sync(ctx, store, now=NOW)
    c1 = _signals(ctx)["lumio:c1"]
    assert c1["veille_mention_count"] == 1 and c1["veille_competitors"] == "[]"
    assert c1["veille_status"] == "neutral"


def test_a_confirmed_review_links_the_author_with_who_and_when(
    ctx: CrmContext, store: SQLiteStore
) -> None:
    mentions = seed(store)
    sync(ctx, store, now=NOW)
    review = ctx.db.rows(sa.select(ctx.db.t["veille_crm_reviews"]))[0]
    decide(ctx, review["review_id"], True, "cm")
    sync(ctx, store, now=NOW)
    links = ctx.db.t["veille_crm_links"]
    row = ctx.db.rows(sa.select(links).where(links.c.ckey == "lumio:c4"))[0]
    assert row["mention_id"] == mentions[5].id and row["method"] == "review"
    assert row["confirmed_by"] == "cm" and row["confirmed_at"] is not None
    assert 0.88 <= row["confidence"] <= 1.0


def test_a_rejected_review_is_not_proposed_again(ctx: CrmContext, store: SQLiteStore) -> None:
    seed(store)
    sync(ctx, store, now=NOW)
    review = ctx.db.rows(sa.select(ctx.db.t["veille_crm_reviews"]))[0]
    decide(ctx, review["review_id"], False, "cm")
    store.upsert_mentions(
        [mention(60, "Lucien Moreau", "Lumio top", label="positive", hours_ago=2)]
    )
    report = sync(ctx, store, now=NOW)
    assert report.reviews_new == 0 and report.links_new == 0


def test_retention_purge_drops_old_links_and_their_signals(
    ctx: CrmContext, store: SQLiteStore
) -> None:
    seed(store)
    sync(ctx, store, now=NOW)
    result = purge(ctx, now=NOW + timedelta(days=31 * ctx.crm.retention_months))
    assert result["links"] == 3 and result["signals_removed"] == 2
    assert _signals(ctx) == {}


def test_event_caps_log_skipped_events(ctx: CrmContext, store: SQLiteStore) -> None:
    ctx.crm.events.caps["competitor_mentioned"].max = 1
    seed(store)
    store.upsert_mentions(
        [
            mention(
                70 + i, "jmartin", "Lumio ou Telvia ?", brands=("lumio", "telvia"), hours_ago=5 + i
            )
            for i in range(2)
        ]
    )
    report = sync(ctx, store, now=NOW)
    feed = ctx.db.t["veille_crm_feed"]
    rows = ctx.db.rows(sa.select(feed).where(feed.c.type == "competitor_mentioned"))
    assert sorted(r["status"] for r in rows) == ["emitted", "skipped", "skipped"]
    assert report.events_skipped == 2
    assert (
        "cap 1 per 168 h"
        in json.loads(next(r for r in rows if r["status"] == "skipped")["payload"])["skipped"]
    )


def test_feed_cli_jsonl_after_a_cursor_and_a_consumer_cursor_that_survives(
    ctx: CrmContext, store: SQLiteStore, tmp_path
) -> None:
    seed(store)
    sync(ctx, store, now=NOW)
    runner = CliRunner()
    full = runner.invoke(app, ["crm", "feed"])
    assert full.exit_code == 0, full.output
    lines = [json.loads(line) for line in full.stdout.splitlines()]
    assert lines and all(line["event_id"].startswith("evt_") for line in lines)
    after = runner.invoke(app, ["crm", "feed", "--after", str(lines[1]["cursor"])])
    assert [json.loads(x)["cursor"] for x in after.stdout.splitlines()] == [
        x["cursor"] for x in lines[2:]
    ]
    first = runner.invoke(app, ["crm", "feed", "--consumer", "job", "--limit", "2"])
    second = runner.invoke(
        app, ["crm", "feed", "--consumer", "job", "--limit", "2"]
    )  # a new process would read the same state
    assert [json.loads(x)["cursor"] for x in second.stdout.splitlines()] == [
        x["cursor"] for x in lines[2:4]
    ]
    assert len(first.stdout.splitlines()) == 2
    out = tmp_path / "feed.csv"
    exported = runner.invoke(app, ["crm", "export", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    assert (
        out.read_text().splitlines()[0]
        == "cursor,event_id,type,brand_id,customer_id,created_at,data"
    )
    assert len(out.read_text().splitlines()) == len(lines) + 1
