"""What Veille stored from an engine, against the seed's truth: per-field figures."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from crawlers.items import RawPost
from crawlers.urls import canonical_url

# How far a stored date may be from the seeded one: engines show minutes, not seconds.
DATE_TOLERANCE_S = 60


def normal(text: str) -> str:
    """Whitespace-normalised text: what "exact after normalisation" compares."""
    return " ".join(text.split())


@dataclass
class Figures:
    """Fractions of the seeded posts Veille got right, field by field."""

    engine: str
    seeded: int
    stored: int
    found: int
    # Stored posts that are no seeded post (a sidebar, a post read twice under two ids).
    extra: int
    author: float
    body: float
    quotes: float
    date: float
    title: float
    thread_url: float
    # Seeded replies whose quoted post Veille named, over those the engine links (None
    # when the engine links none); and posts whose stored reply_to is not the seeded one.
    reply_to: float | None
    reply_to_wrong: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """Seeded posts stored, over seeded posts."""
        return self.found / self.seeded if self.seeded else 0.0

    def as_dict(self) -> dict[str, Any]:
        """The figures as plain data (for the printed and saved summary)."""
        data = asdict(self)
        data["recall"] = self.recall
        data["misses"] = self.misses[:20]
        return data

    def line(self) -> str:
        """One line a person reads in the test output and copies into README."""
        reply = "n/a" if self.reply_to is None else f"{self.reply_to:.3f}"
        return (
            f"{self.engine}: {self.found}/{self.seeded} posts (recall {self.recall:.3f}), "
            f"extra {self.extra}, author {self.author:.3f}, body {self.body:.3f}, "
            f"quotes {self.quotes:.3f}, date ±{DATE_TOLERANCE_S}s {self.date:.3f}, "
            f"title {self.title:.3f}, thread URL {self.thread_url:.3f}, reply_to {reply} "
            f"({self.reply_to_wrong} wrong)"
        )


def _quotes_ok(expected: list[str], post: RawPost) -> bool:
    # Each quote kept apart as it was written (the body's own check is exact, so a quote
    # left in the body fails there).
    stored = [normal(q) for q in post.quoted]
    return len(stored) == len(expected) and all(normal(q) in stored for q in expected)


def compare(
    engine: str, truth: dict[str, Any], stored: list[RawPost], base_url: str, key: str = "{id}"
) -> Figures:
    """Figures of `stored` against the seed's `truth` (`key` turns a seeded id into an
    external id, as the engine's markup names its posts)."""
    by_id = {p.external_id: p for p in stored}
    seeded = truth["posts"]
    hits = {"author": 0, "body": 0, "quotes": 0, "date": 0, "title": 0, "thread_url": 0}
    replies = {"expected": 0, "right": 0, "wrong": 0}
    misses: list[str] = []
    found = 0
    for expected in seeded:
        post = by_id.get(key.format(id=expected["id"]))
        if post is None:
            misses.append(f"{expected['id']}: not stored")
            continue
        found += 1
        checks = {
            "author": post.author == expected["author"],
            "body": normal(post.body_text) == normal(expected["body"]),
            "quotes": _quotes_ok(expected["quotes"], post),
            "date": post.published_at is not None
            and abs(
                post.published_at - datetime.fromisoformat(expected["published_at"])
            ).total_seconds()
            <= DATE_TOLERANCE_S,
            "title": normal(post.thread_title) == normal(expected["thread_title"]),
            "thread_url": canonical_url(post.thread_url, False)
            == canonical_url(base_url + expected["thread_url"], False),
        }
        for name, ok in checks.items():
            hits[name] += ok
            if not ok:
                misses.append(f"{expected['id']}: {name} {_shown(name, post)!r}")
        wanted = expected.get("reply_to")
        wanted = key.format(id=wanted) if wanted is not None else None
        if wanted is not None:
            replies["expected"] += 1
            replies["right"] += post.reply_to == wanted
        if post.reply_to != wanted:
            replies["wrong"] += 1
            misses.append(f"{expected['id']}: reply_to {post.reply_to!r}")
    n = len(seeded) or 1
    known = {key.format(id=p["id"]) for p in seeded}
    return Figures(
        engine=engine,
        seeded=len(seeded),
        stored=len(stored),
        found=found,
        extra=sum(p.external_id not in known for p in stored),
        reply_to=replies["right"] / replies["expected"] if replies["expected"] else None,
        reply_to_wrong=replies["wrong"],
        misses=misses,
        **{name: count / n for name, count in hits.items()},
    )


def _shown(name: str, post: RawPost) -> Any:
    values = {
        "author": post.author,
        "body": post.body_text[:160],
        "quotes": [q[:80] for q in post.quoted],
        "date": post.published_at.isoformat() if post.published_at else None,
        "title": post.thread_title,
        "thread_url": post.thread_url,
    }
    return values[name]
