"""Whole crawls of a phpBB forum (demo.sample_forum) with the `phpbb` preset.

Incremental crawls, a crawl killed mid-way and resumed, endless pagination, posts reached
twice, 429 with Retry-After, redirects and download timeouts, each in a child process
against a local server on a free port.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from configuration.loader import load_config
from crawlers.run import _child_env, child_command, crawl_source
from demo.sample_forum import SampleForum, SampleForumServer
from records import CrawlRun, RawPost
from storage.sqlite import SQLiteStore

SOURCE = "demo-forum"
TOPIC_PAGES = "/viewtopic.php"


@pytest.fixture
def forum() -> SampleForum:
    return SampleForum(threads=6, posts_per_thread=25)


@pytest.fixture
def server(forum: SampleForum) -> Iterator[SampleForumServer]:
    with SampleForumServer(forum) as running:
        yield running


def phpbb_setup(crawl_setup: Any, server: SampleForumServer, **fields: Any) -> Any:
    """The demo source turned into a phpBB source on the sample forum."""
    start = fields.pop("start", "/index.php")
    return crawl_setup([server.base_url + start], preset="phpbb", selectors=None, **fields)


def stored_posts(setup: Any) -> list[RawPost]:
    store = SQLiteStore(load_config(setup.config_dir, environ=setup.env).sqlite_path)
    try:
        return [post for _, post in store.raw_posts_after(0, 100_000)]
    finally:
        store.close()


def topic_hits(forum: SampleForum) -> Counter[str]:
    return Counter({k: v for k, v in forum.hits.items() if k.startswith(TOPIC_PAGES)})


def crawl(setup: Any, **kwargs: Any) -> CrawlRun:
    return crawl_source(setup.config_dir, SOURCE, env=setup.env, **kwargs)


def test_second_crawl_reads_only_what_changed(
    crawl_setup: Any, server: SampleForumServer, forum: SampleForum
) -> None:
    setup = phpbb_setup(crawl_setup, server)
    first = crawl(setup)
    assert (first.status, first.posts_new) == ("ok", forum.total_posts)
    assert first.details["threads/new"] == 6
    forum.hits.clear()
    forum.add_posts(2, 3)  # stays on its third page
    forum.add_posts(4, 10)  # fills its third page and opens a fourth
    second = crawl(setup)
    assert (second.status, second.posts_new, second.posts_updated) == ("ok", 13, 0)
    assert second.details["threads/unchanged"] == 4
    assert second.details["threads/resumed"] == 2
    # Changed threads are read from their last known page on; the others not at all.
    assert topic_hits(forum) == {
        "/viewtopic.php?f=2&t=2&start=20": 1,
        "/viewtopic.php?f=2&t=4&start=20": 1,
        "/viewtopic.php?f=2&t=4&start=30": 1,
    }
    posts = stored_posts(setup)
    assert len(posts) == forum.total_posts == 163
    # Canonical permalinks: no session id, the post's anchor kept.
    assert all("sid=" not in p.url and p.url.endswith(f"#{p.external_id}") for p in posts)
    assert all(p.body_text and "Signature de" not in p.body_text for p in posts)
    assert all("modifi" not in p.body_text for p in posts)


@pytest.mark.slow
def test_a_killed_crawl_resumes_and_ends_with_every_post_once(crawl_setup: Any) -> None:
    # The server holds every topic page after the 45th of 60, so the crawl is killed
    # (SIGKILL, no clean-up) at a known point: 300 posts or more stored, not all.
    forum = SampleForum(threads=20, posts_per_thread=30, hold_after=45)
    with SampleForumServer(forum) as server:
        setup = phpbb_setup(crawl_setup, server)
        env = _child_env(setup.env)
        child = subprocess.Popen(
            child_command(setup.config_dir, SOURCE),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Watch the store itself (WAL: a reader alongside the child's writes).
        deadline = time.monotonic() + 60
        while len(stored_posts(setup)) < 300 and time.monotonic() < deadline:
            assert child.poll() is None, "the crawl ended before it could be killed"
            time.sleep(0.1)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
        stored_at_kill = len(stored_posts(setup))
        assert 300 <= stored_at_kill < forum.total_posts
        forum.hits.clear()
        forum.hold_after = None
        forum.release.set()

        resumed = crawl(setup)
    assert resumed.status == "ok"
    posts = stored_posts(setup)
    assert len(posts) == len({p.external_id for p in posts}) == forum.total_posts
    # The resumed crawl brings exactly what the killed one had not stored.
    assert (resumed.posts_new, resumed.posts_updated) == (forum.total_posts - stored_at_kill, 0)
    # Threads are read again from their last stored page (finished ones not at all),
    # so the second crawl fetches fewer topic pages than the forum has.
    decisions = {k: resumed.details.get(f"threads/{k}", 0) for k in ("new", "resumed", "unchanged")}
    assert sum(decisions.values()) == 20
    assert decisions["resumed"] + decisions["unchanged"] > 0
    assert sum(topic_hits(forum).values()) < 20 * 3


def test_endless_pagination_ends_and_repeated_posts_are_stored_once(
    crawl_setup: Any,
) -> None:
    forum = SampleForum(threads=3, posts_per_thread=15, endless_thread=2)
    with SampleForumServer(forum) as server:
        setup = phpbb_setup(crawl_setup, server, max_pages=100)
        run = crawl(setup)
    assert run.status == "errors"
    assert run.errors["parse/pagination_loop"] == 1
    assert run.details["posts/duplicate"] == 5  # the last page, served again as page 3
    assert len(stored_posts(setup)) == forum.total_posts == 45
    assert forum.hits["/viewtopic.php?f=2&t=2&start=30"] == 0  # stopped after one repeat


def test_429_is_retried_after_the_wait_the_server_asks(crawl_setup: Any) -> None:
    forum = SampleForum(threads=2, posts_per_thread=5)
    forum.throttled = {"/viewtopic.php?f=2&t=1"}
    with SampleForumServer(forum) as server:
        setup = phpbb_setup(crawl_setup, server)
        run = crawl(setup)
    assert (run.status, run.posts_new) == ("ok", 10)
    assert forum.hits["/viewtopic.php?f=2&t=1"] == 2
    assert run.details["retry/retry_after"] == 1
    assert run.details["retry/waited_s"] == 1


def test_redirected_start_page_and_robots_txt(crawl_setup: Any) -> None:
    forum = SampleForum(threads=2, posts_per_thread=5)
    forum.redirects = {"/forum/": "/viewforum.php?f=2"}
    with SampleForumServer(forum) as server:
        setup = phpbb_setup(crawl_setup, server, start="/forum/")
        run = crawl(setup)
    assert (run.status, run.posts_new) == ("ok", 10)
    assert forum.hits["/forum/"] == 1 and forum.hits["/robots.txt"] == 1
    # Profiles are disallowed by robots.txt and never followed anyway.
    assert not any(path.startswith("/memberlist.php") for path in forum.hits)


def test_a_topic_that_times_out_is_counted_and_the_rest_stored(crawl_setup: Any) -> None:
    forum = SampleForum(threads=3, posts_per_thread=5, slow_seconds=3, slow_threads={2})
    with SampleForumServer(forum) as server:
        setup = phpbb_setup(crawl_setup, server)
        setup.env.update(VEILLE_CRAWL_DOWNLOAD_TIMEOUT="1", VEILLE_CRAWL_RETRY_TIMES="0")
        run = crawl(setup)
    assert run.status == "errors"
    assert run.errors["download/timeout"] == 1
    assert run.posts_new == 10
