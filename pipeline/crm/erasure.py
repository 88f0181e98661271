"""Erasure beyond the CRM database: the main store's suppression list and, by config
(`crm.yaml` `erase_mentions`), the person's raw posts and mentions.

`veille privacy forget` runs `forget_in_store` for the handles concerned, then
`forget_author` or `forget_customer` (`pipeline.crm.privacy`, the CRM database). The
store's suppression entries are written first: whatever fails after them, later crawls
and the NLP stage already leave the person out, and the command can simply be run again
(every step is idempotent). What was done is written to the CRM audit log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa

from pipeline.crm.context import CrmContext
from pipeline.crm.identity import normalize_handle
from pipeline.crm.reviews import REVIEW_KIND
from records.authors import author_key
from storage import ErasureCounts, Store

logger = logging.getLogger(__name__)


def customer_handles(ctx: CrmContext, ckey: str) -> list[str]:
    """The handles a customer gave or a review confirmed as theirs (read before
    `forget_customer` deletes them). Not the authors of mentions linked through an email
    or phone number in the post: whoever wrote it is not known to be the customer."""
    ids = ctx.db.t["veille_crm_identities"]
    with ctx.db.engine.connect() as conn:
        given = conn.execute(
            sa.select(ids.c.value).where(
                ids.c.ckey == ckey, ids.c.kind.in_(["handle", REVIEW_KIND])
            )
        ).scalars()
        handles = {normalize_handle(h) for h in given if h}
    return sorted(h for h in handles if h)


def forget_in_store(
    ctx: CrmContext, store: Store, handles: Iterable[str], actor: str, subject: str = ""
) -> dict[str, Any]:
    """Suppress `handles` in the store and, with `erase_mentions`, delete their posts and
    mentions there; audit-logged under `subject` (a customer key, or "" for an author)."""
    normal = sorted({normalize_handle(h) for h in handles} - {""})
    suppressed_new = store.suppress_authors(author_key(h) for h in normal)
    total = ErasureCounts()
    if ctx.crm.erase_mentions:
        for handle in normal:
            counts = store.erase_author(handle)
            for name, value in asdict(counts).items():
                setattr(total, name, getattr(total, name) + value)
    result: dict[str, Any] = {
        "handles": len(normal),
        "suppressed_new": suppressed_new,
        "erase_mentions": ctx.crm.erase_mentions,
        **{f"store_{name}": value for name, value in asdict(total).items()},
    }
    with ctx.db.engine.begin() as conn:
        # Counts only: the handles themselves are what the person asked to be forgotten.
        ctx.db.audit(conn, actor, "forget_in_store", subject, **result)
    logger.info("store: %d handles suppressed, erased %s", len(normal), total)
    return result
