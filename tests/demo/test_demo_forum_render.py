"""The demo forum's pages: markup contract, pagination, escaping, encodings and dates."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from parsel import Selector

from demo.forum.generator import generate_forum
from demo.forum.models import CP1252, PAGE_SIZE, Forum
from demo.forum.render import MONTHS, format_post_date
from demo.forum.routes import Response, resolve
from demo.forum.truth import ground_truth

PARIS = ZoneInfo("Europe/Paris")
# Sixty days before this "now" cross the change to summer time (29 March 2026).
NOW = datetime(2026, 4, 20, 9, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def forum() -> Forum:
    return generate_forum(seed=7, now=NOW)


def get(forum: Forum, target: str) -> tuple[Response, Selector]:
    response = resolve(forum, target, NOW)
    charset = response.content_type.rpartition("charset=")[2]
    return response, Selector(text=response.body.decode(charset))


def parse_date(text: str, now: datetime) -> datetime:
    """What a crawler has to do with a date text: Paris local time back to UTC."""
    today = now.astimezone(PARIS).date()
    months = "|".join(MONTHS)
    if m := re.fullmatch(r"(aujourd'hui|hier) à (\d\d)h(\d\d)", text):
        day = today - timedelta(days=m[1] == "hier")
        hour, minute = int(m[2]), int(m[3])
    elif m := re.fullmatch(r"le (\d\d)/(\d\d)/(\d{4}) à (\d\d)h(\d\d)", text):
        day = date(int(m[3]), int(m[2]), int(m[1]))
        hour, minute = int(m[4]), int(m[5])
    elif m := re.fullmatch(rf"(?:\w+\. )?(\d+) ({months}) (\d{{4}})(?: à|,) (\d\d):(\d\d)", text):
        day = date(int(m[3]), MONTHS.index(m[2]) + 1, int(m[1]))
        hour, minute = int(m[4]), int(m[5])
    else:
        raise AssertionError(f"unknown date form {text!r}")
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def test_format_post_date_relative_and_absolute() -> None:
    now = datetime(2026, 3, 12, 16, 0, tzinfo=UTC)  # 17:00 in Paris
    assert format_post_date(datetime(2026, 3, 12, 13, 32, tzinfo=UTC), now) == "aujourd'hui à 14h32"
    assert format_post_date(datetime(2026, 3, 11, 7, 5, tzinfo=UTC), now) == "hier à 08h05"
    older = datetime(2026, 3, 2, 13, 32, tzinfo=UTC)
    assert format_post_date(older, now, 0) == "le 02/03/2026 à 14h32"
    assert format_post_date(older, now, 1) == "2 mars 2026 à 14:32"
    assert format_post_date(older, now, 2) == "lun. 2 mars 2026, 14:32"
    assert format_post_date(older, now, 5) == format_post_date(older, now, 2)


def test_format_post_date_uses_paris_days_not_utc_days() -> None:
    now = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    # 22:30 UTC on 30 June is 00:30 on 1 July in Paris (UTC+2): today, not yesterday.
    assert format_post_date(datetime(2026, 6, 30, 22, 30, tzinfo=UTC), now) == "aujourd'hui à 00h30"
    assert format_post_date(datetime(2026, 6, 30, 21, 30, tzinfo=UTC), now) == "hier à 23h30"
    winter = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    assert format_post_date(winter, now, 1) == "15 janvier 2026 à 13:00"


def test_index_links_every_sub_forum(forum: Forum) -> None:
    response, page = get(forum, "/")
    assert response.status == 200 and response.content_type == "text/html; charset=utf-8"
    assert b'<meta charset="utf-8">' in response.body
    assert page.css("a.forum-link::attr(href)").getall() == [s.path for s in forum.sub_forums]
    assert page.css("a.forum-link::text").get() == "Box & Fibre"


def test_topic_lists_paginate(forum: Forum) -> None:
    for sub in forum.sub_forums:
        listed: list[str] = []
        target: str | None = sub.path
        while target:
            response, page = get(forum, target)
            assert response.status == 200
            links = page.css("a.topic-link::attr(href)").getall()
            assert 1 <= len(links) <= PAGE_SIZE
            listed += links
            target = page.css("a[rel=next]::attr(href)").get()
            if target:
                assert len(links) == PAGE_SIZE and page.css("a.next::text").get() == "Suivant"
        assert listed == [topic.path for topic in sub.topics]
    assert resolve(forum, "/forum/box-fibre?page=1", NOW).status == 200
    for bad in ("/forum/box-fibre?page=3", "/forum/box-fibre?page=0", "/forum/box-fibre?page=x"):
        assert resolve(forum, bad, NOW).status == 404


def test_topic_pages_match_the_ground_truth(forum: Forum) -> None:
    truth = {post["external_id"]: post for post in ground_truth(forum)["posts"]}
    seen: dict[str, str] = {}
    for topic in forum.topics():
        target: str | None = topic.path
        pages = 0
        while target:
            _, page = get(forum, target)
            pages += 1
            assert page.css("h1.topic-title::text").get() == topic.title
            articles = page.css("article.post")
            next_link = page.css("a[rel=next]::attr(href)").get()
            assert len(articles) == (
                PAGE_SIZE if next_link else len(topic.posts) - PAGE_SIZE * (pages - 1)
            )
            for article in articles:
                post_id = article.attrib["data-post-id"]
                assert article.attrib["id"] == f"p{post_id}"
                expected = truth[post_id]
                content = article.css("div.content")[0]
                paragraphs = ["".join(p.css("::text").getall()) for p in content.xpath("./p")]
                assert "\n".join(paragraphs) == expected["body_text"]
                assert content.css("div.quote-text::text").getall() == expected["quoted"]
                if expected["quoted"]:
                    cite = content.css("blockquote.quote cite::text").get()
                    assert cite == f"{expected['quote_author']} a écrit :"
                assert article.css("a.author::text").get() == expected["author"]
                assert article.css("a.author::attr(href)").get() == expected["author_path"]
                assert int(article.css("span.likes::text").get() or -1) == expected["likes"]
                published = parse_date(article.css("span.date::text").get() or "", NOW)
                assert published.isoformat() == expected["published_at"]
                seen[post_id] = target
            target = next_link
        assert pages == topic.page_count
    assert seen == {pid: post["page_path"] for pid, post in truth.items()}


def test_relative_dates_are_shown_for_recent_posts(forum: Forum) -> None:
    dates = [
        text
        for topic in forum.topics()
        for n in range(1, topic.page_count + 1)
        for text in get(forum, f"{topic.path}?page={n}")[1].css("span.date::text").getall()
    ]
    assert any(t.startswith("aujourd'hui à ") for t in dates)
    assert any(t.startswith("hier à ") for t in dates)
    # The three absolute forms are all in use.
    assert any(re.fullmatch(r"le \d\d/\d\d/\d{4} à \d\dh\d\d", t) for t in dates)
    assert any(re.fullmatch(r"\d+ \w+ \d{4} à \d\d:\d\d", t) for t in dates)
    assert any(re.fullmatch(r"\w+\. \d+ \w+ \d{4}, \d\d:\d\d", t) for t in dates)


def test_hostile_text_is_escaped(forum: Forum) -> None:
    for topic in forum.topics():
        if not any(post.hostile for post in topic.posts):
            continue
        for n in range(1, topic.page_count + 1):
            body = resolve(forum, f"{topic.path}?page={n}", NOW).body.decode()
            assert "<script" not in body.lower() and "<img" not in body and "<iframe" not in body
            assert 'href="javascript:' not in body
    hostile = next(p for p in forum.posts() if "<script>" in p.body_text)
    home = forum.topic(hostile.topic_id)
    assert home is not None
    page = resolve(forum, f"{home.path}?page={home.page_of(hostile)}", NOW).body.decode()
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in page


def test_windows_1252_topic(forum: Forum) -> None:
    topic = next(t for t in forum.topics() if t.encoding == CP1252)
    response = resolve(forum, topic.path, NOW)
    assert response.content_type == "text/html; charset=windows-1252"
    assert b'<meta charset="windows-1252">' in response.body
    with pytest.raises(UnicodeDecodeError):
        response.body.decode("utf-8")
    page = Selector(text=response.body.decode("cp1252"))
    first = page.css("article.post div.content p::text").get()
    assert first == topic.posts[0].body_text and "€" in first and "’" in first
    assert page.css("h1.topic-title::text").get() == topic.title


def test_other_routes(forum: Forum) -> None:
    robots = resolve(forum, "/robots.txt", NOW)
    assert robots.content_type.startswith("text/plain")
    assert robots.body.decode().splitlines() == ["User-agent: *", "Disallow: /membre/"]
    member = resolve(forum, "/membre/Lumio_Officiel", NOW)
    assert member.status == 200 and b"Lumio_Officiel" in member.body
    topic = next(forum.topics())
    moved = resolve(forum, f"/topic/{topic.topic_id}-ancien-titre?page=2", NOW)
    assert moved.status == 301 and moved.headers["Location"] == f"{topic.path}?page=2"
    for missing in ("/nope", "/membre/personne", "/topic/99999-x", "/forum/inconnu", "/forum/"):
        assert resolve(forum, missing, NOW).status == 404
