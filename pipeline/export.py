"""Stored mentions written out as JSON lines or CSV (`veille export mentions`).

One flat record per mention with the fields a downstream tool needs (id, source, author,
body_text, quoted, published_at in ISO 8601 UTC, url, thread_title, thread_url, brand
ids, sentiment label with a person's correction applied). CSV cells that a spreadsheet
would run as a formula are neutralised by `defuse_cell`, the one function the
dashboard's CSV export uses too.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from records import Mention, parse_utc
from storage import Store

logger = logging.getLogger(__name__)

FORMATS = ("jsonl", "csv")
FIELDS = (
    "id", "source", "author", "body_text", "quoted", "published_at", "url", "thread_title",
    "thread_url", "brands", "sentiment",
)  # fmt: skip
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BATCH = 1000


def defuse_cell(value: Any) -> Any:
    """`value`, prefixed with ' when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return f"'{value}"
    return value


def iso_utc(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z ("2026-03-14T10:00:00Z"), None for no date."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_since(text: str) -> datetime:
    """A --since value as a UTC instant: a date is its midnight UTC, a naive time is UTC."""
    moment = parse_utc(text, assume_utc=True)
    assert moment is not None
    return moment


def mention_record(mention: Mention) -> dict[str, Any]:
    """The exported fields of one mention, JSON-ready."""
    post = mention.post
    return {
        "id": mention.id,
        "source": post.source_id,
        "author": post.author,
        "body_text": post.body_text,
        "quoted": list(post.quoted),
        "published_at": iso_utc(post.published_at),
        "url": post.url,
        "thread_title": post.thread_title,
        "thread_url": post.thread_url,
        "brands": mention.brand_ids,
        "sentiment": mention.effective_label,
    }


@dataclass(frozen=True)
class ExportFilter:
    """Which mentions to export: one source, published at or after a moment (both optional)."""

    source_id: str | None = None
    since: datetime | None = None

    def keeps(self, mention: Mention) -> bool:
        """True when the mention passes the filter."""
        post = mention.post
        if self.source_id is not None and post.source_id != self.source_id:
            return False
        if self.since is not None:
            return post.published_at is not None and post.published_at >= self.since
        return True


def stored_mentions(store: Store, flt: ExportFilter) -> Iterator[Mention]:
    """Every stored mention the filter keeps, in storage order, read in batches."""
    seq = 0
    while batch := store.mentions_after(seq, _BATCH):
        seq = batch[-1][0]
        yield from (mention for _, mention in batch if flt.keeps(mention))


def write_jsonl(mentions: Iterable[Mention], out: TextIO) -> int:
    """One JSON object per line; returns the number written."""
    count = 0
    for mention in mentions:
        out.write(json.dumps(mention_record(mention), ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(mentions: Iterable[Mention], out: TextIO) -> int:
    """A header and one row per mention; returns the number written.

    `quoted` is a JSON array (a quote may hold anything), `brands` the ids joined with
    ";". Open `out` with newline="" (the csv module writes its own line ends).
    """
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for mention in mentions:
        record = mention_record(mention)
        record["quoted"] = json.dumps(record["quoted"], ensure_ascii=False)
        record["brands"] = ";".join(record["brands"])
        writer.writerow({k: defuse_cell(v) for k, v in record.items()})
        count += 1
    return count


def export_mentions(store: Store, flt: ExportFilter, fmt: str, out: TextIO) -> int:
    """Write the mentions the filter keeps to `out` in `fmt` (jsonl or csv)."""
    if fmt not in FORMATS:
        raise ValueError(f"export format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    writer = write_jsonl if fmt == "jsonl" else write_csv
    return writer(stored_mentions(store, flt), out)
