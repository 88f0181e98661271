"""Sign-in that survives a reload: a server-side session, its token in the page's URL.

Streamlit forgets `st.session_state` when the page is reloaded, and a deep link (from a
notification) opens a new session. After a sign-in a random token goes into the URL
query (`?session=…`) and its SHA-256 into the store with the login, the role and an
expiry (`dashboard.session_hours`); a reload or a new tab on that URL is signed in again
while the session lives. Signing out revokes it in the store and drops it from the URL.

The URL rather than a cookie: Streamlit reads cookies (`st.context.cookies`) but cannot
set one without running JavaScript in the page, which this dashboard never does (it
shows scraped text). The price: whoever is handed a URL with its token is signed in as
its owner until it expires or they sign out; links Veille itself sends never carry one.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta

import streamlit as st

from configuration.loader import VeilleConfig
from dashboard.auth import User
from dashboard.data import _env_key, _store

logger = logging.getLogger(__name__)

QUERY_KEY = "session"
_STATE_KEY = "veille_session_token"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def begin(config: VeilleConfig, user: User) -> str:
    """Open a session for `user` and put its token in the URL; returns the token."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    expires = now + timedelta(hours=config.settings.dashboard.session_hours)
    _store(_env_key()).create_session(_digest(token), user.login, user.role, now, expires)
    st.session_state[_STATE_KEY] = token
    st.query_params[QUERY_KEY] = token
    return token


def keep_in_url() -> None:
    """Put the session's token back in the URL: moving to another page clears the query,
    and a reload there must still find it."""
    token = st.session_state.get(_STATE_KEY)
    if token and st.query_params.get(QUERY_KEY) != token:
        st.query_params[QUERY_KEY] = token


def resume(config: VeilleConfig) -> User | None:
    """The user of the URL's session, if it is live and its login still has that role."""
    token = st.query_params.get(QUERY_KEY)
    if not token:
        return None
    found = _store(_env_key()).find_session(_digest(token), datetime.now(UTC))
    if found is None or config.settings.dashboard.users.get(found[0]) != found[1]:
        logger.info("dashboard: an expired, revoked or unknown session was presented")
        del st.query_params[QUERY_KEY]
        return None
    st.session_state[_STATE_KEY] = token
    return User(*found)


def end() -> None:
    """Revoke the session and take it out of the URL."""
    token = st.session_state.pop(_STATE_KEY, None) or st.query_params.get(QUERY_KEY)
    if token:
        _store(_env_key()).revoke_session(_digest(token), datetime.now(UTC))
    if QUERY_KEY in st.query_params:
        del st.query_params[QUERY_KEY]
