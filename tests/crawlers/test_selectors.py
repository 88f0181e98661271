"""Selector expressions: `::re(...)` post-processing and XPath string functions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml import html
from parsel import Selector
from scrapy import Request
from scrapy.http import HtmlResponse

from configuration.sources import ForumSelectors
from crawlers.middlewares import FETCHED_AT
from crawlers.selectors import (
    check_expression,
    element_part,
    first_text,
    select_elements,
    select_texts,
    split_regex,
)
from tests.crawlers.test_forum_spider import make_spider

# A byline as a phpBB-derived theme prints it in French: the date inside the author line.
POST = """
<div class="post" id="p42">
  <p class="author">Par: <a class="username" href="/u/7">gege</a> le 21 novembre 2025 17:47</p>
  <div class="content">Ma box Telvia a encore planté.</div>
  <ul class="links"><li><a href="/t/1?p=1">1</a></li><li><a href="/t/1?p=2">2</a></li></ul>
</div>
"""


@pytest.fixture
def post() -> html.HtmlElement:
    return html.fragment_fromstring(POST.strip())


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("p.author::text", "Par:"),
        ("p.author ::re(le (\\d.+))", "21 novembre 2025 17:47"),
        ("p.author::re(le (?P<extract>\\d+ \\w+))", "21 novembre"),
        ("xpath:.//p[@class='author'] ::re(\\d{1,2}:\\d{2})", "17:47"),
        ("xpath:substring-after(.//p[@class='author'], ' le ')", "21 novembre 2025 17:47"),
        ("xpath:normalize-space(.//p[@class='author'])", "Par: gege le 21 novembre 2025 17:47"),
        ("xpath:concat(.//a[@class='username'], '@', @id)", "gege@p42"),
        ("xpath:count(.//li)", "2"),
        ("xpath:.//p[re:test(., 'novembre')]/a/text()", "gege"),
        ("p.author ::re(nothing like this)", ""),
    ],
)
def test_first_text(post: html.HtmlElement, expression: str, expected: str) -> None:
    assert check_expression(expression) is None
    assert first_text(post, expression) == expected
    # The parsel path (a Selector, not a bare element) reads the same.
    assert first_text(Selector(root=post, type="html"), expression) == expected


def test_select_texts_cuts_every_value(post: html.HtmlElement) -> None:
    assert select_texts(post, "ul.links a::attr(href) ::re(p=(\\d+))") == ["1", "2"]
    assert select_texts(post, "ul.links a::attr(href)") == ["/t/1?p=1", "/t/1?p=2"]


def test_elements_ignore_the_regex_and_string_results(post: html.HtmlElement) -> None:
    assert [e.tag for e in select_elements(post, "p.author ::re(x)")] == ["p"]
    assert select_elements(post, "xpath:string(.//p)") == []
    assert element_part("cite::text ::re(\\w+)") == "cite"


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("p.author ::re(le \\d+", "not closed"),
        ("p.author ::re(le ((\\d)", "missing )"),
        ("xpath:substring-after(", "XPath"),
    ],
)
def test_bad_expressions_say_why(expression: str, problem: str) -> None:
    assert problem in (check_expression(expression) or "")


def test_split_regex() -> None:
    assert split_regex("a::text") == ("a::text", None)
    path, pattern = split_regex("a::text ::re((\\d+))")
    assert path == "a::text" and pattern is not None and pattern.pattern == "(\\d+)"


def test_a_forum_with_dates_in_bylines_is_read_through_overrides() -> None:
    """The issue's case: a string-function XPath and a regex give the byline's date."""
    for date_selector in (
        "xpath:substring-after(.//p[contains(@class,'author')], ' le ')",
        "p.author ::re(le (\\d.+))",
        "p.author",  # the whole byline: the date is searched inside it
    ):
        spider = make_spider(
            preset="phpbb",
            selectors=ForumSelectors(date=date_selector, post="div.post[id]", body="div.content"),
        )
        body = f"<html><body><h2 class='topic-title'><a>Box</a></h2>{POST}</body></html>"
        url = "http://forum.test/viewtopic.php?t=1"
        request = Request(url, meta={FETCHED_AT: datetime(2026, 1, 5, 9, 0, tzinfo=UTC)})
        response = HtmlResponse(url, body=body.encode(), encoding="utf-8", request=request)
        element = select_elements(response.selector.root, "div.post[id]")[0]
        post = spider.post_from(element, response, "Box", datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
        assert post.published_at == datetime(2025, 11, 21, 16, 47, tzinfo=UTC), date_selector
        assert post.author == "gege"
        assert post.body_text == "Ma box Telvia a encore planté."
