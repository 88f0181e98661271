"""The review queue: a name (+ city) likeness proposes a candidate, a person decides.

A likeness never links by itself. It puts one candidate per (customer, author) on the
queue; confirming it makes the author's handle an identity of the customer (method
`review`, with who confirmed it and when), so the next sync links their mentions;
rejecting it keeps the pair off the queue for good. Only customers who consented are
candidates at all.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from rapidfuzz import fuzz

from configuration.crm import SOCIAL_LINK
from pipeline.crm.db import event_id
from pipeline.crm.identity import normalize_name

if TYPE_CHECKING:
    from pipeline.crm.context import CrmContext

logger = logging.getLogger(__name__)

REVIEW_KIND = "review_handle"
CITY_BONUS = 8  # a likeness whose post names the customer's city is that much stronger
_MIN_TOKEN = 3


@dataclass
class NameIndex:
    """Consenting customers by name token, and the identities already known."""

    threshold: float
    by_token: dict[tuple[str, str], list[tuple[str, str, str]]] = field(default_factory=dict)
    known_handles: set[tuple[str, str, str]] = field(default_factory=set)  # brand, platform, handle
    known_hashes: set[tuple[str, str]] = field(default_factory=set)  # brand, hash
    reviewed: set[str] = field(default_factory=set)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def load(cls, ctx: CrmContext, brands: Iterable[str]) -> NameIndex:
        """Build the index from the CRM database (once per sync)."""
        db = ctx.db
        cust, cons, ids, rev = (
            db.t[n]
            for n in (
                "veille_crm_customers",
                "veille_crm_consents",
                "veille_crm_identities",
                "veille_crm_reviews",
            )
        )
        wanted = list(brands)
        index = cls(threshold=ctx.crm.fuzzy_threshold)
        consenting = (
            sa.select(cust.c.ckey, cust.c.brand_id, cust.c.name_norm, cust.c.city_norm)
            .join(cons, cons.c.ckey == cust.c.ckey)
            .where(cons.c.purpose == SOCIAL_LINK, cons.c.granted, cust.c.brand_id.in_(wanted))
        )
        by_token: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
        for row in db.rows(consenting):
            for token in set(row["name_norm"].split()):
                if len(token) >= _MIN_TOKEN:
                    by_token[(row["brand_id"], token)].append(
                        (row["ckey"], row["name_norm"], row["city_norm"])
                    )
        index.by_token = dict(by_token)
        known = sa.select(ids.c.ckey, ids.c.kind, ids.c.platform, ids.c.value)
        for row in db.rows(known):
            brand = row["ckey"].split(":", 1)[0]
            if row["kind"] in ("handle", REVIEW_KIND):
                index.known_handles.add((brand, row["platform"], row["value"]))
            else:
                index.known_hashes.add((brand, row["value"]))
        index.reviewed = set(db.rows_scalar(sa.select(rev.c.review_id)))
        return index

    def propose(
        self,
        rows: Sequence[Mapping[str, Any]],
        texts: Mapping[str, str],
        pii: Sequence[Mapping[str, str]],
    ) -> list[dict[str, Any]]:
        """Review candidates for mention rows no identifier of a customer matches."""
        hashes: dict[str, set[str]] = defaultdict(set)
        for p in pii:
            hashes[p["mention_id"]].add(p["hash"])
        out: list[dict[str, Any]] = []
        for row in rows:
            brand, platform, author = row["brand_id"], row["platform"], row["author"]
            if (brand, platform, author) in self.known_handles:
                continue
            if any((brand, h) in self.known_hashes for h in hashes[row["mention_id"]]):
                continue
            author_name = normalize_name(row["author_name"])
            candidates = {
                c
                for token in set(author_name.split())
                for c in self.by_token.get((brand, token), ())
            }
            for ckey, name, city in candidates:
                score = float(fuzz.token_sort_ratio(author_name, name))
                city_named = bool(city) and f" {city} " in f" {texts.get(row['mention_id'], '')} "
                if city_named:
                    score = min(100.0, score + CITY_BONUS)
                if score < self.threshold:
                    continue
                review_id = event_id("review", ckey, platform, author)
                if review_id in self.reviewed:
                    continue
                self.reviewed.add(review_id)
                why = f"name {name!r} ~ author {row['author_name']!r}: {score:.0f}/100"
                if city_named:
                    why += f" (city {city!r} named in the post, +{CITY_BONUS})"
                out.append(
                    {
                        "review_id": review_id,
                        "ckey": ckey,
                        "mention_id": row["mention_id"],
                        "brand_id": brand,
                        "platform": platform,
                        "author": author,
                        "score": score,
                        "evidence_url": row["url"],
                        "why": why,
                        "status": "pending",
                        "created_at": self.now,
                    }
                )
        return out


def decide(ctx: CrmContext, review_id: str, confirm: bool, actor: str) -> dict[str, Any]:
    """Confirm or reject one pending candidate; audited. Returns the review row."""
    db = ctx.db
    rev = db.t["veille_crm_reviews"]
    now = datetime.now(UTC)
    with db.engine.begin() as conn:
        row = conn.execute(sa.select(rev).where(rev.c.review_id == review_id)).first()
        if row is None:
            raise KeyError(f"unknown review {review_id!r}")
        review = dict(row._mapping)
        if review["status"] != "pending":
            raise ValueError(f"review {review_id} is already {review['status']}")
        status = "confirmed" if confirm else "rejected"
        conn.execute(
            rev.update()
            .where(rev.c.review_id == review_id)
            .values(status=status, decided_by=actor, decided_at=now)
        )
        if confirm:
            db.insert_new(
                conn,
                "veille_crm_identities",
                [
                    {
                        "ckey": review["ckey"],
                        "kind": REVIEW_KIND,
                        "platform": review["platform"],
                        "value": review["author"],
                    }
                ],
                ["ckey", "kind", "platform", "value"],
            )
        db.audit(
            conn,
            actor,
            f"review_{status}",
            review["ckey"],
            review_id=review_id,
            mention_id=review["mention_id"],
            score=review["score"],
        )
    review.update(status=status, decided_by=actor, decided_at=now)
    return review
