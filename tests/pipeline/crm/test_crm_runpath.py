"""The run path's CRM step: silent when off, a sync when on, a warning when not ready."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from configuration.loader import VeilleConfig, load_config
from pipeline.crm.stage import sync_if_enabled
from storage.sqlite import SQLiteStore
from tests.pipeline.crm.conftest import crm_yaml, seed


def test_off_by_default_the_run_path_does_nothing(config: VeilleConfig, store: SQLiteStore) -> None:
    seed(store)
    assert sync_if_enabled(config, store) is None


def test_on_the_run_path_syncs_and_not_ready_it_says_why(
    crm_env: dict[str, str],
    config_dir: Path,
    store: SQLiteStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    seed(store)
    config = load_config(config_dir)
    report = sync_if_enabled(config, store)
    assert report is not None and report.links_new == 3
    crm_yaml(config_dir, brands={"lumio": {"enabled": True, "purpose": "x"}})
    with caplog.at_level(logging.WARNING):
        assert sync_if_enabled(config, store) is None
    assert "legal_basis: missing" in caplog.text
