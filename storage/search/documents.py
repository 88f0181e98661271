"""A Mention as the document the mentions template maps.

The document is `Mention.to_dict()` (so `_source` round-trips through
`Mention.from_dict`) plus fields derived for queries: the mention's time, its brands
after a person's corrections and its effective sentiment label, flat so that terms and
date_histogram aggregations need no nested or scripted fields.
"""

from __future__ import annotations

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
