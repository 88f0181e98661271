"""Map a request target ("/topic/3-panne?page=2") to a response; no sockets involved."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, unquote, urlsplit

from demo.forum.models import UTF8, Forum
from demo.forum.render import (
    ROBOTS_TXT,
    render_forum_page,
    render_index,
    render_member,
    render_topic_page,
)

logger = logging.getLogger(__name__)

_FORUM = re.compile(r"/forum/([a-z0-9-]+)")
_TOPIC = re.compile(r"/topic/(\d+)-([a-z0-9-]+)")
_MEMBER = re.compile(r"/membre/([^/]+)")


@dataclass(frozen=True, slots=True)
class Response:
    """Status, headers and body of one answer."""

    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


def html_response(text: str, charset: str = UTF8) -> Response:
    """A 200 HTML page encoded in `charset`, with the charset in its header."""
    # Characters the code page lacks become references, which every HTML parser decodes;
    # the generator keeps the windows-1252 topic within the code page anyway.
    return Response(200, text.encode(charset, "xmlcharrefreplace"), f"text/html; charset={charset}")


def not_found(target: str) -> Response:
    """The forum's 404 page."""
    body = (
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
        "<title>Page introuvable</title></head>"
        "<body><h1>Page introuvable</h1></body></html>\n"
    )
    logger.debug("demo forum: 404 for %s", target)
    return Response(404, body.encode(UTF8), "text/html; charset=utf-8")


def _page_number(query: str, pages: int) -> int | None:
    values = parse_qs(query).get("page")
    if not values:
        return 1
    if not values[0].isdigit():
        return None
    page = int(values[0])
    return page if 1 <= page <= pages else None


def resolve(forum: Forum, target: str, now: datetime) -> Response:
    """The response to a GET of `target` (path and query), dates relative to `now`."""
    url = urlsplit(target)
    path = url.path
    if path == "/":
        return html_response(render_index(forum))
    if path == "/robots.txt":
        return Response(200, ROBOTS_TXT.encode(UTF8), "text/plain; charset=utf-8")
    if match := _FORUM.fullmatch(path):
        sub = forum.sub_forum(match[1])
        page = _page_number(url.query, sub.page_count) if sub else None
        if sub is None or page is None:
            return not_found(target)
        return html_response(render_forum_page(sub, page, now))
    if match := _TOPIC.fullmatch(path):
        topic = forum.topic(int(match[1]))
        if topic is None:
            return not_found(target)
        if match[2] != topic.slug:
            # As phpBB-like engines do: a stale or mistyped slug redirects to the real one.
            location = topic.path + (f"?{url.query}" if url.query else "")
            return Response(301, b"", "text/plain; charset=utf-8", {"Location": location})
        page = _page_number(url.query, topic.page_count)
        if page is None:
            return not_found(target)
        return html_response(render_topic_page(forum, topic, page, now), topic.encoding)
    if match := _MEMBER.fullmatch(path):
        profile = render_member(forum, unquote(match[1]))
        return html_response(profile) if profile is not None else not_found(target)
    return not_found(target)
