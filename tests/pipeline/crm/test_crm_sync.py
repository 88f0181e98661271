"""The CRM stage end to end on SQLite and PostgreSQL: links, signals, events, re-sync."""

from __future__ import annotations

import json

import sqlalchemy as sa

from pipeline.crm.context import CrmContext
from pipeline.crm.stage import sync
from storage.sqlite import SQLiteStore
from tests.pipeline.crm.conftest import NOW, mention, seed


def _links(ctx: CrmContext) -> list[tuple[str, str, str]]:
    links = ctx.db.t["veille_crm_links"]
    rows = ctx.db.rows(sa.select(links).order_by(links.c.ckey, links.c.mention_id))
    return [(r["ckey"], r["mention_id"], r["method"]) for r in rows]


def _state(ctx: CrmContext) -> tuple[list, list, list]:
    signals = ctx.db.rows(sa.select(ctx.db.signals).order_by(ctx.db.signals.c.ckey))
    feed = ctx.db.t["veille_crm_feed"]
    events = ctx.db.rows(
        sa.select(feed.c.event_id, feed.c.type, feed.c.status).order_by(feed.c.seq)
    )
    return _links(ctx), signals, events


def test_sync_links_only_on_given_identifiers_with_consent(
    ctx: CrmContext, store: SQLiteStore
) -> None:
    mentions = seed(store)
    ids = {i + 1: m.id for i, m in enumerate(mentions)}
    report = sync(ctx, store, now=NOW)
    links = _links(ctx)
    assert ("lumio:c1", ids[1], "handle") in links
    assert ("lumio:c1", ids[2], "handle") in links
    assert ("lumio:c3", ids[4], "email_hash") in links
    linked_ids = {m for _, m, _ in links}
    assert ids[3] not in linked_ids  # c2 refused consent
    assert ids[5] not in linked_ids  # special category (health)
    assert ids[6] not in linked_ids  # a name likeness never links by itself
    assert ids[7] not in linked_ids  # the brand's own account
    assert report.special == 1
    reviews = ctx.db.rows(sa.select(ctx.db.t["veille_crm_reviews"]))
    assert [(r["ckey"], r["mention_id"], r["status"]) for r in reviews] == [
        ("lumio:c4", ids[6], "pending")
    ]
    signals = {r["ckey"]: r for r in ctx.db.rows(sa.select(ctx.db.signals))}
    assert set(signals) == {"lumio:c1", "lumio:c3"}
    c1 = signals["lumio:c1"]
    assert c1["veille_mention_count"] == 2
    assert c1["veille_status"] == "detractor"
    assert "detractor" in c1["veille_status_rule"]
    assert json.loads(c1["veille_competitors"]) == ["azur"]
    assert c1["veille_last_mention_url"] == mentions[1].post.url
    types = [e["type"] for e in _state(ctx)[2]]
    assert "turned_detractor" in types
    assert "competitor_mentioned" in types
    assert "complaint_unanswered" in types  # c3's complaint in a thread the brand never answered


def test_resync_is_idempotent(ctx: CrmContext, store: SQLiteStore) -> None:
    seed(store)
    sync(ctx, store, now=NOW)
    first = _state(ctx)
    again = sync(ctx, store, now=NOW)
    assert _state(ctx) == first
    assert (again.links_new, again.signals_written, again.events) == (0, 0, 0)


def test_large_batches_take_the_bulk_path_and_stay_idempotent(
    ctx: CrmContext, store: SQLiteStore, config_dir
) -> None:
    """Hundreds of customers and mentions: PostgreSQL loads them through COPY."""
    rows = [
        f"b{i},Prenom{i},Nom{i},Lyon,b{i}@example.org,,buser{i},,"
        f"{'yes' if i % 4 else 'no'},2025-01-01,x"
        for i in range(600)
    ]
    csv_path = config_dir / "customers.csv"
    csv_path.write_text(csv_path.read_text() + "\n".join(rows) + "\n", encoding="utf-8")
    seed(store)
    store.upsert_mentions(
        [mention(1000 + i, f"buser{i}", "Lumio rame", hours_ago=3 + i % 50) for i in range(600)]
    )
    report = sync(ctx, store, now=NOW)
    assert report.customers == 604
    # Every fourth refused: 450 of the 600 linked, plus the seed's three.
    assert report.links_new == 450 + 3
    first = _state(ctx)
    sync(ctx, store, now=NOW)
    assert _state(ctx) == first
