"""One forum post element read through selectors: id, author, date, own text and quotes.

Pure (lxml, no Scrapy), so that the forum spider and `veille sources detect` (which runs
in the parent process, where Scrapy is never loaded) read a post the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from crawlers.dates import DEFAULT_LANGUAGES, DateParseError, parse_post_date
from crawlers.selectors import first_text, select_elements
from crawlers.text import PostText, extract_post_text

logger = logging.getLogger(__name__)


class BadPost(ValueError):
    """A post element that cannot become a RawPost; `kind` is its error kind."""

    def __init__(self, kind: str, detail: str) -> None:
        self.kind = kind
        super().__init__(detail)


@dataclass
class PostFields:
    """What the selectors read from one post element."""

    raw_id: str
    published_at: datetime
    text: PostText
    author: str
    author_url: str
    likes_text: str


def languages_for(lang_hint: str | None) -> tuple[str, ...]:
    """Date languages to try, the source's own first (French, then English, by default)."""
    if lang_hint and lang_hint not in DEFAULT_LANGUAGES:
        return (lang_hint, *DEFAULT_LANGUAGES)
    if lang_hint:
        return (lang_hint, *(x for x in DEFAULT_LANGUAGES if x != lang_hint))
    return DEFAULT_LANGUAGES


def read_post(
    element: etree._Element,
    sel: Any,
    tz: str,
    now: datetime,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> PostFields:
    """The fields of one post element under selectors `sel` (a ForumSelectors).

    Raises BadPost: `parse/bad_post` for a missing id, date or body, `parse/bad_date` for
    a date nothing understands.
    """
    raw_id = first_text(element, sel.post_id)
    if not raw_id:
        raise BadPost("parse/bad_post", f"post without an id ({sel.post_id!r})")
    date_text = first_text(element, sel.date)
    if not date_text:
        raise BadPost("parse/bad_post", f"post {raw_id}: no date ({sel.date!r})")
    bodies = select_elements(element, sel.body)
    if not bodies:
        raise BadPost("parse/bad_post", f"post {raw_id}: no body ({sel.body!r})")
    text = extract_post_text(
        bodies[0],
        sel.quote,
        sel.quote_author,
        quote_cite_css=sel.quote_cite,
        drop=(sel.signature, sel.edit_notice),
    )
    if not text.body:
        raise BadPost("parse/bad_post", f"post {raw_id}: empty body")
    try:
        published_at = parse_post_date(date_text, tz, now, languages)
    except DateParseError as exc:
        raise BadPost("parse/bad_date", f"post {raw_id}: {exc}") from exc
    return PostFields(
        raw_id=raw_id,
        published_at=published_at,
        text=text,
        author=first_text(element, sel.author),
        author_url=first_text(element, sel.author_url),
        likes_text=first_text(element, sel.likes) if sel.likes else "",
    )
