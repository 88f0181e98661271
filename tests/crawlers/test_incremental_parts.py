"""Pure parts of incremental, polite crawling: canonical URLs, thread state decisions,
Retry-After, selectors, preset config errors, and the store pipeline's state writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from parsel import Selector
from scrapy.utils.test import get_crawler

from configuration.loader import VeilleConfig
from configuration.sources import SourceConfig
from crawlers.kinds import forum_selectors
from crawlers.pipelines import StorePipeline
from crawlers.presets import PRESETS
from crawlers.retry import backoff_seconds, retry_after_seconds
from crawlers.selectors import element_part, first_text, select
from crawlers.spiders.forum import canonical_thread_url
from crawlers.state import (
    NEW,
    RESUMED,
    TOO_OLD,
    UNCHANGED,
    ThreadState,
    TopicPageItem,
    after_page,
    decide,
    listing_of,
)
from crawlers.urls import canonical_url, join_url
from records import RawPost
from storage.sqlite import SQLiteStore

NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://f.fr/viewtopic.php?f=2&t=5&sid=0f3c9a2b7d6e5f4a3b2c1d0e9f8a7b6c#p12",
            "https://f.fr/viewtopic.php?f=2&t=5#p12",
        ),
        (
            "https://f.fr/t?utm_source=nl&utm_medium=mail&id=3&fbclid=x&gclid=y",
            "https://f.fr/t?id=3",
        ),
        (
            "https://F.FR/showthread.php?t=9&s=4c7e2a1f9b3d8e6a5c0f1b2d3e4a5b6c",
            "https://f.fr/showthread.php?t=9",
        ),
        ("https://f.fr/search.php?s=fibre", "https://f.fr/search.php?s=fibre"),
        ("https://f.fr/index.php?topic=5.0;PHPSESSID=abc123", "https://f.fr/index.php?topic=5.0"),
        ("https://f.fr/app;jsessionid=ABC?x=1", "https://f.fr/app?x=1"),
        ("https://f.fr/threads/x.3/#comments", "https://f.fr/threads/x.3/"),
        ("https://f.fr/threads/x.3/post-77#post-77", "https://f.fr/threads/x.3/post-77#post-77"),
        ("https://f.fr/m-p/245730#M4411", "https://f.fr/m-p/245730#M4411"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    ("preset", "url", "thread"),
    [
        (
            "phpbb",
            "https://f.fr/viewtopic.php?f=2&t=5&start=20&sid=ab",
            "https://f.fr/viewtopic.php?t=5",
        ),
        ("xenforo", "https://f.fr/threads/x.3317/page-4", "https://f.fr/threads/x.3317/"),
        ("invision", "https://f.fr/topic/88-x/page/2/?utm_source=a", "https://f.fr/topic/88-x/"),
        (
            "smf",
            "https://f.fr/index.php?topic=2291.30;PHPSESSID=ab",
            "https://f.fr/index.php?topic=2291.0",
        ),
        ("khoros", "https://f.fr/t5/B/S/td-p/245511/page/3", "https://f.fr/t5/B/S/td-p/245511"),
        ("discourse_html", "https://f.fr/t/slug/1204/21?page=2", "https://f.fr/t/slug/1204"),
        ("vbulletin", "https://f.fr/showthread.php?t=9&page=3", "https://f.fr/showthread.php?t=9"),
        ("django_machina", "https://f.fr/forum/topic/x-4/?page=2", "https://f.fr/forum/topic/x-4/"),
    ],
)
def test_canonical_thread_url_per_engine(preset: str, url: str, thread: str) -> None:
    assert canonical_thread_url(url, PRESETS[preset]) == thread


def test_thread_decisions() -> None:
    cutoff = NOW - timedelta(days=30)
    listing = listing_of("2026-03-13T10:00:00Z", " 12  réponses ")
    assert listing == "2026-03-13T10:00:00Z|12 réponses"
    assert decide(None, listing, NOW, cutoff) == NEW
    assert decide(None, listing, NOW - timedelta(days=31), cutoff) == TOO_OLD
    done = ThreadState("https://f/t", last_page="https://f/t?p=3", complete=True, listing=listing)
    assert decide(done, listing, NOW, cutoff) == UNCHANGED
    assert decide(done, listing_of("2026-03-14", "13"), NOW, cutoff) == RESUMED
    assert decide(done, None, None, None) == RESUMED  # no listing shown: last page again
    half = ThreadState.from_dict({**done.to_dict(), "complete": False})
    assert decide(half, listing, NOW, cutoff) == RESUMED


def test_listing_is_recorded_only_when_the_last_page_is_reached() -> None:
    state = after_page(None, "https://f/t", "https://f/t", ("p1", NOW), False, "L1")
    assert (state.pages, state.complete, state.listing) == (1, False, None)
    state = after_page(state, "https://f/t", "https://f/t?p=2", ("p9", NOW), True, "L1")
    assert (state.pages, state.last_page, state.last_post_id) == (2, "https://f/t?p=2", "p9")
    assert (state.complete, state.listing, state.last_post_at) == (True, "L1", NOW.isoformat())
    assert ThreadState.from_dict({**state.to_dict(), "from_a_newer_veille": 1}) == state


def test_retry_after_values() -> None:
    assert retry_after_seconds(b"120") == 120.0
    later = "Sat, 14 Mar 2026 10:01:30 GMT"
    assert retry_after_seconds(later, now=NOW) == 90.0
    assert retry_after_seconds("Sat, 14 Mar 2026 09:00:00 GMT", now=NOW) == 0.0
    assert retry_after_seconds("bientôt") is None
    assert retry_after_seconds(None) is None
    assert [backoff_seconds(n, 1.5) for n in (1, 2, 3)] == [1.5, 3.0, 6.0]


def test_selectors_css_and_xpath() -> None:
    page = Selector(text='<div><span class="d">12 <b>mars</b></span><a href="/x">l</a></div>')
    assert first_text(page, "span.d") == "12 mars"  # an element: its whole text
    assert first_text(page, "xpath://a/@href") == "/x"
    assert first_text(page, None) == ""
    assert select(page, "") == []
    assert element_part("xpath://cite/text()") == "xpath://cite"
    assert element_part("cite::text") == "cite"
    assert element_part("::attr(data-quote)") == ""


def test_preset_config_errors_name_the_problem() -> None:
    base = {"id": "s", "name": "S", "start_urls": ["https://f.fr/"]}
    with pytest.raises(ValueError, match=r"unknown forum preset 'phpbbb'.*known: discourse_html"):
        SourceConfig(**base, preset="phpbbb")
    with pytest.raises(ValueError, match="selectors lack topic_links, post_id"):
        SourceConfig(**base, selectors={"post": "div.post"})
    with pytest.raises(ValueError, match=r"selectors.post: invalid selector 'div\['"):
        SourceConfig(**base, preset="phpbb", selectors={"post": "div["})
    source = SourceConfig(**base, preset="smf", selectors={"likes": "span.k::text"})
    assert forum_selectors(source).likes == "span.k::text"
    assert forum_selectors(source).post == PRESETS["smf"].selectors["post"]


def test_pipeline_writes_state_after_posts_and_drops_repeats(
    config_dir: Path, config: VeilleConfig
) -> None:
    crawler = get_crawler(settings_dict={"VEILLE_CONFIG_DIR": str(config_dir)})
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    pipeline.source_id = "demo-forum"
    post = RawPost("demo-forum", "forum", "p1", "https://f/t#p1", "texte", published_at=NOW)
    state = ThreadState("https://f/t", last_page="https://f/t", pages=1, last_post_id="p1")
    pipeline.process_item(TopicPageItem([post, post], state))
    with pytest.raises(Exception, match="already collected"):
        pipeline.process_item(post)
    store = SQLiteStore(config.sqlite_path)
    try:
        assert store.crawl_states("demo-forum") == {}  # nothing before the batch is written
        pipeline.close_spider()
        assert store.count_raw_posts() == 1
        assert store.crawl_states("demo-forum") == {state.key: state.to_dict()}
    finally:
        store.close()
    assert crawler.stats.get_value("veille/posts/duplicate") == 2


def test_readme_forum_examples_are_valid_sources() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Adding a forum", 1)[1].split("Built-in presets", 1)[0]
    blocks = [b.split("```", 1)[0] for b in section.split("```yaml\n")[1:]]
    sources = yaml.safe_load("".join(blocks))["sources"]
    assert [SourceConfig.model_validate(s).preset for s in sources] == [
        "phpbb",
        "xenforo",
        "discourse_html",
        "auto",  # neither preset nor selectors
    ]


@pytest.mark.parametrize(
    "link",
    ["./viewtopic.php?p=5#p5", "/members/x.1/", "https://o.fr/x", "../up?a=1", "?start=10",
     "//cdn.fr/a", "memberlist.php?u=2", " ./sp ace "],
)  # fmt: skip
def test_join_url_matches_urljoin(link: str) -> None:
    from urllib.parse import urljoin

    base = "https://f.fr/forum/viewtopic.php?f=2&t=5&start=10"
    assert join_url(base, link) == urljoin(base, link.strip())
