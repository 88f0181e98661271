"""The Clients page of the demo in a real browser: after the demo's pipeline (crawl, NLP,
alerts, CRM sync on the shipped customer file) the page shows linked customers, the
pending review candidate and a detractor event, as the issue's "done when" asks.

Headless Chromium against `streamlit run`, as tests/dashboard/test_dashboard_browser.py
(whose helpers it uses); skipped where Chromium or chromedriver is missing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from configuration.loader import load_config
from demo.runner import run_demo
from tests.dashboard.test_dashboard_browser import (
    CHROMEDRIVER,
    CHROMIUM,
    REPO,
    TIMEOUT,
    _free_port,
    _not_pwned,
    _open,
    _shot,
    _wait,
    browser,
    streamlit_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

__all__ = ["browser"]  # the fixture, imported to be used here


@pytest.fixture
def demo_dashboard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The demo's pipeline run in tmp_path, then its dashboard served on a free port."""
    if not CHROMIUM or not CHROMEDRIVER:
        pytest.skip("no chromium/chromedriver on PATH (apt-get install chromium chromium-driver)")
    config_dir = tmp_path / "config"
    shutil.copytree(REPO / "config", config_dir)
    sources = (config_dir / "sources.yaml").read_text(encoding="utf-8")
    (config_dir / "sources.yaml").write_text(
        sources.replace(":8765/", f":{_free_port()}/"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)  # the CRM database: data/crm.db, as the demo keeps it
    monkeypatch.setenv("VEILLE_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("VEILLE_STORAGE_SQLITE_PATH", str(tmp_path / "data" / "veille.db"))
    monkeypatch.setenv("VEILLE_NLP_SENTIMENT_MODEL", "")
    monkeypatch.setenv("VEILLE_CRM_SALT", "demo-browser-salt")
    monkeypatch.setenv("VEILLE_CRM_ENABLED", "1")
    monkeypatch.delenv("VEILLE_CRM_DATABASE_URL", raising=False)
    lines: list[str] = []
    assert run_demo(load_config(config_dir), dashboard=False, print_line=lines.append) == 0
    assert any(line.startswith("CRM: 10 customers") for line in lines), lines

    with streamlit_server(tmp_path) as url:
        yield url


def _present(driver: Any, xpath: str) -> Any:
    """An element in the page, visible or not (a dataframe's cells are drawn on a canvas,
    with their text in an accessible table under it)."""
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, TIMEOUT).until(ec.presence_of_element_located(("xpath", xpath)))


def _metric(driver: Any, label: str) -> str:
    box = _wait(
        driver,
        f"//*[@data-testid='stMetric'][.//*[@data-testid='stMetricLabel']//text()='{label}']",
    )
    return str(box.find_element("xpath", ".//*[@data-testid='stMetricValue']").text)


def test_the_demos_clients_page_shows_links_a_review_and_a_detractor_event(
    demo_dashboard: str, browser: Any
) -> None:
    driver = browser
    driver.get(demo_dashboard)
    _wait(driver, "//input[@aria-label='Identifiant']").send_keys("cm")
    _wait(driver, "//input[@aria-label='Mot de passe']").send_keys("cm-pass-1")
    _wait(driver, "//button[.//text()='Se connecter']").click()
    _wait(driver, "//h1[.//text()='Baromètre de marque']")
    _open(driver, "crm", "Clients")
    assert not driver.find_elements("xpath", "//*[contains(text(), 'pas configuré')]")
    assert int(_metric(driver, "Clients chargés")) == 10
    assert int(_metric(driver, "Clients rapprochés")) >= 1
    assert int(_metric(driver, "À confirmer")) == 1
    # The pending candidate, with the buttons a CRM reviewer gets.
    _wait(driver, "//*[contains(text(), 'lumio:d004 ←')]")
    _wait(driver, "//button[.//text()='Confirmer']")
    # A linked customer turned detractor, and the event on the feed.
    _present(driver, "//*[@data-testid='stDataFrame']//*[text()='detractor']")
    _present(driver, "//*[@data-testid='stDataFrame']//*[text()='turned_detractor']")
    _shot(driver, "6-clients-demo")
    _not_pwned(driver)
