"""SQLite statements of the NLP tables: brand corrections, aspects, near-duplicate keys.

Functions over a connection the caller holds (inside its transaction or lock), used by
`storage.sqlite.SQLiteStore`; kept apart so that store module stays readable.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from records import Mention
from storage.base import AspectRow
from storage.sqlite_text import iso as _iso
from storage.sqlite_text import marks as _marks

logger = logging.getLogger(__name__)

# SQLite's default limit on bound parameters is 999 in older builds.
_CHUNK = 500


def write_brands(conn: sqlite3.Connection, mention_id: str, data: dict[str, Any]) -> None:
    """Rebuild a mention's mention_brands rows: detected brands, then a person's corrections."""
    conn.execute("DELETE FROM mention_brands WHERE mention_id = ?", (mention_id,))
    brand_sentiment = data.get("brand_sentiment") or {}
    conn.executemany(
        "INSERT OR IGNORE INTO mention_brands (mention_id, brand_id, product_id, sentiment)"
        " VALUES (?, ?, ?, ?)",
        [
            (
                mention_id,
                b["brand_id"],
                b.get("product_id") or "",
                brand_sentiment.get(b["brand_id"]),
            )
            for b in data.get("brands") or []
        ],
    )
    conn.execute(
        "DELETE FROM mention_brands WHERE mention_id = ? AND brand_id IN"
        " (SELECT brand_id FROM brand_overrides WHERE mention_id = ? AND present = 0)",
        (mention_id, mention_id),
    )
    # A brand a person added has no span and no sentiment of its own: the mention's
    # effective sentiment stands for it where brands are counted.
    conn.execute(
        "INSERT INTO mention_brands (mention_id, brand_id, product_id, sentiment)"
        " SELECT o.mention_id, o.brand_id, '', NULL FROM brand_overrides o"
        " WHERE o.mention_id = ? AND o.present = 1 AND o.brand_id NOT IN"
        " (SELECT brand_id FROM mention_brands WHERE mention_id = ?)",
        (mention_id, mention_id),
    )


def write_nlp_rows(conn: sqlite3.Connection, mention: Mention) -> None:
    """Replace a mention's aspect rows and near-duplicate keys."""
    conn.execute("DELETE FROM mention_aspects WHERE mention_id = ?", (mention.id,))
    conn.executemany(
        "INSERT OR IGNORE INTO mention_aspects (mention_id, aspect_id, brand_id) VALUES (?, ?, ?)",
        [(mention.id, aspect, "") for aspect in mention.aspects]
        + [
            (mention.id, aspect, brand_id)
            for brand_id, aspects in mention.brand_aspects.items()
            for aspect in aspects
        ],
    )
    conn.execute("DELETE FROM mention_fingerprints WHERE mention_id = ?", (mention.id,))
    conn.executemany(
        "INSERT OR IGNORE INTO mention_fingerprints (key, mention_id) VALUES (?, ?)",
        [(key, mention.id) for key in mention.fingerprint],
    )


def read_brand_overrides(
    conn: sqlite3.Connection, ids: Sequence[str]
) -> dict[str, dict[str, bool]]:
    """A person's brand corrections of these mentions: id → {brand id: present}."""
    found: dict[str, dict[str, bool]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        rows = conn.execute(
            "SELECT mention_id, brand_id, present FROM brand_overrides"
            f" WHERE mention_id IN ({_marks(chunk)}) ORDER BY updated_at, brand_id",
            chunk,
        ).fetchall()
        for mention_id, brand_id, present in rows:
            found.setdefault(mention_id, {})[brand_id] = bool(present)
    return found


def near_duplicate_candidates(
    conn: sqlite3.Connection,
    keys: Sequence[str],
    exclude_id: str = "",
    author: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, int]:
    """First copies sharing fingerprint keys with `keys`: first copy id → most keys shared.

    A stored copy stands for its first copy, so a wave is followed copy after copy. With
    `since`/`until`, only posts published in that window or written by `author` count.
    """
    unique = list(dict.fromkeys(keys))
    if not unique:
        return {}
    related, params = "", []
    if since is not None and until is not None:
        related = " AND (m.ts BETWEEN ? AND ?"
        params = [_iso(since), _iso(until)]
        if author:
            related += " OR json_extract(m.data, '$.author') = ?"
            params.append(author)
        related += ")"
    rows = conn.execute(
        "SELECT COALESCE(m.duplicate_of, m.id), COUNT(*) FROM mention_fingerprints f"
        " JOIN mentions m ON m.id = f.mention_id"
        f" WHERE f.key IN ({_marks(unique)}) AND m.id != ?"
        f" AND (m.duplicate_of IS NULL OR m.duplicate_of != ?){related} GROUP BY f.mention_id",
        [*unique, exclude_id, exclude_id, *params],
    ).fetchall()
    found: dict[str, int] = {}
    for first_id, shared in rows:
        found[first_id] = max(found.get(first_id, 0), int(shared))
    return found


def aspect_counts_query(
    where: str, params: list[Any], brand_ids: Sequence[str]
) -> tuple[str, list[Any]]:
    """SQL and parameters counting mentions by brand and aspect under a mention filter."""
    brand_clause = ""
    if brand_ids:
        brand_clause = f" AND a.brand_id IN ({_marks(brand_ids)})"
        params = [*params, *brand_ids]
    label = "COALESCE(m.sentiment_override, m.sentiment_label)"
    sql = (
        "SELECT a.brand_id AS brand_id, a.aspect_id AS aspect_id, COUNT(*) AS total,"
        f" SUM({label} = 'positive') AS positive, SUM({label} = 'negative') AS negative"
        " FROM mentions m JOIN mention_aspects a ON a.mention_id = m.id"
        f" WHERE a.brand_id != '' AND {where}{brand_clause}"
        # Only brands still on the mention once a person's corrections are applied.
        " AND a.brand_id IN (SELECT brand_id FROM mention_brands WHERE mention_id = m.id)"
        " GROUP BY a.brand_id, a.aspect_id ORDER BY a.brand_id, total DESC, a.aspect_id"
    )
    return sql, params


def aspect_rows(rows: Sequence[sqlite3.Row]) -> list[AspectRow]:
    """AspectRow records from the rows of `aspect_counts_query`."""
    return [
        AspectRow(
            brand_id=r["brand_id"],
            aspect_id=r["aspect_id"],
            total=r["total"],
            positive=r["positive"] or 0,
            negative=r["negative"] or 0,
        )
        for r in rows
    ]
