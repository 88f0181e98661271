"""Scale-out: three `veille worker nlp` processes at once share the raw posts, and every
post is analysed exactly once (live search node; SQLite too).

Each worker prints what it did (`--json`): the posts it analysed and the mentions it
stored as new, changed or unchanged. A post analysed twice would show in the sum of
`records` (above the number of posts) and as an unchanged or changed mention.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from records import RawPost
from storage import Store
from storage.sqlite import SQLiteStore

REPO = Path(__file__).resolve().parents[2]
POSTS = int(os.environ.get("VEILLE_WORKERS_TEST_POSTS", "2000"))
WORKERS = 3
PARTITIONS = 8
BRANDS = ("Lumio", "Azur Mobile", "Telvia")
WORDS = (
    "le réseau est tombé ce matin",
    "le service client m'a rappelé vite",
    "la facture a encore augmenté",
    "la fibre marche très bien depuis lundi",
    "aucune 4G dans mon quartier",
)


def posts(n: int) -> list[RawPost]:
    """`n` distinct French forum posts about the demo brands."""
    t0 = datetime(2026, 11, 2, 8, tzinfo=UTC)
    return [
        RawPost(
            source_id="forum-scale",
            kind="forum",
            external_id=str(i),
            url=f"https://forum.example.fr/t/{i // 20}#p{i}",
            body_text=f"Message {i} : chez {BRANDS[i % 3]}, {WORDS[i % 5]} (cas {i * 7919}).",
            published_at=t0 + timedelta(minutes=i),
            thread_url=f"https://forum.example.fr/t/{i // 20}",
            thread_title=f"Sujet {i // 20}",
            author=f"membre{i % 97}",
        )
        for i in range(n)
    ]


def run_workers(env: dict[str, str], config_dir: Path, n: int = WORKERS) -> list[dict[str, Any]]:
    """Start `n` workers at once, wait for them, return their JSON reports."""
    command = [sys.executable, "-m", "cli", "worker", "nlp", "--once", "--json"]
    children = [
        subprocess.Popen(
            [*command, "--id", f"worker{k}", "--config-dir", str(config_dir)],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(n)
    ]
    reports = []
    for child in children:
        stdout, stderr = child.communicate(timeout=900)
        assert child.returncode == 0, stderr[-3000:]
        reports.append(json.loads(stdout.strip().splitlines()[-1]))
    return reports


def check_exactly_once(store: Store, reports: list[dict[str, Any]], n: int) -> None:
    records = [r["records"] for r in reports]
    # Every post analysed once: n in all, and each mention stored as new, never again.
    assert sum(records) == n, reports
    assert sum(r["new"] for r in reports) == n, reports
    assert sum(r["updated"] + r["unchanged"] + r["quarantined"] for r in reports) == 0, reports
    assert store.count_mentions() == n
    ids = [p.id for p in posts(n)]
    assert {m.id for m in store.get_mentions(ids)} == set(ids)
    # The work was shared, and the floor cursor says nothing is left.
    assert sum(1 for r in records if r) >= 2, reports
    assert store.queue_depths(datetime.now(UTC), "nlp", "alerts").raw_posts_unanalysed == 0


@pytest.fixture
def worker_env(config_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "VEILLE_OPS_NLP_PARTITIONS": str(PARTITIONS),
        "VEILLE_OPS_STAGE_POLL_SECONDS": "1",
        "PYTHONPATH": str(REPO),
    }


@pytest.mark.slow
@pytest.mark.requires_search_cluster
def test_three_nlp_workers_on_the_live_node(
    worker_env: dict[str, str], config_dir: Path, search_store: Store
) -> None:
    search_store.upsert_raw_posts(posts(POSTS))
    started = time.perf_counter()
    reports = run_workers(worker_env, config_dir)
    elapsed = time.perf_counter() - started
    shares = [r["records"] for r in reports]
    print(f"{WORKERS} workers, {POSTS} posts: {elapsed:.1f} s, posts per worker {shares}")
    check_exactly_once(search_store, reports, POSTS)


@pytest.mark.slow
def test_three_nlp_workers_on_sqlite(
    worker_env: dict[str, str], config_dir: Path, tmp_path: Path
) -> None:
    n = POSTS // 4
    store = SQLiteStore(tmp_path / "data" / "veille.db")
    try:
        store.upsert_raw_posts(posts(n))
        reports = run_workers(worker_env, config_dir)
        check_exactly_once(store, reports, n)
    finally:
        store.close()


@pytest.fixture
def search_store(worker_env: dict[str, str]) -> Iterator[Store]:
    """The live node in a namespace of this test's own, which the workers are pointed at."""
    from storage.search.client import SearchCluster
    from storage.search.store import SearchStore

    url = os.environ.get("VEILLE_SEARCH_URL", "")
    if not url:
        pytest.skip("VEILLE_SEARCH_URL is not set: no live search node")
    namespace = f"w{uuid.uuid4().hex[:10]}-"
    worker_env.update(VEILLE_STORAGE_BACKEND="search", VEILLE_SEARCH_NAMESPACE=namespace)
    store = SearchStore(SearchCluster.connect(url), namespace=namespace)
    yield store
    store.drop()
    store.close()


@pytest.mark.slow
def test_a_worker_in_its_loop_stops_on_sigterm(
    worker_env: dict[str, str], config_dir: Path, tmp_path: Path
) -> None:
    store = SQLiteStore(tmp_path / "data" / "veille.db")
    command = [sys.executable, "-m", "cli", "worker", "nlp", "--json", "--poll", "0.5"]
    child = subprocess.Popen(
        [*command, "--id", "looper", "--config-dir", str(config_dir)],
        env={**worker_env, "VEILLE_OPS_LANGUAGE": "en"},
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Posts that come while it waits are picked up at a later pass.
        store.upsert_raw_posts(posts(25))
        deadline = time.monotonic() + 240
        while store.count_mentions() < 25 and time.monotonic() < deadline:
            assert child.poll() is None, child.communicate()[1][-3000:]
            time.sleep(0.5)
        assert store.count_mentions() == 25
        child.send_signal(signal.SIGTERM)
        stdout, stderr = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
        store.close()
    assert child.returncode == 0, stderr[-3000:]
    assert "nlp worker looper stopped: 25 records" in stderr
    assert json.loads(stdout.strip().splitlines()[-1])["records"] == 25


def test_an_alerts_worker_stands_by_while_another_evaluates(
    config_dir: Path, store: SQLiteStore
) -> None:
    from typer.testing import CliRunner

    from cli.app import app

    assert store.acquire_lease("alerts", "evaluator-1", 600) is not None
    result = CliRunner().invoke(
        app, ["worker", "alerts", "--once", "--json", "--id", "standby", "--config-dir",
              str(config_dir)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert (report["worker"], report["records"], report["passes"]) == ("standby", 0, 1)
