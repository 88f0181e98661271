"""Selector expressions of a forum source: CSS by default, XPath after an `xpath:` prefix.

CSS covers most engines (`::text` and `::attr(name)` as in Scrapy); XPath is there for
what CSS cannot say, such as "the link whose icon says next page" in Simple Machines.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeAlias

from lxml import etree
from parsel import Selector, SelectorList
from parsel.csstranslator import HTMLTranslator

if TYPE_CHECKING:
    # Only for type hints: config validation (in the parent process) uses this module,
    # and the parent never loads Scrapy or Twisted.
    from scrapy.http import Response

logger = logging.getLogger(__name__)

XPATH_PREFIX = "xpath:"
_CSS_PSEUDO = re.compile(r"::(?:text|attr\([^)]*\))\s*$")
_XPATH_VALUE = re.compile(r"/(?:text\(\)|@[\w:-]+)\s*$")

# A parsel node, a response, or a bare lxml element (the forum spider's post elements).
Node: TypeAlias = "Selector | SelectorList[Selector] | Response | etree._Element"
_CSS = HTMLTranslator()
_STRING = etree.XPath("string()", smart_strings=False)


def is_xpath(expression: str) -> bool:
    """True for an `xpath:` expression."""
    return expression.startswith(XPATH_PREFIX)


def select(node: Node, expression: str | None) -> SelectorList[Selector]:
    """What `expression` selects under `node` (nothing when the expression is empty)."""
    if not expression:
        return SelectorList([])
    if isinstance(node, etree._Element):
        node = Selector(root=node, type="html")
    if is_xpath(expression):
        return node.xpath(expression.removeprefix(XPATH_PREFIX).strip())
    return node.css(expression)


@lru_cache(maxsize=512)
def _compiled(expression: str) -> etree.XPath:
    """The expression as a compiled XPath (CSS translated as parsel does), cached."""
    if is_xpath(expression):
        path = expression.removeprefix(XPATH_PREFIX).strip()
    else:
        path = _CSS.css_to_xpath(expression)
    return etree.XPath(path, smart_strings=False)


def select_elements(root: etree._Element, expression: str | None) -> list[etree._Element]:
    """The elements `expression` selects under an lxml element (text results skipped)."""
    if not expression or not isinstance(root, etree._Element):
        return []
    return [e for e in _compiled(expression)(root) if isinstance(e, etree._Element)]


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
    element's whole text (a date split over `<span>`s reads as one string). Runs the
    cached compiled XPath on the lxml tree: this is called several times per post, and
    parsel's per-call set-up was a fifth of a crawl's time (bench/crawl.py).
    """
    if not expression:
        return ""
    root = root_of(node)
    if not isinstance(root, etree._Element):
        return _first_text_parsel(node, expression)
    for selected in _compiled(expression)(root):
        value = selected if isinstance(selected, str) else _STRING(selected)
        if cleaned := " ".join(str(value or "").split()):
            return cleaned
    return ""


def _first_text_parsel(node: Node, expression: str) -> str:
    for selected in select(node, expression):
        value = (
            selected.root if isinstance(selected.root, str) else selected.xpath("string()").get()
        )
        if cleaned := " ".join((value or "").split()):
            return cleaned
    return ""


def element_part(expression: str) -> str:
    """The expression without its trailing text/attribute step, so it selects elements.

    "cite::text" → "cite"; "xpath://cite/text()" → "xpath://cite"; "::attr(x)" → "".
    """
    if is_xpath(expression):
        stripped = _XPATH_VALUE.sub("", expression.removeprefix(XPATH_PREFIX).strip())
        return XPATH_PREFIX + stripped if stripped not in ("", ".") else ""
    return _CSS_PSEUDO.sub("", expression).strip()


def check_expression(expression: str) -> str | None:
    """Why an expression cannot be used (a syntax error), or None when it can."""
    try:
        select(Selector(text="<html></html>"), expression)
    except Exception as exc:  # cssselect and lxml raise several unrelated types
        return f"{type(exc).__name__}: {exc}"
    return None
