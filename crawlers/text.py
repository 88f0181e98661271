"""Clean text out of a post's body element: paragraphs kept, quotes set apart, no markup.

Works on the lxml tree under a parsel selector (Scrapy's own stack). The element is
copied first: the response's tree is shared by every selector on the page, and the
spider still reads other fields from it.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass, field

from lxml import etree
from parsel import Selector

from crawlers.selectors import element_part, first_text, select_elements

logger = logging.getLogger(__name__)

# Elements whose text is never shown to a reader.
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title"})
# Elements that start a new line in the rendered text.
BLOCK_TAGS = frozenset((
    "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
    "tr", "ul",
))  # fmt: skip
# NUL cannot occur in parsed HTML text, so it marks line breaks apart from source newlines.
_BREAK = "\x00"
# "Alice a écrit :", "Alice wrote:", "Citation de Alice :", as engines print above a quote.
_CITE_LINE = re.compile(
    r"^(?:(?:citation de|quote from|quoting)\s*:?\s*(?P<pre>.+?)(?:\s+(?:le|on)\s+.*\d.*)?"
    r"|(?P<post>.+?)\s+"
    r"(?:a écrit|a dit|wrote|said|posted))\s*:?\s*$",
    re.IGNORECASE,
)


@dataclass
class Quote:
    """A quote of another post: who was quoted (when shown) and the quoted text."""

    text: str
    author: str | None = None


@dataclass
class PostText:
    """A post body split into the author's own text and the quotes it carries."""

    body: str
    quotes: list[Quote] = field(default_factory=list)


def render_text(element: etree._Element) -> str:
    """Visible text of an element: blocks and <br> become lines, spaces collapsed.

    Escaped markup in the page ("&lt;script&gt;") is text in the tree, so it comes out
    as the literal characters; real <script>/<style> elements are dropped.
    """
    parts: list[str] = []
    _walk(element, parts, is_root=True)
    lines = (" ".join(line.split()) for line in "".join(parts).split(_BREAK))
    return "\n".join(line for line in lines if line)


def _walk(element: etree._Element, parts: list[str], is_root: bool = False) -> None:
    tag = element.tag if isinstance(element.tag, str) else None  # comments, PIs: no tag
    if tag is not None and tag.lower() not in SKIPPED_TAGS:
        block = tag.lower() in BLOCK_TAGS
        if block:
            parts.append(_BREAK)
        if element.text:
            parts.append(element.text)
        for child in element:
            _walk(child, parts)
        if block or tag.lower() == "br":
            parts.append(_BREAK)
    if element.tail and not is_root:
        parts.append(element.tail)


def _drop(element: etree._Element) -> None:
    """Remove an element but keep the text that follows it (lxml keeps it on .tail)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def split_cite_line(text: str) -> tuple[str | None, str]:
    """("Alice", rest) when the text opens with an "Alice a écrit :" line."""
    first, _, rest = text.partition("\n")
    match = _CITE_LINE.match(first.strip())
    if match is None:
        return None, text
    return (match["pre"] or match["post"]).strip(), rest.strip()


def _quote_of(quote: etree._Element, author_css: str | None, cite_css: str | None = None) -> Quote:
    shown = first_text(quote, author_css) or None
    if shown:
        # A cite element usually reads "Alice a écrit :"; the author is its first part.
        shown = (split_cite_line(shown)[0] or shown).rstrip(" :")
    cites = select_elements(quote, cite_css)
    if author_css and (author_part := element_part(author_css)):
        cites += select_elements(quote, author_part)
    for cite in cites:
        if not shown:
            shown = split_cite_line(render_text(cite))[0]
        if cite is not quote:
            _drop(cite)
    cite_author, text = split_cite_line(render_text(quote))
    return Quote(text=text, author=shown or cite_author)


def extract_post_text(
    body: Selector | etree._Element,
    quote_css: str | None = None,
    quote_author_css: str | None = None,
    *,
    quote_cite_css: str | None = None,
    drop: tuple[str | None, ...] = (),
) -> PostText:
    """The author's own text and the quotes of a post's body element.

    `quote_css` selects quote elements; they are cut out of the body and each is kept as a
    Quote with its cite line ("X a écrit :", or the `quote_cite_css` element) removed and
    its author (from `quote_author_css`, else from the cite line). A quote nested in a
    quote belongs to the quoted post, so it is dropped with its container. Elements
    matching `drop` (signatures, edit notices) are removed without a trace.
    """
    source = body if isinstance(body, etree._Element) else body.root
    if not isinstance(source, etree._Element):
        raise TypeError(f"expected an element selector, got {type(source).__name__}")
    root = copy.deepcopy(source)
    for expression in drop:
        for element in select_elements(root, expression):
            if element is not root:
                _drop(element)
    quotes: list[Quote] = []
    if quote_css:
        elements = select_elements(root, quote_css)
        outermost = [q for q in elements if not any(a in elements for a in q.iterancestors())]
        for element in outermost:
            for inner in [q for q in elements if q is not element and element in q.iterancestors()]:
                _drop(inner)
            _drop(element)
            quote = _quote_of(element, quote_author_css, quote_cite_css)
            if quote.text:
                quotes.append(quote)
    return PostText(body=render_text(root), quotes=quotes)


__all__ = ["PostText", "Quote", "element_part", "extract_post_text", "render_text"]
