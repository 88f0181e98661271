"""Generate the demo forum, deterministically for a seed, and write its ground truth."""

from __future__ import annotations

import logging
import random
import re
import unicodedata
from datetime import UTC, datetime

from demo.forum.compose import BRANDS, Cast, fill_title
from demo.forum.models import CP1252, UTF8, Forum, Post, SubForum, Topic
from demo.forum.phrases import (
    CP1252_POSTS,
    CP1252_TITLE,
    OFFICIAL_HANDLE,
    SUB_FORUM_THEMES,
    THEMES,
)
from demo.forum.schedule import post_ages, publication_times
from demo.forum.topics import HOSTILE_KINDS, Blueprint, Draft, write_topic
from demo.forum.truth import ground_truth, write_ground_truth

__all__ = [
    "Forum",
    "Post",
    "SubForum",
    "Topic",
    "generate_forum",
    "ground_truth",
    "slugify",
    "write_ground_truth",
]

logger = logging.getLogger(__name__)

SUB_FORUMS = (
    ("box-fibre", "Box & Fibre", "Pannes, débit, installation et wifi de vos box."),
    ("mobile-forfaits", "Mobile & Forfaits", "Réseau, 5G, forfaits et portabilité."),
    ("service-client", "Service client", "Factures, SAV, résiliations : entraide entre clients."),
)
# Bounds on the total so that every seed gives a forum of the intended size.
MIN_POSTS, MAX_POSTS = 380, 480
CRISIS_SIZE = 32
# Topics besides the crisis with recent activity: with it, about a tenth of the posts
# fall in the last 36 hours and show relative dates.
HOT_TOPICS = 4
RECENT_SHARE = 0.1


def slugify(text: str) -> str:
    """ASCII, lower-case, dash-separated slug of a title, at most 60 characters."""
    text = text.replace("œ", "oe").replace("Œ", "Oe")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > 60:
        slug = slug[:60].rsplit("-", 1)[0]
    return slug or "sujet"


def _cast(rng: random.Random, category: str, brand: str | None = None) -> Cast:
    # Lumio is the brand the demo follows, so it is talked about most.
    brand = brand or rng.choices(BRANDS, weights=(5, 3, 3))[0]
    other, third = rng.sample([b for b in BRANDS if b != brand], 2)
    return Cast(brand, other, third, category)


def _topic_size(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.32:
        return rng.randint(1, 5)
    if roll < 0.75:
        return rng.randint(6, 12)
    if roll < 0.93:
        return rng.randint(13, 20)
    return rng.randint(21, 35)


def _spread_recent(rng: random.Random, plans: list[Blueprint]) -> None:
    # The crisis is mostly recent (it is what an alert should catch); a few other topics
    # share the rest of the target.
    target = round(RECENT_SHARE * sum(bp.size for bp in plans))
    crisis = next(bp for bp in plans if bp.special == "crisis")
    crisis.recent = round(crisis.size * 0.6)
    left = target - crisis.recent
    hot = rng.sample([bp for bp in plans if bp.special is None and bp.size >= 6], HOT_TOPICS)
    for index, bp in enumerate(hot):
        bp.recent = max(1, min(bp.size - 1, round(left / (HOT_TOPICS - index))))
        left -= bp.recent


def plan_topics(rng: random.Random) -> list[Blueprint]:
    """Decide every topic's sub-forum, theme, brands, size and hostile posts."""
    plans: list[Blueprint] = []
    for slug, _, _ in SUB_FORUMS:
        themes = SUB_FORUM_THEMES[slug]
        count = rng.randint(12, 15)
        if slug == "service-client":
            crisis = Blueprint(
                slug, "crise", _cast(rng, "box", "lumio"), CRISIS_SIZE, special="crisis"
            )
            plans.append(crisis)
            cast = Cast("telvia", "lumio", "azur", "box")
            plans.append(Blueprint(slug, "resiliation", cast, len(CP1252_POSTS), special="cp1252"))
            count -= 2
        for theme in rng.choices(list(themes), weights=list(themes.values()), k=count):
            plans.append(
                Blueprint(slug, theme, _cast(rng, THEMES[theme].category), _topic_size(rng))
            )
    regular = [bp for bp in plans if bp.special is None]
    if not any(bp.size == 1 for bp in regular):
        min(regular, key=lambda bp: bp.size).size = 1  # an unanswered topic, as every forum has
    while sum(bp.size for bp in plans) > MAX_POSTS:
        max(regular, key=lambda bp: bp.size).size -= 1
    while sum(bp.size for bp in plans) < MIN_POSTS:
        rng.choice([bp for bp in regular if 1 < bp.size < 35]).size += 1
    _spread_recent(rng, plans)
    hosts = rng.sample([bp for bp in regular if bp.size >= 3], len(HOSTILE_KINDS))
    for bp, kind in zip(hosts, HOSTILE_KINDS, strict=True):
        bp.hostile[rng.randint(1, bp.size - 1)] = kind
    return plans


def _title(rng: random.Random, bp: Blueprint, used: set[str]) -> str:
    # Same-titled threads exist on real forums, but a demo reads better without them.
    templates = [CP1252_TITLE] if bp.special == "cp1252" else list(THEMES[bp.theme].titles)
    rng.shuffle(templates)
    titles = [fill_title(rng, template, bp.cast, "") for template in templates]
    title = next((t for t in titles if t.casefold() not in used), titles[0])
    used.add(title.casefold())
    return title


def generate_forum(seed: int = 7, now: datetime | None = None) -> Forum:
    """The whole demo forum for `seed`, with posts spread over the 60 days before `now`."""
    rng = random.Random(seed)
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(second=0, microsecond=0)
    # Everything drawn from `rng` comes before `now` is used, so that only dates depend on it.
    plans = plan_topics(rng)
    drafts = [write_topic(rng, bp) for bp in plans]
    used_titles: set[str] = set()
    titles = [_title(rng, bp, used_titles) for bp in plans]
    ages = [post_ages(rng, bp) for bp in plans]
    # Ids follow the posts' ages across the forum, as a database sequence would, with gaps
    # where posts were deleted; moving night posts to the evening before can put a post
    # just before an older id of another topic, never within a topic.
    order = sorted((-age, ti, pi) for ti, topic in enumerate(ages) for pi, age in enumerate(topic))
    post_ids: dict[tuple[int, int], str] = {}
    current = 10000 + rng.randint(0, 900)
    for _, ti, pi in order:
        current += rng.randint(1, 6)
        post_ids[ti, pi] = str(current)
    topic_ids: dict[int, int] = {}
    current = 0
    for ti in sorted(range(len(plans)), key=lambda i: (-ages[i][0], i)):
        current += rng.randint(1, 4)
        topic_ids[ti] = current
    by_forum: dict[str, list[Topic]] = {slug: [] for slug, _, _ in SUB_FORUMS}
    for ti, bp in enumerate(plans):
        title = titles[ti]
        times = publication_times(ages[ti], now)
        posts = tuple(
            _post(draft, post_ids[ti, pi], topic_ids[ti], pi, times[pi])
            for pi, draft in enumerate(drafts[ti])
        )
        encoding = CP1252 if bp.special == "cp1252" else UTF8
        by_forum[bp.forum_slug].append(
            Topic(topic_ids[ti], slugify(title), title, bp.forum_slug, posts, encoding)
        )
    subs = tuple(
        SubForum(
            slug,
            name,
            description,
            tuple(sorted(by_forum[slug], key=lambda t: (t.last_post_at, t.topic_id), reverse=True)),
        )
        for slug, name, description in SUB_FORUMS
    )
    forum = Forum(seed=seed, generated_at=now, sub_forums=subs)
    logger.debug("generated demo forum: seed %s, %d posts", seed, sum(1 for _ in forum.posts()))
    return forum


def _post(
    draft: Draft, external_id: str, topic_id: int, position: int, published_at: datetime
) -> Post:
    text = draft.text
    return Post(
        external_id=external_id,
        topic_id=topic_id,
        position=position,
        author=draft.author,
        published_at=published_at,
        body_text=text.body_text,
        quoted=(draft.quoted,) if draft.quoted else (),
        quote_author=draft.quote_author,
        brands=tuple(sorted(text.brands)),
        products=tuple(sorted(text.products)),
        brand_sentiment=text.brand_sentiment,
        expected_sentiment=text.sentiment,
        crisis=text.crisis,
        official=draft.author == OFFICIAL_HANDLE,
        hostile=draft.hostile,
        lang=text.lang,
        likes=draft.likes,
        raw_html=draft.raw_html,
    )
