"""A forum whose theme changes between crawls: counted, named, alerted, nothing lost."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from cli.app import app
from configuration.loader import load_config
from crawlers.run import crawl_source
from demo.sample_forum import SampleForum, SampleForumServer
from pipeline.runner import evaluate_alerts
from storage.sqlite import SQLiteStore


@pytest.mark.slow
def test_a_theme_change_is_counted_named_and_alerted_and_nothing_is_lost(
    crawl_setup: Any,
) -> None:
    forum = SampleForum(threads=3, posts_per_thread=12)
    with SampleForumServer(forum) as server:
        setup = crawl_setup([server.base_url + "/index.php"], preset="phpbb", selectors=None)
        first = crawl_source(setup.config_dir, "demo-forum", env=setup.env)
        assert first.posts_new == forum.total_posts
        forum.post_class = "message"  # the theme changed: div.post no longer exists
        for _ in range(3):
            for thread in forum.sizes:
                forum.add_posts(thread, 1)  # so the lists show threads to read
            crawl_source(setup.config_dir, "demo-forum", env=setup.env)
    config = load_config(setup.config_dir, environ=setup.env)
    store = SQLiteStore(config.sqlite_path)
    try:
        assert len(store.raw_posts_after(0, 1000)) == 36  # the first crawl's posts are kept
        runs = store.crawl_runs("demo-forum")
        assert [r.errors.get("parse/no_posts", 0) > 0 for r in runs] == [True, True, True, False]
        evaluate_alerts(config, store)
        (alert,) = [a for a in store.list_alerts() if a.rule_id == "source-broken"]
        assert "parse/no_posts=" in alert.why
    finally:
        store.close()
    status = CliRunner().invoke(
        app, ["sources", "status", "--config-dir", str(setup.config_dir)], env=setup.env
    )
    assert "thread pages with no readable post (parse/no_posts=" in status.output
    assert "BROKEN: the last 3 crawls stored nothing" in status.output
