"""A CRM sink kind: the feed's new events appended as JSON lines to a file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from configuration.crm import CrmSinkKind

if TYPE_CHECKING:
    from pipeline.crm.context import CrmContext


class JsonLinesSinkConfig(BaseModel):
    """Its own settings: an id (its cursor's name) and the file."""

    id: str
    path: Path


def deliver(ctx: CrmContext, options: JsonLinesSinkConfig) -> int:
    """Append the events after this sink's cursor, then move the cursor; returns the count."""
    from pipeline.crm.webhooks import event_body

    state = f"jsonl_feed:{options.id}"
    with ctx.db.engine.connect() as conn:
        cursor = int(ctx.db.get_state(conn, state, "0"))
    events = ctx.db.feed_after(cursor)
    with options.path.open("a", encoding="utf-8") as handle:
        for event in events:
            handle.write(event_body(event) + "\n")
    if events:
        # The cursor moves after the lines are written: a crash repeats, never loses.
        with ctx.db.engine.begin() as conn:
            ctx.db.set_state(conn, state, str(events[-1]["seq"]))
    return len(events)


JSONL_FEED = CrmSinkKind("jsonl_feed", JsonLinesSinkConfig, "veille_example.crm_sink:deliver")
