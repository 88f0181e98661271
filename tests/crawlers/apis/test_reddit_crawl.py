"""Whole crawls of Reddit's public JSON: a subreddit listing with `after`, comment trees."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from crawlers.run import crawl_source
from records import CrawlRun, RawPost

from .conftest import ApiSetup, ApiSite, Route

pytestmark = pytest.mark.slow

NEW = "/reddit/r/france/new.json?limit=100&raw_json=1"
NEW_2 = NEW + "&after=t3_def"
THREAD = "/reddit/r/france/comments/abc/telvia_coupe_la_fibr.json?raw_json=1"
BROKEN = "/reddit/r/france/comments/ghi/lumio_5g.json?raw_json=1"
ROUTES = {
    NEW: Route("reddit-new-1.json"),
    NEW_2: Route("reddit-new-2.json"),
    THREAD: Route("reddit-thread-abc.json"),
    BROKEN: Route("json-malformed.json"),
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
    setup = api_setup(
        {
            "id": "reddit-fr",
            "name": "r/france",
            "kind": "reddit",
            "reddit": {"base_url": api_site.base_url + "/reddit", "subreddits": ["france"]},
        }
    )
    runs, posts, hits = [], [], []
    # 1 and 2: thread ghi is broken; 3: it is fixed; 4: nothing changed.
    for fixed in (False, False, True, True):
        if fixed:
            api_site.routes[BROKEN] = Route("reddit-thread-ghi.json")
        api_site.hits.clear()
        runs.append(crawl_source(setup.config_dir, setup.source_id, env=setup.env))
        posts.append(setup.posts())
        hits.append(dict(api_site.hits))
    return Crawls(setup, runs, posts, hits)


def test_listing_pages_and_comment_trees(crawls: Crawls) -> None:
    assert set(crawls.posts[0]) == {"t3_abc", "t1_c1", "t1_c2", "t1_c3", "t3_def"}
    assert crawls.hits[0][NEW_2] == 1
    assert crawls.runs[0].errors.get("parse/bad_json") == 1  # thread ghi


def test_nested_replies_quotes_and_escaped_html(crawls: Crawls) -> None:
    reply = crawls.posts[0]["t1_c2"]
    assert reply.reply_to == "t1_c1"
    assert reply.quoted == ["Pareil à Lyon."]
    assert reply.body_text == "Et à Lille <b>aussi</b>."
    assert reply.thread_title == "Telvia coupe la fibre"
    assert reply.thread_url.endswith("/reddit/r/france/comments/abc/telvia_coupe_la_fibr/")
    assert reply.author == "max" and reply.author_url.endswith("/user/max")
    thread = crawls.posts[0]["t3_abc"]
    assert thread.body_text == "Telvia coupe la fibre\nTrois jours sans internet."
    assert thread.metrics == {"likes": 12, "replies": 3}
    link_post = crawls.posts[0]["t3_def"]
    assert link_post.body_text == "Avis Azur Mobile"


def test_second_crawl_adds_nothing_and_retries_only_the_failed_thread(crawls: Crawls) -> None:
    second = crawls.runs[1]
    assert second.posts_new == 0 and second.posts_updated == 0
    assert crawls.hits[1].get(THREAD) is None  # stored and unchanged
    # The first pass was incomplete (thread ghi failed), so the listing is walked again
    # and ghi asked for again.
    assert crawls.hits[1][NEW_2] == 1 and crawls.hits[1][BROKEN] == 1
    assert crawls.runs[1].errors == {"parse/bad_json": 1}
    assert crawls.setup.state()["thread:t3_abc"] == {"num_comments": 3}


def test_a_complete_pass_sets_the_cursor_and_the_next_reads_one_page(crawls: Crawls) -> None:
    assert set(crawls.posts[2]) - set(crawls.posts[1]) == {"t3_ghi", "t1_g1"}
    assert crawls.runs[2].status == "ok"
    fourth = crawls.runs[3]
    assert fourth.posts_new == 0 and fourth.status == "ok"
    api_hits = {k: v for k, v in crawls.hits[3].items() if k != "/robots.txt"}
    assert api_hits == {NEW: 1}
    assert crawls.setup.state()["list:r/france"]["floor"].endswith("|t3_abc")
