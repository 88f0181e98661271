"""Signals written back per linked customer, and the events of the change feed.

The write-back table is upserted by customer; a row only changes (and gets a new
revision and a `signals_updated` event) when a value changed, so a re-sync writes and
emits nothing. A customer who has no link left loses the row (`signals_removed`).
Marketing events go through per-customer, per-type caps: an event over its cap is
stored as `skipped` with the reason and logged, never dropped silently.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from pipeline.crm.context import SYSTEM_ACTOR, CrmContext, SyncReport
from pipeline.crm.db import _aware, event_id
from pipeline.crm.signals import ADVOCATE, DETRACTOR, LinkedMention, compute_signals
from records.vocab import MIXED, NEGATIVE

logger = logging.getLogger(__name__)

_CHUNK = 2000
# Complaints older than this past their deadline are history, not something to act on.
_COMPLAINT_HORIZON = timedelta(days=7)


def _linked_mentions(ctx: CrmContext) -> dict[str, list[LinkedMention]]:
    db = ctx.db
    links, men = db.t["veille_crm_links"], db.t["veille_crm_mentions"]
    stmt = sa.select(
        links.c.ckey,
        men.c.mention_id,
        men.c.published_at,
        men.c.url,
        men.c.label,
        men.c.aspects,
        men.c.competitors,
    ).join(men, sa.and_(men.c.mention_id == links.c.mention_id, men.c.brand_id == links.c.brand_id))
    out: dict[str, list[LinkedMention]] = defaultdict(list)
    for r in db.rows(stmt):
        out[r["ckey"]].append(
            LinkedMention(
                r["mention_id"],
                r["published_at"],
                r["url"],
                r["label"],
                tuple(json.loads(r["aspects"])),
                tuple(json.loads(r["competitors"])),
            )
        )
    return out


def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return all(_aware(old.get(k)) == v for k, v in new.items())


def write_signals(ctx: CrmContext, now: datetime, report: SyncReport) -> list[dict[str, Any]]:
    """Upsert changed signals, remove those of customers left unlinked; return transitions."""
    db = ctx.db
    table = db.signals
    existing = {r["ckey"]: r for r in db.rows(sa.select(table))}
    linked = _linked_mentions(ctx)
    transitions: list[dict[str, Any]] = []
    changed: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for ckey in sorted(linked):
        cols = compute_signals(linked[ckey], ctx.crm.signals, now).columns()
        old = existing.get(ckey)
        if old is not None and _same(old, cols):
            continue
        brand_id, customer_id = ckey.split(":", 1)
        revision = (old["veille_revision"] + 1) if old else 1
        row = {
            "ckey": ckey,
            "brand_id": brand_id,
            "customer_id": customer_id,
            **cols,
            "veille_revision": revision,
            "veille_updated_at": now,
        }
        changed.append((row, old or {}))
        status, before = cols["veille_status"], (old or {}).get("veille_status")
        last = max(linked[ckey], key=lambda m: (m.published_at or now, m.mention_id))
        if status in (DETRACTOR, ADVOCATE) and before != status:
            transitions.append(
                {
                    "type": "turned_detractor" if status == DETRACTOR else "advocate_appeared",
                    "ckey": ckey,
                    "mention_id": last.mention_id,
                    "url": last.url,
                    "why": cols["veille_status_rule"],
                }
            )
    removed = [k for k in existing if k not in linked]
    for i in range(0, max(len(changed), 1), _CHUNK):
        chunk = changed[i : i + _CHUNK]
        with db.engine.begin() as conn:
            db.upsert(conn, db.signals_name, [row for row, _ in chunk], ["ckey"])
            for row, _old in chunk:
                payload = {k: v for k, v in row.items() if k != "ckey"}
                db.add_event(
                    conn,
                    event_id("signals", row["ckey"], str(row["veille_revision"])),
                    row["ckey"],
                    "signals_updated",
                    payload,
                    now,
                )
            if chunk:
                db.audit(conn, SYSTEM_ACTOR, "signals_written", count=len(chunk))
    if removed:
        with db.engine.begin() as conn:
            conn.execute(table.delete().where(table.c.ckey.in_(removed)))
            for ckey in removed:
                revision = existing[ckey]["veille_revision"] + 1
                brand_id, customer_id = ckey.split(":", 1)
                db.add_event(
                    conn,
                    event_id("signals_removed", ckey, str(revision)),
                    ckey,
                    "signals_removed",
                    {"brand_id": brand_id, "customer_id": customer_id},
                    now,
                )
                db.audit(conn, SYSTEM_ACTOR, "signals_removed", ckey)
    report.signals_written += len(changed)
    report.signals_removed += len(removed)
    return transitions


def marketing_events(
    ctx: CrmContext,
    new_links: Sequence[dict[str, Any]],
    transitions: Sequence[dict[str, Any]],
    now: datetime,
) -> list[dict[str, Any]]:
    """The candidate events of this sync: transitions, competitors named, complaints unanswered."""
    db = ctx.db
    men, links = db.t["veille_crm_mentions"], db.t["veille_crm_links"]
    events = list(transitions)
    linked_ids = [link["mention_id"] for link in new_links]
    competitors: dict[tuple[str, str], list[str]] = {}
    for i in range(0, len(linked_ids), _CHUNK):
        stmt = sa.select(men.c.mention_id, men.c.brand_id, men.c.competitors).where(
            men.c.mention_id.in_(linked_ids[i : i + _CHUNK]), men.c.competitors != "[]"
        )
        for r in db.rows(stmt):
            competitors[(r["mention_id"], r["brand_id"])] = json.loads(r["competitors"])
    for link in new_links:
        names = competitors.get((link["mention_id"], link["brand_id"]))
        if names:
            events.append(
                {
                    "type": "competitor_mentioned",
                    "ckey": link["ckey"],
                    "mention_id": link["mention_id"],
                    "url": link["evidence_url"],
                    "why": f"mentions {', '.join(names)}",
                    "competitors": names,
                }
            )
    hours = ctx.crm.events.complaint_unanswered_hours
    deadline = now - timedelta(hours=hours)
    answer = men.alias("answer")
    answered = sa.exists().where(
        answer.c.thread_url == men.c.thread_url,
        answer.c.thread_url != "",
        answer.c.is_official,
        answer.c.published_at > men.c.published_at,
    )
    stmt = (
        sa.select(links.c.ckey, men.c.mention_id, men.c.url, men.c.published_at)
        .join(
            men, sa.and_(men.c.mention_id == links.c.mention_id, men.c.brand_id == links.c.brand_id)
        )
        .where(
            men.c.label.in_([NEGATIVE, MIXED]),
            men.c.published_at <= deadline,
            men.c.published_at >= deadline - _COMPLAINT_HORIZON,
            ~answered,
        )
    )
    for r in db.rows(stmt):
        events.append(
            {
                "type": "complaint_unanswered",
                "ckey": r["ckey"],
                "mention_id": r["mention_id"],
                "url": r["url"],
                "why": f"negative mention without an answer of the brand for {hours:g} h",
            }
        )
    return events


def emit_events(
    ctx: CrmContext, events: Sequence[dict[str, Any]], now: datetime, report: SyncReport
) -> None:
    """Put events on the feed once each, within their caps (over-cap ones as skipped)."""
    db = ctx.db
    feed = db.t["veille_crm_feed"]
    caps = ctx.crm.events.caps
    with db.engine.begin() as conn:
        for event in events:
            type_, ckey = event["type"], event["ckey"]
            eid = event_id(type_, ckey, event["mention_id"])
            cap = caps[type_]
            since = now - timedelta(hours=cap.per_hours)
            sent = conn.execute(
                sa.select(sa.func.count())
                .select_from(feed)
                .where(
                    feed.c.ckey == ckey,
                    feed.c.type == type_,
                    feed.c.status == "emitted",
                    feed.c.created_at >= since,
                )
            ).scalar_one()
            status = "emitted" if sent < cap.max else "skipped"
            brand_id, customer_id = ckey.split(":", 1)
            payload = {
                **{k: v for k, v in event.items() if k not in ("type", "ckey")},
                "brand_id": brand_id,
                "customer_id": customer_id,
            }
            if status == "skipped":
                payload["skipped"] = f"cap {cap.max} per {cap.per_hours:g} h reached ({sent})"
            if not db.add_event(conn, eid, ckey, type_, payload, now, status):
                continue
            if status == "skipped":
                report.events_skipped += 1
                logger.info("crm event skipped: %s for %s (%s)", type_, ckey, payload["skipped"])
            else:
                report.events += 1
            db.audit(conn, SYSTEM_ACTOR, f"event_{status}", ckey, type=type_, event_id=eid)


def utc(value: datetime | None) -> datetime | None:
    """A stored time made aware (SQLite returns naive UTC)."""
    return None if value is None else _aware(value).astimezone(UTC)
