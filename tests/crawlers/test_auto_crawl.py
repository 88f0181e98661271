"""Whole crawls of forums given by their URL alone (`preset: auto`), in child processes.

A phpBB forum (demo.sample_forum) is recognised and read by its preset; the fixture
forum, whose markup no preset knows, is read by the generic extractor, and what it
stores is compared with what the forum's own selectors store.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from configuration.loader import load_config
from crawlers.run import crawl_source
from demo.sample_forum import SampleForum, SampleForumServer
from records import RawPost
from storage.sqlite import SQLiteStore

SOURCE = "demo-forum"


@pytest.fixture
def server() -> Iterator[SampleForumServer]:
    with SampleForumServer(SampleForum(threads=4, posts_per_thread=23)) as running:
        yield running


def stored(setup: Any) -> list[RawPost]:
    store = SQLiteStore(load_config(setup.config_dir, environ=setup.env).sqlite_path)
    try:
        return [post for _, post in store.raw_posts_after(0, 100_000)]
    finally:
        store.close()


def by_content(posts: list[RawPost]) -> set[tuple[str, str, str, tuple[str, ...]]]:
    return {
        (
            p.author,
            p.published_at.isoformat() if p.published_at else "",
            p.body_text,
            tuple(p.quoted),
        )
        for p in posts
    }


@pytest.mark.slow
def test_a_known_engine_is_recognised_and_read_by_its_preset(
    crawl_setup: Any, server: SampleForumServer
) -> None:
    setup = crawl_setup([server.base_url + "/index.php"], selectors=None)
    assert load_config(setup.config_dir).source(SOURCE).preset == "auto"
    run = crawl_source(setup.config_dir, SOURCE, env=setup.env)
    assert (run.status, run.posts_new) == ("ok", server.forum.total_posts)
    assert run.details["engine/phpbb"] == 1
    assert run.details["threads/new"] == 4


@pytest.mark.slow
def test_an_unknown_engine_is_read_by_the_generic_extractor(
    forum_site: Any, crawl_setup: Any
) -> None:
    with_selectors = crawl_setup([forum_site.base_url + "/"])
    crawl_source(with_selectors.config_dir, SOURCE, env=with_selectors.env)
    auto = crawl_setup([forum_site.base_url + "/"], selectors=None)
    run = crawl_source(auto.config_dir, SOURCE, env=auto.env)
    assert run.details["engine/generic"] == 1
    expected, got = by_content(stored(with_selectors)), by_content(stored(auto))
    # Everything the selectors store, and one more: a post with no id in its markup,
    # which the selectors must refuse and the generic extractor names by its content.
    assert expected and expected <= got
    assert [author for author, *_ in got - expected] == ["fantome"]
    assert run.details["threads/followed"] > 0
    again = crawl_source(auto.config_dir, SOURCE, env=auto.env)
    assert (again.posts_new, again.posts_updated) == (0, 0)  # ids are stable
