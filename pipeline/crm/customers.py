"""Customers into the CRM database: identities and names only where consent was given.

A customer without a granted `social_link` consent is stored as their consent alone (no
name, no identifiers), so nothing could match them even by mistake. A consent withdrawn,
or a customer gone from the CRM, removes their links and signals (the database trigger
does the deleting) and puts a deletion event on the feed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from configuration.crm import SOCIAL_LINK
from pipeline.crm.context import SYSTEM_ACTOR, CrmContext, SyncReport
from pipeline.crm.db import event_id
from pipeline.crm.identity import normalize_name
from records.customers import Customer

logger = logging.getLogger(__name__)

CUSTOMER_KINDS = ("handle", "email_hash", "phone_hash")


def sync_customers(
    ctx: CrmContext, brand_id: str, customers: Sequence[Customer], now: datetime, report: SyncReport
) -> None:
    """Replace one brand's customers with those just loaded, in one transaction."""
    db = ctx.db
    suppressed = db.suppressed("customer")
    kept = [c for c in customers if c.key not in suppressed]
    report.suppressed += len(customers) - len(kept)
    t_cust, t_cons, t_id = (
        db.t[n] for n in ("veille_crm_customers", "veille_crm_consents", "veille_crm_identities")
    )
    with db.engine.begin() as conn:
        before = dict(
            conn.execute(
                sa.select(t_cons.c.ckey, t_cons.c.granted)
                .join(t_cust, t_cust.c.ckey == t_cons.c.ckey)
                .where(t_cust.c.brand_id == brand_id, t_cons.c.purpose == SOCIAL_LINK)
            ).all()
        )
        now_granted = {c.key: c.consent(SOCIAL_LINK) for c in kept}
        gone = [k for k in before if k not in now_granted]
        withdrawn = [k for k, g in before.items() if g and not now_granted.get(k, False)]
        for ckey in withdrawn:
            # The trigger on the consents table deletes the links and signals below.
            db.add_event(
                conn,
                event_id("consent_withdrawn", ckey, now.isoformat()),
                ckey,
                "consent_withdrawn",
                {
                    "brand_id": brand_id,
                    "customer_id": ckey.split(":", 1)[1],
                    "deleted": ["links", "signals"],
                },
                now,
            )
            db.audit(conn, SYSTEM_ACTOR, "consent_withdrawn", ckey)
        report.consents_withdrawn += len(withdrawn)
        if gone:
            conn.execute(t_cons.delete().where(t_cons.c.ckey.in_(gone)))
            conn.execute(t_id.delete().where(t_id.c.ckey.in_(gone)))
            conn.execute(t_cust.delete().where(t_cust.c.ckey.in_(gone)))
        customer_rows: list[dict] = []
        consent_rows: list[dict] = []
        identity_rows: list[dict] = []
        for c in kept:
            granted = now_granted[c.key]
            customer_rows.append(
                {
                    "ckey": c.key,
                    "brand_id": brand_id,
                    "customer_id": c.customer_id,
                    "name_norm": normalize_name(c.name) if granted else "",
                    "city_norm": normalize_name(c.city) if granted else "",
                    "origin": c.origin,
                    "updated_at": now,
                }
            )
            for consent in c.consents:
                consent_rows.append(
                    {
                        "ckey": c.key,
                        "purpose": consent.purpose,
                        "granted": consent.granted,
                        "given_at": consent.given_at,
                        "source": consent.source,
                    }
                )
            if granted:
                identity_rows.extend(
                    {"ckey": c.key, "kind": i.kind, "platform": i.platform, "value": i.value}
                    for i in c.identities
                )
        db.upsert(conn, "veille_crm_customers", customer_rows, ["ckey"])
        # Consents after customers: a withdrawal fires the trigger that unlinks.
        db.upsert(conn, "veille_crm_consents", consent_rows, ["ckey", "purpose"])
        brand_keys = sa.select(t_cust.c.ckey).where(t_cust.c.brand_id == brand_id)
        conn.execute(
            t_id.delete().where(t_id.c.kind.in_(CUSTOMER_KINDS), t_id.c.ckey.in_(brand_keys))
        )
        db.insert_new(
            conn, "veille_crm_identities", identity_rows, ["ckey", "kind", "platform", "value"]
        )
        db.audit(
            conn,
            SYSTEM_ACTOR,
            "customers_loaded",
            brand_id=brand_id,
            customers=len(kept),
            consenting=sum(now_granted.values()),
            withdrawn=len(withdrawn),
            gone=len(gone),
        )
    report.customers += len(kept)
    logger.info(
        "crm %s: %d customers (%d with consent), %d withdrawn, %d gone",
        brand_id,
        len(kept),
        sum(now_granted.values()),
        len(withdrawn),
        len(gone),
    )
