"""No connection at run time but to the configured sources.

Scrapy's cookie middleware splits domains with tldextract, which by default downloads
the public suffix list on first use (and, with no network, logs a connection error on
every crawl). tldextract ships a snapshot of the list; an empty
`TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS` makes it use that snapshot (or its cache) and never
connect. The variable is read when tldextract's extractor is built, which Scrapy does
when its cookie middleware is imported, so this runs before Scrapy is loaded.
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger(__name__)

SUFFIX_LIST_URLS = "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"


def use_shipped_suffix_list() -> None:
    """Make tldextract read the suffix list it ships instead of downloading one.

    A value already in the environment wins: an operator may point it at a local file.
    """
    os.environ.setdefault(SUFFIX_LIST_URLS, "")
