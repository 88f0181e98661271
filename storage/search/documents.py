"""A Mention as the document the mentions template maps.

The document is `Mention.to_dict()` (so `_source` round-trips through
`Mention.from_dict`) plus fields derived for queries: the mention's time, its brands
after a person's corrections and its effective sentiment label, flat so that terms and
date_histogram aggregations need no nested or scripted fields.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from records import Mention

# Kept in _source but not indexed (the template's "dynamic": false leaves them out):
# maps with free keys, or fields nothing queries yet.
SOURCE_ONLY_FIELDS = frozenset(
    {
        # brand id -> label / aspects: free keys; per-brand facets are for the backend to map
        "brand_sentiment",
        "brand_aspects",
        # a person's corrections, already applied in brand_ids and sentiment_label
        "brand_overrides",
    }
)


def mention_document(mention: Mention) -> dict[str, Any]:
    """The JSON document of one mention (its id is `mention.id`)."""
    document = mention.to_dict()
    post = mention.post
    # Same rule as the SQLite store's `ts` column: the post's date, else when it was fetched.
    document["ts"] = (post.published_at or post.fetched_at).isoformat()
    document["brand_ids"] = mention.brand_ids
    document["sentiment_label"] = mention.effective_label
    return document


def mention_digest(data: dict[str, Any]) -> str:
    """Hash of what the NLP stage computes for a mention (a person's corrections and the
    processing time apart), as the SQLite store keeps it: equal digests, a duplicate."""
    volatile = ("processed_at", "sentiment_override", "brand_overrides")
    stable = {k: v for k, v in data.items() if k not in volatile}
    return hashlib.sha1(json.dumps(stable, sort_keys=True).encode()).hexdigest()


def brand_label(mention: Mention, brand_id: str) -> str | None:
    """The sentiment an alert rule counts for a brand: a person's correction, then the
    model's label for that brand, then the mention's."""
    return (
        mention.sentiment_override
        or mention.brand_sentiment.get(brand_id)
        or (mention.sentiment.label if mention.sentiment else None)
    )


def store_document(mention: Mention, seq: int, digest: str) -> dict[str, Any]:
    """The document the store writes (mentions template v2): `mention_document` plus its
    sequence number, digest and the fields corrections change, flat for aggregations."""
    document = mention_document(mention)
    brands = mention.brand_ids
    document.update(
        seq=seq,
        content_hash=digest,
        brand_aspect_keys=[
            aspect_key(b, a) for b in brands for a in mention.brand_aspects.get(b, [])
        ],
        brand_negative=[b for b in brands if brand_label(mention, b) == "negative"],
        corrected=bool(mention.sentiment_override or mention.brand_overrides),
    )
    return document


def aspect_key(brand_id: str, aspect_id: str) -> str:
    """One (brand, aspect) pair as one keyword, for a terms aggregation."""
    return f"{brand_id}\x1f{aspect_id}"
