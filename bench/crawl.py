"""Crawl speed: Veille's forum crawl against a bare Scrapy spider on the same pages.

Usage: python bench/crawl.py [--runs 3] [--threads 100] [--posts 200]

Serves a phpBB forum of threads × posts (default 20,000 posts, ten a page) from this
process, then crawls it `--runs` times each way, every crawl in a fresh child process:
- Veille: `crawlers.run` with the `phpbb` preset: quotes, signatures, dates, canonical
  URLs, incremental thread state, batched writes to a fresh SQLite store;
- Veille auto: the same with `preset: auto`, the engine recognised from the first page;
- bare Scrapy: a spider that follows the same links and counts the posts, nothing else.
Both use the same politeness settings (robots.txt, User-Agent, no AutoThrottle,
`--concurrency` requests per domain). Prints posts/s per run, the medians, their
ratios (goal: Veille ≥ 0.8 of bare Scrapy, auto-detected too) and each kind's peak
memory (max RSS of its crawl process, from resource.getrusage of children). It also
prints posts per CPU second of the crawl process: on a shared machine wall time is
noisy, CPU time much less.

Where Veille's extra time goes (profiles of the 2026-11 version, per 20,000 posts): its
parsing (dates, quotes, signatures, canonical URLs, thread state) about 1.4 CPU s more
than bare Scrapy's link following; validation, content hashes and batched SQLite
writes about 1 CPU s; Scrapy's handling of the items and Veille's middlewares, signals
and start-up the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
SOURCE = "bench-forum"
BARE_SPIDER = Path(__file__).resolve().parent / "bare_spider.py"
# bare Scrapy; Veille with the phpbb preset; Veille with `preset: auto` (engine detected).
KINDS = ("bare", "veille", "auto")


def veille_config(
    workdir: Path, start_url: str, concurrency: int, preset: str = "phpbb"
) -> tuple[Path, dict[str, str]]:
    """A config directory with one source on the local forum (phpbb or auto), and env."""
    config_dir = workdir / "config"
    shutil.copytree(REPO / "config", config_dir)
    source = {
        "id": SOURCE,
        "name": "Bench forum",
        "kind": "forum",
        "preset": preset,
        "start_urls": [start_url],
        "max_pages": 100_000,
        "max_thread_pages": 10_000,
        "lang_hint": "fr",
    }
    (config_dir / "sources.yaml").write_text(yaml.safe_dump({"sources": [source]}))
    env = {
        "VEILLE_STORAGE_SQLITE_PATH": str(workdir / "veille.db"),
        "VEILLE_CRAWL_AUTOTHROTTLE": "false",
        "VEILLE_CRAWL_CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency),
    }
    return config_dir, env


def measure_one(kind: str, start_url: str, concurrency: int) -> dict[str, Any]:
    """One crawl of `kind` (this runs in its own process, so children are only its own)."""
    started = time.perf_counter()
    if kind in ("veille", "auto"):
        from crawlers.run import crawl_source

        preset = "auto" if kind == "auto" else "phpbb"
        with tempfile.TemporaryDirectory() as tmp:
            config_dir, env = veille_config(Path(tmp), start_url, concurrency, preset)
            run = crawl_source(config_dir, SOURCE, env=env)
            posts, status = run.posts_new, run.status
    else:
        out = subprocess.run(
            [sys.executable, str(BARE_SPIDER), start_url, str(concurrency)],
            capture_output=True,
            text=True,
            check=True,
        )
        posts, status = int(out.stdout.split()[-1]), "ok"
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "kind": kind,
        "posts": posts,
        "seconds": seconds,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "status": status,
        "peak_kb": usage.ru_maxrss,
    }


def main() -> None:
    """Serve the forum, run the crawls, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=100)
    parser.add_argument("--posts", type=int, default=200, help="posts per thread")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--one", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one, args.url, args.concurrency)))
        return

    from demo.sample_forum import SampleForum, SampleForumServer

    forum = SampleForum(args.threads, args.posts, cache_pages=True)
    results: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    with SampleForumServer(forum) as server:
        url = server.base_url + "/index.php"
        print(f"forum: {forum.total_posts} posts on {forum.total_posts // forum.page_size} pages")
        for i in range(args.runs):
            # Alternate the kinds so that a noisy neighbour hurts both alike.
            for kind in KINDS:
                command = [sys.executable, __file__, "--one", kind, "--url", url,
                           "--concurrency", str(args.concurrency)]  # fmt: skip
                line = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
                result = json.loads(line.stdout.strip().splitlines()[-1])
                results[kind].append(result)
                print(
                    f"run {i + 1} {kind:6s}: {result['posts']} posts in {result['seconds']:.2f} s "
                    f"= {result['posts'] / result['seconds']:.0f} posts/s "
                    f"({result['posts'] / result['cpu_s']:.0f} per CPU second), "
                    f"peak {result['peak_kb'] / 1024:.0f} MB ({result['status']})"
                )
    wall, cpu = {}, {}
    for kind, runs in results.items():
        wall[kind] = statistics.median(r["posts"] / r["seconds"] for r in runs)
        cpu[kind] = statistics.median(r["posts"] / r["cpu_s"] for r in runs)
        peak = max(r["peak_kb"] for r in runs) / 1024
        print(
            f"median {kind:6s}: {wall[kind]:6.0f} posts/s, {cpu[kind]:6.0f} posts per CPU "
            f"second; peak memory {peak:.0f} MB"
        )
    print(f"ratio Veille / bare Scrapy: {wall['veille'] / wall['bare']:.2f} (goal >= 0.8)")
    # Wall time on a shared machine is noisy; CPU time says what each crawl costs.
    print(f"ratio per CPU second:       {cpu['veille'] / cpu['bare']:.2f}")
    print(f"ratio Veille auto-detected / bare Scrapy: {wall['auto'] / wall['bare']:.2f}")
    print(f"ratio auto-detected per CPU second:       {cpu['auto'] / cpu['bare']:.2f}")


if __name__ == "__main__":
    main()
