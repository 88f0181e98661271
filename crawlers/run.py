"""Crawl one source in a child process: `python -m crawlers.run --config-dir DIR --source ID`.

Twisted's reactor cannot be restarted within a process, so every crawl gets its own
process. Two halves live here:
- the child (`main`): runs a Scrapy CrawlerProcess for the source, records a CrawlRun in
  the store when it starts and when it ends, and writes JSON lines on stdout
  (`started`, `progress`, `done`);
- the parent (`crawl_source`): spawns the child, streams its events to a callback, kills
  it on timeout and returns the CrawlRun read back from the store.
Nothing Twisted or Scrapy is imported at module level: the parent never loads them.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import re
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from configuration.base import ConfigError
from configuration.loader import VeilleConfig, load_config
from configuration.sources import SourceConfig
from crawlers.offline import use_shipped_suffix_list
from crawlers.stats import fill_run
from records import CrawlRun
from storage import Store, open_store

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 1.0
# Young-generation collections 14 times rarer than Python's default. On bench/crawl.py
# (20,000 posts): about a tenth less CPU, peak RSS 135 MB instead of 116 MB.
GC_THRESHOLDS = (10_000, 10, 10)
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def run_crawl(
    config: VeilleConfig, source: SourceConfig, progress_interval: float = PROGRESS_INTERVAL
) -> tuple[dict[str, Any], dict[str, int]]:
    """Crawl `source` in this process (once per process); returns stats and extra errors."""
    use_shipped_suffix_list()  # before Scrapy is imported (crawlers/offline.py)
    from scrapy.crawler import CrawlerProcess

    from crawlers.settings import build_settings
    from crawlers.spiders import spider_for

    settings = build_settings(config, source)
    settings["EXTENSIONS"] = {"crawlers.extensions.ProgressReporter": 500}
    settings["VEILLE_PROGRESS_INTERVAL"] = progress_interval
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_for(source.kind))
    extra: dict[str, int] = {}

    def crawl_failed(failure: Any) -> None:
        # The crawl could not start or crashed (a bad setting, the store unreachable):
        # the reactor still stops, and the run records why.
        logger.error("crawl of %s failed: %s", source.id, failure.getTraceback())
        extra[f"crawl/{type(failure.value).__name__}"] = 1

    process.crawl(crawler).addErrback(crawl_failed)
    # A crawl allocates many short-lived objects (a tree, posts, an item per page) over
    # a large long-lived heap (Scrapy, Twisted, the config): freezing the start-up heap
    # and collecting less often cut a tenth of a crawl's CPU time (see GC_THRESHOLDS).
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    process.start()
    try:
        stats = dict(crawler.stats.get_stats())
    except RuntimeError:  # the crawl failed before its stats collector was made
        stats = {}
    return stats, extra


def main(argv: Sequence[str] | None = None) -> int:
    """Child entry point: crawl one source, save its CrawlRun, report on stdout."""
    from crawlers.extensions import emit

    parser = argparse.ArgumentParser(prog="python -m crawlers.run", description=__doc__)
    parser.add_argument("--config-dir", type=Path, required=True)
    parser.add_argument("--source", required=True, help="source id from sources.yaml")
    parser.add_argument("--progress-interval", type=float, default=PROGRESS_INTERVAL)
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config_dir)
        source = config.source(args.source)
    except (ConfigError, KeyError) as exc:
        print(f"crawlers.run: {exc}", file=sys.stderr)
        emit({"event": "error", "error": str(exc)})
        return EXIT_USAGE

    store = open_store(config)
    try:
        run = CrawlRun(source.id, started_at=datetime.now(UTC))
        store.save_crawl_run(run)
        emit({"event": "started", "run_id": run.id, "source": source.id})
        try:
            stats, extra = run_crawl(config, source, args.progress_interval)
        except Exception as exc:
            logger.exception("crawl of %s crashed", source.id)
            stats, extra = {}, {f"crawl/{type(exc).__name__}": 1}
        fill_run(run, stats, extra)
        run.finished_at = datetime.now(UTC)
        store.save_crawl_run(run)
    finally:
        store.close()
    emit(
        {
            "event": "done",
            "run_id": run.id,
            "status": run.status,
            "pages": run.pages,
            "new": run.posts_new,
            "updated": run.posts_updated,
            "unchanged": run.posts_unchanged,
            "errors": run.errors,
        }
    )
    return EXIT_FAILED if run.status == "failed" else EXIT_OK


# --- parent side -----------------------------------------------------------------------

# Seconds a child gets to stop after SIGTERM on timeout (Scrapy closes the spider, the
# pipeline writes its last batch, the run is saved) before it is killed.
TERMINATE_GRACE = 15.0
_LOG_LINE = re.compile(r"^\S+ \S+ \[[^\]]*\] (DEBUG|INFO|WARNING|ERROR|CRITICAL): ")
child_logger = logging.getLogger("crawlers.child")


class _Child:
    """A running child crawl: its process, the events it sent, the tail of its log."""

    def __init__(self, command: list[str], env: dict[str, str], label: str) -> None:
        self.label = label
        self.events: list[dict[str, Any]] = []
        self.log_tail: deque[str] = deque(maxlen=30)
        self.timed_out = False
        self.process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        self._log_thread = threading.Thread(target=self._forward_log, daemon=True)
        self._log_thread.start()

    def _forward_log(self) -> None:
        # The child's log: warnings and errors (problems with URLs) keep their level in
        # the parent's log, the chatter (start-up, stats dump) goes to debug.
        assert self.process.stderr is not None
        level = logging.INFO
        for line in self.process.stderr:
            line = line.rstrip("\n")
            self.log_tail.append(line)
            if match := _LOG_LINE.match(line):
                level = logging.getLevelNamesMapping()[match[1]]
            child_logger.log(
                level if level >= logging.WARNING else logging.DEBUG, "[%s] %s", self.label, line
            )

    def events_from_stdout(self) -> Iterator[dict[str, Any]]:
        """The child's JSON events, as they come, until it closes stdout."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                child_logger.debug("[%s] stdout: %s", self.label, line.rstrip())
                continue
            if isinstance(event, dict):
                self.events.append(event)
                yield event

    def stop(self, timed_out: bool = False) -> None:
        """Ask the child to stop (SIGTERM), kill it if it does not within the grace."""
        if self.process.poll() is not None:
            return
        self.timed_out = self.timed_out or timed_out
        self.process.terminate()
        try:
            self.process.wait(TERMINATE_GRACE)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def finish(self) -> int:
        """Wait for the child and its log thread; returns the exit status."""
        status = self.process.wait()
        self._log_thread.join(timeout=5)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()
        return status

    def last(self, name: str) -> dict[str, Any] | None:
        """The latest event called `name`, if the child sent one."""
        return next((e for e in reversed(self.events) if e.get("event") == name), None)


def _child_env(env: dict[str, str] | None) -> dict[str, str]:
    merged = {**os.environ, **(env or {})}
    # The child imports `crawlers` by module name; a checkout that is not installed
    # must still be found whatever the working directory.
    root = str(Path(__file__).resolve().parent.parent)
    paths = [p for p in merged.get("PYTHONPATH", "").split(os.pathsep) if p]
    if root not in paths:
        merged["PYTHONPATH"] = os.pathsep.join([root, *paths])
    return merged


def child_command(config_dir: Path | str, source_id: str) -> list[str]:
    """The command line of a child crawl, with this interpreter."""
    return [sys.executable, "-m", "crawlers.run", "--config-dir", str(config_dir),
            "--source", source_id]  # fmt: skip


def _stored_run(store: Store, source_id: str, run_id: Any) -> CrawlRun | None:
    return next((r for r in store.crawl_runs(source_id) if r.id == run_id), None)


def _failed_run(child: _Child, run: CrawlRun | None, source_id: str, started: datetime) -> CrawlRun:
    """The run of a child that died or was stopped before saving its own outcome."""
    run = run or CrawlRun(source_id, started_at=started)
    progress = child.last("progress") or {}
    run.pages = run.pages or int(progress.get("pages", 0))
    run.posts_new = run.posts_new or int(progress.get("new", 0))
    run.posts_updated = run.posts_updated or int(progress.get("updated", 0))
    run.posts_unchanged = run.posts_unchanged or int(progress.get("unchanged", 0))
    kind = "child/timeout" if child.timed_out else f"child/exit_{child.process.returncode}"
    run.errors = {**run.errors, kind: 1}
    run.status = "failed"
    run.finished_at = datetime.now(UTC)
    logger.error(
        "crawl of %s failed (%s); last log lines:\n%s", source_id, kind, "\n".join(child.log_tail)
    )
    return run


def crawl_source(
    config_dir: Path,
    source_id: str,
    *,
    env: dict[str, str] | None = None,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    timeout: float | None = None,
    config: VeilleConfig | None = None,
) -> CrawlRun:
    """Crawl one source in a child process and return its CrawlRun, read from the store.

    `env` is added to this process's environment for the child (VEILLE_* overrides).
    `on_progress` gets each event the child sends: `started`, `progress` (pages, posts,
    new, updated, unchanged, errors) about every second, and `done`. After `timeout`
    seconds the child is stopped. A child that dies without saving its run gets a
    "failed" run with a `child/…` error, saved to the store. `config` is the caller's
    validated config of `config_dir`, when it has one (else it is loaded here).
    """
    child_env = _child_env(env)
    if config is None:
        config = load_config(config_dir, environ=child_env)
    config.source(source_id)  # an unknown id fails here, not in the child
    started = datetime.now(UTC)
    child = _Child(child_command(config_dir, source_id), child_env, source_id)
    timer = threading.Timer(timeout, child.stop, kwargs={"timed_out": True}) if timeout else None
    try:
        if timer is not None:
            timer.daemon = True
            timer.start()
        for event in child.events_from_stdout():
            if on_progress is not None:
                on_progress(event)
    except BaseException:
        child.stop()  # the callback raised or we were interrupted: no orphan crawl
        raise
    finally:
        child.finish()
        if timer is not None:
            timer.cancel()
    store = open_store(config)
    try:
        started_event = child.last("started") or {}
        run_id = started_event.get("run_id")
        run = _stored_run(store, source_id, run_id)
        if run is not None and child.last("done") and not child.timed_out:
            return run
        run = _failed_run(child, run, source_id, started)
        return _stored_run(store, source_id, store.save_crawl_run(run)) or run
    finally:
        store.close()


__all__ = ["child_command", "crawl_source", "main", "run_crawl"]

if __name__ == "__main__":
    sys.exit(main())
