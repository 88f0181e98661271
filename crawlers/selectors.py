r"""Selector expressions of a forum source: CSS by default, XPath after an `xpath:` prefix.

CSS covers most engines (`::text` and `::attr(name)` as in Scrapy); XPath is there for
what CSS cannot say, such as "the link whose icon says next page" in Simple Machines.
XPath expressions that return a string (`substring-after(...)`, `normalize-space(...)`,
`concat(...)`) or a number give that value, and EXSLT's `re:` and `set:` functions work
as in parsel.

Either kind may end with `::re(REGEX)`: each selected text is then cut with the regular
expression as Scrapy's `re_first` does (parsel's own `extract_regex`: a group named
`extract`, else the groups, else the whole match), e.g.
`p.author::text ::re(le (\d.+))` keeps the date of "Par: gege le 21 novembre 2026 17:47".
A selection the expression does not match counts as nothing selected.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeAlias

from lxml import etree
from parsel import Selector, SelectorList
from parsel.csstranslator import HTMLTranslator
from parsel.utils import extract_regex

if TYPE_CHECKING:
    # Only for type hints: config validation (in the parent process) uses this module,
    # and the parent never loads Scrapy or Twisted.
    from scrapy.http import Response

logger = logging.getLogger(__name__)

XPATH_PREFIX = "xpath:"
REGEX_SUFFIX = "::re("
# The EXSLT namespaces parsel registers for its XPath, so both paths read the same text.
_NAMESPACES = {
    "re": "http://exslt.org/regular-expressions",
    "set": "http://exslt.org/sets",
}
_CSS_PSEUDO = re.compile(r"::(?:text|attr\([^)]*\))\s*$")
_XPATH_VALUE = re.compile(r"/(?:text\(\)|@[\w:-]+)\s*$")

# A parsel node, a response, or a bare lxml element (the forum spider's post elements).
Node: TypeAlias = "Selector | SelectorList[Selector] | Response | etree._Element"
_CSS = HTMLTranslator()
_EXSLT = re.compile(r"\b(?:re|set):")
_STRING = etree.XPath("string()", smart_strings=False)


def is_xpath(expression: str) -> bool:
    """True for an `xpath:` expression."""
    return expression.startswith(XPATH_PREFIX)


@lru_cache(maxsize=512)
def split_regex(expression: str) -> tuple[str, re.Pattern[str] | None]:
    """The selector part of an expression and its `::re(...)` pattern (None without one)."""
    head, marker, tail = expression.partition(REGEX_SUFFIX)
    if not marker:
        return expression, None
    tail = tail.rstrip()
    if not tail.endswith(")"):
        raise ValueError(f"{REGEX_SUFFIX}…) is not closed in {expression!r}")
    return head.rstrip(), re.compile(tail[:-1])


def select(node: Node, expression: str | None) -> SelectorList[Selector]:
    """What `expression` selects under `node` (nothing when the expression is empty).

    A `::re(...)` suffix is left out here: it applies to texts (`select_texts`).
    """
    if not expression:
        return SelectorList([])
    path = split_regex(expression)[0]
    if isinstance(node, etree._Element):
        node = Selector(root=node, type="html")
    if is_xpath(path):
        return node.xpath(path.removeprefix(XPATH_PREFIX).strip())
    return node.css(path)


@lru_cache(maxsize=512)
def _compiled(expression: str) -> etree.XPath:
    """The expression as a compiled XPath (CSS translated as parsel does), cached."""
    path = split_regex(expression)[0]
    xpath = path.removeprefix(XPATH_PREFIX).strip() if is_xpath(path) else _CSS.css_to_xpath(path)
    # The EXSLT namespaces only where used: lxml registers them on every evaluation,
    # which made each selector a third slower (bench/crawl.py).
    namespaces = _NAMESPACES if _EXSLT.search(xpath) else None
    return etree.XPath(xpath, namespaces=namespaces, smart_strings=False)


def _results(root: etree._Element, expression: str) -> list[Any]:
    """The XPath's results as a list: a string or number function gives one value."""
    found = _compiled(expression)(root)
    if isinstance(found, list):
        return found
    if isinstance(found, float) and found.is_integer():
        return [str(int(found))]
    return [str(found)]


def select_elements(root: etree._Element, expression: str | None) -> list[etree._Element]:
    """The elements `expression` selects under an lxml element (text results skipped)."""
    if not expression or not isinstance(root, etree._Element):
        return []
    return [e for e in _results(root, expression) if isinstance(e, etree._Element)]


def root_of(node: Node) -> Any:
    """The lxml element under a node (None for a SelectorList or a non-HTML response)."""
    if isinstance(node, etree._Element):
        return node
    if isinstance(node, Selector):
        return node.root
    selector = getattr(node, "selector", None)
    return selector.root if isinstance(selector, Selector) else None


def first_text(node: Node, expression: str | None) -> str:
    """The first non-blank string `expression` selects, whitespace collapsed ("" if none).

    A text or attribute selection gives its value; an element selection gives the
    element's whole text (a date split over `<span>`s reads as one string); a `::re(...)`
    suffix cuts it. Runs the cached compiled XPath on the lxml tree: this is called
    several times per post, and parsel's per-call set-up was a fifth of a crawl's time
    (bench/crawl.py).
    """
    if not expression:
        return ""
    root = root_of(node)
    if split_regex(expression)[1] is not None or not isinstance(root, etree._Element):
        return next(_texts(node, expression), "")
    # The common case inlined (no generator): several calls per post.
    for selected in _results(root, expression):
        value = selected if isinstance(selected, str) else _STRING(selected)
        if cleaned := " ".join(str(value or "").split()):
            return cleaned
    return ""


def select_texts(node: Node, expression: str | None) -> list[str]:
    """Every non-blank string `expression` selects (as `first_text` reads each one)."""
    return list(_texts(node, expression))


def _texts(node: Node, expression: str | None) -> Iterator[str]:
    if not expression:
        return
    pattern = split_regex(expression)[1]
    root = root_of(node)
    if isinstance(root, etree._Element):
        values: Iterable[Any] = (
            v if isinstance(v, str) else _STRING(v) for v in _results(root, expression)
        )
    else:
        values = (
            s.root if isinstance(s.root, str) else s.xpath("string()").get()
            for s in select(node, expression)
        )
    for value in values:
        text = str(value or "")
        for piece in extract_regex(pattern, text) if pattern else (text,):
            if cleaned := " ".join(piece.split()):
                yield cleaned


def element_part(expression: str) -> str:
    """The expression without its trailing text/attribute step, so it selects elements.

    "cite::text" → "cite"; "xpath://cite/text()" → "xpath://cite"; "::attr(x)" → "".
    """
    expression = split_regex(expression)[0]
    if is_xpath(expression):
        stripped = _XPATH_VALUE.sub("", expression.removeprefix(XPATH_PREFIX).strip())
        return XPATH_PREFIX + stripped if stripped not in ("", ".") else ""
    return _CSS_PSEUDO.sub("", expression).strip()


def check_expression(expression: str) -> str | None:
    """Why an expression cannot be used (a syntax error), or None when it can."""
    try:
        split_regex(expression)
        first_text(Selector(text="<html></html>"), expression)
    except Exception as exc:  # cssselect and lxml raise several unrelated types
        return f"{type(exc).__name__}: {exc}"
    return None
