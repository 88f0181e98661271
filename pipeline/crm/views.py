"""Read model of the CRM database for the dashboard: plain rows, no SQL outside here."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from configuration.crm import SOCIAL_LINK
from pipeline.crm.context import CrmContext


def linked_customers(ctx: CrmContext) -> list[dict[str, Any]]:
    """One row per customer with signals: the values written back, newest mention first."""
    sig = ctx.db.signals
    rows = ctx.db.rows(sa.select(sig).order_by(sig.c.veille_last_mention_at.desc(), sig.c.ckey))
    for row in rows:
        for key in ("veille_aspects", "veille_competitors"):
            row[key] = ", ".join(json.loads(row[key]))
    return rows


def consents(ctx: CrmContext) -> list[dict[str, Any]]:
    """Every customer's social-link consent: yes/no, date, source, and whether linked."""
    t = ctx.db.t
    cust, cons, links = t["veille_crm_customers"], t["veille_crm_consents"], t["veille_crm_links"]
    linked = (
        sa.select(links.c.ckey, sa.func.count().label("links")).group_by(links.c.ckey).subquery()
    )
    stmt = (
        sa.select(
            cust.c.ckey,
            cust.c.brand_id,
            cust.c.customer_id,
            cons.c.granted,
            cons.c.given_at,
            cons.c.source,
            sa.func.coalesce(linked.c.links, 0).label("links"),
        )
        .join(cons, sa.and_(cons.c.ckey == cust.c.ckey, cons.c.purpose == SOCIAL_LINK))
        .outerjoin(linked, linked.c.ckey == cust.c.ckey)
        .order_by(cust.c.ckey)
    )
    return ctx.db.rows(stmt)


def reviews(ctx: CrmContext, status: str = "pending") -> list[dict[str, Any]]:
    """Review candidates of one status, oldest first."""
    rev = ctx.db.t["veille_crm_reviews"]
    return ctx.db.rows(sa.select(rev).where(rev.c.status == status).order_by(rev.c.created_at))


def audit_log(ctx: CrmContext, limit: int = 200) -> list[dict[str, Any]]:
    """The newest lines of the audit log."""
    audit = ctx.db.t["veille_crm_audit"]
    return ctx.db.rows(sa.select(audit).order_by(audit.c.seq.desc()).limit(limit))


def events(ctx: CrmContext, limit: int = 200) -> list[dict[str, Any]]:
    """The newest feed events, emitted and skipped (with why)."""
    feed = ctx.db.t["veille_crm_feed"]
    rows = ctx.db.rows(sa.select(feed).order_by(feed.c.seq.desc()).limit(limit))
    for row in rows:
        payload = json.loads(row["payload"])
        row["why"] = payload.get("why") or payload.get("skipped") or ""
        row["customer_id"] = payload.get("customer_id", "")
        row["url"] = payload.get("url", "")
    return rows


def customer_mentions(ctx: CrmContext, ckey: str) -> list[dict[str, Any]]:
    """A customer's linked mentions with how each was linked."""
    men, links = ctx.db.t["veille_crm_mentions"], ctx.db.t["veille_crm_links"]
    stmt = (
        sa.select(
            men.c.mention_id,
            men.c.published_at,
            men.c.url,
            men.c.label,
            men.c.aspects,
            links.c.method,
            links.c.confidence,
            links.c.confirmed_by,
            links.c.confirmed_at,
        )
        .join(
            links,
            sa.and_(links.c.mention_id == men.c.mention_id, links.c.brand_id == men.c.brand_id),
        )
        .where(links.c.ckey == ckey)
        .order_by(men.c.published_at.desc())
    )
    return ctx.db.rows(stmt)
