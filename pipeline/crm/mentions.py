"""Mentions into the CRM database, batch by batch after the stage's cursor.

Each mention of a linking brand becomes one row per brand (its per-brand sentiment and
aspects, the competitors it names), with the author's handle made comparable, the keyed
hashes of the emails and phones it contains, and a flag when it touches a special
category (then it is never linked). Authors on the suppression list are left out. The
cursor moves in the same transaction as the batch, so a sync that dies resumes exactly.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa

from configuration.aspects import AspectConfig
from configuration.crm import SpecialCategories
from nlp.aspects import AspectMatcher, aspect_ids, tokenize_plain
from nlp.normalize import fold
from pipeline.crm.context import CrmContext, SyncReport
from pipeline.crm.identity import extract_pii_hashes, normalize_handle, platform_of
from pipeline.crm.reviews import NameIndex
from records import Mention
from records.authors import author_key

logger = logging.getLogger(__name__)

CURSOR = "mentions_cursor"


class MentionSource(Protocol):
    """What the CRM stage reads of the store: the mentions after a sequence number."""

    def mentions_after(self, seq: int, limit: int) -> list[tuple[int, Mention]]:
        """Mentions stored or changed after `seq`, oldest first."""
        ...


class SpecialTopics:
    """Finds special-category topics (GDPR art. 9) in a mention; build once per sync.

    The term list goes through the NLP stage's aspect tagger (whole words, accents and
    case folded, multi-word terms), and the mention's own aspects count too when the
    config names some of them as special.
    """

    def __init__(self, config: SpecialCategories) -> None:
        self._matcher = AspectMatcher(
            [AspectConfig(id=k, name=k, terms=v) for k, v in config.terms.items() if v]
        )
        self._aspects = set(config.aspects)
        # Most posts name no special topic: a regex of the terms' first words, over the
        # folded text, rules them out before the tagger's token-by-token matching.
        firsts = {
            fold(term).split()[0]
            for terms in config.terms.values()
            for term in terms
            if term.strip()
        }
        pattern = "|".join(sorted(map(re.escape, firsts), key=len, reverse=True))
        self._quick = re.compile(rf"\b(?:{pattern})\b") if firsts else None

    def find(self, mention: Mention) -> list[str]:
        """The special categories the mention touches (empty: none)."""
        found = [a for a in mention.aspects if a in self._aspects]
        text = mention.post.body_text
        if self._quick is not None and self._quick.search(fold(text)):
            found += aspect_ids(self._matcher.match(tokenize_plain(text)))
        return list(dict.fromkeys(found))


@dataclass
class _BrandView:
    officials: set[str]
    competitors: set[str]


def _label(mention: Mention, brand_id: str) -> str | None:
    if mention.sentiment_override:
        return mention.sentiment_override
    return mention.brand_sentiment.get(brand_id) or mention.effective_label


def ingest_mentions(
    ctx: CrmContext,
    store: MentionSource,
    report: SyncReport,
    batch_size: int = 1000,
    on_batch: Callable[[int], None] | None = None,
) -> None:
    """Read the store's mentions after the cursor into the CRM database."""
    db = ctx.db
    brands = {
        b: _BrandView(
            {normalize_handle(a) for a in ctx.config.brand(b).official_accounts},
            set(ctx.config.brand(b).competitors),
        )
        for b in ctx.crm.linking_brands()
    }
    if not brands:
        return
    special = SpecialTopics(ctx.crm.special_categories)
    suppressed = db.suppressed("author")
    names = NameIndex.load(ctx, brands)
    with db.engine.connect() as conn:
        cursor = int(db.get_state(conn, CURSOR, "0"))
    while True:
        batch = store.mentions_after(cursor, batch_size)
        if not batch:
            break
        rows: list[dict] = []
        pii: list[dict] = []
        special_ids: list[str] = []
        texts: dict[str, str] = {}
        for _seq, mention in batch:
            report.mentions_read += 1
            post = mention.post
            author = normalize_handle(post.author)
            platform = platform_of(post.source_id, post.kind)
            # Entries are author keys (hashes); raw handles written by older versions too.
            key = author_key(author)
            if key in suppressed or author in suppressed or f"{platform}:{author}" in suppressed:
                report.suppressed += 1
                continue
            topics = special.find(mention)
            hashes = mention.pii_hashes or extract_pii_hashes(post.body_text, ctx.salt)
            wanted = False
            for brand_id, view in brands.items():
                official = author in view.officials
                if brand_id not in mention.brand_ids and not official:
                    continue
                wanted = True
                aspects = mention.brand_aspects.get(brand_id) or mention.aspects
                rows.append(
                    {
                        "mention_id": mention.id,
                        "brand_id": brand_id,
                        "platform": platform,
                        "author": author,
                        "author_name": post.author,
                        "published_at": post.published_at,
                        "url": post.url,
                        "thread_url": post.thread_url,
                        "label": _label(mention, brand_id),
                        # Special-category mentions keep no topics at all.
                        "aspects": json.dumps([] if topics else sorted(aspects)),
                        "competitors": json.dumps(
                            sorted(b for b in mention.brand_ids if b in view.competitors)
                        ),
                        "special": bool(topics),
                        "is_official": official,
                    }
                )
            if not wanted:
                continue
            if topics:
                report.special += 1
                special_ids.append(mention.id)
            else:
                texts[mention.id] = fold(post.body_text)
            pii.extend({"mention_id": mention.id, "hash": h} for h in hashes)
        with db.engine.begin() as conn:
            db.upsert(conn, "veille_crm_mentions", rows, ["mention_id", "brand_id"])
            db.insert_new(conn, "veille_crm_mention_pii", pii, ["mention_id", "hash"])
            if special_ids:
                # A mention re-analysed as special loses the links it had.
                links = db.t["veille_crm_links"]
                conn.execute(links.delete().where(links.c.mention_id.in_(special_ids)))
            reviews = names.propose(
                [r for r in rows if not r["special"] and not r["is_official"]], texts, pii
            )
            db.insert_new(conn, "veille_crm_reviews", reviews, ["review_id"])
            report.reviews_new += len(reviews)
            cursor = batch[-1][0]
            db.set_state(conn, CURSOR, str(cursor))
        report.mention_rows += len(rows)
        if on_batch is not None:
            on_batch(len(batch))
    logger.info("crm: %d mentions read, %d rows", report.mentions_read, report.mention_rows)


def mention_rows_of_author(ctx: CrmContext, author: str) -> list[str]:
    """Ids of the stored mentions of one author (any platform), for erasure."""
    t_m = ctx.db.t["veille_crm_mentions"]
    return [
        r["mention_id"]
        for r in ctx.db.rows(sa.select(t_m.c.mention_id).where(t_m.c.author == author).distinct())
    ]
