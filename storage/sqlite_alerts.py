"""The alert side of the embedded store (`storage.base.AlertStore`): the mentions after the
stage's cursor, atomic alert updates, the aggregate counts the volume rules need, and the
durable notification outbox.

A mixin of `SQLiteStore`, one per store protocol. Counts are
indexed aggregate queries (one per time window), never Python loops over mentions.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

from records import Alert, Mention, OutboxItem, parse_utc
from storage.base import WindowCount
from storage.sqlite_text import iso as _iso
from storage.sqlite_text import marks as _marks

logger = logging.getLogger(__name__)

# The sentiment a volume rule counts for a brand: a person's correction, then the
# model's label for that brand, then the document's label.
_BRAND_LABEL = "COALESCE(m.sentiment_override, b.sentiment, m.sentiment_label)"
# Mentions a volume rule counts: not the brand's own posts, near-duplicates once.
_COUNTED = "m.is_official = 0 AND m.duplicate_of IS NULL"
_THREAD = "json_extract(m.data, '$.thread_url')"
_HOUR = "%Y-%m-%dT%H"


class SQLiteAlertsMixin:
    """Alert, aggregate and outbox methods of `SQLiteStore`."""

    _read: Callable[..., list[sqlite3.Row]]
    _write: Callable[[], AbstractContextManager[sqlite3.Connection]]
    _mentions_from_rows: Callable[[Iterable[sqlite3.Row]], list[Mention]]

    def mentions_after(self, seq: int, limit: int) -> list[tuple[int, Mention]]:
        """Mentions stored or changed after `seq`, oldest first."""
        rows = self._read(
            "SELECT seq, data, sentiment_override FROM mentions WHERE seq > ? ORDER BY seq LIMIT ?",
            (seq, limit),
        )
        return list(zip([r["seq"] for r in rows], self._mentions_from_rows(rows), strict=True))

    # --- alerts ---------------------------------------------------------------------

    def save_alert(self, alert: Alert) -> None:
        """Insert or replace an alert."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO alerts (id, rule_id, brand_id, status, severity, due_at, created_at,"
                " updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE"
                " SET status=excluded.status, severity=excluded.severity, due_at=excluded.due_at,"
                " updated_at=excluded.updated_at, data=excluded.data",
                (
                    alert.id,
                    alert.rule_id,
                    alert.brand_id,
                    alert.status,
                    alert.severity,
                    _iso(alert.due_at),
                    _iso(alert.created_at),
                    _iso(alert.updated_at),
                    json.dumps(alert.to_dict(), ensure_ascii=False),
                ),
            )

    def get_alert(self, alert_id: str) -> Alert | None:
        """One alert by id."""
        rows = self._read("SELECT data FROM alerts WHERE id = ?", (alert_id,))
        return Alert.from_dict(json.loads(rows[0]["data"])) if rows else None

    def open_alert(self, rule_id: str, brand_id: str) -> Alert | None:
        """The open alert of a rule for a brand."""
        rows = self._read(
            "SELECT data FROM alerts WHERE rule_id = ? AND brand_id = ?"
            " AND status IN ('new', 'acknowledged') ORDER BY created_at DESC LIMIT 1",
            (rule_id, brand_id),
        )
        return Alert.from_dict(json.loads(rows[0]["data"])) if rows else None

    def list_alerts(self, statuses: Sequence[str] = ()) -> list[Alert]:
        """Alerts, earliest due first."""
        sql = "SELECT data FROM alerts"
        params: list[Any] = list(statuses)
        if statuses:
            sql += f" WHERE status IN ({_marks(statuses)})"
        rows = self._read(sql + " ORDER BY due_at, created_at", params)
        return [Alert.from_dict(json.loads(r["data"])) for r in rows]

    def update_alert(self, alert_id: str, change: Callable[[Alert], None]) -> Alert:
        """Read, change and write one alert in one transaction; KeyError if unknown."""
        with self._write() as conn:
            row = conn.execute("SELECT data FROM alerts WHERE id = ?", (alert_id,)).fetchone()
            if row is None:
                raise KeyError(f"unknown alert {alert_id!r}")
            alert = Alert.from_dict(json.loads(row["data"]))
            change(alert)
            conn.execute(
                "UPDATE alerts SET status = ?, severity = ?, due_at = ?, updated_at = ?,"
                " data = ? WHERE id = ?",
                (
                    alert.status,
                    alert.severity,
                    _iso(alert.due_at),
                    _iso(alert.updated_at),
                    json.dumps(alert.to_dict(), ensure_ascii=False),
                    alert.id,
                ),
            )
        return alert

    def last_closed_alert(self, rule_id: str, brand_id: str) -> Alert | None:
        """The most recently updated resolved or dismissed alert of a rule for a brand."""
        rows = self._read(
            "SELECT data FROM alerts WHERE rule_id = ? AND brand_id = ?"
            " AND status IN ('resolved', 'dismissed') ORDER BY updated_at DESC LIMIT 1",
            (rule_id, brand_id),
        )
        return Alert.from_dict(json.loads(rows[0]["data"])) if rows else None

    # --- aggregates for the volume rules --------------------------------------------

    def first_mention_time(self) -> datetime | None:
        """Time of the oldest stored mention (where the store's history starts)."""
        rows = self._read("SELECT MIN(ts) FROM mentions")
        return parse_utc(rows[0][0]) if rows and rows[0][0] else None

    def window_counts(
        self,
        windows: Sequence[tuple[datetime, datetime]],
        brand_ids: Sequence[str] = (),
        by_aspect: bool = False,
    ) -> list[WindowCount]:
        """Counted mentions per window and brand (and aspect), with the negative ones."""
        brand_clause = f" AND b.brand_id IN ({_marks(brand_ids)})" if brand_ids else ""
        aspect_from = ", json_each(m.data, '$.aspects') a" if by_aspect else ""
        aspect_col = "a.value" if by_aspect else "''"
        sql = (
            f"SELECT b.brand_id AS brand_id, {aspect_col} AS aspect,"
            f" COUNT(DISTINCT m.id) AS total,"
            f" COUNT(DISTINCT CASE WHEN {_BRAND_LABEL} = 'negative' THEN m.id END) AS negative"
            f" FROM mentions m JOIN mention_brands b ON b.mention_id = m.id{aspect_from}"
            f" WHERE m.ts >= ? AND m.ts < ? AND {_COUNTED}{brand_clause}"
            " GROUP BY b.brand_id, aspect"
        )
        out: list[WindowCount] = []
        for index, (since, until) in enumerate(windows):
            for r in self._read(sql, [_iso(since), _iso(until), *brand_ids]):
                out.append(
                    WindowCount(index, r["brand_id"], r["aspect"] or "", r["total"], r["negative"])
                )
        return out

    def hourly_counts(
        self, since: datetime, until: datetime, brand_ids: Sequence[str] = ()
    ) -> list[WindowCount]:
        """Counted mentions per clock hour in [since, until) (whole UTC hours) and brand;
        `window` is the hour's offset from `since`. Hours not yet computed, or whose
        mentions changed since, are computed and kept (one grouped query)."""
        start = since.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        keys = []
        hour = start
        while hour < until:
            keys.append(hour.strftime(_HOUR))
            hour += timedelta(hours=1)
        if not keys:
            return []
        with self._write() as conn:
            done = {
                r[0]
                for r in conn.execute(
                    "SELECT hour FROM alert_hours WHERE hour >= ? AND hour <= ?",
                    (keys[0], keys[-1]),
                )
            }
            missing = [k for k in keys if k not in done]
            if missing:
                self._compute_hours(conn, missing[0], missing[-1])
        brand_clause = f" AND brand_id IN ({_marks(brand_ids)})" if brand_ids else ""
        rows = self._read(
            "SELECT hour, brand_id, total, negative FROM alert_hourly_counts"
            f" WHERE hour >= ? AND hour <= ?{brand_clause}",
            [keys[0], keys[-1], *brand_ids],
        )
        index = {k: i for i, k in enumerate(keys)}
        return [
            WindowCount(index[r["hour"]], r["brand_id"], "", r["total"], r["negative"])
            for r in rows
        ]

    @staticmethod
    def _compute_hours(conn: sqlite3.Connection, first: str, last: str) -> None:
        since = datetime.strptime(first, _HOUR).replace(tzinfo=UTC)
        until = datetime.strptime(last, _HOUR).replace(tzinfo=UTC) + timedelta(hours=1)
        conn.execute("DELETE FROM alert_hourly_counts WHERE hour >= ? AND hour <= ?", (first, last))
        conn.execute(
            "INSERT INTO alert_hourly_counts (hour, brand_id, total, negative)"
            " SELECT substr(m.ts, 1, 13) AS hour, b.brand_id, COUNT(DISTINCT m.id),"
            f" COUNT(DISTINCT CASE WHEN {_BRAND_LABEL} = 'negative' THEN m.id END)"
            " FROM mentions m JOIN mention_brands b ON b.mention_id = m.id"
            f" WHERE m.ts >= ? AND m.ts < ? AND {_COUNTED} GROUP BY hour, b.brand_id",
            (_iso(since), _iso(until)),
        )
        hours, hour = [], since
        while hour < until:
            hours.append((hour.strftime(_HOUR),))
            hour += timedelta(hours=1)
        conn.executemany("INSERT OR REPLACE INTO alert_hours (hour) VALUES (?)", hours)

    def mention_ids_in_window(
        self,
        brand_id: str,
        since: datetime,
        until: datetime,
        negative_only: bool = False,
        limit: int = 200,
    ) -> list[str]:
        """Ids of counted mentions of a brand in a window, newest first."""
        negative = f" AND {_BRAND_LABEL} = 'negative'" if negative_only else ""
        rows = self._read(
            "SELECT DISTINCT m.id AS id, m.ts AS ts FROM mentions m"
            " JOIN mention_brands b ON b.mention_id = m.id"
            f" WHERE b.brand_id = ? AND m.ts >= ? AND m.ts < ? AND {_COUNTED}{negative}"
            " ORDER BY m.ts DESC LIMIT ?",
            (brand_id, _iso(since), _iso(until), limit),
        )
        return [r["id"] for r in rows]

    def thread_post_times(self, thread_url: str) -> list[datetime]:
        """Times of the counted posts of a thread, oldest first."""
        rows = self._read(
            f"SELECT m.ts FROM mentions m WHERE {_THREAD} = ? AND m.duplicate_of IS NULL"
            " ORDER BY m.ts",
            (thread_url,),
        )
        return [t for t in (parse_utc(r[0]) for r in rows) if t is not None]

    # --- notification outbox --------------------------------------------------------

    def enqueue_notifications(self, items: Iterable[OutboxItem]) -> int:
        """Queue notifications; one per channel, alert and event (a repeat is ignored)."""
        added = 0
        with self._write() as conn:
            for item in items:
                cur = conn.execute(
                    "INSERT OR IGNORE INTO notification_outbox (channel_id, alert_id, event,"
                    " created_at, status, attempts, next_attempt_at, last_error, sent_at,"
                    " payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    self._outbox_values(item),
                )
                added += cur.rowcount
        return added

    @staticmethod
    def _outbox_values(item: OutboxItem) -> tuple[Any, ...]:
        return (
            item.channel_id,
            item.alert_id,
            item.event,
            _iso(item.created_at),
            item.status,
            item.attempts,
            _iso(item.next_attempt_at or item.created_at),
            item.last_error,
            _iso(item.sent_at),
            json.dumps(item.payload, ensure_ascii=False),
        )

    def save_notification(self, item: OutboxItem) -> None:
        """Write back a notification's status, attempts and error."""
        if item.id is None:
            raise ValueError("save_notification: the item has no id (enqueue it first)")
        with self._write() as conn:
            conn.execute(
                "UPDATE notification_outbox SET status = ?, attempts = ?, next_attempt_at = ?,"
                " last_error = ?, sent_at = ?, message_id = ? WHERE id = ?",
                (
                    item.status,
                    item.attempts,
                    _iso(item.next_attempt_at),
                    item.last_error,
                    _iso(item.sent_at),
                    item.message_id,
                    item.id,
                ),
            )

    def notifications(
        self,
        statuses: Sequence[str] = (),
        channel_id: str | None = None,
        alert_id: str | None = None,
        due_before: datetime | None = None,
    ) -> list[OutboxItem]:
        """Outbox items, oldest first, filtered by status, channel, alert or due time."""
        clauses: list[str] = ["1"]
        params: list[Any] = []
        if statuses:
            clauses.append(f"status IN ({_marks(statuses)})")
            params.extend(statuses)
        if channel_id is not None:
            clauses.append("channel_id = ?")
            params.append(channel_id)
        if alert_id is not None:
            clauses.append("alert_id = ?")
            params.append(alert_id)
        if due_before is not None:
            clauses.append("next_attempt_at <= ?")
            params.append(_iso(due_before))
        rows = self._read(
            f"SELECT * FROM notification_outbox WHERE {' AND '.join(clauses)}"
            " ORDER BY created_at, id",
            params,
        )
        return list(self._outbox_items(rows))

    @staticmethod
    def _outbox_items(rows: Iterable[sqlite3.Row]) -> Iterator[OutboxItem]:
        for r in rows:
            created = parse_utc(r["created_at"])
            assert created is not None
            yield OutboxItem(
                channel_id=r["channel_id"],
                alert_id=r["alert_id"],
                event=r["event"],
                created_at=created,
                payload=json.loads(r["payload"]),
                status=r["status"],
                attempts=r["attempts"],
                next_attempt_at=parse_utc(r["next_attempt_at"]),
                last_error=r["last_error"],
                sent_at=parse_utc(r["sent_at"]),
                message_id=r["message_id"],
                id=r["id"],
            )

    def notifications_sent_since(self, channel_id: str, since: datetime) -> int:
        """Messages a channel sent since a time (what its rate limit counts)."""
        rows = self._read(
            "SELECT COUNT(DISTINCT message_id) FROM notification_outbox"
            " WHERE channel_id = ? AND status = 'sent' AND sent_at >= ?",
            (channel_id, _iso(since)),
        )
        return int(rows[0][0])
