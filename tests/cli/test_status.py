"""`veille status`: sources, queues and jobs, in French by default and in English."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from configuration.loader import VeilleConfig
from pipeline.health import write_state
from records import CrawlRun
from storage.sqlite import SQLiteStore
from tests.pipeline.test_alert_notify import crisis

runner = CliRunner()


@pytest.fixture
def history(config: VeilleConfig, store: SQLiteStore) -> None:
    store.upsert_mentions([crisis(i) for i in range(2)])
    now = datetime.now(UTC)
    run = CrawlRun("demo-forum", now - timedelta(minutes=3), now - timedelta(minutes=2))
    run.status, run.errors = "errors", {"http/500": 1}
    store.save_crawl_run(run)
    write_state(config, "nlp", "waiting", "store unavailable (database is locked); retry 2")


def test_status_in_french(config_dir: Path, history: None) -> None:
    result = runner.invoke(app, ["status", "--config-dir", str(config_dir)])
    assert result.exit_code == 0, result.output
    assert "0 messages bruts à analyser, 2 mentions à évaluer" in result.output
    assert "demo-forum : dernier succès" in result.output and "(http/500=1)" in result.output
    assert "tâche nlp : en attente du stockage" in result.output
    assert "database is locked" in result.output


def test_status_in_english_and_as_json(
    config_dir: Path, history: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VEILLE_OPS_LANGUAGE", "en")
    result = runner.invoke(app, ["status", "--config-dir", str(config_dir)])
    assert "job nlp: waiting for the store" in result.output
    as_json = runner.invoke(app, ["status", "--json", "--config-dir", str(config_dir)])
    data = json.loads(as_json.output)
    assert data["queues"]["mentions_unevaluated"] == 2
    assert data["sources"][0]["last_error_text"] == "http/500=1"
    assert data["sources"][0]["lag_seconds"] > 120
