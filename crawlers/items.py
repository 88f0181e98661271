"""The item every spider yields: RawPost, one consumer post.

Scrapy projects keep their items here; the record itself is defined in `records.posts`,
the leaf every stage shares, so that the store and the NLP stage need not import crawlers.
"""

from __future__ import annotations

from records.posts import RawPost, post_id

__all__ = ["RawPost", "post_id"]
