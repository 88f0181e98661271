"""SIGTERM to real processes: `veille run` mid-crawl, `veille schedule`, `veille dashboard`.

Each command is started as a child process on a private config and store, signalled
while it works, and must stop cleanly: exit 0 within a bound, nothing left running, and
a later run that finds every post stored exactly once.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from configuration.loader import load_config
from demo.forum.generator import generate_forum
from demo.forum.local_config import write_demo_config
from demo.forum.server import DemoForumServer
from pipeline.health import read_state
from storage.sqlite import SQLiteStore

pytestmark = pytest.mark.slow
STOP_WITHIN = 60  # seconds from SIGTERM to exit, crawl child included


@pytest.fixture(scope="module")
def forum() -> Iterator[DemoForumServer]:
    with DemoForumServer(generate_forum(seed=7), port=0) as server:
        yield server


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "VEILLE_STORAGE_SQLITE_PATH": str(tmp_path / "data" / "veille.db"),
        "VEILLE_NLP_SENTIMENT_MODEL": "",
        # A slow crawl (about 0.3 s a page), so that the signal lands while it runs.
        "VEILLE_CRAWL_DOWNLOAD_DELAY": "0.3",
        "VEILLE_CRAWL_AUTOTHROTTLE": "false",
        **extra,
    }


def _wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line contains `text` (a private path)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().split()[2]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def _veille(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "cli", *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def test_sigterm_during_a_crawl_stops_cleanly_and_loses_nothing(
    forum: DemoForumServer, tmp_path: Path
) -> None:
    config_dir = write_demo_config(tmp_path / "config", forum.base_url, hook_channel=False)
    env = _env(tmp_path)
    log = tmp_path / "run.log"
    child = _veille(["run", "--config-dir", str(config_dir)], env, log)
    # A progress line with posts: the child crawl is reading topics.
    crawling = re.compile(r"\[demo-forum\] pages \d+, posts [1-9]")
    _wait_for(lambda: bool(crawling.search(log.read_text(errors="replace"))), 120, "a crawl")
    child.send_signal(signal.SIGTERM)
    started = time.monotonic()
    assert child.wait(STOP_WITHIN) == 0, log.read_text(errors="replace")
    assert time.monotonic() - started < STOP_WITHIN
    output = log.read_text(errors="replace")
    assert "arrêt demandé" in output
    assert _processes_mentioning(str(config_dir)) == []  # no crawl child left behind

    config = load_config(config_dir, environ=env)
    store = SQLiteStore(config.sqlite_path)
    try:
        (run,) = store.crawl_runs("demo-forum")
        assert run.status != "running" and run.finished_at is not None  # the child saved it
        stored_after_stop = store.count_raw_posts()
        total = len(list(forum.forum.posts()))
        assert 0 < stored_after_stop < total
    finally:
        store.close()

    fast = {**env, "VEILLE_CRAWL_DOWNLOAD_DELAY": "0"}
    again = subprocess.run(
        [sys.executable, "-m", "cli", "run", "--config-dir", str(config_dir)],
        env=fast,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    store = SQLiteStore(config.sqlite_path)
    try:
        assert store.count_raw_posts() == total and store.count_mentions() == total
    finally:
        store.close()


def test_sigterm_stops_the_scheduler_and_its_jobs_persist(
    forum: DemoForumServer, tmp_path: Path
) -> None:
    config_dir = write_demo_config(tmp_path / "config", forum.base_url, hook_channel=False)
    env = _env(tmp_path, VEILLE_OPS_STAGE_POLL_SECONDS="1", VEILLE_OPS_JITTER_SECONDS="0")
    config = load_config(config_dir, environ=env)
    log = tmp_path / "schedule.log"
    child = _veille(["schedule", "--config-dir", str(config_dir)], env, log)
    _wait_for(
        lambda: read_state(config, "crawl:demo-forum").state == "running", 120, "the crawl job"
    )
    child.send_signal(signal.SIGTERM)
    assert child.wait(STOP_WITHIN) == 0, log.read_text(errors="replace")
    assert "arrêt : les tâches en cours terminent leur lot" in log.read_text(errors="replace")
    assert _processes_mentioning(str(config_dir)) == []
    assert read_state(config, "crawl:demo-forum").state in ("stopped", "ok")
    assert (Path(config.sqlite_path).parent / "scheduler.db").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_dashboard_passes_sigterm_to_streamlit(config_dir: Path, tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "VEILLE_DASHBOARD_PORT": str(port)}
    child = _veille(["dashboard", "--config-dir", str(config_dir)], env, tmp_path / "dash.log")

    def serving() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return True
        except OSError:
            return False

    _wait_for(serving, 120, "Streamlit")
    streamlit = [p for p in _processes_mentioning("streamlit") if p != child.pid]
    children = (Path(f"/proc/{child.pid}/task/{child.pid}/children").read_text()).split()
    (server_pid,) = [int(p) for p in children if int(p) in streamlit]
    child.send_signal(signal.SIGTERM)
    child.wait(STOP_WITHIN)
    _wait_for(lambda: server_pid not in _processes_mentioning("streamlit"), 10, "Streamlit")
    assert not serving()
