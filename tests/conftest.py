"""Fixtures shared by every test package: a private config directory and store."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from configuration.loader import VeilleConfig, load_config
from storage.sqlite import SQLiteStore

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the default config whose store lives in tmp_path."""
    target = tmp_path / "config"
    shutil.copytree(REPO / "config", target)
    monkeypatch.setenv("VEILLE_STORAGE_SQLITE_PATH", str(tmp_path / "data" / "veille.db"))
    monkeypatch.setenv("VEILLE_CONFIG_DIR", str(target))
    # Tests never reach a model hub: the sentiment model is the lexicon unless a test
    # builds a local model and points at it.
    monkeypatch.setenv("VEILLE_NLP_SENTIMENT_MODEL", "")
    return target


@pytest.fixture
def config(config_dir: Path) -> VeilleConfig:
    """The loaded private config."""
    return load_config(config_dir)


@pytest.fixture
def store(config: VeilleConfig) -> Iterator[SQLiteStore]:
    """An empty SQLite store for the private config."""
    db = SQLiteStore(config.sqlite_path)
    yield db
    db.close()


class Webhook(ThreadingHTTPServer):
    """A local webhook: what apprise's json:// URLs post to it, in `received`."""

    received: list[dict[str, Any]]


class _Handler(BaseHTTPRequestHandler):
    server: Webhook

    def do_POST(self) -> None:
        self.server.received.append(
            json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        )
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[Webhook]:
    """A webhook on a free local port, for notification channels."""
    server = Webhook(("127.0.0.1", 0), _Handler)
    server.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip `requires_search_cluster` tests, saying why, where no node is configured."""
    if item.get_closest_marker("requires_search_cluster") and not os.environ.get(
        "VEILLE_SEARCH_URL"
    ):
        pytest.skip(
            "VEILLE_SEARCH_URL is not set: no live search node "
            "(start one with `scripts/search-node start` and export its URL)"
        )
