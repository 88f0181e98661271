"""Page "Clients" (CRM): matched customers, their social signals and consents.

The CRM stage (identity matching, consents, signals written back) does not exist yet, nor
does the store protocol hold customers: until they do, the page says the CRM link is not
configured instead of showing empty tables.
"""

from __future__ import annotations

import logging

import streamlit as st

from dashboard import filters
from dashboard.i18n import t

logger = logging.getLogger(__name__)


def render() -> None:
    """Say that the CRM link is not configured, and what it will show once it is."""
    lang = filters.current().lang
    st.title(t("clients.title", lang))
    st.info(t("clients.not_configured", lang))
    st.caption(t("clients.what", lang))
