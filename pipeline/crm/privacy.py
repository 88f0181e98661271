"""Objection and erasure, access requests, the retention purge.

`forget_customer` and `forget_author` delete what Veille holds on a person in the CRM
database (links, signals in the write-back table, review candidates, identities, and for
an author their mention rows), put them on the suppression list that later syncs honour,
put a deletion event on the feed and write the audit log, all in one transaction.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from pipeline.crm.context import CrmContext
from pipeline.crm.db import event_id
from pipeline.crm.identity import normalize_handle
from records.authors import author_key

logger = logging.getLogger(__name__)

_MONTH = timedelta(days=30.44)


def _suppress(ctx: CrmContext, conn: sa.Connection, kind: str, value: str, actor: str) -> None:
    ctx.db.upsert(
        conn,
        "veille_crm_suppression",
        [{"kind": kind, "value": value, "at": datetime.now(UTC), "reason": f"erasure by {actor}"}],
        ["kind", "value"],
    )


def _delete_customer_data(ctx: CrmContext, conn: sa.Connection, ckeys: list[str]) -> dict[str, int]:
    t = ctx.db.t
    counts = {}
    for name, table in (
        ("links", t["veille_crm_links"]),
        ("signals", ctx.db.signals),
        ("reviews", t["veille_crm_reviews"]),
    ):
        counts[name] = conn.execute(table.delete().where(table.c.ckey.in_(ckeys))).rowcount
    return counts


def forget_customer(
    ctx: CrmContext, ckey: str, actor: str, now: datetime | None = None
) -> dict[str, int]:
    """Erase one customer (`brand:id`): everything but the suppression entry goes."""
    db, t = ctx.db, ctx.db.t
    now = now or datetime.now(UTC)
    with db.engine.begin() as conn:
        counts = _delete_customer_data(ctx, conn, [ckey])
        for name in ("veille_crm_identities", "veille_crm_consents", "veille_crm_customers"):
            conn.execute(t[name].delete().where(t[name].c.ckey == ckey))
        _suppress(ctx, conn, "customer", ckey, actor)
        brand_id, customer_id = ckey.split(":", 1)
        db.add_event(
            conn,
            event_id("customer_deleted", ckey, now.isoformat()),
            ckey,
            "customer_deleted",
            {"brand_id": brand_id, "customer_id": customer_id, "reason": "erasure", **counts},
            now,
        )
        db.audit(conn, actor, "forget_customer", ckey, **counts)
    logger.info("crm: customer %s forgotten (%s)", ckey, counts)
    return counts


def forget_author(
    ctx: CrmContext, handle: str, actor: str, now: datetime | None = None
) -> dict[str, Any]:
    """Erase an author (a handle, on every platform): their mentions leave the CRM database."""
    db, t = ctx.db, ctx.db.t
    now = now or datetime.now(UTC)
    author = normalize_handle(handle)
    men, links, pii = t["veille_crm_mentions"], t["veille_crm_links"], t["veille_crm_mention_pii"]
    with db.engine.begin() as conn:
        mention_ids = list(
            conn.execute(
                sa.select(men.c.mention_id).where(men.c.author == author).distinct()
            ).scalars()
        )
        ckeys = sorted(
            set(
                conn.execute(
                    sa.select(links.c.ckey).where(links.c.mention_id.in_(mention_ids))
                ).scalars()
            )
        )
        conn.execute(links.delete().where(links.c.mention_id.in_(mention_ids)))
        rev = t["veille_crm_reviews"]
        conn.execute(rev.delete().where(rev.c.author == author))
        ids = t["veille_crm_identities"]
        conn.execute(
            ids.delete().where(ids.c.kind.in_(["handle", "review_handle"]), ids.c.value == author)
        )
        conn.execute(pii.delete().where(pii.c.mention_id.in_(mention_ids)))
        conn.execute(men.delete().where(men.c.mention_id.in_(mention_ids)))
        # A hash, not the handle: the list outlives the erasure (see records.authors).
        _suppress(ctx, conn, "author", author_key(author), actor)
        for ckey in ckeys:
            brand_id, customer_id = ckey.split(":", 1)
            db.add_event(
                conn,
                event_id("author_forgotten", ckey, author, now.isoformat()),
                ckey,
                "author_forgotten",
                {
                    "brand_id": brand_id,
                    "customer_id": customer_id,
                    "reason": "erasure",
                    "mentions_removed": len(mention_ids),
                },
                now,
            )
        db.audit(conn, actor, "forget_author", "", mentions=len(mention_ids), customers=ckeys)
    # The customers' signals are recomputed without those mentions (or removed) now.
    from pipeline.crm.context import SyncReport
    from pipeline.crm.writeback import write_signals

    write_signals(ctx, now, SyncReport())
    return {"mentions": mention_ids, "customers": ckeys}


def export_customer(ctx: CrmContext, ckey: str) -> dict[str, Any]:
    """Everything held about one customer (an access request), as JSON-ready data."""
    db, t = ctx.db, ctx.db.t
    out: dict[str, Any] = {"customer": ckey, "exported_at": datetime.now(UTC).isoformat()}
    for label, table in (
        ("record", t["veille_crm_customers"]),
        ("consents", t["veille_crm_consents"]),
        ("identities", t["veille_crm_identities"]),
        ("links", t["veille_crm_links"]),
        ("reviews", t["veille_crm_reviews"]),
        ("signals", db.signals),
        ("feed", t["veille_crm_feed"]),
        ("audit", t["veille_crm_audit"]),
    ):
        out[label] = db.rows(sa.select(table).where(table.c.ckey == ckey))
    men, links = t["veille_crm_mentions"], t["veille_crm_links"]
    out["mentions"] = db.rows(
        sa.select(men)
        .join(
            links,
            sa.and_(links.c.mention_id == men.c.mention_id, links.c.brand_id == men.c.brand_id),
        )
        .where(links.c.ckey == ckey)
    )
    for row in out["feed"]:
        row["payload"] = json.loads(row["payload"])
    return out


def purge(ctx: CrmContext, now: datetime | None = None, actor: str = "retention") -> dict[str, int]:
    """Delete mentions older than `retention_months` with their links, then recompute signals.

    The mention rows go too, not only the links: the stage's cursor is past them, so they
    are never linked again, and the signals no longer count them.
    """
    db, t = ctx.db, ctx.db.t
    now = now or datetime.now(UTC)
    cutoff = now - _MONTH * ctx.crm.retention_months
    men, links, pii, rev = (
        t[n]
        for n in (
            "veille_crm_mentions",
            "veille_crm_links",
            "veille_crm_mention_pii",
            "veille_crm_reviews",
        )
    )
    with db.engine.begin() as conn:
        old = sa.select(men.c.mention_id).where(men.c.published_at < cutoff)
        gone = conn.execute(links.delete().where(links.c.mention_id.in_(old))).rowcount
        reviews = conn.execute(rev.delete().where(rev.c.mention_id.in_(old))).rowcount
        conn.execute(pii.delete().where(pii.c.mention_id.in_(old)))
        mentions = conn.execute(men.delete().where(men.c.published_at < cutoff)).rowcount
        db.audit(
            conn,
            actor,
            "retention_purge",
            cutoff=cutoff.isoformat(),
            links=gone,
            reviews=reviews,
            mentions=mentions,
        )
    from pipeline.crm.context import SyncReport
    from pipeline.crm.writeback import write_signals

    report = SyncReport()
    write_signals(ctx, now, report)
    return {
        "links": gone,
        "reviews": reviews,
        "mentions": mentions,
        "signals_removed": report.signals_removed,
    }
