"""Crawl components in process: settings, store pipeline, stats summary, middlewares,
the progress extension, and the parent side's imports."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from configuration.loader import VeilleConfig
from crawlers.extensions import ProgressReporter
from crawlers.middlewares import (
    FETCHED_AT,
    EncodingSniffMiddleware,
    FetchTimeMiddleware,
    fetched_at,
    sniff_encoding,
)
from crawlers.pipelines import StorePipeline
from crawlers.settings import build_settings
from crawlers.stats import fill_run
from records import CrawlRun, RawPost
from storage.sqlite import SQLiteStore

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


def post(n: int, body: str = "texte") -> RawPost:
    return RawPost("demo-forum", "forum", str(n), f"http://f.test/t#p{n}", body, published_at=NOW)


# --- settings ---------------------------------------------------------------------------


def test_build_settings(config: VeilleConfig) -> None:
    source = config.source("demo-forum")
    settings = build_settings(config, source)
    assert settings["ROBOTSTXT_OBEY"] is True
    assert settings["USER_AGENT"] == "VeilleBot/0.1 (+veille@example.org)"
    assert settings["CLOSESPIDER_PAGECOUNT"] == source.max_pages
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 4
    assert settings["DOWNLOAD_TIMEOUT"] == 20.0
    assert settings["RETRY_TIMES"] == 2 and 429 in settings["RETRY_HTTP_CODES"]
    assert settings["TELNETCONSOLE_ENABLED"] is False
    assert settings["LOG_LEVEL"] == "INFO"
    assert "crawlers.pipelines.StorePipeline" in settings["ITEM_PIPELINES"]
    # The validated objects, not copies to validate again: the child crawl builds these
    # settings itself, so they need not be plain data, and it reads its config once.
    assert settings["VEILLE_SOURCE"] is source and settings["VEILLE_CONFIG"] is config
    assert settings["VEILLE_SOURCE"].selectors.post == "article.post"


def test_source_overrides_robots(config: VeilleConfig) -> None:
    source = config.source("demo-forum").model_copy(update={"obey_robots": False})
    assert build_settings(config, source)["ROBOTSTXT_OBEY"] is False


# --- store pipeline ---------------------------------------------------------------------


def test_pipeline_is_off_without_a_config_dir() -> None:
    with pytest.raises(NotConfigured):
        StorePipeline.from_crawler(get_crawler(settings_dict={}))


def test_pipeline_writes_batches_and_counts(config_dir: Path, config: VeilleConfig) -> None:
    crawler = get_crawler(
        settings_dict={"VEILLE_CONFIG_DIR": str(config_dir), "VEILLE_STORE_BATCH_SIZE": 2}
    )
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    store = SQLiteStore(config.sqlite_path)
    try:
        for n in range(3):
            assert pipeline.process_item(post(n)) is not None
        assert store.count_raw_posts() == 2  # one full batch written, one post buffered
        pipeline.close_spider()
        assert store.count_raw_posts() == 3

        again = StorePipeline.from_crawler(crawler)
        again.open_spider()
        for item in (post(0), post(1, "texte modifié"), post(2).to_dict()):
            again.process_item(item)
        again.close_spider()
    finally:
        store.close()
    stats = crawler.stats.get_stats()
    assert (stats["veille/posts/new"], stats["veille/posts/updated"]) == (3, 1)
    assert stats["veille/posts/unchanged"] == 2


@pytest.mark.parametrize(
    "item",
    [
        {"title": "pas un post"},
        "texte",
        post(1, body="  "),
        RawPost("demo-forum", "forum", "", "http://f.test/t", "x"),
    ],
)
def test_pipeline_drops_and_counts_invalid_items(config_dir: Path, item: object) -> None:
    crawler = get_crawler(settings_dict={"VEILLE_CONFIG_DIR": str(config_dir)})
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    with pytest.raises(DropItem, match="invalid item"):
        pipeline.process_item(item)
    pipeline.close_spider()
    assert crawler.stats.get_value("veille/errors/bad_item") == 1


# --- stats → CrawlRun -------------------------------------------------------------------


def _run(stats: dict[str, object]) -> CrawlRun:
    return fill_run(CrawlRun("demo-forum", NOW), stats)


def test_clean_crawl_is_ok() -> None:
    run = _run({"finish_reason": "finished", "veille/pages": 5, "veille/posts/new": 9})
    assert (run.status, run.pages, run.posts_new, run.errors) == ("ok", 5, 9, {})


def test_errors_are_summarised_by_kind() -> None:
    run = _run(
        {
            "finish_reason": "closespider_pagecount",
            "veille/pages": 5,
            "veille/errors/http/500": 1,
            "veille/errors/parse/bad_date": 2,
            "downloader/exception_type_count/scrapy.exceptions.DownloadTimeoutError": 3,
            "spider_exceptions/KeyError": 1,
        }
    )
    assert run.status == "errors"
    assert run.errors == {
        "http/500": 1,
        "parse/bad_date": 2,
        "attempts/DownloadTimeoutError": 3,
        "spider/KeyError": 1,
    }


def test_retried_attempts_alone_do_not_fail_a_run() -> None:
    stats = {
        "finish_reason": "finished",
        "veille/pages": 2,
        "downloader/exception_type_count/twisted.internet.error.TimeoutError": 1,
    }
    assert _run(stats).status == "ok"


@pytest.mark.parametrize(
    ("stats", "error"),
    [
        ({"finish_reason": "finished", "veille/errors/download/dns": 1}, "download/dns"),
        ({"finish_reason": "finished"}, "crawl/no_pages"),
        ({"finish_reason": "shutdown", "veille/pages": 3}, "finish/shutdown"),
        ({}, "crawl/no_pages"),
    ],
)
def test_failed_runs_say_why(stats: dict[str, object], error: str) -> None:
    run = _run(stats)
    assert run.status == "failed"
    assert error in run.errors


# --- middlewares ------------------------------------------------------------------------


def test_fetch_time_is_stamped_on_the_response() -> None:
    request = Request("http://f.test/")
    response = FetchTimeMiddleware().process_response(
        request, HtmlResponse("http://f.test/", body=b"<p>x</p>", request=request)
    )
    assert fetched_at(response) is request.meta[FETCHED_AT]
    assert abs((datetime.now(UTC) - fetched_at(response)).total_seconds()) < 5


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        ("<p>Déjà vu à côté</p>", "cp1252", "cp1252"),
        ("<p>Ça coûte 49 € à la résiliation, c’est énorme !</p>", "cp1252", "cp1252"),
        ("<p>Déjà vu à côté</p>", "utf-8", "utf-8"),
        ("<p>Привет, это страница форума о мобильной связи и интернете</p>", "cp1251", "cp1251"),
    ],
)
def test_sniff_encoding(text: str, encoding: str, expected: str) -> None:
    assert sniff_encoding(text.encode(encoding)) == expected


def test_undeclared_page_is_re_decoded_and_declared_one_left_alone() -> None:
    middleware, body = EncodingSniffMiddleware(), "<p>Déjà à côté</p>".encode("cp1252")
    undeclared = HtmlResponse("http://f.test/", body=body, headers={"Content-Type": "text/html"})
    assert middleware.process_response(Request("http://f.test/"), undeclared).text.endswith(
        "<p>Déjà à côté</p>"
    )
    declared = HtmlResponse(
        "http://f.test/", body=body, headers={"Content-Type": "text/html; charset=cp1252"}
    )
    assert middleware.process_response(Request("http://f.test/"), declared) is declared


# --- progress extension -----------------------------------------------------------------


def test_progress_extension_needs_an_interval() -> None:
    with pytest.raises(NotConfigured):
        ProgressReporter.from_crawler(get_crawler(settings_dict={}))


def test_progress_lines_are_json_and_rate_limited() -> None:
    crawler = get_crawler(settings_dict={"VEILLE_PROGRESS_INTERVAL": 60})
    crawler.stats.set_value("veille/pages", 4)
    crawler.stats.set_value("veille/posts/seen", 30)
    stream = io.StringIO()
    reporter = ProgressReporter(crawler.stats, 60, stream)
    reporter.tick()
    reporter.tick()  # within the interval: silent
    reporter.spider_closed()
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 2
    assert lines[0] == {
        "event": "progress",
        "pages": 4,
        "posts": 30,
        "new": 0,
        "updated": 0,
        "unchanged": 0,
        "errors": 0,
    }


def test_parent_side_does_not_load_twisted_or_scrapy() -> None:
    code = (
        "import sys, crawlers.run; from configuration.loader import load_config; "
        "from crawlers.kinds import forum_selectors; "
        "forum_selectors(load_config('config').source('demo-forum')); "
        "print(sorted(m for m in ('twisted', 'scrapy') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert out.stdout.strip() == "[]"
