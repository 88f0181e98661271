"""Whole crawls of a Facebook Page (Graph API), a YouTube channel and a Bluesky search."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlencode

import pytest

from crawlers.run import crawl_source
from crawlers.spiders.facebook import COMMENT_FIELDS, POST_FIELDS

from .conftest import ApiSite, Route

pytestmark = pytest.mark.slow


def target(path: str, **params: Any) -> str:
    return f"{path}?{unquote(urlencode(params))}"


FB_POSTS = target("/facebook/v19.0/111/posts", fields=POST_FIELDS, limit=50)
FB_POSTS_2 = "/facebook/v19.0/111/posts?after=QVFIUl"
FB_COMMENTS = target(
    "/facebook/v19.0/111_201/comments", fields=COMMENT_FIELDS, filter="stream", limit=100
)
YT_CHANNEL = target("/youtube/channels", part="contentDetails", id="UCtelvia")
YT_PLAYLIST = target(
    "/youtube/playlistItems", part="snippet,contentDetails", playlistId="UUtelvia", maxResults=25
)
YT_PLAYLIST_2 = target(
    "/youtube/playlistItems",
    part="snippet,contentDetails",
    playlistId="UUtelvia",
    maxResults=23,
    pageToken="CAIQAA",
)
YT_VIDEOS = target("/youtube/videos", part="statistics", id="vid1,vid0")
THREADS = {"part": "snippet,replies", "videoId": "vid1", "maxResults": 100, "order": "time",
           "textFormat": "html"}  # fmt: skip
YT_THREADS = target("/youtube/commentThreads", **THREADS)
YT_THREADS_2 = target("/youtube/commentThreads", **THREADS, pageToken="QURTSl")
KEY = ("X-Goog-Api-Key", "yt-key")


def facebook_source(api_site: ApiSite, source_id: str) -> dict[str, Any]:
    return {
        "id": source_id,
        "name": "Page Telvia",
        "kind": "facebook",
        "facebook": {
            "base_url": api_site.base_url + "/facebook/v19.0",
            "page_id": "111",
            "token_env": "VEILLE_TEST_FB_TOKEN",
        },
    }


def test_facebook_page_posts_and_comments(api_site: ApiSite, api_setup: Any) -> None:
    api_site.routes.update(
        {
            FB_POSTS: Route("facebook-posts.json", token="page-token"),
            FB_POSTS_2: Route("facebook-empty.json", token="page-token"),
            FB_COMMENTS: Route("facebook-comments.json", token="page-token"),
        }
    )
    setup = api_setup(facebook_source(api_site, "fb"), VEILLE_TEST_FB_TOKEN="page-token")
    first = crawl_source(setup.config_dir, setup.source_id, env=setup.env)
    assert set(setup.posts()) == {"111_201", "201_1", "201_2", "111_199"}
    assert first.status == "ok" and first.posts_new == 4
    assert all("page-token" not in path for path in api_site.hits)
    api_site.hits.clear()
    second = crawl_source(setup.config_dir, setup.source_id, env=setup.env)
    assert second.posts_new == 0 and second.status == "ok"
    assert {k for k in api_site.hits if k != "/robots.txt"} == {FB_POSTS}

    wrong = api_setup(facebook_source(api_site, "fb2"), VEILLE_TEST_FB_TOKEN="expired")
    run = crawl_source(wrong.config_dir, wrong.source_id, env=wrong.env)
    assert run.errors == {"http/401": 1} and run.status == "failed"


def test_youtube_channel_comments(api_site: ApiSite, api_setup: Any) -> None:
    api_site.routes.update(
        {
            YT_CHANNEL: Route("youtube-channel.json", header=KEY),
            YT_PLAYLIST: Route("youtube-playlist.json", header=KEY),
            YT_PLAYLIST_2: Route("youtube-empty.json", header=KEY),
            YT_VIDEOS: Route("youtube-videos.json", header=KEY),
            YT_THREADS: Route("youtube-threads.json", header=KEY),
            YT_THREADS_2: Route("youtube-empty.json", header=KEY),
        }
    )
    setup = api_setup(
        {
            "id": "yt",
            "name": "YouTube Telvia",
            "kind": "youtube",
            "youtube": {
                "base_url": api_site.base_url + "/youtube",
                "channel_id": "UCtelvia",
                "api_key_env": "VEILLE_TEST_YT_KEY",
            },
        },
        VEILLE_TEST_YT_KEY="yt-key",
    )
    first = crawl_source(setup.config_dir, setup.source_id, env=setup.env)
    assert set(setup.posts()) == {"Ugx1", "Ugx1.r1", "Ugx0"}
    assert first.status == "ok"
    assert api_site.hits[YT_THREADS_2] == 1
    api_site.hits.clear()
    second = crawl_source(setup.config_dir, setup.source_id, env=setup.env)
    assert second.posts_new == 0 and second.status == "ok"
    assert YT_THREADS not in api_site.hits  # the video's comment count did not change


BSKY_SEARCH = "/bluesky/xrpc/app.bsky.feed.searchPosts?q=telvia&sort=latest&limit=100"


def test_bluesky_search_with_cursor(api_site: ApiSite, api_setup: Any) -> None:
    api_site.routes.update(
        {
            BSKY_SEARCH: Route("bluesky-search.json"),
            BSKY_SEARCH + "&cursor=1763900000000::bafyreib": Route("bluesky-empty.json"),
        }
    )
    setup = api_setup(
        {
            "id": "bsky",
            "name": "Bluesky",
            "kind": "bluesky",
            "bluesky": {"base_url": api_site.base_url + "/bluesky", "queries": ["telvia"]},
        }
    )
    first = crawl_source(setup.config_dir, setup.source_id, env=setup.env)
    assert {k.rsplit("/", 1)[-1] for k in setup.posts()} == {"3lb2", "3lb1"}
    assert first.errors == {"parse/bad_payload": 1}  # the record without text
    api_site.hits.clear()
    second = crawl_source(setup.config_dir, setup.source_id, env=setup.env)
    assert second.posts_new == 0 and second.posts_updated == 0
    assert {k for k in api_site.hits if k != "/robots.txt"} == {BSKY_SEARCH}
