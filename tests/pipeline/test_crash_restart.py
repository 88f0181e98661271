"""Crash and restart: `veille run` killed with SIGKILL at random moments, then checked.

The demo forum grows by a twentieth of its posts before each round, so every round has
something to crawl, analyse, alert on and notify; the pipeline (its process group: the
CLI and its crawl child) is killed at a random moment of the round, as `kill -9` or a
container stop would. After the rounds one run goes to its end, and then every post of
the forum must be stored exactly once, every mention once, and every notification
delivered under exactly one idempotency key (a repeat of a key, after a kill between the
send and its record, is what the receiver drops; it is counted and reported).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from configuration.loader import load_config
from demo.forum.generator import generate_forum
from demo.forum.growth import forum_until, publication_order
from demo.forum.inbox import NotificationInbox
from demo.forum.local_config import HOOK_ENV, write_demo_config
from demo.forum.server import DemoForumServer
from records import post_id
from storage.sqlite import SQLiteStore

pytestmark = pytest.mark.slow

ROUNDS = int(os.environ.get("VEILLE_CRASH_ROUNDS", "20"))
SEED = int(os.environ.get("VEILLE_CRASH_SEED", "14"))
SOURCE = "demo-forum"
# Markers of the CLI's output, in the order a run reaches them: the phase a kill hit.
PHASES = (("[demo-forum]", "crawl"), ("Crawl", "crawl done"), ("[nlp]", "nlp"),
          ("nlp:", "alerts"), ("alerts:", "notify"))  # fmt: skip


def _phase(output: str) -> str:
    reached = "start-up"
    for marker, phase in PHASES:
        if marker in output:
            reached = phase
    return reached


def test_sigkill_at_random_moments_loses_and_doubles_nothing(tmp_path: Path) -> None:
    forum = generate_forum(seed=7)
    order = publication_order(forum)
    rng = random.Random(SEED)
    with (
        DemoForumServer(forum_until(forum, 0), port=0) as server,
        NotificationInbox() as inbox,
    ):
        config_dir = write_demo_config(tmp_path / "config", server.base_url)
        env = {
            **os.environ,
            "VEILLE_STORAGE_SQLITE_PATH": str(tmp_path / "data" / "veille.db"),
            "VEILLE_NLP_SENTIMENT_MODEL": "",
            "VEILLE_DASHBOARD_PUBLIC_URL": "https://veille.example.org",
            HOOK_ENV: inbox.url,
        }
        command = [sys.executable, "-m", "cli", "run", "--config-dir", str(config_dir)]
        longest, kills = 1.0, Counter[str]()
        for round_no in range(ROUNDS):
            server.forum = forum_until(forum, len(order) * (round_no + 1) // (ROUNDS + 1))
            log_path = tmp_path / f"round-{round_no}.log"
            with open(log_path, "w") as log:
                child = subprocess.Popen(
                    command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
                started = time.monotonic()
                try:
                    # Round 0 runs to its end: how long a round takes bounds the kills.
                    child.wait(600 if round_no == 0 else rng.uniform(0.2, longest))
                    longest = max(longest, time.monotonic() - started)
                    assert child.returncode == 0, log_path.read_text(errors="replace")
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait()
                    kills[_phase(log_path.read_text(errors="replace"))] += 1
        server.forum = forum
        final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        assert final.returncode == 0, final.stdout + final.stderr
        time.sleep(0.5)  # the last webhook request is being recorded
        print(f"kills by phase: {dict(kills)}; repeats dropped by key: {inbox.repeats()}")

        config = load_config(config_dir, environ=env)
        store = SQLiteStore(config.sqlite_path)
        try:
            expected = {post_id(SOURCE, p.external_id) for p in order}
            assert store.count_raw_posts() == len(expected)
            assert store.count_mentions() == len(expected)
            assert {m.id for m in store.get_mentions(sorted(expected))} == expected
            assert store.quarantined() == []
            alerts = store.list_alerts()
            assert alerts, "the demo forum's crisis raised no alert"
            items = store.notifications()
            assert {i.status for i in items} == {"sent"}
            assert {i.alert_id for i in items} == {a.id for a in alerts}
            # Each notification (alert and event) went out under one key, received.
            keys = inbox.keys_by_alert()
            for alert in alerts:
                sent = {i.message_id for i in items if i.alert_id == alert.id}
                assert keys.get(alert.id) == sent, alert.id
            assert set(keys) == {a.id for a in alerts}
            assert inbox.repeats() <= sum(kills.values())
            assert all(
                "https://veille.example.org/alertes?alert=" in d.body for d in inbox.deliveries
            )
        finally:
            store.close()
    assert sum(kills.values()) >= (ROUNDS - 1) // 2, f"too few rounds were killed: {dict(kills)}"
