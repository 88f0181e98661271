"""`veille run` against the demo forum, compared with the generator's ground truth."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from configuration.loader import load_config
from demo.forum.generator import generate_forum, write_ground_truth
from demo.forum.server import DemoForumServer
from records import post_id
from storage.sqlite import SQLiteStore

pytestmark = pytest.mark.slow
SOURCE = "demo-forum"


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def forum_server() -> Iterator[DemoForumServer]:
    server = DemoForumServer(generate_forum(seed=7), port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def demo_run(forum_server: DemoForumServer, tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("e2e")
    config_dir = base / "config"
    config_dir.mkdir()
    for name in ("veille.yaml", "brands.yaml", "alerts.yaml", "sources.yaml"):
        text = (Path(__file__).resolve().parent.parent / "config" / name).read_text()
        if name == "sources.yaml":
            text = text.replace("http://127.0.0.1:8765/", forum_server.base_url + "/")
        (config_dir / name).write_text(text)
    truth_path = base / "truth.json"
    write_ground_truth(forum_server.forum, truth_path)
    env = {
        **os.environ,
        "VEILLE_STORAGE_SQLITE_PATH": str(base / "veille.db"),
        "VEILLE_NLP_SENTIMENT_MODEL": "",
    }

    def veille_run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cli", "run", "--config-dir", str(config_dir)],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    first = veille_run()
    assert first.returncode == 0, first.stdout + first.stderr
    config = load_config(config_dir, environ=env)
    store = SQLiteStore(config.sqlite_path)
    counts_after_first = (store.count_raw_posts(), store.count_mentions(), len(store.list_alerts()))
    second = veille_run()
    assert second.returncode == 0, second.stdout + second.stderr
    truth = json.loads(truth_path.read_text())
    return {
        "store": store,
        "truth": truth,
        "first": first,
        "second": second,
        "counts_after_first": counts_after_first,
    }


def test_every_post_is_stored_once(demo_run: dict) -> None:
    store, truth = demo_run["store"], demo_run["truth"]
    assert store.count_raw_posts() == len(truth["posts"])
    assert store.count_mentions() == len(truth["posts"])
    assert store.quarantined() == []


def test_fields_match_ground_truth(demo_run: dict) -> None:
    store, truth = demo_run["store"], demo_run["truth"]
    ids = [post_id(SOURCE, p["external_id"]) for p in truth["posts"]]
    mentions = {m.id: m for m in store.get_mentions(ids)}
    problems = []
    for expected, mid in zip(truth["posts"], ids, strict=True):
        got = mentions[mid].post
        checks = {
            "author": (got.author, expected["author"]),
            "published_at": (got.published_at, datetime.fromisoformat(expected["published_at"])),
            "body_text": (_squash(got.body_text), _squash(expected["body_text"])),
            "quoted": ([_squash(q) for q in got.quoted], [_squash(q) for q in expected["quoted"]]),
            "thread_title": (got.thread_title, expected["thread_title"]),
        }
        problems += [
            f"{expected['external_id']} {k}: {a!r} != {b!r}"
            for k, (a, b) in checks.items()
            if a != b
        ]
    assert problems == []


def test_brand_tags_match_ground_truth(demo_run: dict) -> None:
    store, truth = demo_run["store"], demo_run["truth"]
    tp = fp = fn = 0
    for expected in truth["posts"]:
        (mention,) = store.get_mentions([post_id(SOURCE, expected["external_id"])])
        got, want = set(mention.brand_ids), set(expected["brands"])
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.97 and recall >= 0.97, (precision, recall)


def test_hostile_text_is_kept_as_text(demo_run: dict) -> None:
    store, truth = demo_run["store"], demo_run["truth"]
    hostile = [p for p in truth["posts"] if p["hostile"]]
    assert hostile
    for expected in hostile:
        (mention,) = store.get_mentions([post_id(SOURCE, expected["external_id"])])
        assert _squash(mention.post.body_text) == _squash(expected["body_text"])


def test_crisis_posts_raise_alerts_and_official_posts_are_flagged(demo_run: dict) -> None:
    store, truth = demo_run["store"], demo_run["truth"]
    alerts = store.list_alerts()
    assert alerts, "the demo forum has crisis posts: an alert is expected"
    for alert in alerts:
        assert alert.why and alert.mention_ids
    official = [p for p in truth["posts"] if p["official"]]
    flagged = store.get_mentions([post_id(SOURCE, p["external_id"]) for p in official])
    assert official and all(m.is_official for m in flagged)


def test_second_run_adds_nothing(demo_run: dict) -> None:
    store = demo_run["store"]
    assert (store.count_raw_posts(), store.count_mentions(), len(store.list_alerts())) == demo_run[
        "counts_after_first"
    ]
    last, previous = store.crawl_runs(SOURCE)[:2]
    assert last.posts_new == 0 and last.posts_updated == 0
    # Incremental: the second crawl reads each known thread again from its last page only.
    assert 0 < last.posts_unchanged < previous.posts_new
