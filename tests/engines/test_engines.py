"""Veille crawls real forum engines it did not write and stores what their seed holds.

Each engine is installed from the package registry into its own venv, seeded with the
generated French forum of `seedlib`, served on 127.0.0.1 and crawled by a real child
crawl into a real SQLite store with its preset alone; the store is compared with the
seed's truth. Figures are printed (run with -s) and saved to test-output/engines/.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import lxml.html
import pytest
from engine_harness import REPO, SOURCE_ID, Served, crawl_env, write_config
from engine_truth import Figures, compare
from typer.testing import CliRunner

from cli.app import app
from configuration.loader import load_config
from configuration.sources import ForumSelectors
from crawlers.generic import find_posts
from crawlers.generic_recall import Recall, TruePost
from crawlers.generic_recall import compare as compare_generic
from crawlers.posts import read_post
from crawlers.presets import PRESETS
from crawlers.run import crawl_source
from crawlers.selectors import first_text, select_elements
from storage.sqlite import SQLiteStore

# An engine's first test installs it (a cold pip cache downloads its packages), seeds it
# and starts it: more than the suite's default per-test timeout allows.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

RECALL_MIN = 0.98
FIELD_MIN = 0.95


def crawl(served: Served, base: Path, **fields: Any) -> tuple[Figures, list[Any]]:
    """Crawl the served engine into a fresh store, then once more (an incremental crawl
    of an unchanged forum); the figures of what was stored and both runs."""
    env = crawl_env(base / "veille.db")
    config_dir = write_config(base / "config", served.engine, served.site.base_url, **fields)
    runs = [crawl_source(config_dir, SOURCE_ID, env=env, timeout=240) for _ in range(2)]
    store = SQLiteStore(load_config(config_dir, environ=env).sqlite_path)
    try:
        posts = [p for _, p in store.raw_posts_after(0, 100_000)]
    finally:
        store.close()
    figures = compare(served.engine.name, served.truth, posts, served.site.base_url)
    return figures, runs


def save(figures: Figures, label: str) -> None:
    """Print the figures and keep them under test-output/engines/."""
    print(f"\n[{label}] {figures.line()}")
    out = REPO / "test-output" / "engines"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{figures.engine}-{label}.json"
    path.write_text(json.dumps(figures.as_dict(), indent=1, ensure_ascii=False), encoding="utf-8")


def check(served: Served, figures: Figures, runs: list[Any]) -> None:
    """The Done-when thresholds, and a second crawl that finds nothing new."""
    first, second = runs
    # The only error a crawl may count: an empty sub-forum's list (it has no topic link).
    empty = {"parse/no_topics": served.engine.empty_lists} if served.engine.empty_lists else {}
    for run in runs:
        assert run.errors == empty, run
    assert first.posts_new == figures.stored
    assert second.posts_new == 0, second
    assert figures.recall >= RECALL_MIN, figures.misses[:10]
    assert figures.extra == 0, "posts stored that the seed never made"
    for name in ("author", "body", "quotes", "date", "title", "thread_url"):
        assert getattr(figures, name) >= FIELD_MIN, (name, figures.misses[:10])
    if figures.reply_to is not None:
        assert figures.reply_to >= FIELD_MIN, figures.misses[:10]
    assert figures.reply_to_wrong <= (1 - FIELD_MIN) * figures.found, figures.misses[:10]


def test_the_preset_reads_every_seeded_post(served: Served, tmp_path: Path) -> None:
    figures, runs = crawl(served, tmp_path)
    save(figures, "preset")
    check(served, figures, runs)


def test_an_auto_detected_crawl_reads_every_seeded_post(served: Served, tmp_path: Path) -> None:
    """`preset: auto`: the engine recognised from its first page, then read by its preset."""
    figures, runs = crawl(served, tmp_path, preset="auto")
    save(figures, "auto")
    check(served, figures, runs)
    assert runs[0].details.get(f"engine/{served.engine.preset}") == 1, runs[0].details


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


def thread_pages(served: Served) -> Iterator[tuple[str, Any]]:
    """Every page of every seeded thread (followed by the preset's "next" link)."""
    next_page = PRESETS[served.engine.preset].selectors["next_page"]
    for thread in sorted({p["thread_url"] for p in served.truth["posts"]}):
        url: str | None = served.site.base_url + thread
        for _ in range(50):  # no seeded thread has as many pages
            if url is None:
                break
            with urllib.request.urlopen(url, timeout=30) as answer:
                root = lxml.html.document_fromstring(answer.read(), base_url=url)
            yield url, root
            link = first_text(root, next_page)
            url = urljoin(url, link) if link else None


def test_generic_extractor_on_every_thread_page(served: Served) -> None:
    """The generic extractor's recall with the preset withheld, over the whole install.

    Which seeded posts a page holds is what the preset reads there (checked against the
    seed by the crawl test); the generic extractor then reads the page on its own.
    """
    sel = ForumSelectors.model_validate(PRESETS[served.engine.preset].selectors)
    by_id = {p["id"]: p for p in served.truth["posts"]}
    now = datetime.now(UTC)
    result = Recall()
    pages = 0
    for _, root in thread_pages(served):
        pages += 1
        ids = [
            read_post(e, sel, "Europe/Paris", now).raw_id for e in select_elements(root, sel.post)
        ]
        truth = [
            TruePost(by_id[i]["author"], datetime.fromisoformat(by_id[i]["published_at"]),
                     by_id[i]["body"])
            for i in ids
        ]  # fmt: skip
        found, _, _ = find_posts(root, "Europe/Paris", now)
        compare_generic(found, truth, result)
    line = (
        f"{served.engine.name}: {result.found}/{result.posts} posts on {pages} pages "
        f"(recall {result.recall:.3f}), exact bodies {result.body_rate:.3f}, "
        f"extra {result.extra}"
    )
    print(f"\n[generic] {line}")
    out = REPO / "test-output" / "engines"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{served.engine.name}-generic.txt").write_text(line + "\n", encoding="utf-8")
    assert result.posts == len(served.truth["posts"])
