"""The forum spider's callbacks on saved pages of tests/fixtures/forum/, in process."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadConnectionRefusedError, IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from configuration.loader import load_config
from crawlers.middlewares import FETCHED_AT, EncodingSniffMiddleware
from crawlers.spiders import SpiderConfigError, spider_for
from crawlers.spiders.forum import ForumSpider, canonical_thread_url, parse_count, parse_likes
from crawlers.state import TopicPageItem
from records import RawPost

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "forum"
BASE = "http://forum.test"
FETCHED = datetime(2026, 10, 26, 9, 0, tzinfo=UTC)


def make_spider(**source_fields: Any) -> ForumSpider:
    source = load_config(REPO / "config").source("demo-forum").model_copy(update=source_fields)
    crawler = get_crawler(ForumSpider, {"VEILLE_SOURCE": source.model_dump(mode="json")})
    return ForumSpider.from_crawler(crawler)


def page(name: str, path: str, content_type: str = "text/html; charset=utf-8") -> HtmlResponse:
    url = BASE + path
    request = Request(url, meta={FETCHED_AT: FETCHED})
    return HtmlResponse(
        url,
        body=(FIXTURES / name).read_bytes(),
        headers={"Content-Type": content_type},
        request=request,
    )


def errors(spider: ForumSpider) -> dict[str, int]:
    stats = spider.crawler.stats.get_stats()
    return {k.removeprefix("veille/errors/"): v for k, v in stats.items() if "errors/" in k}


def split(output: Any) -> tuple[list[RawPost], list[Request]]:
    results: list[Any] = []
    for r in output:
        results.extend(r.posts if isinstance(r, TopicPageItem) else [r])
    assert all(isinstance(r, RawPost | Request) for r in results)
    return [r for r in results if isinstance(r, RawPost)], [
        r for r in results if isinstance(r, Request)
    ]


def test_index_follows_forum_links_with_the_errback() -> None:
    spider = make_spider()
    posts, requests = split(spider.parse(page("index.html", "/")))
    assert posts == []
    assert [r.url for r in requests] == [BASE + "/forum/box", BASE + "/forum/mobile"]
    assert all(r.callback == spider.parse_topic_list for r in requests)
    assert all(r.errback == spider.on_request_error for r in requests)


def test_topic_list_follows_topics_and_the_next_page() -> None:
    spider = make_spider()
    _, requests = split(spider.parse_topic_list(page("forum-box.html", "/forum/box")))
    assert [(r.url, r.callback) for r in requests] == [
        (BASE + "/topic/1-panne-box-telvia", spider.parse_topic),
        (BASE + "/topic/2-resiliation-frais", spider.parse_topic),
        (BASE + "/forum/box?page=2", spider.parse_topic_list),
    ]


def test_topic_page_yields_posts_and_the_next_page() -> None:
    spider = make_spider()
    posts, requests = split(spider.parse_topic(page("topic-1.html", "/topic/1-panne-box-telvia")))
    assert [p.external_id for p in posts] == ["101", "102", "103"]
    assert [r.url for r in requests] == [BASE + "/topic/1-panne-box-telvia?page=2"]
    reply = posts[1]
    assert reply == RawPost(
        source_id="demo-forum",
        kind="forum",
        external_id="102",
        url=BASE + "/topic/1-panne-box-telvia#p102",
        thread_url=BASE + "/topic/1-panne-box-telvia",
        thread_title="Panne box Telvia depuis 3 jours",
        author="Nanou",
        author_url=BASE + "/membre/Nanou",
        published_at=datetime(2026, 3, 12, 14, 5, tzinfo=UTC),
        body_text="Pareil chez moi, envoie une lettre recommandée.\n"
        "C'est la seule chose qui les fait bouger.",
        quoted=["Le service client me dit d'attendre…"],
        metrics={"likes": 12},
        lang_hint="fr",
        fetched_at=FETCHED,
    )
    assert posts[0].body_text == (
        "Bonjour à tous,\nMa box Telvia ne synchronise plus depuis trois jours. "
        "Le voyant « fibre » clignote en rouge.\nLe service client me dit d'attendre…"
    )
    assert errors(spider) == {}


def test_later_pages_link_to_the_page_and_to_the_thread() -> None:
    spider = make_spider()
    response = page("topic-1-page-2.html", "/topic/1-panne-box-telvia?page=2")
    posts, requests = split(spider.parse_topic(response))
    first = posts[0]
    assert first.url == BASE + "/topic/1-panne-box-telvia?page=2#p104"
    assert first.thread_url == BASE + "/topic/1-panne-box-telvia"
    assert first.quoted == [
        "Bonjour Mathieu, pouvez-vous nous écrire en message privé ?",
        "Pareil chez moi.",
    ]
    assert first.published_at == datetime(2026, 4, 1, 6, 0, tzinfo=UTC)
    assert requests == []  # the last page has only a "previous" link


def test_windows_1252_page_declared_as_such() -> None:
    spider = make_spider()
    response = page("topic-2-cp1252.html", "/topic/2-x", "text/html; charset=windows-1252")
    posts, _ = split(spider.parse_topic(response))
    assert posts[0].thread_title == "Résiliation : 49 € de frais, c’est légal ?"
    assert "« frais de résiliation »" in posts[0].body_text
    assert posts[0].author_url == BASE + "/membre/Gégé"
    # 02:30 on 25 October 2026 happened twice in Paris; the first one is CEST.
    assert posts[0].published_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert posts[1].quoted == ["Ça me paraît énorme…"]


def test_page_without_declared_encoding_is_sniffed() -> None:
    spider = make_spider()
    raw = page("topic-7-no-charset.html", "/topic/7-portabilite", "text/html")
    assert raw.request is not None
    response = EncodingSniffMiddleware().process_response(raw.request, raw)
    posts, _ = split(spider.parse_topic(response))
    assert posts[0].author == "Chloé"
    assert posts[0].body_text.startswith("J’ai gardé mon numéro en passant chez Lumio, ça a pris")


def test_hostile_and_broken_posts() -> None:
    spider = make_spider()
    response = page("topic-3-hostile.html", "/topic/3-votre-forum-filtre-rien")
    posts, _ = split(spider.parse_topic(response))
    bodies = {p.external_id: p.body_text for p in posts}
    assert bodies == {
        "301": "test <script>alert('xss')</script> lol votre forum filtre rien ?",
        "302": "Franchement lumio c'est la cata\nTrois jours sans internet, trois jours !",
        "305": "Bonsoir tout le monde !\n"
        "Regardez ma facture Lumio : <img src=x onerror=alert(1)> c'est n'importe quoi",
    }
    # No id, no body: bad posts; "un jour peut-être": a bad date. The others still come.
    assert errors(spider) == {"parse/bad_post": 2, "parse/bad_date": 1}


def test_topic_page_without_posts_is_counted() -> None:
    spider = make_spider()
    assert list(spider.parse_topic(page("topic-4-deleted.html", "/topic/4-x"))) == []
    assert errors(spider) == {"parse/no_posts": 1}
    assert spider.crawler.stats.get_value("veille/pages") == 1


def test_start_page_of_any_kind() -> None:
    spider = make_spider()
    posts, _ = split(spider.parse(page("topic-1.html", "/topic/1-panne-box-telvia")))
    assert len(posts) == 3
    _, requests = split(spider.parse(page("forum-mobile.html", "/forum/mobile")))
    assert len(requests) == 3
    assert list(spider.parse(page("not-a-forum.html", "/maintenance"))) == []
    assert errors(spider) == {"parse/unrecognised": 1}


def _failure(exc: Exception, url: str = BASE + "/x") -> Failure:
    failure = Failure(exc)
    failure.request = Request(url)  # type: ignore[attr-defined]  # as Scrapy sets it
    return failure


def test_request_errors_are_counted_by_kind() -> None:
    spider = make_spider()
    spider.on_request_error(_failure(DownloadConnectionRefusedError("refused")))
    response = Response(BASE + "/topic/5", status=500, request=Request(BASE + "/topic/5"))
    spider.on_request_error(_failure(HttpError(response, "Ignoring non-200 response")))
    spider.on_request_error(_failure(IgnoreRequest("Forbidden by robots.txt")))
    assert errors(spider) == {"download/connection_refused": 1, "http/500": 1}
    assert spider.crawler.stats.get_value("veille/skipped") == 1


def test_spider_needs_its_source_setting() -> None:
    with pytest.raises(SpiderConfigError, match="VEILLE_SOURCE"):
        ForumSpider.from_crawler(get_crawler(ForumSpider, {}))


def test_spider_refuses_an_unknown_time_zone() -> None:
    with pytest.raises(SpiderConfigError, match="Mars/Olympus"):
        make_spider(timezone="Mars/Olympus")


def test_allowed_domains_default_to_the_start_hosts() -> None:
    assert make_spider(start_urls=["http://127.0.0.1:8765/"]).allowed_domains == ["127.0.0.1"]


def test_registry() -> None:
    assert spider_for("forum") is ForumSpider
    with pytest.raises(SpiderConfigError, match=r"known: .*\bforum\b"):
        spider_for("gopher")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://f.test/topic/1-x?page=3#p9", "http://f.test/topic/1-x"),
        ("http://f.test/viewtopic.php?t=5&start=20", "http://f.test/viewtopic.php?t=5"),
        ("http://f.test/topic/1-x", "http://f.test/topic/1-x"),
    ],
)
def test_canonical_thread_url(url: str, expected: str) -> None:
    assert canonical_thread_url(url) == expected


@pytest.mark.parametrize(("text", "n"), [("12", 12), ("1 234 j'aime", 1234), ("aucun", None)])
def test_parse_count(text: str, n: int | None) -> None:
    assert parse_count(text) == n


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("12", 12),
        ("MaraT, kev and 3 others", 5),
        ("MaraT et kev", 2),
        ("Zoé, Léo et 1 234 autres personnes", 1236),
        ("MaraT", 1),
        ("", None),
    ],
)
def test_parse_likes(text: str, n: int | None) -> None:
    assert parse_likes(text) == n
