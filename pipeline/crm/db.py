"""The CRM database: SQLite (embedded default) or PostgreSQL, through SQLAlchemy Core.

This class holds the low-level writes every CRM module shares: upserts that work on both
dialects, the audit log, the feed and the stage state. The CRM logic lives in the stage,
privacy and review modules; they talk to the database only through here.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from pipeline.crm.schema import build_metadata, create_schema

logger = logging.getLogger(__name__)


# Batches at least this large go through COPY on PostgreSQL (see `_copy_insert`).
_COPY_MIN = 200


class CrmDatabaseError(RuntimeError):
    """The CRM database refused a write or went away; the message says which."""


def event_id(*parts: str) -> str:
    """Deterministic event id: the same event found twice is one row, one delivery."""
    return "evt_" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def _aware(value: Any) -> Any:
    # SQLite gives back naive datetimes (it has no time zone type): they were stored in UTC.
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class CrmDb:
    """One CRM database: its engine and tables."""

    def __init__(self, url: str, signals_table: str = "veille_customer_signals") -> None:
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            # The dashboard and the stage share the file: wait for a writer, do not fail.
            kwargs["connect_args"] = {"timeout": 30}
        else:
            # A connection the server dropped is noticed before use, not mid-batch.
            kwargs["pool_pre_ping"] = True
        self.url = url
        self.engine = sa.create_engine(url, **kwargs)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self.md = build_metadata(signals_table)
        self.t = self.md.tables
        self.signals_name = signals_table
        create_schema(self.engine, self.md, signals_table)

    @property
    def signals(self) -> sa.Table:
        """The write-back table."""
        return self.t[self.signals_name]

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    def refresh_statistics(self, tables: Sequence[str]) -> None:
        """Refresh the planner's statistics of `tables` (ANALYZE) after bulk writes.

        PostgreSQL's autovacuum analyses a table only once enough rows changed and on its
        own schedule, so the join that follows a first bulk load was planned on empty
        statistics: a nested loop over 100,000 identities took 357 s where it takes
        0.8 s once analysed (bench/crm.py, 1,000 mentions). SQLite's ANALYZE feeds its
        planner the same way. Costs about a second at 100,000 customers.
        """
        with self.engine.begin() as conn:
            for name in tables:
                conn.exec_driver_sql(f'ANALYZE "{self.t[name].name}"')

    # --- shared writes ------------------------------------------------------------

    def insert(self, table: str) -> Any:
        """The dialect's INSERT (both have ON CONFLICT DO NOTHING / DO UPDATE)."""
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(self.t[table])

    def _execute_many(
        self,
        conn: sa.Connection,
        stmt: Any,
        table: str,
        rows: Sequence[Mapping[str, Any]],
        conflict: str,
    ) -> int:
        """Run an INSERT … ON CONFLICT over many rows; returns how many rows it wrote."""
        key = next(iter(self.t[table].primary_key.columns))
        if self.engine.dialect.name == "postgresql" and len(rows) >= _COPY_MIN:
            return self._copy_insert(conn, table, rows, conflict)
        # RETURNING makes SQLAlchemy batch the rows into multi-row INSERTs ("insertmanyvalues");
        # with ON CONFLICT DO NOTHING it returns only the rows that were new.
        return len(conn.execute(stmt.returning(key), list(rows)).all())

    def _copy_insert(
        self,
        conn: sa.Connection,
        table: str,
        rows: Sequence[Mapping[str, Any]],
        conflict: str,
    ) -> int:
        # Large batches go through COPY into a temporary table, then one INSERT … SELECT:
        # psycopg sends an executemany as one statement per row, and a multi-row VALUES
        # of thousands of rows costs more to parse than to run. The row triggers (consent)
        # still fire on the INSERT.
        columns = list(rows[0])
        names = ", ".join(f'"{c}"' for c in columns)
        # One temporary table per table and column set, without the table's constraints.
        temp = f"_veille_load_{table}_{len(columns)}"
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(
                f'CREATE TEMP TABLE IF NOT EXISTS "{temp}" ON COMMIT DELETE ROWS AS '
                f'SELECT {names} FROM "{table}" WITH NO DATA'
            )
            cursor.execute(f'TRUNCATE "{temp}"')
            with cursor.copy(f'COPY "{temp}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
            cursor.execute(
                f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{temp}" {conflict}'
            )
            # Rows inserted or updated; with DO NOTHING, only the new ones.
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def upsert(
        self,
        conn: sa.Connection,
        table: str,
        rows: Sequence[Mapping[str, Any]],
        keys: Sequence[str],
    ) -> None:
        """Insert rows, replacing the other columns of rows whose key exists."""
        if not rows:
            return
        stmt = self.insert(table)
        others = [c for c in rows[0] if c not in keys]
        target = ", ".join(f'"{k}"' for k in keys)
        if others:
            stmt = stmt.on_conflict_do_update(
                index_elements=list(keys), set_={c: stmt.excluded[c] for c in others}
            )
            sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in others)
            conflict = f"ON CONFLICT ({target}) DO UPDATE SET {sets}"
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
            conflict = f"ON CONFLICT ({target}) DO NOTHING"
        self._execute_many(conn, stmt, table, rows, conflict)

    def insert_new(
        self,
        conn: sa.Connection,
        table: str,
        rows: Sequence[Mapping[str, Any]],
        keys: Sequence[str],
    ) -> int:
        """Insert rows whose key is not there yet (existing rows stay); how many were new."""
        if not rows:
            return 0
        stmt = self.insert(table).on_conflict_do_nothing(index_elements=list(keys))
        conflict = "ON CONFLICT ({}) DO NOTHING".format(", ".join(f'"{k}"' for k in keys))
        return self._execute_many(conn, stmt, table, rows, conflict)

    def audit(
        self, conn: sa.Connection, actor: str, action: str, ckey: str = "", **detail: Any
    ) -> None:
        """One line of the audit log (every CRM write, review decision and erasure)."""
        conn.execute(
            self.t["veille_crm_audit"].insert(),
            {
                "at": datetime.now(UTC),
                "actor": actor,
                "action": action,
                "ckey": ckey,
                "detail": json.dumps(detail, sort_keys=True, default=str),
            },
        )

    def add_event(
        self,
        conn: sa.Connection,
        eid: str,
        ckey: str,
        type_: str,
        payload: Mapping[str, Any],
        at: datetime,
        status: str = "emitted",
    ) -> bool:
        """Put an event on the feed once (by id); False when it was already there."""
        row = {
            "event_id": eid,
            "ckey": ckey,
            "type": type_,
            "status": status,
            "payload": json.dumps(payload, sort_keys=True, default=str),
            "created_at": at,
        }
        return self.insert_new(conn, "veille_crm_feed", [row], ["event_id"]) == 1

    def get_state(self, conn: sa.Connection, name: str, default: str = "") -> str:
        """A stage value (cursor) that survives restarts."""
        state = self.t["veille_crm_state"]
        row = conn.execute(sa.select(state.c.value).where(state.c.name == name)).first()
        return row[0] if row else default

    def set_state(self, conn: sa.Connection, name: str, value: str) -> None:
        """Record a stage value, in the caller's transaction."""
        self.upsert(conn, "veille_crm_state", [{"name": name, "value": value}], ["name"])

    # --- reads --------------------------------------------------------------------

    def rows(self, stmt: sa.Executable) -> list[dict[str, Any]]:
        """Rows of a query as dicts, datetimes made UTC-aware."""
        with self.engine.connect() as conn:
            return [{k: _aware(v) for k, v in r._mapping.items()} for r in conn.execute(stmt)]

    def rows_scalar(self, stmt: sa.Executable) -> list[Any]:
        """The first column of a query's rows."""
        with self.engine.connect() as conn:
            return list(conn.execute(stmt).scalars())

    def feed_after(
        self, cursor: int, limit: int = 1000, types: Iterable[str] = ()
    ) -> list[dict[str, Any]]:
        """Emitted feed events after a cursor (a feed seq), oldest first."""
        feed = self.t["veille_crm_feed"]
        stmt = sa.select(feed).where(feed.c.seq > cursor, feed.c.status == "emitted")
        wanted = list(types)
        if wanted:
            stmt = stmt.where(feed.c.type.in_(wanted))
        return self.rows(stmt.order_by(feed.c.seq).limit(limit))

    def suppressed(self, kind: str) -> set[str]:
        """Values on the suppression list of one kind (author, customer, link)."""
        sup = self.t["veille_crm_suppression"]
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(sup.c.value).where(sup.c.kind == kind)).scalars())


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
