"""Bulk indexing and barometer queries on the search cluster, beside the SQLite figures.

Usage: python bench/search_store.py [--mentions 1000000] [--repeats 15] [--batch 5000]
       [--search-url URL] [--db PATH] [--keep] [--namespace NS] [--request-cache]

Against the live node of `VEILLE_SEARCH_URL` (or --search-url; `scripts/search-node
start` prints one). The mentions are those of bench/dashboard_queries.py (same
generator, same seed: 365 days, 3 brands, 6 sources, 3 languages, 4 sentiments, 5 %
official, 3 % near-duplicates, one aspect each), built as `Mention` records and written
through the store's own `upsert_mentions` (the stages' path: the lookup of stored
copies, then one bulk per batch), in a namespace of this run's own that is dropped
afterwards unless --keep. The store is opened with `refresh="false"` and refreshed once
at the end, as a bulk load should; the figure is `<N> mentions/s` over the store calls
(generating the records is timed apart).

Then each barometer query of bench/dashboard_queries.py (`barometer_queries`, for 30,
90 and 365 days) is timed on the cluster and on the SQLite store of the same mentions
(built or reused by bench/dashboard_queries.py's `build`), p50 and p95 in milliseconds
over --repeats runs after one warm-up, side by side. The shard request cache is off
for these (else every repeat of an aggregation is a cache hit, not a computation);
`--request-cache` leaves it on. `--keep` and `--namespace NS` keep the indexed mentions
for another run of the queries.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.dashboard_queries import (  # noqa: E402
    BRANDS,
    PERIODS,
    _rows,
    _time,
    barometer_queries,
    build,
)
from records import Mention  # noqa: E402
from storage.search.client import SearchCluster  # noqa: E402
from storage.search.store import SearchStore  # noqa: E402
from storage.sqlite import SQLiteStore  # noqa: E402


def mentions(start: int, count: int, rng: random.Random) -> list[Mention]:
    """Mentions `start`… as `Mention` records, the very rows bench/dashboard_queries.py
    inserts into SQLite (its `_rows`, drawn from the same random stream)."""
    rows, brands, aspects = _rows(start, count, rng)
    named: dict[str, list[str]] = {}
    for mention_id, brand_id, _, _ in brands:
        named.setdefault(mention_id, []).append(brand_id)
    by_brand: dict[str, dict[str, list[str]]] = {}
    plain: dict[str, list[str]] = {}
    for mention_id, aspect_id, brand_id in aspects:
        if brand_id:
            by_brand.setdefault(mention_id, {}).setdefault(brand_id, []).append(aspect_id)
        else:
            plain.setdefault(mention_id, []).append(aspect_id)
    out = []
    for row in rows:
        mention_id, official, duplicate, data = row[0], row[9], row[10], row[12]
        record = json.loads(data)
        record.update(
            brands=[
                {"brand_id": b, "surface": b, "start": 0, "end": len(b)} for b in named[mention_id]
            ],
            aspects=plain.get(mention_id, []),
            brand_aspects=by_brand.get(mention_id, {}),
            is_official=bool(official),
            duplicate_of=duplicate,
            processed_at=record["fetched_at"],
            nlp_version="bench",
        )
        out.append(Mention.from_dict(record))
    return out


def index_all(store: SearchStore, total: int, batch: int) -> tuple[float, float]:
    """Write `total` mentions in batches; returns (store seconds, generation seconds)."""
    rng = random.Random(6)  # bench/dashboard_queries.py's seed: the same mentions
    stored = generated = 0.0
    for start in range(0, total, batch):
        began = time.perf_counter()
        part = mentions(start, min(batch, total - start), rng)
        generated += time.perf_counter() - began
        began = time.perf_counter()
        counts = store.upsert_mentions(part)
        stored += time.perf_counter() - began
        if counts.new != len(part):
            raise SystemExit(f"batch at {start}: {counts} (expected {len(part)} new)")
        if (start // batch) % 20 == 0:
            print(f"  indexed {start + len(part)} / {total}", file=sys.stderr, flush=True)
    began = time.perf_counter()
    store.refresh_indices()
    stored += time.perf_counter() - began
    return stored, generated


def main() -> None:
    """Index, then time the barometer queries on both stores."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--search-url", default=os.environ.get("VEILLE_SEARCH_URL", ""))
    parser.add_argument("--db", type=Path, default=REPO / "data" / "bench_dashboard.db")
    parser.add_argument("--keep", action="store_true", help="Keep the indices afterwards.")
    parser.add_argument(
        "--namespace",
        default="",
        help="Index prefix (default: a new one); reused when it already holds --mentions mentions.",
    )
    parser.add_argument(
        "--request-cache",
        action="store_true",
        help="Leave the shard request cache on (repeats of an aggregation are then served "
        "from it, not computed).",
    )
    args = parser.parse_args()
    if not args.search_url:
        raise SystemExit("no search node: set VEILLE_SEARCH_URL or give --search-url")
    args.db.parent.mkdir(parents=True, exist_ok=True)
    build(args.db, args.mentions)
    sqlite = SQLiteStore(args.db)
    cluster = SearchCluster.connect(args.search_url, timeout=300)
    namespace = args.namespace or f"bench{uuid.uuid4().hex[:8]}-"
    search = SearchStore(cluster, namespace=namespace, refresh="false")
    try:
        if search.count_mentions() == args.mentions:
            print(f"search: reusing namespace {namespace} ({args.mentions} mentions)")
        else:
            stored, generated = index_all(search, args.mentions, args.batch)
            print(
                f"bulk indexing through the store: {args.mentions / stored:.0f} mentions/s "
                f"({args.mentions} in {stored:.0f} s, batches of {args.batch}; "
                f"generating the records took {generated:.0f} s more)",
                flush=True,
            )
        count = search.count_mentions()
        if count != args.mentions:
            raise SystemExit(f"the cluster holds {count} mentions, expected {args.mentions}")
        client = cluster.client
        alias = search.mentions.read_alias
        cache = "on" if args.request_cache else "off"
        client.indices.put_settings(
            index=alias, body={"index": {"requests.cache.enable": args.request_cache}}
        )
        client.indices.clear_cache(index=alias, params={"request": "true"})
        print(
            f"node {cluster.product.name} {cluster.version}, namespace {namespace}, "
            f"shard request cache {cache}"
        )
        header = f"{'query':<44} {'SQLite p50':>10} {'p95':>8} {'search p50':>10} {'p95':>8}"
        print(f"{header} {'rows':>11}")
        for days in PERIODS:
            on_sqlite = barometer_queries(sqlite, days)
            on_search = barometer_queries(search, days)
            for name, query in on_sqlite.items():
                s50, s95, s_rows = _time(query, args.repeats)
                c50, c95, c_rows = _time(on_search[name], args.repeats)
                rows = f"{s_rows}/{c_rows}"
                print(
                    f"{days:>3} d  {name:<38} {s50:>10.1f} {s95:>8.1f} {c50:>10.1f} {c95:>8.1f}"
                    f" {rows:>11}",
                    flush=True,
                )
        print(f"brands {', '.join(BRANDS)}; times in ms; rows: SQLite/search")
    finally:
        if not args.keep:
            search.drop()
        search.close()
        sqlite.close()


if __name__ == "__main__":
    main()
