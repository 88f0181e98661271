"""Links: a mention attributed to a customer, only on an identifier the customer gave.

The matching is one SQL join per kind of identifier (a handle on the same platform, a
keyed email or phone hash found in the post, a handle a person confirmed in review),
restricted to customers with a granted consent and to mentions that are neither
special-category nor official; the database triggers refuse anything else anyway.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from configuration.crm import SOCIAL_LINK
from pipeline.crm.context import SYSTEM_ACTOR, CrmContext, SyncReport
from pipeline.crm.reviews import REVIEW_KIND

logger = logging.getLogger(__name__)

METHODS = {
    "handle": "handle",
    REVIEW_KIND: "review",
    "email_hash": "email_hash",
    "phone_hash": "phone_hash",
}
_CHUNK = 5000
# The tables of the candidates' join, analysed before it runs (CrmDb.refresh_statistics).
_JOINED = (
    "veille_crm_identities",
    "veille_crm_customers",
    "veille_crm_consents",
    "veille_crm_mentions",
    "veille_crm_mention_pii",
    "veille_crm_links",
    "veille_crm_reviews",
)


def _candidates(ctx: CrmContext) -> list[dict[str, Any]]:
    db = ctx.db
    ids, cust, cons, men, pii, links, rev = (db.t[n] for n in _JOINED)
    consented = sa.and_(cons.c.ckey == ids.c.ckey, cons.c.purpose == SOCIAL_LINK, cons.c.granted)
    not_linked = ~sa.exists().where(
        links.c.ckey == ids.c.ckey, links.c.mention_id == men.c.mention_id
    )
    usable = sa.and_(
        men.c.brand_id == cust.c.brand_id, sa.not_(men.c.special), sa.not_(men.c.is_official)
    )
    cols = [
        ids.c.ckey,
        ids.c.kind,
        men.c.mention_id,
        men.c.brand_id,
        men.c.url,
        men.c.platform,
        men.c.author,
    ]
    by_handle = (
        sa.select(*cols)
        .join(cust, cust.c.ckey == ids.c.ckey)
        .join(cons, consented)
        .join(men, sa.and_(men.c.platform == ids.c.platform, men.c.author == ids.c.value))
        .where(ids.c.kind.in_(["handle", REVIEW_KIND]), usable, not_linked)
    )
    by_hash = (
        sa.select(*cols)
        .join(cust, cust.c.ckey == ids.c.ckey)
        .join(cons, consented)
        .join(pii, pii.c.hash == ids.c.value)
        .join(men, men.c.mention_id == pii.c.mention_id)
        .where(ids.c.kind.in_(["email_hash", "phone_hash"]), usable, not_linked)
    )
    found = db.rows(by_handle) + db.rows(by_hash)
    reviewers = {
        (r["ckey"], r["platform"], r["author"]): r
        for r in db.rows(sa.select(rev).where(rev.c.status == "confirmed"))
    }
    for f in found:
        pair = (f["ckey"], f["platform"], f["author"])
        f["review"] = reviewers.get(pair) if f["kind"] == REVIEW_KIND else None
    return found


def link_identified(ctx: CrmContext, now: datetime, report: SyncReport) -> list[dict[str, Any]]:
    """Create the links identifiers allow and that do not exist yet; return them."""
    db = ctx.db
    db.refresh_statistics(_JOINED)
    unlinked = db.suppressed("link")
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for f in sorted(_candidates(ctx), key=lambda f: (f["ckey"], f["mention_id"], f["kind"])):
        key = (f["ckey"], f["mention_id"])
        if key in seen or f"{f['ckey']}|{f['mention_id']}" in unlinked:
            continue
        seen.add(key)
        review = f.get("review")
        rows.append(
            {
                "ckey": f["ckey"],
                "mention_id": f["mention_id"],
                "brand_id": f["brand_id"],
                "method": METHODS[f["kind"]],
                "confidence": round(review["score"] / 100, 3) if review else 1.0,
                "evidence_url": f["url"],
                # An identifier the customer gave needs nobody's confirmation: the CRM
                # record it came from is the evidence; a review names its reviewer.
                "confirmed_by": review["decided_by"] if review else "customer-identifier",
                "confirmed_at": review["decided_at"] if review else now,
            }
        )
    audit = db.t["veille_crm_audit"]
    with db.engine.begin() as conn:
        for i in range(0, len(rows), _CHUNK):
            chunk = rows[i : i + _CHUNK]
            db.insert_new(conn, "veille_crm_links", chunk, ["ckey", "mention_id"])
            conn.execute(
                audit.insert(),
                [
                    {
                        "at": now,
                        "actor": SYSTEM_ACTOR,
                        "action": "link",
                        "ckey": r["ckey"],
                        "detail": json.dumps(
                            {"method": r["method"], "mention_id": r["mention_id"]}, sort_keys=True
                        ),
                    }
                    for r in chunk
                ],
            )
    report.links_new += len(rows)
    return rows


def unlink(ctx: CrmContext, ckey: str, mention_id: str, actor: str) -> bool:
    """Remove one link for good (a later sync will not remake it); False if none."""
    db = ctx.db
    links = db.t["veille_crm_links"]
    with db.engine.begin() as conn:
        gone = conn.execute(
            links.delete().where(links.c.ckey == ckey, links.c.mention_id == mention_id)
        ).rowcount
        db.insert_new(
            conn,
            "veille_crm_suppression",
            [
                {
                    "kind": "link",
                    "value": f"{ckey}|{mention_id}",
                    "at": datetime.now(UTC),
                    "reason": f"unlinked by {actor}",
                }
            ],
            ["kind", "value"],
        )
        db.audit(conn, actor, "unlink", ckey, mention_id=mention_id)
    return bool(gone)
