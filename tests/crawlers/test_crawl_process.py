"""Whole crawls in a child process against the fixture forum (see conftest.py).

Each crawl takes one to three seconds (mostly the child's start-up), so these are not
marked slow. The full crawl is shared by several tests through a module fixture.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from configuration.loader import load_config
from crawlers import run as run_module
from crawlers.run import crawl_source
from records import CrawlRun, RawPost
from storage.sqlite import SQLiteStore

SOURCE = "demo-forum"
# Posts the fixture forum holds that can be read: topic 1 (3 + 2 on its second page),
# topic 2 (windows-1252, 2), topic 3 (3 of 6 are readable), topic 7 (no charset, 1).
EXPECTED_IDS = {"101", "102", "103", "104", "105", "201", "202", "301", "302", "305", "701"}


@dataclass
class FullCrawl:
    first: CrawlRun
    second: CrawlRun
    events: list[dict[str, Any]]
    hits: Counter[str]
    posts: dict[str, RawPost]
    runs_stored: list[CrawlRun]
    seconds: float


def _stored(setup: Any) -> tuple[dict[str, RawPost], list[CrawlRun]]:
    store = SQLiteStore(load_config(setup.config_dir, environ=setup.env).sqlite_path)
    try:
        posts = {p.external_id: p for _, p in store.raw_posts_after(0, 1000)}
        return posts, store.crawl_runs(SOURCE)
    finally:
        store.close()


@pytest.fixture(scope="module")
def full_crawl(forum_site: Any, crawl_setup: Any) -> FullCrawl:
    setup = crawl_setup([forum_site.base_url + "/"])
    forum_site.hits.clear()
    events: list[dict[str, Any]] = []
    started = time.monotonic()
    first = crawl_source(setup.config_dir, SOURCE, env=setup.env, on_progress=events.append)
    seconds = time.monotonic() - started
    hits = Counter(forum_site.hits)
    second = crawl_source(setup.config_dir, SOURCE, env=setup.env)
    posts, runs = _stored(setup)
    return FullCrawl(first, second, events, hits, posts, runs, seconds)


def test_every_readable_post_is_stored_in_the_env_given_store(full_crawl: FullCrawl) -> None:
    assert set(full_crawl.posts) == EXPECTED_IDS
    assert full_crawl.first.posts_new == len(EXPECTED_IDS)
    assert full_crawl.seconds < 30


def test_pagination_is_followed(full_crawl: FullCrawl) -> None:
    assert full_crawl.hits["/forum/box?page=2"] == 1
    assert full_crawl.hits["/topic/1-panne-box-telvia?page=2"] == 1
    later = full_crawl.posts["104"]
    assert later.url.endswith("/topic/1-panne-box-telvia?page=2#p104")
    assert later.thread_url.endswith("/topic/1-panne-box-telvia")


def test_encodings_come_out_right(full_crawl: FullCrawl) -> None:
    assert full_crawl.posts["201"].thread_title == "Résiliation : 49 € de frais, c’est légal ?"
    assert full_crawl.posts["701"].author == "Chloé"
    assert "à peine 2 jours" in full_crawl.posts["701"].body_text


def test_errors_are_counted_and_the_rest_stored(full_crawl: FullCrawl) -> None:
    run = full_crawl.first
    assert run.status == "errors"
    assert full_crawl.hits["/topic/5-reseau-lumio"] == 2  # retried once, then given up
    assert {k: v for k, v in run.errors.items() if not k.startswith("attempts/")} == {
        "http/500": 1,
        "parse/no_posts": 1,
        "parse/bad_post": 2,
        "parse/bad_date": 1,
    }


def test_robots_txt_is_obeyed(full_crawl: FullCrawl) -> None:
    assert full_crawl.hits["/robots.txt"] == 1
    assert full_crawl.hits["/topic/6-espace-prive"] == 0
    assert not any(path.startswith("/membre/") for path in full_crawl.hits)


def test_progress_is_streamed(full_crawl: FullCrawl) -> None:
    names = [e["event"] for e in full_crawl.events]
    assert names[0] == "started" and names[-1] == "done"
    assert "progress" in names
    last_progress = [e for e in full_crawl.events if e["event"] == "progress"][-1]
    assert last_progress["posts"] == len(EXPECTED_IDS)
    assert full_crawl.events[-1]["run_id"] == full_crawl.first.id


def test_second_crawl_adds_nothing_and_reads_only_last_pages(full_crawl: FullCrawl) -> None:
    second = full_crawl.second
    assert (second.posts_new, second.posts_updated) == (0, 0)
    # This forum's topic lists show no last-post date, so each known thread is read again
    # from its last known page only: topic 1's second page, and the one-page topics.
    assert second.posts_unchanged == len(EXPECTED_IDS - {"101", "102", "103"})
    assert second.details["threads/resumed"] == 4
    assert [r.id for r in full_crawl.runs_stored] == [second.id, full_crawl.first.id]
    assert full_crawl.runs_stored[1] == full_crawl.first
    assert full_crawl.first.finished_at is not None


def test_unreachable_source_fails_cleanly(crawl_setup: Any, free_port: int) -> None:
    setup = crawl_setup([f"http://127.0.0.1:{free_port}/"])
    run = crawl_source(setup.config_dir, SOURCE, env=setup.env)
    assert run.status == "failed"
    assert run.errors["download/connection_refused"] == 1
    assert run.pages == 0 and run.id is not None


def test_max_pages_stops_the_crawl(forum_site: Any, crawl_setup: Any) -> None:
    # Scrapy's page count closes the spider after 3 responses; a response already on its
    # way may still be parsed, but the crawl stops well before the forum's 10 pages.
    setup = crawl_setup([forum_site.base_url + "/"], max_pages=3)
    run = crawl_source(setup.config_dir, SOURCE, env=setup.env)
    assert run.status == "ok"
    assert 3 <= run.pages <= 5
    assert len(_stored(setup)[0]) < len(EXPECTED_IDS)


def test_a_spider_that_cannot_start_fails_the_run(forum_site: Any, crawl_setup: Any) -> None:
    setup = crawl_setup([forum_site.base_url + "/"], timezone="Mars/Olympus")
    run = crawl_source(setup.config_dir, SOURCE, env=setup.env)
    assert (run.status, run.errors) == ("failed", {"crawl/SpiderConfigError": 1})


def test_timeout_stops_the_child(forum_site: Any, crawl_setup: Any) -> None:
    setup = crawl_setup([forum_site.base_url + "/slow"])
    started = time.monotonic()
    run = crawl_source(setup.config_dir, SOURCE, env=setup.env, timeout=2.5)
    assert time.monotonic() - started < 20
    assert run.status == "failed"
    assert run.errors["child/timeout"] == 1
    assert _stored(setup)[1][0].errors == run.errors


def test_child_that_dies_gets_a_failed_run(
    crawl_setup: Any, monkeypatch: pytest.MonkeyPatch, free_port: int
) -> None:
    setup = crawl_setup([f"http://127.0.0.1:{free_port}/"])
    script = (
        'print(\'{"event": "progress", "pages": 2, "posts": 5, "new": 5}\', flush=True); '
        "raise SystemExit(3)"
    )
    monkeypatch.setattr(run_module, "child_command", lambda *_: [sys.executable, "-c", script])
    events: list[dict[str, Any]] = []
    run = crawl_source(setup.config_dir, SOURCE, env=setup.env, on_progress=events.append)
    assert (run.status, run.errors) == ("failed", {"child/exit_3": 1})
    assert (run.pages, run.posts_new) == (2, 5)
    assert events == [{"event": "progress", "pages": 2, "posts": 5, "new": 5}]
    assert run.finished_at is not None and run.finished_at <= datetime.now(UTC)
    assert _stored(setup)[1] == [run]


def test_unknown_source_fails_before_spawning(crawl_setup: Any, free_port: int) -> None:
    setup = crawl_setup([f"http://127.0.0.1:{free_port}/"])
    with pytest.raises(KeyError, match="unknown source"):
        crawl_source(setup.config_dir, "nope", env=setup.env)
