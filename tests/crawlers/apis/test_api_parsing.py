"""API spiders' callbacks on saved API answers (tests/fixtures/apis/), in process."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from configuration.sources import SourceConfig
from crawlers.batches import PostBatch
from crawlers.spiders import spider_for
from crawlers.spiders.api import ApiSpider, MissingSecret, link_header, parse_time, position
from crawlers.spiders.json_api import get_path
from records import RawPost

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "apis"


def make_spider(source: dict[str, Any]) -> Any:
    config = SourceConfig.model_validate({"id": "src", "name": "Source", **source})
    cls = spider_for(config.kind)
    crawler = get_crawler(cls, {"VEILLE_SOURCE": config.model_dump(mode="json")})
    spider = cls.from_crawler(crawler)
    crawler.spider = spider
    return spider


def answer(url: str, name: str, **cb_kwargs: Any) -> TextResponse:
    request = Request(url, cb_kwargs=cb_kwargs)
    # `{base}` in a fixture is the crawl tests' server root (see conftest.py).
    body = (FIXTURES / name).read_bytes().replace(b"{base}", b"http://api.test")
    return TextResponse(url, body=body, encoding="utf-8", request=request)


def split(output: Any) -> tuple[list[PostBatch], list[Request]]:
    results = list(output)
    assert all(isinstance(r, PostBatch | Request) for r in results)
    return [r for r in results if isinstance(r, PostBatch)], [
        r for r in results if isinstance(r, Request)
    ]


def errors(spider: ApiSpider) -> dict[str, int]:
    stats = spider.crawler.stats.get_stats()
    return {k.removeprefix("veille/errors/"): v for k, v in stats.items() if "errors/" in k}


# --- Bluesky ----------------------------------------------------------------------

BSKY = {"kind": "bluesky", "bluesky": {"base_url": "http://bsky.test", "queries": ["telvia"]}}
SEARCH_URL = "http://bsky.test/xrpc/app.bsky.feed.searchPosts?q=telvia&sort=latest&limit=100"


def bluesky_page(spider: Any) -> tuple[list[PostBatch], list[Request]]:
    sweep = spider.sweep("search:telvia")
    response = answer(SEARCH_URL, "bluesky-search.json")
    return split(spider.parse_search(response, sweep=sweep, query="telvia"))


def test_bluesky_posts_replies_quotes_and_cursor() -> None:
    spider = make_spider(BSKY)
    batches, requests = bluesky_page(spider)
    posts = {p.external_id.rsplit("/", 1)[-1]: p for p in batches[0].posts}
    assert set(posts) == {"3lb2", "3lb1"}
    assert errors(spider) == {"parse/bad_payload": 1}  # a record without text
    reply = posts["3lb2"]
    assert reply.url == "https://bsky.app/profile/bruno.bsky.social/post/3lb2"
    assert reply.thread_url == "https://bsky.app/profile/did:plc:alice123/post/3lb1"
    assert reply.reply_to == "at://did:plc:alice123/app.bsky.feed.post/3lb1"
    assert reply.quoted == ["Telvia en panne ?"]
    assert reply.body_text == "Pareil, la box Telvia redémarre en boucle"
    assert reply.metrics == {"likes": 5, "replies": 0, "reposts": 1}
    assert reply.lang_hint == "fr"
    assert posts["3lb1"].body_text == "Ma box Telvia <b>redémarre</b> sans arrêt"  # text, as is
    assert [r.url for r in requests] == [SEARCH_URL + "&cursor=1763900000000%3A%3Abafyreib"]
    assert batches[0].states == {}


def test_bluesky_sweep_ends_at_days_back() -> None:
    spider = make_spider({**BSKY, "days_back": 1})
    spider.cutoff = datetime(2026, 11, 23, 15, tzinfo=UTC)  # fixed "now" minus a day
    batches, requests = bluesky_page(spider)
    assert [p.external_id[-4:] for p in batches[0].posts] == ["3lb2"]
    assert requests == [] and list(batches[0].states) == ["search:telvia"]


def test_bluesky_sweep_stops_at_the_last_post_seen() -> None:
    spider = make_spider(BSKY)
    batches, _ = bluesky_page(spider)
    older = next(p for p in batches[0].posts if p.external_id.endswith("3lb1"))
    spider.restore_state({"search:telvia": {"newest": position(older)}})
    batches, requests = bluesky_page(spider)
    assert [p.external_id[-4:] for p in batches[0].posts] == ["3lb2"]
    assert requests == []
    newest = position(batches[0].posts[0])
    assert batches[0].states == {"search:telvia": {"newest": newest}}


# --- Facebook ---------------------------------------------------------------------

FB = {
    "kind": "facebook",
    "facebook": {"base_url": "http://graph.test/v19.0", "page_id": "111", "token_env": "FB_TOK"},
}


def test_facebook_posts_follow_comments_with_the_token_in_a_header(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FB_TOK", "page-token")
    spider = make_spider(FB)
    (first,) = list(spider.first_requests())
    assert "page-token" not in first.url
    assert first.headers[b"Authorization"] == b"Bearer page-token"
    response = answer(first.url, "facebook-posts.json", **first.cb_kwargs)
    batches, requests = split(spider.parse_posts(response, **first.cb_kwargs))
    assert [p.external_id for p in batches[0].posts] == ["111_199"]
    assert batches[0].states == {"thread:111_199": {"comments": 0}}  # no cursor: pass goes on
    comments, next_page = requests
    assert comments.url.startswith("http://graph.test/v19.0/111_201/comments?")
    assert next_page.url == "http://api.test/facebook/v19.0/111/posts?after=QVFIUl"

    response = answer(comments.url, "facebook-comments.json", **comments.cb_kwargs)
    batches, requests = split(spider.parse_comments(response, **comments.cb_kwargs))
    assert requests == []
    posts = {p.external_id: p for p in batches[0].posts}
    assert set(posts) == {"111_201", "201_1", "201_2"}
    assert posts["201_2"].reply_to == "201_1" and posts["201_1"].reply_to == "111_201"
    assert posts["201_1"].thread_url == "https://www.facebook.com/telvia/posts/201"
    assert posts["111_201"].metrics == {"likes": 40, "replies": 2}
    assert posts["201_1"].published_at is not None and posts["201_1"].published_at.hour == 10
    assert batches[0].states == {"thread:111_201": {"comments": 2}}  # next page still to read


def test_facebook_without_its_token_variable_fails_clearly() -> None:
    spider = make_spider(FB)
    with pytest.raises(MissingSecret, match="FB_TOK"):
        list(spider.first_requests())


# --- YouTube ----------------------------------------------------------------------

YT = {
    "kind": "youtube",
    "days_back": 30,
    "youtube": {"base_url": "http://yt.test/v3", "channel_id": "UCtelvia", "api_key_env": "YT_KEY"},
}


def test_youtube_channel_to_comment_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YT_KEY", "k")
    spider = make_spider(YT)
    spider.cutoff = datetime(2026, 10, 24, tzinfo=UTC)  # days_back 30, fixed "now"
    (channel,) = list(spider.first_requests())
    assert channel.headers[b"X-Goog-Api-Key"] == b"k" and "k" not in channel.url.split("?")[1]
    (playlist,) = list(spider.parse_channel(answer(channel.url, "youtube-channel.json")))
    assert "playlistId=UUtelvia" in playlist.url
    response = answer(playlist.url, "youtube-playlist.json", **playlist.cb_kwargs)
    videos, next_page = list(spider.parse_playlist(response, **playlist.cb_kwargs))
    assert videos.url.endswith("videos?part=statistics&id=vid1")  # vid0 is too old
    assert "pageToken=CAIQAA" in next_page.url
    response = answer(videos.url, "youtube-videos.json", **videos.cb_kwargs)
    (threads,) = list(spider.parse_videos(response, **videos.cb_kwargs))
    response = answer(threads.url, "youtube-threads.json", **threads.cb_kwargs)
    batches, requests = split(spider.parse_threads(response, **threads.cb_kwargs))
    posts = {p.external_id: p for p in batches[0].posts}
    assert set(posts) == {"Ugx1", "Ugx1.r1", "Ugx0"}
    assert posts["Ugx1"].body_text == "Merci', ça marche enfin\ntop"
    assert posts["Ugx1"].url == "https://www.youtube.com/watch?v=vid1&lc=Ugx1"
    assert posts["Ugx1"].thread_title == "Installer sa box Telvia"
    assert posts["Ugx1"].metrics == {"likes": 7, "replies": 1}
    assert posts["Ugx1.r1"].reply_to == "Ugx1"
    assert len(requests) == 1 and "pageToken=QURTSl" in requests[0].url

    spider.restore_state({"thread:vid1": {"comments": 3, "newest": "2026-11-23T18:00:00+00:00"}})
    response = answer(videos.url, "youtube-videos.json", **videos.cb_kwargs)
    assert list(spider.parse_videos(response, **videos.cb_kwargs)) == []


# --- Discourse, generic JSON, helpers ---------------------------------------------


def test_discourse_long_topic_is_asked_for_in_chunks_of_20() -> None:
    spider = make_spider({"kind": "discourse", "discourse": {"base_url": "http://d.test"}})
    response = answer("http://d.test/t/11.json", "discourse-t-11.json")
    batches, requests = split(spider.parse_topic(response, topic_id="11"))
    assert len(batches[0].posts) == 20 and batches[0].states == {}
    (rest,) = requests
    assert rest.url == "http://d.test/t/11/posts.json?" + "&".join(
        f"post_ids%5B%5D={i}" for i in range(1121, 1126)
    )


def test_discourse_topic_beyond_max_topic_pages_is_left_unfinished() -> None:
    spider = make_spider(
        {"kind": "discourse", "discourse": {"base_url": "http://d.test", "max_topic_pages": 1}}
    )
    response = answer("http://d.test/t/11.json", "discourse-t-11.json")
    batches, requests = split(spider.parse_topic(response, topic_id="11"))
    assert requests == []
    state = batches[0].states["thread:11"]
    assert state == {"last_post_number": 20, "last_post_id": 1120, "last_posted_at": None}
    spider.restore_state(batches[0].states)
    response = answer("http://d.test/t/11.json", "discourse-t-11.json")
    batches, requests = split(spider.parse_topic(response, topic_id="11"))
    assert batches[0].posts == []  # nothing read twice; posts 21-25 wait for a larger budget


def test_get_path_reads_dotted_paths() -> None:
    data = {"a": {"b": [{"c": 1}, {"c": 2}]}, "n": None}
    assert get_path(data, "a.b.1.c") == 2
    assert get_path(data, "a.x.c") is None
    assert get_path(data, "a.b.5") is None
    assert get_path(data, "n.x") is None


def test_parse_time_and_link_header() -> None:
    assert parse_time("2026-11-23T18:00:00+01:00").isoformat() == "2026-11-23T17:00:00+00:00"  # type: ignore[union-attr]
    assert parse_time("2026-11-23T18:00:00Z").hour == 18  # type: ignore[union-attr]
    assert parse_time("2026-11-23T18:00:00+0000").hour == 18  # type: ignore[union-attr]
    assert parse_time(0).year == 1970  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        parse_time("hier")
    response = TextResponse(
        "http://m.test/",
        body=b"[]",
        headers={
            "Link": '<http://m.test/a?max_id=1>; rel="next", <http://m.test/a?min_id=9>; rel="prev"'
        },
    )
    assert link_header(response) == "http://m.test/a?max_id=1"
    assert link_header(response, "prev") == "http://m.test/a?min_id=9"


def test_raw_post_fields_are_json_ready() -> None:
    spider = make_spider(BSKY)
    batches, _ = bluesky_page(spider)
    for post in batches[0].posts:
        assert RawPost.from_dict(post.to_dict()) == post
