"""Latency of the queries behind the barometer page on an embedded store of 1M mentions.

Usage: python bench/dashboard_queries.py [--mentions 1000000] [--repeats 15] [--db PATH]

The store is built once (kept at --db, default data/bench_dashboard.db, and reused when it
already holds that many mentions) with plain `executemany` inserts into the store's own
tables, in batches of 20 000: the rollup triggers run as they do for the pipeline's
writes, but Python's per-mention upsert path (hashing, JSON, FTS) is skipped. Mentions
are spread over 365 days and 3 brands (one in six names two), 6 sources of 3 kinds,
3 languages, 4 sentiments, 5 % official, 3 % near-duplicates, one aspect each.

Each query is what the data layer asks the store for a 30-, 90- and 365-day period
(current and previous period, breakdowns, aspects, the mentions behind a figure); it
prints p50 and p95 in milliseconds over --repeats runs, after one warm-up run.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from storage import MentionFilter  # noqa: E402
from storage.sqlite import SQLiteStore  # noqa: E402

BRANDS = ("lumio", "azur", "telvia")
SOURCES = (("forum-a", "forum"), ("forum-b", "forum"), ("disc-a", "discourse"))
SOURCES += (("rss-a", "rss"), ("rss-b", "rss"), ("forum-c", "forum"))
LABELS = ("positive", "neutral", "negative", "mixed")
ASPECTS = ("price", "network", "customer_service", "delivery", "quality")
END = datetime(2026, 11, 24, tzinfo=UTC)
BATCH = 20_000
PERIODS = (30, 90, 365)


def _rows(start: int, count: int, rng: random.Random) -> tuple[list[tuple], list[tuple], list]:
    mentions, brands, aspects = [], [], []
    for n in range(start, start + count):
        mid = f"m{n:08d}"
        source, kind = SOURCES[n % len(SOURCES)]
        ts = (END - timedelta(seconds=rng.randrange(365 * 86400))).strftime(
            "%Y-%m-%dT%H:%M:%S+00:00"
        )
        lang = ("fr", "fr", "fr", "en", "es")[n % 5]
        label = LABELS[rng.randrange(4)]
        data = {
            "id": mid,
            "source_id": source,
            "kind": kind,
            "external_id": str(n),
            "url": f"https://{source}.test/p/{n}",
            "body_text": f"Message {n}",
            "published_at": ts,
            "fetched_at": ts,
            "lang": lang,
            "sentiment": {"label": label, "score": 0.8, "model": "bench"},
        }
        official = int(rng.random() < 0.05)
        duplicate = f"m{n - 1:08d}" if n and rng.random() < 0.03 else None
        mentions.append(
            (mid, n + 1, source, kind, ts, lang, label, 0.8, "bench", official, duplicate,
             "h", json.dumps(data))
        )  # fmt: skip
        named = [BRANDS[rng.randrange(3)]]
        if n % 6 == 0:
            named.append(BRANDS[(BRANDS.index(named[0]) + 1) % 3])
        brands.extend((mid, b, "", None) for b in named)
        aspects.extend((mid, ASPECTS[n % 5], b) for b in ["", *named])
    return mentions, brands, aspects


def build(path: Path, total: int) -> None:
    """A store of `total` mentions at `path` (reused when it already has them)."""
    store = SQLiteStore(path)
    have = store.count_mentions()
    store.close()
    if have == total:
        print(f"store: reusing {path} ({have} mentions)")
        return
    path.unlink()
    SQLiteStore(path).close()  # the schema, triggers included
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    rng = random.Random(6)
    started = time.perf_counter()
    for start in range(0, total, BATCH):
        mentions, brands, aspects = _rows(start, min(BATCH, total - start), rng)
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO mentions (id, seq, source_id, kind, ts, lang, sentiment_label,"
            " sentiment_score, sentiment_model, is_official, duplicate_of, content_hash, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            mentions,
        )
        conn.executemany("INSERT INTO mention_brands VALUES (?, ?, ?, ?)", brands)
        conn.executemany(
            "INSERT INTO mention_aspects (mention_id, aspect_id, brand_id) VALUES (?, ?, ?)",
            aspects,
        )
        conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    print(f"store: built {total} mentions in {time.perf_counter() - started:.0f} s at {path}")


def drill(flt: MentionFilter) -> MentionFilter:
    """What the page asks for the mentions behind a figure: one brand's negative posts."""
    return MentionFilter(
        brand_ids=["azur"], sentiments=["negative"], since=flt.since, until=flt.until
    )


def barometer_queries(store: Any, days: int) -> dict[str, Callable[[], object]]:
    """The queries of the barometer page for a period of `days` ending at END, on any
    store (bench/search_store.py times the same set on the search cluster)."""
    since, until = END - timedelta(days=days), END
    prev = MentionFilter(brand_ids=BRANDS, since=since - (until - since), until=since)
    flt = MentionFilter(brand_ids=BRANDS, since=since, until=until)
    return {
        "volume+sentiment by hour and brand": lambda: store.rollup(flt, ("hour", "brand_id")),
        "previous period by brand": lambda: store.rollup(prev, ("brand_id",)),
        "by brand and channel (kind)": lambda: store.rollup(flt, ("brand_id", "kind")),
        "by brand and source": lambda: store.rollup(flt, ("brand_id", "source_id")),
        "by brand and language": lambda: store.rollup(flt, ("brand_id", "lang")),
        "by brand and aspect": lambda: store.aspect_rollup(flt),
        "mentions behind a figure (50 newest)": lambda: store.search_mentions(drill(flt), limit=50),
    }


def _time(query: Callable[[], object], repeats: int) -> tuple[float, float, int]:
    query()
    times, size = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        result = query()
        times.append((time.perf_counter() - started) * 1000)
        size = len(result) if isinstance(result, list) else 0
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, size


def main() -> None:
    """Build (or reuse) the store, then time each barometer query."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--db", type=Path, default=REPO / "data" / "bench_dashboard.db")
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    build(args.db, args.mentions)
    store = SQLiteStore(args.db)
    print(f"{'query':<44} {'p50 ms':>8} {'p95 ms':>8} {'rows':>6}")
    for days in PERIODS:
        for name, query in barometer_queries(store, days).items():
            p50, p95, size = _time(query, args.repeats)
            print(f"{days:>3} d  {name:<38} {p50:>8.1f} {p95:>8.1f} {size:>6}")
    store.close()


if __name__ == "__main__":
    main()
