"""Whole crawls of a Discourse forum's JSON API (fixtures under tests/fixtures/apis/)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from crawlers.run import crawl_source
from records import CrawlRun, RawPost

from .conftest import ApiSetup, ApiSite, Route

pytestmark = pytest.mark.slow

LONG = "/discourse/t/11/posts.json?" + "&".join(f"post_ids[]={i}" for i in range(1121, 1126))
ROUTES = {
    "/discourse/latest.json": Route("discourse-latest.json"),
    "/discourse/latest.json?no_definitions=true&page=1": Route("discourse-latest-1.json"),
    "/discourse/t/1.json": Route("discourse-t-1.json"),
    "/discourse/t/10.json": Route("discourse-t-10.json"),
    "/discourse/t/11.json": Route("discourse-t-11.json"),
    LONG: Route("discourse-t-11-posts.json"),
    "/discourse/t/12.json": Route("discourse-t-12.json"),
    "/discourse/t/13.json": Route(status=500),
    "/discourse/t/14.json": Route("json-malformed.json"),
}
LATER = {
    "/discourse/latest.json": Route("discourse-latest-later.json"),
    "/discourse/t/10.json": Route("discourse-t-10-later.json"),
    "/discourse/t/13.json": Route("discourse-t-13.json"),
    "/discourse/t/14.json": Route("discourse-t-14.json"),
}


@dataclass
class Crawls:
    setup: ApiSetup
    runs: list[CrawlRun]
    hits: list[dict[str, int]]
    posts: list[dict[str, RawPost]]
    states: list[dict[str, dict[str, Any]]]


@pytest.fixture(scope="module")
def crawls(api_site: ApiSite, api_setup: Any) -> Crawls:
    setup = api_setup(
        {
            "id": "forum-discourse",
            "name": "Discourse",
            "kind": "discourse",
            "lang_hint": "fr",
            "discourse": {"base_url": api_site.base_url + "/discourse"},
        }
    )
    runs, hits, posts, states = [], [], [], []
    # 1: everything, two topics fail; 2: the same answers (the failed topics are asked
    # for again); 3: topic 10 bumped and the failed topics fixed; 4: nothing changed.
    for routes in (ROUTES, {}, LATER, {}):
        api_site.routes.update(routes)
        api_site.hits.clear()
        runs.append(crawl_source(setup.config_dir, setup.source_id, env=setup.env))
        hits.append(dict(api_site.hits))
        posts.append(setup.posts())
        states.append(setup.state())
    return Crawls(setup, runs, hits, posts, states)


def test_every_topic_and_long_topic_is_read(crawls: Crawls) -> None:
    posts = crawls.posts[0]
    expected = {"1/1", "10/1", "10/2", "10/3", "12/1"} | {f"11/{n}" for n in range(1, 26)}
    assert set(posts) == expected
    assert crawls.runs[0].posts_new == len(expected)
    assert crawls.hits[0][LONG] == 1
    assert crawls.hits[0]["/discourse/latest.json?no_definitions=true&page=1"] == 1


def test_post_fields_quotes_and_hostile_html(crawls: Crawls) -> None:
    reply = crawls.posts[0]["10/2"]
    base = reply.thread_url.removesuffix("/t/fibre-coupee/10")
    assert reply.url == f"{base}/t/fibre-coupee/10/2"
    assert reply.thread_title == "Fibre coupée depuis lundi"
    assert reply.author == "paul" and reply.author_url == f"{base}/u/paul"
    assert reply.body_text == "Pareil chez moi & rien."
    assert reply.quoted == ["Plus de fibre depuis lundi soir."]
    assert reply.reply_to == "10/1"
    assert reply.published_at is not None and reply.published_at.isoformat() == (
        "2026-11-23T09:30:00+00:00"
    )
    assert crawls.posts[0]["10/1"].metrics == {"likes": 4, "replies": 1}
    assert reply.lang_hint == "fr"


def test_errors_are_counted_and_the_crawl_goes_on(crawls: Crawls) -> None:
    first = crawls.runs[0]
    assert first.errors.get("http/500") == 1
    assert first.errors.get("parse/bad_json") == 1
    assert first.status == "errors"
    assert crawls.hits[0]["/discourse/t/13.json"] == 2  # one retry


def test_failed_topics_are_asked_for_again_on_the_next_crawl(crawls: Crawls) -> None:
    second = crawls.runs[1]
    assert second.posts_new == 0 and second.posts_updated == 0
    assert crawls.hits[1]["/discourse/t/13.json"] == 2 and crawls.hits[1]["/discourse/t/14.json"]
    assert crawls.hits[1].get("/discourse/t/10.json") is None  # unchanged topics are not
    # Passes with failures leave the listing's cursor unset: the next one walks it all.
    assert "list:/latest.json" not in crawls.states[1]


def test_a_bumped_topic_brings_only_its_new_post(crawls: Crawls) -> None:
    third = crawls.runs[2]
    assert set(crawls.posts[2]) - set(crawls.posts[1]) == {"10/4", "13/1", "14/1"}
    assert third.posts_new == 3 and third.status == "ok"
    assert crawls.hits[2].get("/discourse/t/11.json") is None
    state = crawls.states[2]
    assert state["thread:10"]["last_post_number"] == 4
    assert state["thread:11"]["last_post_number"] == 25
    assert state["list:/latest.json"]["floor"].startswith("2026-11-24T07:00:00+00:00|10")


def test_a_crawl_after_a_complete_pass_reads_only_the_first_list_page(crawls: Crawls) -> None:
    fourth = crawls.runs[3]
    assert fourth.posts_new == 0 and fourth.posts_updated == 0 and fourth.status == "ok"
    api_hits = {k: v for k, v in crawls.hits[3].items() if k != "/robots.txt"}
    assert api_hits == {"/discourse/latest.json": 1}
