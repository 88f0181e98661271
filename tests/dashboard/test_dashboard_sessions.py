"""Deep links and sessions: a link to an alert or a mention opens it after sign-in; a
reload (a new Streamlit session on the same URL) stays signed in; sign-out revokes;
sessions expire."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from streamlit.testing.v1 import AppTest

from configuration.loader import VeilleConfig
from storage.sqlite import SQLiteStore

if TYPE_CHECKING:  # the conftest module is only importable while pytest runs
    from conftest import Dash, Seeded

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def _fresh(page: str, dash: type[Dash], **query: str) -> AppTest:
    """A new browser session (a reload or a link) on `page` with `query` in its URL."""
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return dash.open_page(at, page)


def _param(at: AppTest, key: str) -> str:
    """A query parameter of the page's URL (AppTest keeps lists for those the app set)."""
    value = at.query_params[key]
    return value if isinstance(value, str) else value[0]


def _signed_out(at: AppTest) -> bool:
    return any(t.key == "veille_login_name" for t in at.text_input)


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [s.value for s in at.subheader]
    return "\n".join(str(p) for p in [*parts, *(e.value for e in at.warning)])


def test_a_link_to_an_alert_opens_it_after_sign_in_then_survives_a_reload(
    seeded: Seeded, dash: type[Dash]
) -> None:
    at = _fresh("alertes", dash, alert="a-telvia")  # resolved: outside the default filter
    assert _signed_out(at) and not at.exception
    at = dash.sign_in(at, "cm", dash.passwords["cm"])
    assert not _signed_out(at)
    assert "Alerte ouverte par un lien" in _texts(at)
    token = _param(at, "session")
    assert _param(at, "alert") == "a-telvia"
    at.query_params.pop("session")  # what moving to another page does to the URL
    at = dash.open_page(at, "recherche")
    assert _param(at, "session") == token  # put back: a reload there stays signed in

    again = _fresh("alertes", dash, alert="a-telvia", session=token)
    assert not _signed_out(again)
    assert "Alerte ouverte par un lien" in _texts(again)


def test_a_link_to_a_mention_and_sign_out_revokes(seeded: Seeded, dash: type[Dash]) -> None:
    mention_id = seeded.mentions[0].id
    at = dash.sign_in(_fresh("recherche", dash, mention=mention_id), "cm", dash.passwords["cm"])
    assert "Mention ouverte par un lien" in _texts(at)
    token = _param(at, "session")
    at = dash.open_page(at, "recherche")
    at.button(key="veille_logout").click().run()
    assert _signed_out(at) and "session" not in at.query_params
    assert _signed_out(_fresh("recherche", dash, session=token))  # revoked in the store


def test_an_expired_or_unknown_session_asks_to_sign_in(
    seeded: Seeded, dash: type[Dash], config: VeilleConfig
) -> None:
    store = SQLiteStore(config.sqlite_path)
    try:
        past = datetime.now(UTC) - timedelta(hours=13)
        digest = hashlib.sha256(b"old-token").hexdigest()
        store.create_session(digest, "cm", "community_manager", past, past + timedelta(hours=12))
        assert store.find_session(digest, past + timedelta(hours=1)) is not None
    finally:
        store.close()
    at = _fresh("alertes", dash, session="old-token")
    assert _signed_out(at) and "session" not in at.query_params
    assert _signed_out(_fresh("alertes", dash, session="never-issued"))
