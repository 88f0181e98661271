"""A store backend: SQLite, one database file per config directory, under a shared folder."""

from __future__ import annotations

import os
from pathlib import Path

from configuration.loader import VeilleConfig
from configuration.settings import StoreBackend
from storage.sqlite import SQLiteStore


def open_store(config: VeilleConfig) -> SQLiteStore:
    """The store of this config directory, in $VEILLE_EXAMPLE_STORES."""
    folder = Path(os.environ["VEILLE_EXAMPLE_STORES"])
    return SQLiteStore(folder / f"{Path(config.directory).resolve().name}.db")


PER_DIRECTORY = StoreBackend(
    "sqlite_per_directory",
    open_store,
    data_dir=lambda config: Path(os.environ["VEILLE_EXAMPLE_STORES"]),
    describe=lambda config: f"{os.environ['VEILLE_EXAMPLE_STORES']} (one file per config)",
)
