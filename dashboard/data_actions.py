"""The data layer of the Mentions, Alertes (actions) and Sources pages.

Reads are cached like the rest of the data layer; every write (an alert transition, a
sentiment or brand correction) goes through `pipeline.alerts.lifecycle` or the store and
then clears the cached reads, so the next run shows it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.data import _config, _env_key, _EnvKey, _store, safe_url
from pipeline.alerts import lifecycle
from pipeline.crawl_health import is_broken, parse_reasons
from records import Alert, Mention
from storage import MentionFilter

logger = logging.getLogger(__name__)

PAGE_SIZE = 25
ACTIONS = ("acknowledge", "assign", "resolve", "dismiss", "note")
MENTION_COLUMNS = ["id", "published_at", "source", "author", "thread_title", "body"]


def _refresh() -> None:
    st.cache_data.clear()


# --- mentions -----------------------------------------------------------------------


def search(flt: MentionFilter, page: int = 0, tz: str = "UTC") -> pd.DataFrame:
    """One page of mentions matching `flt`, newest first; raises SearchError on a bad query."""
    return _search(_env_key(), _freeze(flt), page, tz)


def _freeze(flt: MentionFilter) -> tuple[Any, ...]:
    """A hashable copy of a filter, for the cache key."""
    return tuple(
        tuple(v) if isinstance(v, list | tuple) else v
        for v in (
            flt.brand_ids,
            flt.sentiments,
            flt.source_ids,
            flt.langs,
            flt.since,
            flt.until,
            flt.text,
            flt.include_official,
            flt.include_duplicates,
            flt.aspects,
        )
    )


def _thaw(frozen: tuple[Any, ...]) -> MentionFilter:
    brands, sentiments, sources, langs, since, until, text, official, dups, aspects = frozen
    return MentionFilter(
        brand_ids=brands,
        sentiments=sentiments,
        source_ids=sources,
        langs=langs,
        since=since,
        until=until,
        text=text,
        include_official=official,
        include_duplicates=dups,
        aspects=aspects,
    )


@st.cache_data(ttl=60, show_spinner=False)
def _search(env_key: _EnvKey, frozen: tuple[Any, ...], page: int, tz: str) -> pd.DataFrame:
    mentions = _store(env_key).search_mentions(
        _thaw(frozen), limit=PAGE_SIZE + 1, offset=page * PAGE_SIZE
    )
    sources = {s.id: s.name for s in _config(env_key).sources}
    frame = pd.DataFrame(
        [_record(m, sources, tz) for m in mentions],
        columns=[*MENTION_COLUMNS, "url", "sentiment", "brands", "aspects", "lang"],
    )
    return frame


def _record(m: Mention, sources: dict[str, str], tz: str) -> dict[str, Any]:
    return {
        "id": m.id,
        "published_at": pd.Timestamp(m.post.published_at or m.post.fetched_at).tz_convert(tz),
        "source": sources.get(m.post.source_id, m.post.source_id),
        "author": m.post.author,
        "thread_title": m.post.thread_title,
        "body": m.post.body_text,
        "url": safe_url(m.post.url) or "",
        "sentiment": m.effective_label or "",
        "brands": ", ".join(m.brand_ids),
        "aspects": ", ".join(m.aspects),
        "lang": m.lang,
    }


def mention(mention_id: str) -> Mention | None:
    """One mention with everything stored about it (not cached: it is about to change)."""
    found = _store(_env_key()).get_mentions([mention_id])
    return found[0] if found else None


def correct_sentiment(mention_id: str, label: str | None) -> None:
    """A person's sentiment correction (None goes back to the model's label)."""
    _store(_env_key()).set_sentiment_override(mention_id, label)
    logger.info("dashboard: sentiment of %s corrected to %s", mention_id, label)
    _refresh()


def correct_brands(mention_id: str, detected: Sequence[str], wanted: Sequence[str]) -> int:
    """Store brand corrections so that the mention names `wanted`; returns the changes."""
    store = _store(_env_key())
    changes = 0
    for brand in set(detected) | set(wanted):
        if (brand in wanted) != (brand in detected):
            store.set_brand_override(mention_id, brand, brand in wanted)
            changes += 1
    if changes:
        logger.info("dashboard: brands of %s corrected to %s", mention_id, list(wanted))
        _refresh()
    return changes


# --- alerts -------------------------------------------------------------------------


def alert(alert_id: str) -> Alert | None:
    """One alert with its history (not cached)."""
    return _store(_env_key()).get_alert(alert_id)


def act_on_alert(
    alert_id: str, action: str, actor: str, note: str = "", assignee: str = ""
) -> Alert:
    """Apply a triage action; raises lifecycle.TransitionError, ValueError or KeyError."""
    store = _store(_env_key())
    now = datetime.now(UTC)
    text = note.strip() or None
    if action == "acknowledge":
        result = lifecycle.acknowledge(store, alert_id, actor, text, now=now)
    elif action == "assign":
        result = lifecycle.assign(store, alert_id, assignee, actor, now=now)
    elif action == "resolve":
        result = lifecycle.resolve(store, alert_id, actor, text, now=now)
    elif action == "dismiss":
        result = lifecycle.dismiss(store, alert_id, actor, text, now=now)
    elif action == "note":
        result = lifecycle.add_note(store, alert_id, actor, note, now=now)
    else:
        raise ValueError(f"unknown action {action!r}; known: {ACTIONS}")
    _refresh()
    return result


def sla_summary(brand_ids: Sequence[str]) -> lifecycle.SlaReport:
    """SLA figures over every alert of these brands (handled in time, overdue)."""
    alerts = [a for a in _store(_env_key()).list_alerts() if a.brand_id in brand_ids]
    return lifecycle.sla_report(alerts, datetime.now(UTC))


# --- sources ------------------------------------------------------------------------


def crawl_runs(tz: str = "UTC", limit: int = 500) -> pd.DataFrame:
    """The latest crawl runs of every source, newest first."""
    return _crawl_runs(_env_key(), tz, limit)


@st.cache_data(ttl=60, show_spinner=False)
def _crawl_runs(env_key: _EnvKey, tz: str, limit: int) -> pd.DataFrame:
    names = {s.id: s.name for s in _config(env_key).sources}
    records = [
        {
            "source_id": r.source_id,
            "source": names.get(r.source_id, r.source_id),
            "started_at": pd.Timestamp(r.started_at).tz_convert(tz),
            "finished_at": pd.Timestamp(r.finished_at).tz_convert(tz) if r.finished_at else None,
            "status": r.status,
            "pages": r.pages,
            "posts_new": r.posts_new,
            "posts_updated": r.posts_updated,
            "posts_unchanged": r.posts_unchanged,
            "errors": sum(r.errors.values()),
            "error_detail": ", ".join(f"{k}: {v}" for k, v in sorted(r.errors.items())),
            # Why pages gave nothing, and whether the run read nothing it should have
            # (pipeline.crawl_health), for the Sources page's reasons and broken flag.
            "parse_reasons": parse_reasons(r.errors),
            "broken": is_broken(r),
            "engine": next((k.split("/", 1)[1] for k in r.details if k.startswith("engine/")), ""),
        }
        for r in _store(env_key).crawl_runs(limit=limit)
    ]
    columns = ["source_id", "source", "started_at", "finished_at", "status", "pages"]
    columns += ["posts_new", "posts_updated", "posts_unchanged", "errors", "error_detail"]
    columns += ["parse_reasons", "broken", "engine"]
    return pd.DataFrame(records, columns=columns)
