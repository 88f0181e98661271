"""Veille's spiders, one module per source kind.

A source's `kind` in sources.yaml names a registered `SourceKind`
(configuration.sources), which names its spider; the built-in kinds are registered in
`crawlers.kinds` through entry points, as a third-party kind is.
"""

from __future__ import annotations

from configuration.sources import SOURCE_KINDS
from crawlers.spiders.base import SpiderConfigError, VeilleSpider
from crawlers.spiders.forum import ForumSpider


def spider_for(kind: str) -> type[VeilleSpider]:
    """The spider class that crawls sources of this kind."""
    try:
        spider = SOURCE_KINDS.get(kind).spider_class()
    except KeyError as exc:
        raise SpiderConfigError(f"no spider for {exc.args[0]}") from None
    if not (isinstance(spider, type) and issubclass(spider, VeilleSpider)):
        raise SpiderConfigError(f"source kind {kind!r}: {spider!r} is not a VeilleSpider")
    return spider


__all__ = ["ForumSpider", "SpiderConfigError", "VeilleSpider", "spider_for"]
