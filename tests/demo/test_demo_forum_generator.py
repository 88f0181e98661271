"""The generated demo forum: deterministic, the intended size, and truthful about itself."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from demo.forum.generator import generate_forum, slugify, write_ground_truth
from demo.forum.models import CP1252, Forum, Post
from demo.forum.truth import ground_truth

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
BRANDS = {"lumio", "azur", "telvia"}
PRODUCTS = {"lumibox": "lumio", "lumio-5g": "lumio", "azurbox": "azur", "telvia-fibre": "telvia"}
SENTIMENTS = {"positive", "negative", "neutral", "mixed"}


@pytest.fixture(scope="module")
def forum() -> Forum:
    return generate_forum(seed=7, now=NOW)


@pytest.fixture(scope="module")
def posts(forum: Forum) -> list[Post]:
    return list(forum.posts())


def test_same_seed_same_forum_other_seed_other_forum() -> None:
    first = ground_truth(generate_forum(seed=7, now=NOW))
    assert ground_truth(generate_forum(seed=7, now=NOW)) == first
    assert ground_truth(generate_forum(seed=8, now=NOW))["posts"] != first["posts"]


@pytest.mark.parametrize("seed", [1, 7, 42, 2024])
def test_size_of_the_forum(seed: int) -> None:
    forum = generate_forum(seed=seed, now=NOW)
    assert [sub.slug for sub in forum.sub_forums] == [
        "box-fibre",
        "mobile-forfaits",
        "service-client",
    ]
    assert all(12 <= len(sub.topics) <= 15 for sub in forum.sub_forums)
    sizes = [len(topic.posts) for topic in forum.topics()]
    assert 350 <= sum(sizes) <= 500
    assert min(sizes) == 1 and 30 <= max(sizes) <= 35  # unanswered topics and 4-page ones


def test_only_dates_depend_on_now() -> None:
    # A demo re-run on another day must find the same posts (same ids), not new ones.
    def content(forum: Forum) -> dict[str, tuple[object, ...]]:
        return {
            p.external_id: (p.topic_id, p.position, p.author, p.body_text, p.quoted, p.brands)
            for p in forum.posts()
        }

    today = generate_forum(seed=7, now=NOW)
    later = generate_forum(seed=7, now=NOW + timedelta(days=40, hours=7))
    assert content(today) == content(later)
    assert {t.path for t in today.topics()} == {t.path for t in later.topics()}
    assert next(today.posts()).published_at != next(later.posts()).published_at


def test_ids_are_unique_and_grow_within_topics(forum: Forum, posts: list[Post]) -> None:
    ids = [post.external_id for post in posts]
    assert len(set(ids)) == len(ids) and all(i.isdigit() for i in ids)
    for topic in forum.topics():
        topic_post_ids = [int(post.external_id) for post in topic.posts]
        assert topic_post_ids == sorted(topic_post_ids)
    # Across topics only roughly: a night post moved to the evening before keeps its id.
    by_time = sorted(posts, key=lambda p: p.published_at)
    assert int(by_time[0].external_id) < int(by_time[len(posts) // 2].external_id)
    assert int(by_time[len(posts) // 2].external_id) < int(by_time[-1].external_id)
    topic_ids = [topic.topic_id for topic in forum.topics()]
    assert len(set(topic_ids)) == len(topic_ids)
    assert len({topic.slug for topic in forum.topics()}) > 30


def test_dates(forum: Forum, posts: list[Post]) -> None:
    for topic in forum.topics():
        times = [post.published_at for post in topic.posts]
        assert times == sorted(times) and len(set(times)) == len(times), topic.path
    for post in posts:
        assert post.published_at.utcoffset() == timedelta(0)
        assert post.published_at.second == 0 and post.published_at.microsecond == 0
        assert NOW - timedelta(days=61) <= post.published_at <= NOW
        # No small-hours posts: their Paris times would be ambiguous around DST changes.
        assert not 1 <= post.published_at.astimezone(PARIS).hour < 6
    recent = sum(post.published_at > NOW - timedelta(hours=36) for post in posts)
    assert 0.07 <= recent / len(posts) <= 0.13


def test_topic_display_order_is_latest_activity_first(forum: Forum) -> None:
    for sub in forum.sub_forums:
        last = [topic.last_post_at for topic in sub.topics]
        assert last == sorted(last, reverse=True)


def test_truth_fields_are_consistent(posts: list[Post]) -> None:
    for post in posts:
        assert set(post.brands) <= BRANDS and list(post.brands) == sorted(post.brands)
        assert set(post.products) <= set(PRODUCTS)
        assert {PRODUCTS[p] for p in post.products} <= set(post.brands)  # a product names its brand
        assert set(post.brand_sentiment) == set(post.brands)
        assert post.expected_sentiment in SENTIMENTS
        assert set(post.brand_sentiment.values()) <= SENTIMENTS
        assert post.lang in {"fr", "en"}
        assert post.body_text and all(par.strip() == par and par for par in post.paragraphs)
    sentiments = Counter(post.expected_sentiment for post in posts)
    assert all(sentiments[label] >= 20 for label in SENTIMENTS)
    assert Counter(b for post in posts for b in post.brands)["lumio"] > 100


def test_azur_traps_are_not_the_brand(posts: list[Post]) -> None:
    traps = [p for p in posts if "Côte d'Azur" in p.body_text or "ciel azur" in p.body_text]
    assert any("azur" not in p.brands for p in traps)
    for post in traps:
        rest = post.body_text
        for trap in ("Côte d'Azur", "ciel azur", "bleu azur"):
            rest = rest.replace(trap, "")
        assert ("azur" in post.brands) == ("azur" in rest.lower())  # named besides the trap


def test_crisis_official_english_quotes(forum: Forum, posts: list[Post]) -> None:
    crisis = [p for p in posts if p.crisis]
    assert len(crisis) >= 8
    for post in crisis:
        assert post.expected_sentiment == "negative" and len(post.brands) == 1
        assert post.brand_sentiment[post.brands[0]] == "negative"
    assert any(
        w in p.body_text.lower() for p in crisis for w in ("arnaque", "boycott", "mise en demeure")
    )
    official = [p for p in posts if p.official]
    assert len(official) >= 3 and all(
        p.author == "Lumio_Officiel" and p.brands == ("lumio",) for p in official
    )
    assert any("MP avec votre numéro client" in p.body_text for p in official)
    english = [p for p in posts if p.lang == "en"]
    assert 0.01 <= len(english) / len(posts) <= 0.06
    quoting = [p for p in posts if p.quoted]
    assert len(quoting) >= 10
    for topic in forum.topics():
        for post in topic.posts:
            if post.quoted:
                earlier = topic.posts[: post.position]
                assert any(
                    e.author == post.quote_author and post.quoted[0] in e.paragraphs
                    for e in earlier
                )
                assert post.quoted[0] not in post.body_text


def test_hostile_posts(posts: list[Post]) -> None:
    hostile = [p for p in posts if p.hostile]
    texts = " ".join(p.body_text for p in hostile)
    assert "<script>alert('xss')</script>" in texts
    assert "<img src=x onerror=alert(1)>" in texts
    assert "javascript:" in texts
    (raw,) = [p.raw_html for p in posts if p.raw_html is not None]
    assert "<b>" in raw and "</b>" not in raw and "<i>" in raw and "</i>" not in raw
    assert all(p.hostile for p in posts if p.raw_html is not None)


def test_cp1252_topic(forum: Forum) -> None:
    topics = [t for t in forum.topics() if t.encoding == CP1252]
    assert len(topics) == 1 and topics[0].page_count == 2
    text = topics[0].title + "".join(p.body_text + "".join(p.quoted) for p in topics[0].posts)
    text.encode("cp1252")  # strict: nothing needs a character reference
    assert all(ch in text for ch in "éèàçœ€’")


def test_slugify() -> None:
    assert slugify("Résiliation Telvia : 49 € de frais, c’est légal ?") == (
        "resiliation-telvia-49-de-frais-cest-legal"
    )
    assert slugify("Ça m’écœure !") == "ca-mecoeure"


def test_ground_truth_file(tmp_path: Path, forum: Forum) -> None:
    path = write_ground_truth(forum, tmp_path / "out" / "truth.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["seed"] == 7 and data["generated_at"] == "2026-11-24T10:00:00+00:00"
    assert len(data["posts"]) == sum(1 for _ in forum.posts())
    paths = data["base_url_paths"]
    assert paths["index"] == "/" and "/forum/box-fibre?page=2" in paths["forum_pages"]
    post = data["posts"][0]
    assert post["published_at"].endswith("+00:00")
    assert post["thread_path"].startswith("/topic/") and post["thread_title"]
    assert post["thread_path"] in paths["topic_pages"]
    expected = {
        "external_id", "topic_id", "sub_forum", "thread_path", "thread_title", "page", "page_path",
        "permalink_path", "position", "author", "author_path", "published_at", "body_text",
        "quoted", "quote_author", "brands", "products", "brand_sentiment", "expected_sentiment",
        "crisis", "official", "hostile", "broken_markup", "lang", "likes", "encoding",
    }  # fmt: skip
    assert set(post) == expected
