"""Fixtures of the dashboard tests: fresh Streamlit caches and a store seeded with known
mentions and alerts.

The figures the tests check come from `SPECS` below: per brand, in the last 7 days,
C2C only (the official post and the 60-day-old post are left out by default filters).
Test modules get these facts through the `seeded` fixture (a `Seeded` record), since
pytest does not make this directory importable.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from configuration.loader import VeilleConfig
from records import Alert, BrandMatch, Mention, RawPost, Sentiment
from storage.sqlite import SQLiteStore

# Each payload, if a browser ever ran it, sets window.__pwned and the page title.
PWN = "window.__pwned=1;document.title='pwned'"
HOSTILE_BODY = f'<script>{PWN}</script><img src=x onerror="{PWN}">'
HOSTILE_AUTHOR = "**Boss** [clic](http://evil.test) :red[rouge] <b onmouseover=alert(1)>x</b>"
HOSTILE_TITLE = f'<svg onload="{PWN}"></svg>[lien](javascript:alert(1)) <a href=x>a</a>'
NOW = datetime.now(UTC)

# (brands, sentiment, days ago, official): 12 C2C Lumio mentions in the last week
# (6 positive, 2 negative, 3 neutral, 1 mixed), 6 Azur (1 positive, 4 negative,
# 1 neutral), 4 Telvia (1 positive, 1 negative, 2 neutral); one of them names both
# Lumio and Azur and counts for each.
SPECS: list[tuple[tuple[str, ...], str, float, bool]] = [
    *[(("lumio",), "positive", d, False) for d in (0, 1, 2, 3, 4)],
    (("lumio", "azur"), "positive", 2, False),
    *[(("lumio",), "negative", d, False) for d in (1, 4)],
    *[(("lumio",), "neutral", d, False) for d in (0, 3, 4)],
    (("lumio",), "mixed", 2, False),
    (("lumio",), "positive", 1, True),  # the brand's own account: not C2C
    (("lumio",), "negative", 60, False),  # outside the last 7 and 30 days
    *[(("azur",), "negative", d, False) for d in (0, 1, 3)],
    (("azur",), "neutral", 4, False),
    *[(("telvia",), label, 2, False) for label in ("positive", "negative", "neutral", "neutral")],
]
HOSTILE_INDEX = len(SPECS)  # the hostile Azur post, appended after the specs
EXPECTED_WEEK = {"lumio": 12, "azur": 6, "telvia": 4}


def make_mention(
    n: int,
    brands: tuple[str, ...],
    label: str,
    days_ago: float,
    official: bool = False,
    body: str | None = None,
    author: str | None = None,
    url: str | None = None,
    title: str | None = None,
) -> Mention:
    """A mention of `brands` published `days_ago` days (and one hour) before NOW."""
    post = RawPost(
        source_id="demo-forum",
        kind="forum",
        external_id=f"p{n}",
        url=url or f"https://forum.test/t/{n}#p{n}",
        body_text=body or f"Message {n} sur {' et '.join(brands)}",
        published_at=NOW - timedelta(days=days_ago, hours=1),
        thread_title=title or f"Sujet {n}",
        author=author or ("Lumio_Officiel" if official else f"client{n}"),
    )
    return Mention(
        post=post,
        lang="fr",
        brands=[BrandMatch(b, b, 0, len(b)) for b in brands],
        sentiment=Sentiment(label, 0.9, "veille-lexicon"),
        is_official=official,
    )


def seed(store: SQLiteStore) -> list[Mention]:
    """Store the SPECS mentions, the hostile one and three alerts; return the mentions."""
    mentions = [make_mention(n, *spec) for n, spec in enumerate(SPECS)]
    hostile = make_mention(
        HOSTILE_INDEX,
        ("azur",),
        "negative",
        0,
        body=HOSTILE_BODY,
        author=HOSTILE_AUTHOR,
        url="javascript:alert(1)",
        title=HOSTILE_TITLE,
    )
    mentions.append(hostile)
    store.upsert_mentions(mentions)
    azur_ids = [hostile.id, mentions[14].id]
    store.save_alert(alert("a-azur", "azur", "high", azur_ids, created=-5, due=-1))
    lumio_ids, telvia_ids = [mentions[6].id], [mentions[19].id]
    store.save_alert(alert("a-lumio", "lumio", "medium", lumio_ids, -1, 3, "acknowledged"))
    store.save_alert(alert("a-telvia", "telvia", "low", telvia_ids, -20, -16, "resolved"))
    return mentions


def alert(
    alert_id: str,
    brand: str,
    severity: str,
    mention_ids: list[str],
    created: float,
    due: float,
    status: str = "new",
) -> Alert:
    """An alert created and due `created` / `due` hours from NOW."""
    created_at = NOW + timedelta(hours=created)
    return Alert(
        id=alert_id,
        rule_id="crisis-vocabulary",
        brand_id=brand,
        severity=severity,
        created_at=created_at,
        updated_at=created_at,
        window_start=created_at - timedelta(hours=24),
        window_end=created_at,
        why=f"{len(mention_ids)} mention(s) négative(s) de {brand} : « arnaque » ×2 [{alert_id}]",
        mention_ids=mention_ids,
        due_at=NOW + timedelta(hours=due),
        status=status,
    )


@dataclass
class Seeded:
    """What `seed` stored, and what the dashboard must show for it."""

    mentions: list[Mention]
    now: datetime = NOW
    expected_week: dict[str, int] = field(default_factory=lambda: dict(EXPECTED_WEEK))
    hostile_body: str = HOSTILE_BODY
    hostile_author: str = HOSTILE_AUTHOR
    hostile_title: str = HOSTILE_TITLE


PASSWORDS = {"cm": "cm-pass-1", "marketing": "mk-pass-2", "admin": "ad-pass-3"}


@pytest.fixture(autouse=True)
def _passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every default login gets a password, from the environment as in production."""
    for login, password in PASSWORDS.items():
        monkeypatch.setenv(f"VEILLE_DASHBOARD_PASSWORD_{login.upper()}", password)


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """Each test starts with empty Streamlit caches (they are process-wide)."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def seeded(config: VeilleConfig) -> Iterator[Seeded]:
    """The private store filled by `seed`."""
    db = SQLiteStore(config.sqlite_path)
    try:
        yield Seeded(seed(db))
    finally:
        db.close()


APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


class Dash:
    """Driving the dashboard through AppTest: sign in, open pages (see test_dashboard_pages)."""

    passwords = PASSWORDS

    @staticmethod
    def open_page(at: AppTest, url_path: str) -> AppTest:
        """Open a registered page by its URL path ("" for the default page) and rerun."""
        pages = at._registered_pages
        at._page_hash = next(h for h, info in pages.items() if info["url_pathname"] == url_path)
        at.run()
        assert not at.exception, at.exception
        return at

    @staticmethod
    def sign_in(at: AppTest, login: str, password: str) -> AppTest:
        """Fill and submit the sign-in form."""
        at.text_input(key="veille_login_name").set_value(login)
        at.text_input(key="veille_pw").set_value(password)
        at.button[0].click().run()
        assert not at.exception, at.exception
        return at

    @classmethod
    def start(cls, login: str = "cm", page: str = "") -> AppTest:
        """A signed-in session on `page` (the barometer by default)."""
        at = AppTest.from_file(APP, default_timeout=30).run()
        assert not at.exception, at.exception
        return cls.open_page(cls.sign_in(at, login, PASSWORDS[login]), page)


@pytest.fixture
def dash() -> type[Dash]:
    """The AppTest helpers."""
    return Dash
