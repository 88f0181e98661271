"""The dashboard's router: shared filters in the sidebar, then `st.navigation` over pages.

Run with `streamlit run dashboard/app.py`; the config directory is `$VEILLE_CONFIG_DIR`
(default `config`) and `VEILLE_*` variables override its settings, as everywhere.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts only dashboard/ on sys.path; when Veille is not
# pip-installed (a plain checkout), the repository root is needed for absolute imports.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from configuration.base import ConfigError  # noqa: E402
from dashboard import auth, data, filters  # noqa: E402
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
    # URL paths differ from the modules' names under dashboard/pages/: Streamlit also
    # registers that folder's files as pages, and a path equal to a file's name would
    # share its page hash.
    user = auth.current_user()
    users = config.settings.dashboard.users
    if user is None or users.get(user.login) != user.role:
        # Nothing but the sign-in form before a login (no data, no page list).
        st.navigation([st.Page(_sign_in, title=t("auth.title"), url_path="login")]).run()
        return
    selected = filters.draw_sidebar(config)
    auth.logout_button(user, selected.lang)
    lang = selected.lang
    pages = [
        st.Page(
            barometer.render,
            title=t("nav.barometer", lang),
            icon=":material/monitoring:",
            url_path="barometre",
            default=True,
        ),
        st.Page(
            alerts.render,
            title=t("nav.alerts", lang),
            icon=":material/notifications_active:",
            url_path="alertes",
        ),
        st.Page(
            mentions.render,
            title=t("nav.mentions", lang),
            icon=":material/forum:",
            url_path="recherche",
        ),
        st.Page(
            clients.render, title=t("nav.clients", lang), icon=":material/groups:", url_path="crm"
        ),
    ]
    if user.can("sources"):
        pages.append(
            st.Page(
                sources.render,
                title=t("nav.sources", lang),
                icon=":material/dns:",
                url_path="collecte",
            )
        )
    st.navigation(pages).run()


def _sign_in() -> None:
    config = data.get_config()
    auth.login_form(config.settings.dashboard.users, config.settings.dashboard.language)


if __name__ == "__main__":  # Streamlit runs the script as __main__
    main()
