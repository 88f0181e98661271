"""The health side of the embedded store: how much waits at each stage (`veille status`,
the metrics endpoint). A mixin of `SQLiteStore`; every figure is one indexed count."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime

from storage.base import QueueDepths
from storage.sqlite_text import iso as _iso


class SQLiteHealthMixin:
    """Queue-depth methods of `SQLiteStore`."""

    _read: Callable[..., list[sqlite3.Row]]

    def queue_depths(self, now: datetime, nlp_cursor: str, alerts_cursor: str) -> QueueDepths:
        """Raw posts after the NLP cursor, mentions after the alerts cursor, open alerts
        past their SLA at `now`, notifications waiting or being sent."""
        row = self._read(
            "SELECT"
            " (SELECT COUNT(*) FROM raw_posts WHERE seq >"
            "   COALESCE((SELECT value FROM cursors WHERE name = ?), 0)),"
            " (SELECT COUNT(*) FROM mentions WHERE seq >"
            "   COALESCE((SELECT value FROM cursors WHERE name = ?), 0)),"
            " (SELECT COUNT(*) FROM alerts WHERE status IN ('new', 'acknowledged')"
            "   AND due_at < ?),"
            " (SELECT COUNT(*) FROM notification_outbox WHERE status IN ('pending', 'sending'))",
            (nlp_cursor, alerts_cursor, _iso(now)),
        )[0]
        return QueueDepths(int(row[0]), int(row[1]), int(row[2]), int(row[3]))
