"""`veille store migrate`: what it refuses before it reaches any cluster (the copy itself
is tested live in tests/storage/search/test_migrate_live.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["--from", "postgres"], "--from : seul « sqlite » est pris en charge, reçu 'postgres'"),
        (["--to", "elastic"], "--to : seul « search » est pris en charge, reçu 'elastic'"),
        (["--batch", "0"], "--batch : un entier d'au moins 1 attendu, reçu 0"),
    ],
)
def test_bad_options_are_named(config_dir: Path, args: list[str], text: str) -> None:
    result = runner.invoke(app, ["store", "migrate", *args])
    assert result.exit_code == 2
    assert text in result.output


def test_a_missing_store_or_cluster_is_said_in_english_too(
    config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nope.db"
    result = runner.invoke(app, ["store", "migrate", "--sqlite", str(missing), "--lang", "en"])
    assert result.exit_code == 1
    assert f"Migration failed: --sqlite: no SQLite store at {missing}" in result.output
    store = tmp_path / "veille.db"
    store.touch()
    monkeypatch.delenv("VEILLE_SEARCH_URL", raising=False)
    result = runner.invoke(app, ["store", "migrate", "--sqlite", str(store)])
    assert result.exit_code == 1
    assert "Migration impossible : no search cluster: give --search-url" in result.output
