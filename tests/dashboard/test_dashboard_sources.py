"""The Sources page names why a source's pages gave nothing, and flags a broken source."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from configuration.loader import VeilleConfig
from records import CrawlRun
from storage.sqlite import SQLiteStore

if TYPE_CHECKING:  # the conftest module is only importable while pytest runs
    from conftest import Dash, Seeded


def test_broken_source_and_reasons(seeded: Seeded, dash: type[Dash], config: VeilleConfig) -> None:
    store = SQLiteStore(config.sqlite_path)
    start = datetime.now(UTC) - timedelta(hours=4)
    try:
        for i in range(3):
            run = CrawlRun("demo-forum", start + timedelta(hours=i), status="errors", pages=6)
            run.finished_at = run.started_at + timedelta(minutes=2)
            run.errors = {"parse/bad_date": 40, "parse/no_posts": 2}
            run.details = {"threads/resumed": 4, "engine/phpbb": 1}
            store.save_crawl_run(run)
    finally:
        store.close()
    at = dash.start("admin", "collecte")
    last = at.dataframe[0].value
    assert last.loc[0, "health"] == "cassée : 3 collectes sans message"
    assert last.loc[0, "reasons"] == "dates illisibles (40), pages de fil sans message lisible (2)"
    assert last.loc[0, "engine"] == "phpbb"
    assert "parse_reasons" not in at.dataframe[1].value.columns
