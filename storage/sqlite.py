"""Embedded store: one SQLite file in WAL mode, FTS5 for full-text search.

Scheduler, stages and dashboard may run as separate processes on the same file: WAL lets
readers go on while one writer commits, and every write runs in a short IMMEDIATE
transaction so two writers queue instead of failing.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from configuration.settings import StoreBackend
from storage.base import bucket_of
from storage.sqlite_alerts import SQLiteAlertsMixin
from storage.sqlite_crawl import SQLiteCrawlMixin
from storage.sqlite_health import SQLiteHealthMixin
from storage.sqlite_leases import SQLiteLeasesMixin
from storage.sqlite_nlp import SQLiteNlpMixin
from storage.sqlite_privacy import SQLitePrivacyMixin
from storage.sqlite_read import SQLiteReadMixin
from storage.sqlite_schema import MIGRATIONS, SCHEMA, SCHEMA_VERSION
from storage.sqlite_sessions import SQLiteSessionsMixin

logger = logging.getLogger(__name__)


class SQLiteStore(
    SQLiteCrawlMixin,
    SQLiteNlpMixin,
    SQLiteAlertsMixin,
    SQLiteReadMixin,
    SQLiteHealthMixin,
    SQLiteSessionsMixin,
    SQLitePrivacyMixin,
    SQLiteLeasesMixin,
):
    """The embedded backend of the store protocol: one mixin per protocol (the read
    model's queue depths and dashboard sessions in a mixin each), on one connection."""

    def __init__(self, path: Path | str, busy_timeout: float = 30.0):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
        self._conn.row_factory = sqlite3.Row
        # The NLP partitions' filter (storage.base.bucket_of), the same hash as every backend.
        self._conn.create_function("veille_bucket", 1, bucket_of, deterministic=True)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA_VERSION:
                return
            if version > SCHEMA_VERSION:
                raise RuntimeError(
                    f"{self.path}: schema version {version} is newer than this Veille "
                    f"({SCHEMA_VERSION}); upgrade Veille"
                )
            # A new store gets the base schema; an older one the migrations it lacks. The
            # base schema runs in both cases, since its statements are all IF NOT EXISTS.
            steps = [SCHEMA, *MIGRATIONS[max(version, 1) - 1 :]]
            script = "\n".join(steps)
            # executescript commits on its own, so the transaction is part of the script.
            self._conn.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version={SCHEMA_VERSION};\nCOMMIT;"
            )

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    @staticmethod
    def _next_seq(conn: sqlite3.Connection, table: str) -> int:
        row = conn.execute(f"SELECT COALESCE(MAX(seq), 0) + 1 FROM {table}").fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()


def open_sqlite(config: Any) -> SQLiteStore:
    """The store of `storage.sqlite_path` (relative to the working directory)."""
    storage = config.settings.storage
    return SQLiteStore(Path(storage.sqlite_path), busy_timeout=storage.busy_timeout_seconds)


def sqlite_data_dir(config: Any) -> Path:
    """The database file's folder."""
    return Path(config.settings.storage.sqlite_path).parent


BACKEND = StoreBackend(
    "sqlite",
    open_sqlite,
    data_dir=sqlite_data_dir,
    describe=lambda config: str(config.settings.storage.sqlite_path),
)
