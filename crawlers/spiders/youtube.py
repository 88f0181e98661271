"""YouTube: comments on a channel's videos through the Data API v3.

channels (uploads playlist) → playlistItems (the newest `max_videos` videos) → videos
(comment counts, one request per 50 videos) → commentThreads of each changed video
(`order=time`, `pageToken` paging; the replies the thread carries come along). The API key
comes from the environment variable the source names and is sent in the
`X-Goog-Api-Key` header, never in a URL.

Incremental per video: `thread:<video id>` remembers its comment count and the newest
top-level comment stored; an unchanged video is skipped and a changed one is read down
to that comment.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy import Request
from scrapy.http import Response

from crawlers.batches import PostBatch
from crawlers.items import RawPost
from crawlers.kinds import YouTubeOptions
from crawlers.middlewares import fetched_at
from crawlers.spiders.api import THREAD_PREFIX, ApiSpider, html_text, int_or_none, parse_time

logger = logging.getLogger(__name__)

WATCH = "https://www.youtube.com/watch?v="


def items_of(data: Any) -> list[dict[str, Any]] | None:
    """The `items` list of a Data API answer, or None when it has none."""
    items = data.get("items") if isinstance(data, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else None


class YouTubeSpider(ApiSpider):
    """Crawls comments on the newest videos of one channel."""

    name = "youtube"
    kind = "youtube"

    @property
    def options(self) -> YouTubeOptions:
        """The source's `youtube` block (config guarantees one)."""
        return self.source.options(YouTubeOptions)

    def headers(self) -> dict[str, str]:
        """JSON and the API key."""
        key = self.secret(self.options.api_key_env, "YouTube Data API key")
        return {**super().headers(), "X-Goog-Api-Key": key or ""}

    def url(self, resource: str, **params: Any) -> str:
        """A Data API URL."""
        return f"{self.options.base_url}/{resource}?{urlencode(params)}"

    def first_requests(self) -> Iterable[Request]:
        """The channel's uploads playlist."""
        self.headers()  # a missing key fails the source here, before any request
        url = self.url("channels", part="contentDetails", id=self.options.channel_id)
        if request := self.api_request(url, self.parse_channel):
            yield request

    def parse_channel(self, response: Response) -> Iterator[Any]:
        """The channel: list its uploads."""
        items = items_of(self.load_json(response, "channel"))
        try:
            uploads = items[0]["contentDetails"]["relatedPlaylists"]["uploads"]  # type: ignore[index]
        except (TypeError, IndexError, KeyError):
            self.bad_payload(response, f"channel {self.options.channel_id}: no uploads playlist")
            return
        yield from self._playlist(uploads, None, self.options.max_videos)

    def _playlist(self, playlist: str, token: str | None, left: int) -> Iterator[Request]:
        params = {
            "part": "snippet,contentDetails",
            "playlistId": playlist,
            "maxResults": min(50, left),
        }
        if token:
            params["pageToken"] = token
        request = self.api_request(
            self.url("playlistItems", **params), self.parse_playlist, playlist=playlist, left=left
        )
        if request is not None:
            yield request

    def parse_playlist(self, response: Response, playlist: str, left: int) -> Iterator[Any]:
        """A page of uploads: their comment counts asked for, then the next page."""
        data = self.load_json(response, "playlist")
        items = items_of(data)
        if items is None:
            if data is not None:
                self.bad_payload(response, "no items in the playlist answer")
            return
        videos = {}
        for item in items:
            video_id = (item.get("contentDetails") or {}).get("videoId")
            snippet = item.get("snippet") or {}
            if video_id and not self.too_old(parse_time(snippet.get("publishedAt"))):
                videos[str(video_id)] = str(snippet.get("title") or "")
        if videos:
            url = self.url("videos", part="statistics", id=",".join(videos))
            if request := self.api_request(url, self.parse_videos, titles=videos):
                yield request
        left -= len(items)
        token = data.get("nextPageToken") if isinstance(data, dict) else None
        if token and left > 0:
            yield from self._playlist(playlist, str(token), left)

    def parse_videos(self, response: Response, titles: dict[str, str]) -> Iterator[Any]:
        """Videos' statistics: read the comments of those whose count changed."""
        items = items_of(self.load_json(response, "videos"))
        if items is None:
            return
        for item in items:
            video_id = str(item.get("id"))
            raw_count = str((item.get("statistics") or {}).get("commentCount") or "0")
            count = int(raw_count) if raw_count.isdigit() else 0
            known = self.thread_state(video_id)
            if known.get("comments") == count or not count:
                self.crawler.stats.inc_value("veille/threads/unchanged")
                continue
            video = {"id": video_id, "title": titles.get(video_id, ""), "comments": count}
            if request := self.threads_request(video, None, None):
                yield request

    def threads_request(
        self, video: dict[str, Any], token: str | None, top: str | None
    ) -> Request | None:
        """A request for a page of a video's comment threads (None: budget spent)."""
        params = {
            "part": "snippet,replies",
            "videoId": video["id"],
            "maxResults": 100,
            "order": "time",
            "textFormat": "html",
        }
        if token:
            params["pageToken"] = token
        return self.api_request(
            self.url("commentThreads", **params), self.parse_threads, video=video, top=top
        )

    def parse_threads(
        self, response: Response, video: dict[str, Any], top: str | None
    ) -> Iterator[Any]:
        """A page of comment threads, newest first, down to the newest one already stored."""
        data = self.load_json(response, "comments")
        items = items_of(data)
        if items is None:
            if data is not None:
                self.bad_payload(response, "no items in the commentThreads answer")
            return
        known = self.thread_state(video["id"]).get("newest")
        posts: list[RawPost] = []
        reached = False
        for item in items:
            comment = (item.get("snippet") or {}).get("topLevelComment") or {}
            stamp = (comment.get("snippet") or {}).get("publishedAt")
            try:
                when = parse_time(stamp)
            except ValueError:
                self.count_error("parse/bad_date", response.url, f"comment date {stamp!r}")
                continue
            if (known and when and when.isoformat() <= known) or self.too_old(when):
                reached = True
                break
            top = max(top or "", when.isoformat() if when else "") or None
            replies = int_or_none((item.get("snippet") or {}).get("totalReplyCount"))
            for raw in [comment, *((item.get("replies") or {}).get("comments") or [])]:
                post = self.comment(raw, video, response, replies if raw is comment else None)
                if post is not None:
                    posts.append(post)
        token = data.get("nextPageToken") if isinstance(data, dict) else None
        request = self.threads_request(video, str(token), top) if token and not reached else None
        if request is None:
            state = {"comments": video["comments"], "newest": max(top or "", known or "") or None}
            yield PostBatch(posts, {THREAD_PREFIX + video["id"]: state})
        else:
            yield PostBatch(posts)
            yield request

    def comment(
        self, raw: Any, video: dict[str, Any], response: Response, replies: int | None
    ) -> RawPost | None:
        """The RawPost of a comment resource; None (counted) when unreadable."""
        try:
            snippet = raw["snippet"]
            text = html_text(str(snippet.get("textDisplay") or snippet.get("textOriginal") or ""))
            if not text.body:
                return None
            metrics = {"likes": int_or_none(snippet.get("likeCount")), "replies": replies}
            parent = snippet.get("parentId")
            return self.make_post(
                response,
                external_id=str(raw["id"]),
                url=f"{WATCH}{video['id']}&lc={raw['id']}",
                thread_url=f"{WATCH}{video['id']}",
                thread_title=video["title"],
                author=str(snippet.get("authorDisplayName") or ""),
                author_url=str(snippet.get("authorChannelUrl") or ""),
                published_at=parse_time(snippet["publishedAt"]),
                body_text=text.body,
                reply_to=str(parent) if parent else None,
                metrics={k: v for k, v in metrics.items() if v is not None},
                fetched_at=fetched_at(response),
            )
        except (KeyError, TypeError, ValueError) as exc:
            self.bad_payload(response, f"comment {str(raw)[:60]}: {exc!r}")
            return None
