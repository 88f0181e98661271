"""Every page of the dashboard run through Streamlit's AppTest on a private store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Markdown

if TYPE_CHECKING:  # the conftest module is only importable while pytest runs
    from conftest import Seeded

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


PASSWORDS = {"cm": "cm-pass-1", "marketing": "mk-pass-2", "admin": "ad-pass-3"}


def sign_in(at: AppTest, login: str, password: str) -> AppTest:
    """Fill and submit the sign-in form."""
    at.text_input(key="veille_login_name").set_value(login)
    at.text_input(key="veille_pw").set_value(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def start(login: str = "cm") -> AppTest:
    """Sign in, then open the router's default page, the barometer.

    A browser's URL follows the page the router lands on after the sign-in; AppTest
    keeps asking for the sign-in page's hash, so the barometer is opened by its path.
    """
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception, at.exception
    return open_page(sign_in(at, login, PASSWORDS[login]), "")


def open_page(at: AppTest, url_path: str) -> AppTest:
    """Open a page registered by `st.navigation` and rerun.

    `AppTest.switch_page` only resolves pages backed by a file; ours are functions, so the
    page hash is looked up in the pages the last run registered (same hash a browser
    sends for the page's URL; the default page's path is "").
    """
    pages = at._registered_pages
    at._page_hash = next(h for h, info in pages.items() if info["url_pathname"] == url_path)
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, list[str]]:
    """Metric values grouped by label, in brand order."""
    out: dict[str, list[str]] = {}
    for metric in at.metric:
        out.setdefault(metric.label, []).append(metric.value)
    return out


def walk(node: Any) -> Iterator[Any]:
    """Every element and block under `node`."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def everything(at: AppTest) -> list[Any]:
    """Every element of the main area and of the sidebar."""
    return [*walk(at.main), *walk(at.sidebar)]


def test_barometer_shows_c2c_figures(seeded: Seeded) -> None:
    at = start()
    assert at.title[0].value == "Baromètre de marque"
    assert any("comptes officiels" in c.value for c in at.caption)
    figures = metrics(at)
    # Lumio: 12 consumer posts this week; its official account's post is not counted.
    assert figures["Volume"] == ["12", "6", "4"]
    assert figures["Sentiment net"] == ["+50\u202f%", "−60\u202f%", "0\u202f%"]
    assert figures["Part de voix"] == ["55\u202f%", "27\u202f%", "18\u202f%"]
    table = at.dataframe[0].value
    assert table.groupby("brand")["total"].sum().to_dict() == {
        "Lumio": 12,
        "Azur Mobile": 6,
        "Telvia": 4,
    }
    # Volume and net sentiment, then one chart per breakdown with data (no aspect here).
    assert len(at.get("vega_lite_chart")) == 2 + 3


def test_barometer_filters(seeded: Seeded) -> None:
    at = start()
    at.selectbox(key="veille_period").set_value("90").run()
    assert metrics(at)["Volume"][0] == "13"  # the 60-day-old Lumio post
    at.selectbox(key="veille_granularity").set_value("month").run()
    assert not at.exception
    assert at.dataframe[0].value["total"].sum() == 13 + 6 + 4
    at.multiselect(key="veille_brands").set_value(["azur"]).run()
    assert metrics(at) == {
        "Volume": ["6"],
        "Sentiment net": ["−60\u202f%"],
        "Part de voix": ["100\u202f%"],
    }


def test_barometer_custom_dates(seeded: Seeded) -> None:
    at = start()
    at.selectbox(key="veille_period").set_value("custom").run()
    today = seeded.now.date()
    at.date_input(key="veille_dates").set_value(
        (today - timedelta(days=70), today - timedelta(days=50))
    ).run()
    assert not at.exception
    assert metrics(at)["Volume"] == ["1", "0", "0"]


def test_barometer_empty_state(config_dir: Path) -> None:
    at = start()
    assert at.info[0].value == "Aucune mention pour ces marques sur cette période."
    assert not at.metric
    at.multiselect(key="veille_brands").set_value([]).run()
    assert at.info[0].value == "Choisissez au moins une marque dans le panneau latéral."


def test_english_interface(seeded: Seeded) -> None:
    at = start()
    at.selectbox(key="veille_period").set_value("30").run()
    at.selectbox(key="veille_lang").set_value("en").run()
    assert at.title[0].value == "Brand barometer"
    assert at.selectbox(key="veille_period").label == "Period"
    assert at.selectbox(key="veille_period").value == "30"  # kept across the switch
    assert metrics(at)["Net sentiment"] == ["+50%", "−60%", "0%"]
    open_page(at, "alertes")
    assert at.title[0].value == "Alerts"
    assert at.multiselect(key="veille_alert_statuses").label == "Statuses"


def test_alerts_sorted_by_due_with_evidence(seeded: Seeded) -> None:
    at = open_page(start(), "alertes")
    assert at.title[0].value == "Alertes"
    whys = [t.value for t in at.text if t.value.endswith("]")]
    assert whys == [
        "2 mention(s) négative(s) de azur : « arnaque » ×2 [a-azur]",
        "1 mention(s) négative(s) de lumio : « arnaque » ×2 [a-lumio]",
    ]  # the resolved Telvia alert is not open
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert ":orange-badge[:material/warning: Haute]" in badges
    assert any("en retard de 1 h" in b for b in badges)
    assert any(b.startswith(":green-badge[:material/schedule: reste 2 h") for b in badges)
    assert ":violet-badge[Prise en charge]" in badges
    mentions = [e.label for e in at.expander if e.label.startswith("Mentions")]
    assert mentions == ["Mentions (2)", "Mentions (1)"]
    links = [el.proto.url for el in at.get("link_button")]
    assert links == [
        seeded.mentions[14].post.url,
        seeded.mentions[6].post.url,
    ]
    at.multiselect(key="veille_alert_statuses").set_value(["resolved"]).run()
    assert [e.label for e in at.expander if e.label.startswith("Mentions")] == ["Mentions (1)"]
    assert any("clôturée" in m.value for m in at.markdown)


def test_alerts_empty_state(config_dir: Path) -> None:
    at = open_page(start(), "alertes")
    assert at.info[0].value == "Aucune alerte pour ces marques et ces statuts."


def test_scraped_text_is_only_ever_plain_text(seeded: Seeded) -> None:
    at = open_page(start(), "alertes")
    texts = [t.value for t in at.text]
    assert seeded.hostile_body in texts
    assert any(t.startswith(seeded.hostile_author) for t in texts)
    for element in everything(at):
        proto = getattr(element, "proto", None)
        assert not getattr(proto, "allow_html", False), element
        if isinstance(element, Markdown):
            assert "<script" not in element.value and "onerror" not in element.value
            assert "evil.test" not in element.value and "Boss" not in element.value
    assert not at.get("html")
    assert all(el.proto.url.startswith("https://") for el in at.get("link_button"))
    assert "Lien d'origine absent ou non http(s) : non affiché." in [c.value for c in at.caption]


def test_config_error_is_shown(config_dir: Path) -> None:
    (config_dir / "brands.yaml").write_text("brands:\n  - id: Not An Id\n    name: x\n")
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert at.error[0].value == "La configuration ne peut pas être chargée :"
    assert "brands.yaml" in at.code[0].value
