"""Alert latency and rule evaluation time over a large store.

Usage: python bench/alerts.py [--mentions 1000000] [--runs 5]

1. Fills a temporary SQLite store with N mentions of three brands over six weeks
   (executemany straight into the store's tables: building a million Mention objects
   through upsert_mentions would take minutes and measure the wrong thing).
2. Rule evaluation: every built-in rule (config/alerts.yaml) over a batch of 200 new
   mentions at the end of the history, as the alerts stage runs after an NLP batch.
3. Latency: a crisis mention is stored, then the alerts stage drains what is new (as
   `veille run` does after the NLP batch); the time until its alert is stored.
Prints each run, then medians.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from configuration.loader import load_config
from pipeline.runner import ALERTS_CURSOR, evaluate_alerts
from records import BrandMatch, Mention, RawPost, Sentiment
from storage.sqlite import SQLiteStore

REPO = Path(__file__).resolve().parent.parent
BRANDS = ("lumio", "azur", "telvia")
END = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def fill(path: Path, count: int, seed: int = 1) -> None:
    """N mentions over six weeks, written with executemany in a few transactions."""
    SQLiteStore(path).close()  # creates the schema
    rng = random.Random(seed)
    span = int(timedelta(weeks=6).total_seconds())
    start = END - timedelta(weeks=6)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    chunk = 50_000
    for base in range(0, count, chunk):
        mentions, brands = [], []
        for i in range(base, min(base + chunk, count)):
            at = start + timedelta(seconds=rng.randrange(span))
            ts = at.strftime("%Y-%m-%dT%H:%M:%S+00:00")
            brand = BRANDS[i % 3]
            label = "negative" if rng.random() < 0.15 else "neutral"
            data = {
                "source_id": "bench", "kind": "forum", "external_id": str(i),
                "url": f"http://bench.test/{i}", "body_text": "message de test réseau",
                "published_at": ts, "thread_url": f"http://bench.test/t{i // 20}",
                "lang": "fr", "brands": [{"brand_id": brand, "surface": brand, "start": 0,
                                          "end": 5, "product_id": None, "rule": "alias"}],
                "sentiment": {"label": label, "score": 0.9, "model": "bench",
                              "model_version": ""},
            }  # fmt: skip
            mid = f"b{i:09d}"
            mentions.append(
                (mid, i + 1, "bench", "forum", ts, "fr", label, 0.9, "bench", None, 0, None,
                 "h", json.dumps(data))
            )  # fmt: skip
            brands.append((mid, brand, "", label))
        with conn:
            conn.executemany(
                "INSERT INTO mentions (id, seq, source_id, kind, ts, lang, sentiment_label,"
                " sentiment_score, sentiment_model, sentiment_override, is_official,"
                " duplicate_of, content_hash, data) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                mentions,
            )
            conn.executemany(
                "INSERT INTO mention_brands (mention_id, brand_id, product_id, sentiment)"
                " VALUES (?,?,?,?)",
                brands,
            )
    conn.execute("ANALYZE")
    conn.close()


def new_mention(n: int, at: datetime, body: str, label: str = "neutral") -> Mention:
    post = RawPost(
        source_id="bench-live", kind="forum", external_id=str(n), url=f"http://live.test/{n}",
        body_text=body, published_at=at, thread_url=f"http://live.test/t{n // 50}",
    )  # fmt: skip
    return Mention(
        post=post, lang="fr", brands=[BrandMatch(BRANDS[n % 3], BRANDS[n % 3], 0, 5)],
        sentiment=Sentiment(label, 0.9, "bench"),
    )  # fmt: skip


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        os.environ["VEILLE_STORAGE_SQLITE_PATH"] = str(db)
        started = time.perf_counter()
        fill(db, args.mentions)
        print(f"filled {args.mentions:,} mentions in {time.perf_counter() - started:.1f} s")
        config = load_config(REPO / "config")
        store = SQLiteStore(db)
        evaluation, latency = [], []
        for run in range(args.runs):
            now = END + timedelta(minutes=10 * run)
            batch = [
                new_mention(10_000 * run + i, now - timedelta(seconds=i * 10), "réseau lent")
                for i in range(200)
            ]
            store.upsert_mentions(batch)
            if run == 0:
                store.set_cursor(ALERTS_CURSOR, args.mentions)  # the history is not "new"
            t0 = time.perf_counter()
            evaluate_alerts(config, store, now=now)
            evaluation.append(time.perf_counter() - t0)

            # Latency: from the crisis mention stored to its alert stored.
            crisis = new_mention(10_000 * run + 9_999, now, "Arnaque, je porte plainte")
            crisis.sentiment = Sentiment("negative", 0.9, "bench")
            t0 = time.perf_counter()
            store.upsert_mentions([crisis])
            report = evaluate_alerts(config, store, now=now)
            latency.append(time.perf_counter() - t0)
            assert any(crisis.id in a.mention_ids for a in store.list_alerts()), "no alert"
            assert report.records == 1
            print(
                f"run {run + 1}: rules over 200 new mentions {evaluation[-1] * 1000:.0f} ms; "
                f"mention stored → alert stored {latency[-1] * 1000:.0f} ms"
            )
            for alert in store.list_alerts(("new", "acknowledged")):
                store.update_alert(alert.id, lambda a: setattr(a, "status", "dismissed"))
        store.close()
    print(
        f"median over {args.runs} runs, {args.mentions:,} mentions stored: "
        f"rule evaluation {statistics.median(evaluation) * 1000:.0f} ms, "
        f"mention → alert {statistics.median(latency) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
