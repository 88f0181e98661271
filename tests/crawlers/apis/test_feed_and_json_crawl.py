"""Whole crawls of RSS/Atom feeds and of a generic JSON API mapped by field paths."""

from __future__ import annotations

from typing import Any

import pytest

from crawlers.run import crawl_source

from .conftest import ApiSite, Route

pytestmark = pytest.mark.slow

ATOM = "application/atom+xml; charset=utf-8"
FEED_ROUTES = {
    "/feed/blog.atom": Route("feed-blog.atom", content_type=ATOM),
    "/feed/blog-2.atom": Route("feed-blog-2.atom", content_type=ATOM),
    "/feed/comments.rss": Route("feed-comments.rss", content_type="application/rss+xml"),
    "/feed/broken.rss": Route("not-a-feed.txt", content_type="text/html"),
    "/feed/gone.rss": Route(status=500),
}
JSON_ROUTES = {
    "/json/reviews": Route("json-page-1.json", token="k3y"),
    "/json/reviews?page=2": Route("json-page-2.json", token="k3y"),
    "/json/broken": Route("json-malformed.json"),
}


def test_feeds_blog_and_comments_then_nothing_new(api_site: ApiSite, api_setup: Any) -> None:
    api_site.routes.update(FEED_ROUTES)
    base = api_site.base_url
    setup = api_setup(
        {
            "id": "blog",
            "name": "Blog",
            "kind": "rss",
            "start_urls": [
                f"{base}/feed/{name}"
                for name in ("blog.atom", "comments.rss", "broken.rss", "gone.rss")
            ],
            "feed": {"comments": False},
        }
    )
    first = crawl_source(setup.config_dir, setup.source_id, env=setup.env)
    posts = setup.posts()
    assert set(posts) == {
        "tag:blog.example,2026:post-2",
        "tag:blog.example,2026:post-1",
        "https://blog.example/?p=2#comment-12",
        "https://blog.example/?p=2#comment-13",
    }
    assert first.errors == {"parse/bad_entry": 1, "parse/bad_feed": 1, "http/500": 1}
    post = posts["tag:blog.example,2026:post-2"]
    assert post.body_text == "Hausse de 3 € par mois.\nLes abonnés râlent."
    assert post.quoted == ["Nos tarifs évoluent"]
    assert post.author == "Claire" and post.author_url == "https://blog.example/auteurs/claire"
    assert post.url == "https://blog.example/2026/11/telvia-prix"
    assert post.published_at is not None and post.published_at.hour == 17
    assert post.lang_hint == "fr"
    comment = posts["https://blog.example/?p=2#comment-13"]
    assert comment.body_text == "Moi aussi, <i>trop cher</i>."
    assert comment.quoted == ["Je pars chez Azur Mobile."]
    assert comment.author == "Marc"

    api_site.hits.clear()
    second = crawl_source(setup.config_dir, setup.source_id, env=setup.env)
    assert second.posts_new == 0 and second.posts_updated == 0
    assert setup.state()[f"feed:{base}/feed/blog.atom"]["newest"].startswith("2026-11-23T17")


def json_source(api_site: ApiSite, url: str) -> dict[str, Any]:
    return {
        "id": "avis",
        "name": "Avis clients",
        "kind": "json_api",
        "lang_hint": "fr",
        "json_api": {
            "url": url,
            "items": "data.results",
            "id": "uid",
            "text": "message",
            "author": "user.name",
            "author_url": "user.profile",
            "date": "ts",
            "url_field": "link",
            "likes": "stars",
            "next_page": "paging.next",
            "token_env": "VEILLE_TEST_AVIS_TOKEN",
        },
    }


def test_json_api_pages_token_and_incremental(api_site: ApiSite, api_setup: Any) -> None:
    api_site.routes.update(JSON_ROUTES)
    base = api_site.base_url
    setup = api_setup(json_source(api_site, f"{base}/json/reviews"), VEILLE_TEST_AVIS_TOKEN="k3y")
    first = crawl_source(setup.config_dir, setup.source_id, env=setup.env)
    posts = setup.posts()
    assert set(posts) == {"r-3", "r-2", "r-1"}
    assert first.errors == {"parse/bad_payload": 1}  # r-bad has no text
    review = posts["r-3"]
    assert review.url == f"{base}/avis/r-3"
    assert review.author == "Nina" and review.author_url == "https://avis.example/u/nina"
    assert review.published_at is not None and review.published_at.hour == 17
    assert review.metrics == {"likes": 1}
    assert posts["r-1"].published_at is not None  # epoch seconds

    api_site.hits.clear()
    second = crawl_source(setup.config_dir, setup.source_id, env=setup.env)
    assert second.posts_new == 0
    assert api_site.hits.get("/json/reviews?page=2") is None


def test_json_api_bad_token_and_malformed_json(api_site: ApiSite, api_setup: Any) -> None:
    api_site.routes.update(JSON_ROUTES)
    base = api_site.base_url
    setup = api_setup(json_source(api_site, f"{base}/json/reviews"), VEILLE_TEST_AVIS_TOKEN="x")
    run = crawl_source(setup.config_dir, setup.source_id, env=setup.env)
    assert run.errors == {"http/401": 1} and run.status == "failed"
    setup = api_setup(json_source(api_site, f"{base}/json/broken"), VEILLE_TEST_AVIS_TOKEN="x")
    run = crawl_source(setup.config_dir, setup.source_id, env=setup.env)
    assert run.errors == {"parse/bad_json": 1}


def test_a_killed_crawl_resumes_without_loss_or_duplicates(
    api_site: ApiSite, api_setup: Any
) -> None:
    base = api_site.base_url
    api_site.routes.update(
        {
            "/json/slow": Route("json-page-1.json"),
            # The first page points at /json/reviews?page=2; here it never answers in time.
            "/json/reviews?page=2": Route("json-page-2.json", delay=30),
        }
    )
    source = json_source(api_site, f"{base}/json/slow")
    source["json_api"].pop("token_env")
    setup = api_setup(source)
    killed = crawl_source(setup.config_dir, setup.source_id, env=setup.env, timeout=3)
    assert killed.status == "failed" and "child/timeout" in killed.errors
    assert set(setup.posts()) == {"r-3", "r-2"}  # the first page was stored
    assert "json_api" not in setup.state()  # but the sweep did not end: no cursor

    api_site.routes["/json/reviews?page=2"] = Route("json-page-2.json")
    resumed = crawl_source(setup.config_dir, setup.source_id, env=setup.env)
    assert set(setup.posts()) == {"r-3", "r-2", "r-1"}
    assert (resumed.posts_new, resumed.posts_unchanged) == (1, 2)
    assert setup.state()["json_api"]["newest"].endswith("|r-3")
