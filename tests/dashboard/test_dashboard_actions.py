"""Sign-in, roles, and every action of the dashboard, through AppTest on a real store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Markdown

from configuration.loader import VeilleConfig
from dashboard import auth, report
from records import CrawlRun
from storage.sqlite import SQLiteStore

if TYPE_CHECKING:  # the conftest module is only importable while pytest runs
    from conftest import Dash, Seeded

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def walk(node: Any) -> list[Any]:
    """Every element and block under `node`."""
    out = [node]
    for child in getattr(node, "children", {}).values():
        out.extend(walk(child))
    return out


def assert_no_markup(at: AppTest, seeded: Seeded) -> None:
    """No element renders HTML, and no markdown carries a payload or its parts."""
    assert not at.get("html")
    for element in [*walk(at.main), *walk(at.sidebar)]:
        proto = getattr(element, "proto", None)
        assert not getattr(proto, "allow_html", False), element
        if isinstance(element, Markdown):
            for bad in ("<script", "onerror", "onload", "evil.test", "Boss", "javascript"):
                assert bad not in element.value, element.value


# --- sign-in and roles ----------------------------------------------------------------


def test_nothing_without_signing_in(seeded: Seeded, dash: type[Dash]) -> None:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert at.title[0].value == "Connexion à Veille"
    assert not at.metric and not at.dataframe and not at.sidebar.children
    dash.sign_in(at, "cm", "wrong")
    assert at.error[0].value == "Identifiant ou mot de passe incorrect."
    dash.sign_in(at, "nobody", "cm-pass-1")
    assert at.error[0].value == "Identifiant ou mot de passe incorrect."
    assert not at.metric
    dash.sign_in(at, "cm", "cm-pass-1")
    at = dash.open_page(at, "")
    assert at.title[0].value == "Baromètre de marque"
    at.button(key="veille_logout").click().run()
    assert at.title[0].value == "Connexion à Veille"


def test_no_password_no_sign_in(config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for login in ("cm", "marketing", "admin"):
        monkeypatch.delenv(f"VEILLE_DASHBOARD_PASSWORD_{login.upper()}")
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert "Aucun mot de passe" in at.warning[0].value
    assert not at.text_input


def test_password_hashes_and_plain_passwords() -> None:
    users = {"cm": "community_manager"}
    stored = auth.hash_password("s3cret", iterations=1000)
    env = {"VEILLE_DASHBOARD_PASSWORD_HASH_CM": stored}
    assert auth.check_password(users, "cm", "s3cret", env) == auth.User("cm", "community_manager")
    assert auth.check_password(users, "cm", "s3cret!", env) is None
    # A hash wins over a plain password; no password at all means no sign-in.
    env["VEILLE_DASHBOARD_PASSWORD_CM"] = "other"
    assert auth.check_password(users, "cm", "other", env) is None
    assert auth.check_password(users, "cm", "x", {}) is None
    assert auth.check_password(users, "cm", "", {"VEILLE_DASHBOARD_PASSWORD_CM": ""}) is None
    assert auth.configured_logins({"cm": "admin", "x": "admin"}, env) == ["cm"]


def test_roles(seeded: Seeded, dash: type[Dash]) -> None:
    names = {info["url_pathname"] for info in dash.start("admin")._registered_pages.values()}
    assert names == {"", "alertes", "recherche", "crm", "collecte"}
    marketing = dash.start("marketing", "alertes")
    assert "collecte" not in {i["url_pathname"] for i in marketing._registered_pages.values()}
    assert not marketing.get("form_submit_button") and not marketing.text_input
    triage = dash.start("cm", "alertes")
    assert len(triage.get("form_submit_button")) == 5 * 2  # five actions per open alert


# --- barometer --------------------------------------------------------------------------


def test_barometer_formula_official_and_previous_period(seeded: Seeded, dash: type[Dash]) -> None:
    at = dash.start()
    volume = [m for m in at.metric if m.label == "Volume"]
    assert volume[0].delta == "+12"  # nothing in the 7 days before
    at.radio(key="veille_formula").set_value("points").run()
    net = [m.value for m in at.metric if m.label == "Sentiment net"]
    assert net == ["+33\u202f%", "−50\u202f%", "0\u202f%"]  # (6−2)/12, (1−4)/6, 0/4
    assert any(c.value.startswith("Sentiment net = % de positives") for c in at.caption)
    at.toggle(key="veille_official").set_value(True).run()
    assert next(m.value for m in at.metric if m.label == "Volume") == "13"
    assert any("comptes officiels des marques sont inclus" in c.value for c in at.caption)
    at.selectbox(key="veille_period").set_value("90").run()
    assert next(m.value for m in at.metric if m.label == "Volume") == "14"


def test_barometer_breakdowns_and_drill_down(seeded: Seeded, dash: type[Dash]) -> None:
    at = dash.start()
    frames = [d.value for d in at.dataframe]
    channels = next(f for f in frames if "label" in f and "forum" in set(f["label"]))
    assert channels.groupby("brand")["total"].sum().to_dict() == {
        "Lumio": 12,
        "Azur Mobile": 6,
        "Telvia": 4,
    }
    assert "Choisissez « Voir les mentions »" in " ".join(c.value for c in at.caption)
    at.button(key="drill-azur").click().run()
    texts = [t.value for t in at.text]
    assert seeded.hostile_body in texts
    assert f"Sujet : {seeded.hostile_title}" in texts
    at.selectbox(key="veille_drill_sentiment").set_value("neutral").run()
    assert seeded.hostile_body not in [t.value for t in at.text]
    assert_no_markup(at, seeded)


def test_barometer_exports(seeded: Seeded, dash: type[Dash]) -> None:
    at = dash.start()
    assert [b.proto.label for b in at.get("download_button")] == ["Chiffres (CSV)"]
    at.button(key="veille_prepare_pdf").click().run()
    at.button(key="veille_prepare_png").click().run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Chiffres (CSV)", "Télécharger le PDF", "Télécharger le PNG"]
    assert at.session_state["veille_report_pdf"][1].startswith(b"%PDF")
    assert at.session_state["veille_report_png"][1].startswith(b"\x89PNG")
    # Other filters: the reports made for the old ones are no longer offered.
    at.radio(key="veille_formula").set_value("points").run()
    assert [b.proto.label for b in at.get("download_button")] == ["Chiffres (CSV)"]


def test_csv_export_is_spreadsheet_safe() -> None:
    import pandas as pd

    payload = report.figures_csv(
        {"Chiffres": pd.DataFrame({"brand": ['=HYPERLINK("http://x")', "Azur"], "n": [1, 2]})}
    )
    text = payload.decode("utf-8-sig")
    assert text.splitlines() == ["# Chiffres", "brand,n", "\"'=HYPERLINK(\"\"http://x\"\")\",1",
                                 "Azur,2", ""]  # fmt: skip


# --- alerts -----------------------------------------------------------------------------


def _submit(at: AppTest, action: str, alert_id: str) -> AppTest:
    button = next(b for b in at.get("form_submit_button") if b.key == f"do-{action}-{alert_id}")
    button.click().run()  # type: ignore[attr-defined]
    assert not at.exception, at.exception
    return at


def test_triage_actions(seeded: Seeded, dash: type[Dash], config: VeilleConfig) -> None:
    at = dash.start("cm", "alertes")
    at.text_input(key="note-text-a-azur").set_value("On répond sur le forum")
    _submit(at, "acknowledge", "a-azur")
    assert at.success[0].value == "Alerte prise en charge."
    at.text_input(key="assignee-a-azur").set_value("camille")
    _submit(at, "assign", "a-azur")
    assert "Assignée à camille" in [t.value for t in at.text]
    # Acknowledging an alert already acknowledged is refused with a message.
    _submit(at, "acknowledge", "a-lumio")
    assert at.error[0].value == "Seule une alerte nouvelle peut être prise en charge."
    _submit(at, "note", "a-lumio")
    assert at.error[0].value == "La note est vide."
    at.text_input(key="note-text-a-lumio").set_value("Faux positif")
    _submit(at, "dismiss", "a-lumio")
    _submit(at, "resolve", "a-azur")
    assert at.info[0].value == "Aucune alerte pour ces marques et ces statuts."
    store = SQLiteStore(config.sqlite_path)
    try:
        azur, lumio = store.get_alert("a-azur"), store.get_alert("a-lumio")
    finally:
        store.close()
    assert azur is not None and lumio is not None
    assert (azur.status, azur.assignee, lumio.status) == ("resolved", "camille", "dismissed")
    assert [(e.kind, e.by, e.text) for e in azur.history] == [
        ("acknowledged", "cm", "On répond sur le forum"),
        ("assigned", "cm", "camille"),
        ("resolved", "cm", ""),
    ]
    at.multiselect(key="veille_alert_statuses").set_value(["dismissed"]).run()
    assert any("écartée · cm : Faux positif" in t.value for t in at.text)


def test_alert_filters_and_sla(seeded: Seeded, dash: type[Dash]) -> None:
    at = dash.start("marketing", "alertes")
    assert any(c.value.startswith("SLA : ") for c in at.caption)
    at.multiselect(key="veille_alert_severities").set_value(["medium"]).run()
    whys = [t.value for t in at.text if t.value.endswith("]")]
    assert whys == ["1 mention(s) négative(s) de lumio : « arnaque » ×2 [a-lumio]"]


# --- mentions ---------------------------------------------------------------------------


def test_mention_search_filters_and_bad_queries(seeded: Seeded, dash: type[Dash]) -> None:
    at = dash.start("marketing", "recherche")
    # C2C in the last 7 days: 12 + 6 + 4, less the post naming Lumio and Azur.
    assert len(at.dataframe[0].value) == 21
    at.text_input(key="veille_search").set_value("sur telvia").run()
    assert len(at.dataframe[0].value) == 4
    at.multiselect(key="veille_m_sentiments").set_value(["neutral"]).run()
    assert len(at.dataframe[0].value) == 2
    for broken in ('"unclosed', "AND OR", "(réseau", "NEAR(", "*"):
        at.text_input(key="veille_search").set_value(broken).run()
        assert not at.exception, broken
        assert at.error[0].value.startswith("Recherche incomprise"), broken
    assert not at.get("form_submit_button")  # marketing reads, does not correct


def test_mention_detail_and_corrections(
    seeded: Seeded, dash: type[Dash], config: VeilleConfig
) -> None:
    at = dash.start("cm", "recherche")
    hostile = seeded.mentions[-1].id
    at.selectbox(key="veille_m_chosen").set_value(hostile).run()
    texts = [t.value for t in at.text]
    assert seeded.hostile_body in texts and f"Sujet : {seeded.hostile_title}" in texts
    assert "Lien d'origine absent ou non http(s) : non affiché." in [c.value for c in at.caption]
    assert_no_markup(at, seeded)
    at.selectbox(key=f"c-sent-{hostile}").set_value("positive")
    at.multiselect(key=f"c-brands-{hostile}").set_value(["lumio"])
    next(b for b in at.get("form_submit_button")).click().run()  # type: ignore[attr-defined]
    assert not at.exception
    store = SQLiteStore(config.sqlite_path)
    try:
        (corrected,) = store.get_mentions([hostile])
    finally:
        store.close()
    assert corrected.sentiment_override == "positive"
    assert at.success[0].value == "Correction enregistrée."
    assert "Sentiment corrigé par une personne." in [c.value for c in at.caption]
    # The barometer counts the correction: Azur lost a mention, Lumio gained one.
    at = dash.open_page(at, "")
    assert [m.value for m in at.metric if m.label == "Volume"] == ["13", "5", "4"]


# --- clients and sources ----------------------------------------------------------------


def test_clients_page_says_not_configured(seeded: Seeded, dash: type[Dash]) -> None:
    at = dash.start("marketing", "crm")
    assert at.info[0].value.startswith("Le lien avec le CRM n'est pas configuré")


def test_sources_page(seeded: Seeded, dash: type[Dash], config: VeilleConfig) -> None:
    store = SQLiteStore(config.sqlite_path)
    start = datetime.now(UTC) - timedelta(hours=2)
    try:
        for i, status in enumerate(("ok", "errors")):
            run = CrawlRun("demo-forum", start + timedelta(hours=i), status=status, pages=5 + i)
            run.finished_at, run.posts_new = run.started_at + timedelta(minutes=3), 10 * (i + 1)
            run.errors = {"http_503": 2} if status == "errors" else {}
            store.save_crawl_run(run)
    finally:
        store.close()
    at = dash.start("admin", "collecte")
    last = at.dataframe[0].value
    assert last.loc[0, "status"] == "avec erreurs" and last.loc[0, "errors"] == "http_503: 2"
    assert last.loc[0, "new"] == 20
    assert len(at.dataframe[1].value) == 2
    assert len(at.get("vega_lite_chart")) == 1


def test_demo_makes_and_prints_passwords(config: VeilleConfig) -> None:
    from demo.runner import demo_passwords

    lines: list[str] = []
    env = {"VEILLE_DASHBOARD_PASSWORD_ADMIN": "mine"}
    made = demo_passwords(config, env, lines.append)
    assert sorted(made) == ["VEILLE_DASHBOARD_PASSWORD_CM", "VEILLE_DASHBOARD_PASSWORD_MARKETING"]
    users = config.settings.dashboard.users
    for login in ("cm", "marketing"):
        password = made[auth.env_name(login)]
        assert any(password in line and login in line for line in lines)
        assert auth.check_password(users, login, password, made) is not None
    assert any("admin" in line and "from the environment" in line for line in lines)


def test_every_literal_string_key_is_translated() -> None:
    import re

    from messages import CATALOGUE as STRINGS

    source = "\n".join(p.read_text(encoding="utf-8") for p in (Path(APP).parent).rglob("*.py"))
    keys = set(re.findall(r"\bt\(\s*\"([a-z_.]+)\"", source))
    assert len(keys) > 100
    assert sorted(k for k in keys if k not in STRINGS) == []


def test_new_pages_in_english(seeded: Seeded, dash: type[Dash]) -> None:
    at = dash.start("admin")
    at.selectbox(key="veille_lang").set_value("en").run()
    assert at.radio(key="veille_formula").label == "Net sentiment formula"
    assert [m.delta for m in at.metric if m.label == "Volume"] == ["+12", "+6", "+4"]
    for path, title in (("recherche", "Mentions"), ("crm", "Customers"), ("collecte", "Sources")):
        dash.open_page(at, path)
        assert at.title[0].value == title
    assert at.info[0].value == "No crawls yet."
