"""The data layer of the Clients page: the CRM database through `pipeline.crm`, cached.

Reads are cached for a minute like the rest of the data layer; a review decision goes
through `pipeline.crm.reviews.decide` (audited) and then clears the cached reads.
"""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from configuration.crm import CrmConfig, load_crm_config
from dashboard.data import _config, _env_key, _EnvKey, safe_url
from pipeline.crm import views
from pipeline.crm.context import CrmContext, open_context
from pipeline.crm.reviews import decide

logger = logging.getLogger(__name__)


def crm_config() -> CrmConfig:
    """`crm.yaml` of the dashboard's config directory."""
    key = _env_key()
    return load_crm_config(_config(key).directory, dict(key))


@st.cache_resource(show_spinner=False)
def _context(env_key: _EnvKey) -> CrmContext:
    logger.info("dashboard: opening the CRM database")
    return open_context(_config(env_key), dict(env_key))


def _frame(rows: list[dict], tz: str, columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]) or column.endswith("_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_convert(tz)
    return frame


CUSTOMER_COLUMNS = [
    "ckey",
    "customer_id",
    "brand_id",
    "veille_status",
    "veille_mention_count",
    "veille_last_mention_at",
    "veille_sentiment_90d",
    "veille_aspects",
    "veille_competitors",
    "veille_last_negative_at",
    "veille_status_rule",
    "veille_last_mention_url",
]


@st.cache_data(ttl=60, show_spinner=False)
def _customers(env_key: _EnvKey, tz: str) -> pd.DataFrame:
    rows = views.linked_customers(_context(env_key))
    frame = _frame(rows, tz, CUSTOMER_COLUMNS)
    frame["veille_last_mention_url"] = frame["veille_last_mention_url"].map(safe_url)
    return frame


def customers(tz: str = "UTC") -> pd.DataFrame:
    """Linked customers and their signals."""
    return _customers(_env_key(), tz)


@st.cache_data(ttl=60, show_spinner=False)
def _table(env_key: _EnvKey, name: str, tz: str) -> pd.DataFrame:
    ctx = _context(env_key)
    if name == "reviews":
        cols = ["review_id", "ckey", "author", "score", "why", "evidence_url", "created_at"]
        frame = _frame(views.reviews(ctx), tz, cols)
        frame["evidence_url"] = frame["evidence_url"].map(safe_url)
        return frame
    if name == "consents":
        cols = ["ckey", "customer_id", "brand_id", "granted", "given_at", "source", "links"]
        return _frame(views.consents(ctx), tz, cols)
    if name == "events":
        cols = ["seq", "created_at", "type", "status", "customer_id", "why", "event_id"]
        return _frame(views.events(ctx), tz, cols)
    cols = ["seq", "at", "actor", "action", "ckey", "detail"]
    return _frame(views.audit_log(ctx), tz, cols)


def table(name: str, tz: str = "UTC") -> pd.DataFrame:
    """One of: reviews (pending), consents, events, audit."""
    return _table(_env_key(), name, tz)


def customer_mentions(ckey: str, tz: str = "UTC") -> pd.DataFrame:
    """A customer's linked mentions and how each was linked."""
    cols = [
        "published_at",
        "label",
        "method",
        "confidence",
        "confirmed_by",
        "confirmed_at",
        "url",
        "mention_id",
    ]
    frame = _frame(views.customer_mentions(_context(_env_key()), ckey), tz, cols)
    frame["url"] = frame["url"].map(safe_url)
    return frame


def decide_review(review_id: str, confirm: bool, actor: str) -> str:
    """Confirm or reject a candidate (audited); returns the new status."""
    review = decide(_context(_env_key()), review_id, confirm, actor)
    st.cache_data.clear()
    return str(review["status"])
