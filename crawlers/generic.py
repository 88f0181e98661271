"""The generic forum extractor: posts of an engine no preset knows.

A thread page of any engine repeats one block per post, and each block holds an author
(a link to a profile, or an element named like one), a date and a body. The extractor
groups elements by tag, first class and depth, reads each block of a group, and keeps
the group where most blocks have all three; quotes (`blockquote`) are set apart and
signatures and edit notices dropped as the presets do. On a page without posts it
gives the links a crawl should follow: the largest group of repeated, titled links
(sub-forums or topics) and the next page.

No library does this for forums: readability-style extractors (trafilatura, readability)
keep one main text per page and drop the repeated blocks this needs, so it is written
here, on lxml and Veille's own date and text readers.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawlers.dates import DEFAULT_LANGUAGES, DateParseError, parse_post_date
from crawlers.selectors import select_elements
from crawlers.text import PostText, extract_post_text

logger = logging.getLogger(__name__)

# vBulletin puts a whole post body in <blockquote class="postcontent">: not a quote.
QUOTES = (
    "xpath:.//blockquote[not(contains(@class,'content'))]"
    "[not(ancestor::aside[contains(@class,'quote')])]"  # Discourse: the quote's own text
    " | .//aside[contains(@class,'quote')] | .//div[contains(@class,'bbcode_container')]"
    # A Markdown engine's "**gege** wrote:" paragraph above the quote (FlaskBB): cut too.
    " | .//p[following-sibling::*[1][self::blockquote]]"
    "[re:test(normalize-space(.), '(wrote|said|a écrit|a dit) ?:$', 'i')]"
)
# The line above a quote naming who wrote it (Simple Machines' <cite>, Discourse's title).
QUOTE_CITES = (
    "xpath:.//cite | .//*[contains(@class,'citation') or contains(@class,'postedby') "
    "or contains(@class,'title')]"
)
DROPPED = (
    "xpath:.//*[contains(@class,'signature') or contains(@class,'lastedit') "
    "or contains(@class,'edit-note') or contains(@class,'lastEdit') "
    "or contains(@class,'message-edited') or contains(@class,'modified') "
    "or @data-excludequote]"
)
_PROFILE_HREF = re.compile(
    r"(?:member|profile|user|/u/|/users?/|/people/|/author/|[?&;]u=\d|action=profile)", re.I
)
_AUTHOR_CLASS = re.compile(r"(?:user|author|poster|creator|member)[-_]?(?:name)?", re.I)
# Where engines keep a machine-readable or full date; `title` holds the absolute date
# behind a relative one ("il y a 3 heures", Khoros, Invision).
_DATE_ATTRS = ("datetime", "data-time", "data-timestamp", "data-date", "title")
_HAS_DIGIT = re.compile(r"\d")
# Dates of the author, not of the post: "Joined: 2 déc. 2026", "Inscrit le …".
_NOT_POST_DATE_CLASS = re.compile(r"(?i)regist|joined|since|birth|last-?seen|last-?visit")
_NOT_POST_DATE_LABEL = re.compile(
    r"(?i)(?:joined|registered|member since|inscrit|inscription|membre depuis|"
    r"derni[eè]re visite|last visit)\W*$"
)
# What a date text shows at least: a time, a numeric date, a month's name or a day word.
_DATE_HINT = re.compile(
    r"(?i)\d{1,2}\s?[:h]\s?\d{2}|\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|\b(?:aujourd|hier|today|"
    r"yesterday|il y a|ago|janv|f[ée]vr?|mars|avr|mai|juin|juil|ao[uû]t|sept?|oct|nov|d[ée]c|"
    r"jan|feb|mar|apr|may|jun|jul|aug)"
)
_WRAPPER = etree.XPath(
    "boolean(.//h1 | .//*[contains(@class,'pagination') or contains(@class,'pageNav') "
    "or contains(@class,'pagelinks')])"
)
_NEXT_TEXT = re.compile(r"(?i)^\s*(?:suivante?|next|page suivante|next page|»|›|>|→)\s*$")
# Blocks of fewer characters than this are not posts (buttons, avatars, counters).
MIN_BODY_CHARS = 2
_INLINE = frozenset({"a", "span", "i", "b", "em", "strong", "img", "br", "td", "time", "abbr"})
# A container with this share of the largest one's text still holds the whole body.
BODY_SHARE = 0.7
# Date texts longer than this are sentences of a body, not a byline's date.
MAX_DATE_CHARS = 90


@dataclass
class GenericPost:
    """One post the extractor read."""

    post_id: str
    author: str
    author_url: str
    published_at: datetime
    text: PostText
    element: etree._Element = field(repr=False)


@dataclass
class GenericPage:
    """What the extractor found on a page: posts, or the links to follow."""

    posts: list[GenericPost]
    blocks: int  # post blocks seen, read or not
    links: list[str]
    next_page: str | None
    post_selector: str | None = None


def _is_quote(element: etree._Element) -> bool:
    # Discourse quotes are <aside class="quote">, Invision's author pane is an <aside>
    # too, and vBulletin's bodies are <blockquote class="postcontent">.
    classes = element.get("class") or ""
    if element.tag == "blockquote":
        return "content" not in classes
    return "quote" in classes and element.tag in ("aside", "div")


def _in_quote(element: etree._Element) -> bool:
    return any(_is_quote(a) for a in element.iterancestors())


def _classes(element: etree._Element) -> list[str]:
    return (element.get("class") or "").split()


class _Dates:
    """parse_post_date with a memo: nested groups of a page read the same texts again."""

    def __init__(self, tz: str, now: datetime, languages: Sequence[str]) -> None:
        self.tz, self.now, self.languages = tz, now, tuple(languages)
        self.memo: dict[str, datetime | None] = {}

    def read(self, text: str) -> datetime | None:
        if text not in self.memo:
            try:
                self.memo[text] = parse_post_date(text, self.tz, self.now, self.languages)
            except DateParseError:
                self.memo[text] = None
        return self.memo[text]


def _authors_date(element: etree._Element, block: etree._Element) -> bool:
    """True for a date of the author (registration, last visit) rather than of the post."""
    for node in (element, *element.iterancestors()):
        if node is block:
            break
        if _NOT_POST_DATE_CLASS.search(node.get("class") or ""):
            return True
    previous = element.getprevious()
    before = (previous.tail if previous is not None else None) or (
        element.getparent().text if element.getparent() is not None else ""
    )
    return bool(_NOT_POST_DATE_LABEL.search(before or ""))


def _date_of(block: etree._Element, dates: _Dates) -> tuple[datetime, etree._Element] | None:
    """The block's date and the element holding it: an attribute first, then a short text."""
    for element in block.iter():
        if not isinstance(element.tag, str) or _in_quote(element):
            continue
        if _authors_date(element, block):
            continue
        for attr in _DATE_ATTRS:
            value = element.get(attr)
            if value and _HAS_DIGIT.search(value) and (when := dates.read(value)):
                return when, element
    # The outermost short text first: "12/11/2024, <span>14:32</span>" reads whole; but
    # not around an edit notice, whose date is not the post's.
    dropped = select_elements(block, DROPPED)
    for element in block.iterdescendants():
        if not isinstance(element.tag, str) or _in_quote(element) or _is_quote(element):
            continue
        if any(d is element or element in d.iterancestors() for d in dropped):
            continue
        if _authors_date(element, block):
            continue
        text = " ".join(element.xpath("string()").split())
        if not text or len(text) > MAX_DATE_CHARS:
            continue
        if not _DATE_HINT.search(text):
            continue  # "Messages : 412", "#13": dateparser's search costs ~15 ms a text
        if when := dates.read(text):
            return when, element
    return None


def _author_of(block: etree._Element) -> tuple[str, etree._Element] | None:
    """The author shown in a block: a profile link, else an element named like one."""
    candidates: list[etree._Element] = []
    for link in block.iter("a"):
        if _in_quote(link):
            continue
        if _PROFILE_HREF.search(link.get("href") or "") or any(
            _AUTHOR_CLASS.search(c) for c in _classes(link)
        ):
            candidates.append(link)
    if not candidates:
        candidates = [
            e
            for e in block.iter()
            if isinstance(e.tag, str)
            and not _in_quote(e)
            and any(_AUTHOR_CLASS.fullmatch(c) for c in _classes(e))
        ]
    for element in candidates:
        name = " ".join(element.xpath("string()").split())
        if 0 < len(name) <= 60:
            return name, element
    return None


def _body_of(block: etree._Element, taken: Sequence[etree._Element]) -> etree._Element | None:
    """The post's text container: it holds neither the author nor the date.

    Among such containers, the deepest one with most of the largest one's text: a post
    title above the body ("Re: …", vBulletin) is left out, a quote inside it is kept.
    """
    # Signatures and edit notices do not count: they would make a container that holds
    # them look like more of the body than the body itself.
    dropped = [e for e in select_elements(block, DROPPED) if e is not block]
    found: list[tuple[int, int, etree._Element]] = []
    for depth, element in _descendants(block):
        if element.tag not in ("div", "section", "article", "td", "blockquote"):
            continue
        if any(t is element or element in t.iterancestors() for t in taken):
            continue  # holds the byline
        if _in_quote(element) or _is_quote(element):
            continue
        if any(d is element or d in element.iterancestors() for d in dropped):
            continue  # a signature is not the body, however long
        size = _size(element) - sum(_size(d) for d in dropped if element in d.iterancestors())
        if size >= MIN_BODY_CHARS:
            found.append((size, depth, element))
    if not found:
        return None
    largest = max(size for size, _, _ in found)
    near = [f for f in found if f[0] >= BODY_SHARE * largest]
    return max(near, key=lambda f: (f[1], f[0]))[2]


def _size(element: etree._Element) -> int:
    return len(" ".join(element.xpath("string()").split()))


def _mostly_links(body: etree._Element, own_text: str) -> bool:
    linked = sum(_size(a) for a in body.iter("a") if not _in_quote(a))
    return linked * 2 > len(own_text)


def _descendants(root: etree._Element) -> Iterator[tuple[int, etree._Element]]:
    stack = [(0, root)]
    while stack:
        depth, element = stack.pop()
        if depth:
            yield depth, element
        # Reversed onto the stack, so blocks come out in document order.
        stack.extend((depth + 1, c) for c in reversed(element) if isinstance(c.tag, str))


def _post_id(block: etree._Element, author: str, when: datetime, body: str) -> str:
    for attr in ("data-post-id", "data-pid", "data-content", "data-lia-message-uid", "id"):
        if value := (block.get(attr) or "").strip():
            return value
    # No id in the markup: the post's own content names it (stable across crawls).
    digest = hashlib.sha1(f"{author}|{when.isoformat()}|{body[:200]}".encode()).hexdigest()
    return "g" + digest[:16]


def read_block(
    block: etree._Element, tz: str, now: datetime, languages: Sequence[str] = DEFAULT_LANGUAGES
) -> GenericPost | None:
    """One post block read as a post, or None when its author, date or body is missing."""
    return _read_block(block, _Dates(tz, now, languages))


def _read_block(block: etree._Element, dates: _Dates) -> GenericPost | None:
    dated = _date_of(block, dates)
    author = _author_of(block)
    if dated is None or author is None:
        return None
    body = _body_of(block, [dated[1], author[1]])
    if body is None:
        return None
    text = extract_post_text(body, QUOTES, quote_cite_css=QUOTE_CITES, drop=(DROPPED,))
    if not text.body or _mostly_links(body, text.body):
        return None  # a topic-list row: its "body" is the topic's title link
    post_id = _post_id(block, author[0], dated[0], text.body)
    author_url = author[1].get("href") or "" if author[1].tag == "a" else ""
    return GenericPost(post_id, author[0], author_url, dated[0], text, block)


def _groups(root: etree._Element) -> dict[tuple[str, str, int], list[etree._Element]]:
    """Elements by (tag, first class, depth): the repeated blocks of a page."""
    groups: dict[tuple[str, str, int], list[etree._Element]] = defaultdict(list)
    for depth, element in _descendants(root):
        if element.tag in _INLINE:
            continue  # a post block is a block (vBulletin's are <li>, old themes' <tr>)
        classes = _classes(element)
        if classes:
            groups[(str(element.tag), classes[0], depth)].append(element)
    return groups


def find_posts(
    root: etree._Element, tz: str, now: datetime, languages: Sequence[str] = DEFAULT_LANGUAGES
) -> tuple[list[GenericPost], int, str | None]:
    """The posts of a thread page: (posts, blocks of their group, a CSS selector of it)."""
    best: tuple[tuple[int, int, int], list[GenericPost], int, str] | None = None
    dates = _Dates(tz, now, languages)
    for (tag, first_class, depth), elements in _groups(root).items():
        # Quotes repeat too, and so do wrappers of the whole page (they hold its title
        # or its pagination): neither is a post.
        if _in_quote(elements[0]) or any(_WRAPPER(e) for e in elements):
            continue
        # Two blocks that do not read rule a group out before the rest are tried.
        if all(_read_block(e, dates) is None for e in elements[:2]) and len(elements) > 2:
            continue
        posts = [p for e in elements if (p := _read_block(e, dates)) is not None]
        if not posts or len(posts) * 2 < len(elements):
            continue
        # Most posts first; then the outermost of nested groups that read the same posts
        # (the post block itself carries the id, its inner wrappers do not).
        key = (len(posts), -depth, sum(len(p.text.body) for p in posts))
        if best is None or key > best[0]:
            best = (key, posts, len(elements), f"{tag}.{first_class}")
    if best is None:
        return [], 0, None
    return best[1], best[2], best[3]


def follow_links(root: etree._Element, url: str) -> list[str]:
    """Links a crawl should follow from a page without posts: its repeated titled links."""
    host = urlsplit(url).hostname
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for link in root.iter("a"):
        href = (link.get("href") or "").strip()
        text = " ".join(link.xpath("string()").split())
        if not href or href.startswith(("#", "javascript:", "mailto:")) or len(text) < 4:
            continue
        absolute = urljoin(url, href)
        if urlsplit(absolute).hostname != host or _PROFILE_HREF.search(href):
            continue
        path = tuple(f"{a.tag}.{(_classes(a) or [''])[0]}" for a in list(link.iterancestors())[:3])
        groups[(*path, (_classes(link) or [""])[0])].append(absolute)
    if not groups:
        return []
    best = max(groups.values(), key=lambda links: (len(set(links)), -len(links)))
    return list(dict.fromkeys(best)) if len(set(best)) >= 2 else []


def next_page(root: etree._Element, url: str) -> str | None:
    """The page after this one: rel=next, else a link whose text says "next"."""
    for element in root.iter("a", "link"):
        if "next" in (element.get("rel") or "").split() and element.get("href"):
            return urljoin(url, element.get("href") or "")
    for link in root.iter("a"):
        text = " ".join(link.xpath("string()").split())
        label = text or link.get("title") or link.get("aria-label") or ""
        if link.get("href") and (_NEXT_TEXT.match(label) or "next" in _classes(link)):
            return urljoin(url, link.get("href") or "")
    return None


def extract_page(
    root: etree._Element,
    url: str,
    tz: str,
    now: datetime,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> GenericPage:
    """Everything the generic extractor reads on one page (see the module doc)."""
    posts, blocks, selector = find_posts(root, tz, now, languages)
    links = [] if posts else follow_links(root, url)
    return GenericPage(posts, blocks, links, next_page(root, url), selector)
