"""Soak: `veille schedule` for a while on a growing demo forum, killed and restarted at random.

Usage: python bench/soak.py [--duration 600] [--poll-minutes 2] [--kill-every 90] [--seed 14]

The demo forum starts with a third of its posts; the rest appear one by one over the
run. The scheduler (its process group: the scheduler and its crawl child) gets SIGKILL
at random moments (on average every `--kill-every` seconds) and is started again at
once. A watcher in this process reads the store every second and notes when each post's
raw record, its mention and the first alert naming it appear. At the end every post is
out, the scheduler gets a last window to catch up, then SIGTERM, and the script prints:
posts seen (appeared on the forum), posts stored, `duplicates: N` (stored records that
are not a distinct forum post, plus alerts notified under more than one key per event),
`missed: N` (posts on the forum but not stored), and the p50/p95 of the delays from a
post's appearance to its mention being stored and to an alert naming it.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from configuration.loader import load_config
from demo.forum.generator import generate_forum
from demo.forum.growth import forum_until, publication_order
from demo.forum.inbox import NotificationInbox
from demo.forum.local_config import HOOK_ENV, write_demo_config
from demo.forum.server import DemoForumServer
from records import post_id
from storage.sqlite import SQLiteStore

SOURCE = "demo-forum"


class Watcher(threading.Thread):
    """Notes, once a second, when each post's raw record, mention and alert first show."""

    def __init__(self, db: Path) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.stored: dict[str, float] = {}
        self.analysed: dict[str, float] = {}
        self.alerted: dict[str, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(1.0):
            self.look()

    def look(self) -> None:
        """One look at the store (a reader: WAL lets the scheduler write meanwhile)."""
        if not self.db.exists():
            return
        now = time.monotonic()
        store = SQLiteStore(self.db)
        try:
            for _, post in store.raw_posts_after(0, 100_000):
                self.stored.setdefault(post.id, now)
            for _, mention in store.mentions_after(0, 100_000):
                self.analysed.setdefault(mention.id, now)
            for alert in store.list_alerts():
                for mention_id in alert.mention_ids:
                    self.alerted.setdefault(mention_id, now)
        except Exception as exc:  # the scheduler holds a write lock, or was just killed
            print(f"  watcher: {type(exc).__name__}: {exc}", file=sys.stderr)
        finally:
            store.close()


def percentiles(values: list[float]) -> str:
    """p50 and p95 of `values` in seconds, as text."""
    if len(values) < 2:
        return "n/a"
    cuts = statistics.quantiles(values, n=20)
    return f"p50 {statistics.median(values):.1f} s, p95 {cuts[18]:.1f} s (n={len(values)})"


def main() -> None:
    """Run the soak and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600, help="seconds of posts appearing")
    parser.add_argument("--poll-minutes", type=int, default=2, help="crawl interval")
    parser.add_argument("--kill-every", type=float, default=90, help="mean seconds between kills")
    parser.add_argument("--catch-up", type=float, default=0, help="seconds after the last post")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    forum = generate_forum(seed=7)
    order = publication_order(forum)
    start_count = len(order) // 3
    catch_up = args.catch_up or args.poll_minutes * 60 * 1.5 + 60

    with (
        tempfile.TemporaryDirectory() as tmp,
        DemoForumServer(forum_until(forum, start_count), port=0) as server,
        NotificationInbox() as inbox,
    ):
        config_dir = write_demo_config(
            Path(tmp) / "config", server.base_url, schedule_minutes=args.poll_minutes
        )
        db = Path(tmp) / "data" / "veille.db"
        env = {
            **os.environ,
            "VEILLE_STORAGE_SQLITE_PATH": str(db),
            "VEILLE_NLP_SENTIMENT_MODEL": "",
            "VEILLE_OPS_STAGE_POLL_SECONDS": "5",
            "VEILLE_OPS_JITTER_SECONDS": "5",
            "VEILLE_DASHBOARD_PUBLIC_URL": "https://veille.example.org",
            HOOK_ENV: inbox.url,
        }
        command = [sys.executable, "-m", "cli", "schedule", "--config-dir", str(config_dir)]
        log = open(Path(tmp) / "schedule.log", "ab")  # noqa: SIM115 (reopened by each child)

        def start() -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

        appeared = {post_id(SOURCE, p.external_id): 0.0 for p in order[:start_count]}
        watcher = Watcher(db)
        watcher.start()
        began = time.monotonic()
        child, kills, shown = start(), 0, start_count
        next_kill = began + rng.expovariate(1 / args.kill_every)
        step = args.duration / max(len(order) - start_count, 1)
        while (now := time.monotonic()) < began + args.duration:
            due = start_count + int((now - began) / step)
            if due > shown:
                for post in order[shown:due]:
                    appeared[post_id(SOURCE, post.external_id)] = now - began
                shown = min(due, len(order))
                server.forum = forum_until(forum, shown)
            if now >= next_kill:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
                kills += 1
                child = start()
                next_kill = now + rng.expovariate(1 / args.kill_every)
            time.sleep(0.2)
        for post in order[shown:]:
            appeared[post_id(SOURCE, post.external_id)] = time.monotonic() - began
        server.forum = forum
        time.sleep(catch_up)
        child.send_signal(signal.SIGTERM)
        child.wait(120)
        log.close()
        watcher.done.set()
        watcher.join(5)
        watcher.look()

        config = load_config(config_dir, environ=env)
        store = SQLiteStore(config.sqlite_path)
        try:
            stored_total = store.count_raw_posts()
            mentions_total = store.count_mentions()
            items = store.notifications()
        finally:
            store.close()
        expected = set(appeared)
        matched = expected & set(watcher.stored)
        keys = inbox.keys_by_alert()
        events = {(i.alert_id, i.event) for i in items}
        doubled_alerts = sum(len(k) for k in keys.values()) - len(events)
        duplicates = (stored_total - len(matched)) + max(mentions_total - stored_total, 0)
        to_mention = [
            watcher.analysed[i] - began - appeared[i] for i in expected if i in watcher.analysed
        ]
        to_alert = [
            watcher.alerted[i] - began - appeared[i] for i in expected if i in watcher.alerted
        ]
        print(f"duration: {args.duration:.0f} s of new posts, then {catch_up:.0f} s to catch up")
        print(f"crawl every {args.poll_minutes} min; kills (SIGKILL of the scheduler): {kills}")
        print(f"posts seen: {len(expected)}")
        print(f"posts stored: {len(matched)} ({stored_total} rows), mentions: {mentions_total}")
        print(f"duplicates: {duplicates + max(doubled_alerts, 0)}")
        print(f"missed: {len(expected - set(watcher.stored))}")
        print(f"notifications: {len(inbox.deliveries)} deliveries, {inbox.repeats()} repeats")
        print(f"appearance -> mention stored: {percentiles(to_mention)}")
        print(f"appearance -> alert raised: {percentiles(to_alert)}")


if __name__ == "__main__":
    main()
