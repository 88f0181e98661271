"""The store: one protocol, backends chosen by `storage.backend` in config.

A backend registers a `configuration.settings.StoreBackend` through the
`veille.store_backends` entry points; the built-in SQLite one (`storage.sqlite`) does so
in pyproject.toml, as a third-party backend would.
"""

from __future__ import annotations

from configuration.loader import VeilleConfig
from configuration.settings import STORE_BACKENDS
from storage.base import (
    AspectRow,
    BarometerRow,
    MentionFilter,
    RollupRow,
    SearchError,
    Store,
    UpsertCounts,
    WindowCount,
)


def open_store(config: VeilleConfig) -> Store:
    """Open the configured backend (the only place that chooses one)."""
    store: Store = STORE_BACKENDS.get(config.settings.storage.backend).open(config)
    return store


__all__ = [
    "AspectRow",
    "BarometerRow",
    "MentionFilter",
    "RollupRow",
    "SearchError",
    "Store",
    "UpsertCounts",
    "WindowCount",
    "open_store",
]
