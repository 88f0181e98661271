"""Veille crawls real forum engines it did not write and stores what their seed holds.

Each engine is installed from the package registry into its own venv, seeded with the
generated French forum of `seedlib`, served on 127.0.0.1 and crawled by a real child
crawl into a real SQLite store with its preset alone; the store is compared with the
seed's truth. Figures are printed (run with -s) and saved to test-output/engines/.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from engine_harness import REPO, SOURCE_ID, Served, crawl_env, write_config
from engine_truth import Figures, compare
from typer.testing import CliRunner

from cli.app import app
from configuration.loader import load_config
from crawlers.run import crawl_source
from storage.sqlite import SQLiteStore

pytestmark = pytest.mark.slow

RECALL_MIN = 0.98
FIELD_MIN = 0.95


def crawl(served: Served, base: Path, **fields: Any) -> tuple[Figures, Any]:
    """Crawl the served engine once into a fresh store; the figures and the run."""
    env = crawl_env(base / "veille.db")
    config_dir = write_config(base / "config", served.engine, served.site.base_url, **fields)
    run = crawl_source(config_dir, SOURCE_ID, env=env, timeout=240)
    store = SQLiteStore(load_config(config_dir, environ=env).sqlite_path)
    try:
        posts = [p for _, p in store.raw_posts_after(0, 100_000)]
    finally:
        store.close()
    figures = compare(served.engine.name, served.truth, posts, served.site.base_url)
    return figures, run


def save(figures: Figures, label: str) -> None:
    """Print the figures and keep them under test-output/engines/."""
    print(f"\n[{label}] {figures.line()}")
    out = REPO / "test-output" / "engines"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{figures.engine}-{label}.json"
    path.write_text(json.dumps(figures.as_dict(), indent=1, ensure_ascii=False), encoding="utf-8")


def test_the_preset_reads_every_seeded_post(served: Served, tmp_path: Path) -> None:
    figures, run = crawl(served, tmp_path)
    save(figures, "preset")
    assert run.status in ("ok", "errors"), run
    assert figures.recall >= RECALL_MIN, figures.misses[:10]
    assert figures.extra == 0, "posts stored that the seed never made"
    for name in ("author", "body", "quotes", "date", "title", "thread_url"):
        assert getattr(figures, name) >= FIELD_MIN, (name, figures.misses[:10])
    if figures.reply_to is not None:
        assert figures.reply_to >= FIELD_MIN, figures.misses[:10]
    assert figures.reply_to_wrong <= (1 - FIELD_MIN) * figures.found, figures.misses[:10]


POST_LINE = re.compile(r"^  - (\S+), (\d{4}-\d\d-\d\d \d\d:\d\d) UTC ?: (.+)$", re.M)


def test_sources_detect_recognises_the_engine(served: Served, tmp_path: Path) -> None:
    """`veille sources detect URL` names the engine's preset and reads three seeded posts."""
    config_dir = write_config(tmp_path / "config", served.engine, served.site.base_url)
    url = served.site.base_url + served.engine.start_path
    result = CliRunner().invoke(app, ["sources", "detect", url, "--config-dir", str(config_dir)])
    assert result.exit_code == 0, result.output
    engine = re.escape(served.engine.preset)
    assert re.search(rf"^Moteur : {engine} \(confiance [01]\.\d\d\)$", result.output, re.M), (
        result.output
    )
    seeded = {
        (p["author"], datetime.fromisoformat(p["published_at"]).strftime("%Y-%m-%d %H:%M"))
        for p in served.truth["posts"]
    }
    posts = POST_LINE.findall(result.output)
    assert len(posts) == 3, result.output
    assert {(author, date) for author, date, _ in posts} <= seeded, result.output
