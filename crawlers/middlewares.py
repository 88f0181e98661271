"""Downloader middlewares: stamp each response's fetch time, and pick an encoding for
pages that declare none.

Both act on the way back from the downloader, after HttpCompressionMiddleware (590) has
decompressed the body, hence their order numbers in `crawlers.settings`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio
from scrapy.http import Request, Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

logger = logging.getLogger(__name__)

FETCHED_AT = "veille_fetched_at"
WESTERN = "cp1252"
# Mess ratio (charset-normalizer's measure of odd characters) under which a windows-1252
# reading counts as readable. Short French snippets read right score up to ~0.45;
# Cyrillic, Greek or Central European bytes read as windows-1252 score 1.0 and more.
READABLE_MESS = 0.5
# Below this many non-ASCII bytes no detector can tell code pages apart (a few accented
# letters read as well in windows-1252 as in a Baltic page), so the Western default holds.
MIN_EVIDENCE = 16


def fetched_at(response: Response) -> datetime:
    """When the response came back (stamped by FetchTimeMiddleware; else now)."""
    stamp = response.meta.get(FETCHED_AT) if response.request is not None else None
    return stamp if isinstance(stamp, datetime) else datetime.now(UTC)


class FetchTimeMiddleware:
    """Record on the request's meta when its response arrived.

    Relative dates ("il y a 3 heures") are read against this instant, which the spider
    also stores as the post's fetched_at.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        """Stamp the fetch time (UTC) under meta key `veille_fetched_at`."""
        request.meta[FETCHED_AT] = datetime.now(UTC)
        return response


def declared_encoding(response: TextResponse) -> str | None:
    """The encoding a response declares by BOM, Content-Type header or <meta>, if any."""
    content_type = response.headers.get(b"Content-Type", b"") or b""
    return (
        read_bom(response.body)[0]
        or http_content_type_encoding(content_type.decode("latin-1"))
        or html_body_declared_encoding(response.body)
    )


def sniff_encoding(body: bytes) -> str:
    """The likeliest encoding of undeclared bytes: UTF-8, windows-1252, else detected.

    charset-normalizer alone often ranks a Baltic or Central European code page first for
    French text (they share most letters), so windows-1252, the HTML standard's
    fallback for Western pages, wins whenever its reading is readable.
    """
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        western = body.decode(WESTERN)
    except UnicodeDecodeError:
        western = None
    if western is not None:
        non_ascii = sum(byte >= 0x80 for byte in body)
        if non_ascii < MIN_EVIDENCE or mess_ratio(western, maximum_threshold=1.0) < READABLE_MESS:
            return WESTERN
    best = from_bytes(body).best()
    return best.encoding if best is not None else WESTERN


class EncodingSniffMiddleware:
    """Give an HTML page that declares no encoding the one `sniff_encoding` picks."""

    def process_response(self, request: Request, response: Response) -> Response:
        """Return the response re-decoded with a sniffed encoding when none is declared."""
        if not isinstance(response, TextResponse) or declared_encoding(response):
            return response
        encoding = sniff_encoding(response.body)
        logger.debug("%s declares no encoding; reading it as %s", response.url, encoding)
        return response.replace(encoding=encoding)
