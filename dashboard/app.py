"""The dashboard's router: shared filters in the sidebar, then `st.navigation` over pages.

Run with `streamlit run dashboard/app.py`; the config directory is `$VEILLE_CONFIG_DIR`
(default `config`) and `VEILLE_*` variables override its settings, as everywhere.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

# `streamlit run dashboard/app.py` puts only dashboard/ on sys.path; when Veille is not
# pip-installed (a plain checkout), the repository root is needed for absolute imports.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402
from streamlit.navigation.page import StreamlitPage  # noqa: E402

from configuration.base import ConfigError  # noqa: E402
from dashboard import auth, data, filters, sessions  # noqa: E402
from dashboard.i18n import DEFAULT_LANGUAGE, t  # noqa: E402
from dashboard.pages import alerts, barometer, clients, mentions, sources  # noqa: E402

logger = logging.getLogger(__name__)


def main() -> None:
    """Draw the shared filters, register the pages and run the selected one."""
    st.set_page_config(page_title=t("app.title"), page_icon="📊", layout="wide")
    try:
        config = data.get_config()
    except ConfigError as exc:
        st.error(t("error.config", DEFAULT_LANGUAGE))
        st.code(str(exc), language=None)  # a plain block: the message quotes file content
        st.stop()
    user = auth.current_user() or sessions.resume(config)
    users = config.settings.dashboard.users
    if user is None or users.get(user.login) != user.role:
        # Nothing but the sign-in form before a login (no data, no page list). It answers
        # at every page's URL, so that a reload or a deep link (/alertes?alert=…) shows
        # it, then the page asked for, instead of Streamlit's "Page not found".
        lang = config.settings.dashboard.language
        st.navigation(_pages(lang, None), position="hidden").run()
        return
    auth.remember(user)
    sessions.keep_in_url()
    selected = filters.draw_sidebar(config)
    auth.logout_button(user, selected.lang, on_sign_out=sessions.end)
    st.navigation(_pages(selected.lang, user)).run()


def _pages(lang: str, user: auth.User | None) -> list[StreamlitPage]:
    """The pages a user may open; signed out, the same URLs each show the sign-in form.

    URL paths differ from the modules' names under dashboard/pages/: Streamlit also
    registers that folder's files as pages, and a path equal to a file's name would
    share its page hash.
    """
    entries: list[tuple[Callable[[], None], str, str, str]] = [
        (barometer.render, "nav.barometer", ":material/monitoring:", "barometre"),
        (alerts.render, "nav.alerts", ":material/notifications_active:", "alertes"),
        (mentions.render, "nav.mentions", ":material/forum:", "recherche"),
        (clients.render, "nav.clients", ":material/groups:", "crm"),
    ]
    if user is None or user.can("sources"):
        entries.append((sources.render, "nav.sources", ":material/dns:", "collecte"))
    pages = []
    for index, (render, title, icon, path) in enumerate(entries):
        pages.append(
            st.Page(
                render if user is not None else _sign_in,
                title=t(title, lang) if user is not None else t("auth.title", lang),
                icon=icon,
                url_path=path,
                default=index == 0,
            )
        )
    return pages


def _sign_in() -> None:
    config = data.get_config()
    auth.login_form(
        config.settings.dashboard.users,
        config.settings.dashboard.language,
        on_sign_in=lambda user: sessions.begin(config, user),
    )


if __name__ == "__main__":  # Streamlit runs the script as __main__
    main()
