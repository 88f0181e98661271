"""Whole crawls of Mastodon's public API: hashtag, search (token), account, Link paging."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from crawlers.run import crawl_source
from records import CrawlRun, RawPost

from .conftest import ApiSetup, ApiSite, Route

pytestmark = pytest.mark.slow

TAG = "/mastodon/api/v1/timelines/tag/telvia?limit=2"
TAG_2 = TAG + "&max_id=113000000000000200"
SEARCH = "/mastodon/api/v2/search?q=lumio+telvia&type=statuses&limit=2"
LOOKUP = "/mastodon/api/v1/accounts/lookup?acct=telvia"
ACCOUNT = "/mastodon/api/v1/accounts/42/statuses?exclude_reblogs=true&limit=2"
NEXT = "<{base}" + TAG_2 + '>; rel="next", <{base}' + TAG + '&min_id=3>; rel="prev"'
ROUTES = {
    TAG: Route("mastodon-tag-1.json", headers={"Link": NEXT}),
    TAG_2: Route("mastodon-tag-2.json"),
    SEARCH: Route("mastodon-search.json", token="s3cret"),
    LOOKUP: Route("mastodon-lookup.json"),
    ACCOUNT: Route(status=500),
    # Later crawls ask only for what is newer than the last status seen.
    TAG + "&since_id=113000000000000300": Route("mastodon-later.json"),
    TAG + "&since_id=113000000000000400": Route("mastodon-empty.json"),
    SEARCH + "&since_id=113000000000000250": Route("mastodon-search.json", token="s3cret"),
}


def source(api_site: ApiSite, **options: Any) -> dict[str, Any]:
    return {
        "id": "masto",
        "name": "Mastodon",
        "kind": "mastodon",
        "mastodon": {
            "base_url": api_site.base_url + "/mastodon",
            "hashtags": ["#telvia"],
            "search": ["lumio telvia"],
            "accounts": ["@telvia"],
            "token_env": "VEILLE_TEST_MASTODON_TOKEN",
            "limit": 2,
            **options,
        },
    }


@dataclass
class Crawls:
    setup: ApiSetup
    runs: list[CrawlRun]
    posts: list[dict[str, RawPost]]
    hits: list[dict[str, int]]


@pytest.fixture(scope="module")
def crawls(api_site: ApiSite, api_setup: Any) -> Crawls:
    api_site.routes.update(ROUTES)
    setup = api_setup(source(api_site), VEILLE_TEST_MASTODON_TOKEN="s3cret")
    runs, posts, hits = [], [], []
    for _ in range(3):
        api_site.hits.clear()
        runs.append(crawl_source(setup.config_dir, setup.source_id, env=setup.env))
        posts.append(setup.posts())
        hits.append(dict(api_site.hits))
    return Crawls(setup, runs, posts, hits)


def test_hashtag_pages_search_and_account_are_read(crawls: Crawls) -> None:
    ids = {"113000000000000300", "113000000000000200", "113000000000000100", "113000000000000250"}
    assert set(crawls.posts[0]) == ids
    assert crawls.hits[0][TAG_2] == 1
    assert crawls.hits[0][LOOKUP] == 1


def test_status_fields(crawls: Crawls) -> None:
    post = crawls.posts[0]["113000000000000200"]
    assert post.body_text == "Service client Telvia au top\nmerci !"
    assert post.author == "bob@autre.example"
    assert post.author_url == "https://piaille.example/@bob"
    assert post.url == "https://piaille.example/@bob/113000000000000200"
    assert post.reply_to == "113000000000000100"
    assert post.metrics == {"likes": 2, "replies": 1, "reblogs": 0, "author_followers": 120}
    assert post.lang_hint == "fr"
    assert post.published_at is not None and post.published_at.hour == 12


def test_an_account_error_is_counted(crawls: Crawls) -> None:
    assert crawls.runs[0].errors.get("http/500") == 1
    assert crawls.runs[0].status == "errors"


def test_later_crawls_use_since_id_and_add_only_new_statuses(crawls: Crawls) -> None:
    assert crawls.runs[1].posts_new == 1
    assert set(crawls.posts[1]) - set(crawls.posts[0]) == {"113000000000000400"}
    assert crawls.runs[2].posts_new == 0 and crawls.runs[2].posts_updated == 0
    assert crawls.hits[2].get(TAG + "&since_id=113000000000000400") == 1
    assert crawls.hits[2].get(TAG_2) is None


def test_a_wrong_token_is_a_counted_401(api_site: ApiSite, api_setup: Any) -> None:
    api_site.routes.update(ROUTES)
    setup = api_setup(source(api_site, accounts=[]), VEILLE_TEST_MASTODON_TOKEN="wrong")
    run = crawl_source(setup.config_dir, setup.source_id, env=setup.env)
    assert run.errors.get("http/401") == 1
    assert "113000000000000300" in setup.posts()  # the hashtag still came through


def test_a_missing_token_fails_the_source_clearly(
    api_site: ApiSite, api_setup: Any, caplog: pytest.LogCaptureFixture
) -> None:
    setup = api_setup(source(api_site))
    run = crawl_source(setup.config_dir, setup.source_id, env=setup.env)
    assert run.status == "failed"
    assert run.errors.get("config/missing_secret") == 1
    assert "VEILLE_TEST_MASTODON_TOKEN" in caplog.text
