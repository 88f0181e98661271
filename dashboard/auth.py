"""Login and roles: who may open the dashboard and what each role may do.

Logins and roles are in config (`dashboard.users`); passwords never are. Each login's
password comes from the environment only, as `VEILLE_DASHBOARD_PASSWORD_HASH_<LOGIN>`
(a `hash_password` string, preferred) or `VEILLE_DASHBOARD_PASSWORD_<LOGIN>` (plain,
for the demo and tests). A login without either cannot sign in. Comparisons go through
`hmac.compare_digest`, so their time does not depend on how much of a password matched.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import streamlit as st

from dashboard.i18n import t

logger = logging.getLogger(__name__)

ROLES = ("community_manager", "marketing_director", "admin")
PERMISSIONS: dict[str, frozenset[str]] = {
    "marketing_director": frozenset({"read"}),
    "community_manager": frozenset({"read", "triage", "correct"}),
    "admin": frozenset({"read", "triage", "correct", "sources"}),
}
_ITERATIONS = 200_000
_STATE_KEY = "veille_user"


@dataclass(frozen=True)
class User:
    """A signed-in person: login and role."""

    login: str
    role: str

    def can(self, permission: str) -> bool:
        """Whether the role allows `permission` (read, triage, correct, sources)."""
        return permission in PERMISSIONS.get(self.role, frozenset())


def env_name(login: str, hashed: bool = False) -> str:
    """The environment variable holding a login's password (or its hash)."""
    suffix = "HASH_" if hashed else ""
    return f"VEILLE_DASHBOARD_PASSWORD_{suffix}{login.upper()}"


def hash_password(password: str, salt: str | None = None, iterations: int = _ITERATIONS) -> str:
    """`pbkdf2_sha256$iterations$salt$hex`, for VEILLE_DASHBOARD_PASSWORD_HASH_<LOGIN>."""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${digest.hex()}"


def _matches_hash(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, _ = stored.split("$")
        rounds = int(iterations)
    except ValueError:
        logger.warning("dashboard: a password hash is not pbkdf2_sha256$n$salt$hex; ignored")
        return False
    if scheme != "pbkdf2_sha256":
        return False
    return hmac.compare_digest(hash_password(password, salt, rounds), stored)


def check_password(
    users: Mapping[str, str], login: str, password: str, environ: Mapping[str, str] | None = None
) -> User | None:
    """The user when `login` is configured and `password` is its password, else None."""
    env = os.environ if environ is None else environ
    role = users.get(login)
    if role is None or not password:
        return None
    stored_hash = env.get(env_name(login, hashed=True))
    if stored_hash:
        return User(login, role) if _matches_hash(password, stored_hash) else None
    plain = env.get(env_name(login))
    if not plain:
        return None
    # Digests first: compare_digest on equal-length values, whatever the lengths typed.
    ok = hmac.compare_digest(
        hashlib.sha256(password.encode()).digest(), hashlib.sha256(plain.encode()).digest()
    )
    return User(login, role) if ok else None


def configured_logins(
    users: Mapping[str, str], environ: Mapping[str, str] | None = None
) -> list[str]:
    """Logins that have a password in the environment (the others cannot sign in)."""
    env = os.environ if environ is None else environ
    return [u for u in users if env.get(env_name(u, hashed=True)) or env.get(env_name(u))]


def current_user() -> User | None:
    """The signed-in user of this browser session, if any."""
    user = st.session_state.get(_STATE_KEY)
    return user if isinstance(user, User) else None


def remember(user: User) -> None:
    """Sign `user` in for this browser session (a session resumed from the URL)."""
    st.session_state[_STATE_KEY] = user


def login_form(
    users: Mapping[str, str], lang: str, on_sign_in: Callable[[User], object] | None = None
) -> None:
    """The sign-in form; on success the user is remembered (`on_sign_in` is told) and the
    app reruns, on the page and with the query the URL asked for."""
    st.title(t("auth.title", lang))
    if not configured_logins(users):
        st.warning(t("auth.no_password", lang))
        st.code("VEILLE_DASHBOARD_PASSWORD_<LOGIN>=…", language=None)
        return
    with st.form("veille_login"):
        login = st.text_input(t("auth.login", lang), key="veille_login_name")
        password = st.text_input(t("auth.password", lang), type="password", key="veille_pw")
        submitted = st.form_submit_button(t("auth.submit", lang))
    if submitted:
        user = check_password(users, login.strip().lower(), password)
        if user is None:
            logger.warning("dashboard: failed sign-in for %r", login[:32])
            st.error(t("auth.failed", lang))
            return
        logger.info("dashboard: %s signed in (%s)", user.login, user.role)
        remember(user)
        if on_sign_in is not None:
            on_sign_in(user)
        st.rerun()


def logout_button(user: User, lang: str, on_sign_out: Callable[[], None] | None = None) -> None:
    """Who is signed in, and a button to sign out, in the sidebar."""
    st.sidebar.caption(
        t("auth.signed_in", lang, login=user.login, role=t(f"role.{user.role}", lang))
    )
    if st.sidebar.button(t("auth.logout", lang), key="veille_logout"):
        st.session_state.pop(_STATE_KEY, None)
        if on_sign_out is not None:
            on_sign_out()
        st.rerun()
