"""Times each stage of the whole path on the demo forum: crawl, NLP, alerts.

Usage: python bench/pipeline_demo.py [--runs 3] [--seed 7]
Prints per-stage wall seconds and records per second for each run, then the medians.
Each run uses a fresh store; the forum is served on a free loopback port.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from configuration.loader import load_config
from demo.forum.generator import generate_forum
from demo.forum.server import DemoForumServer
from pipeline.runner import crawl_sources, evaluate_alerts, process_posts
from storage import open_store

REPO = Path(__file__).resolve().parent.parent


def one_run(base_url: str, workdir: Path) -> dict[str, float]:
    """Crawl, analyse and evaluate alerts once in a fresh store; returns timings."""
    config_dir = workdir / "config"
    shutil.copytree(REPO / "config", config_dir)
    sources = config_dir / "sources.yaml"
    sources.write_text(sources.read_text().replace("http://127.0.0.1:8765/", base_url + "/"))
    os.environ["VEILLE_STORAGE_SQLITE_PATH"] = str(workdir / "veille.db")
    config = load_config(config_dir)
    figures: dict[str, float] = {}
    started = time.perf_counter()
    (run,) = crawl_sources(config, ["demo-forum"])
    figures["crawl_s"] = time.perf_counter() - started
    figures["posts"] = run.posts_new
    store = open_store(config)
    try:
        started = time.perf_counter()
        nlp = process_posts(config, store)
        figures["nlp_s"] = time.perf_counter() - started
        started = time.perf_counter()
        evaluate_alerts(config, store)
        figures["alerts_s"] = time.perf_counter() - started
        figures["mentions"] = store.count_mentions()
    finally:
        store.close()
    print(f"  sentiment model: {nlp.sentiment_model}")
    return figures


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("VEILLE_NLP_SENTIMENT_MODEL", "")
    results = []
    with DemoForumServer(generate_forum(seed=args.seed), port=0) as server:
        for i in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                figures = one_run(server.base_url, Path(tmp))
            results.append(figures)
            print(
                f"run {i + 1}: {figures['posts']:.0f} posts; crawl {figures['crawl_s']:.2f} s, "
                f"NLP {figures['nlp_s']:.2f} s, alerts {figures['alerts_s']:.3f} s"
            )
    posts = results[0]["posts"]
    for stage in ("crawl_s", "nlp_s", "alerts_s"):
        median = statistics.median(r[stage] for r in results)
        print(f"median {stage[:-2]:7s} {median:8.3f} s  {posts / median:10.1f} posts/s")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process (NLP and alerts in-process): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
