"""The dashboard in a real browser: headless Chromium against `streamlit run`.

The store is seeded with hostile text (script, img and svg payloads that would set
window.__pwned and the page title, markdown links, a javascript: URL). The test signs
in, opens every page through the sidebar, triages an alert, checks that the payloads
show as text and that none ran, and writes a screenshot of each page to
test-output/screenshots/ (ignored by git).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest

from configuration.loader import VeilleConfig
from storage.sqlite import SQLiteStore

if TYPE_CHECKING:  # the conftest module is only importable while pytest runs
    from conftest import Seeded

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-output" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
TIMEOUT = 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def server(seeded: Seeded) -> Iterator[str]:
    """`streamlit run dashboard/app.py` on a free port, on the seeded private store."""
    with streamlit_server(REPO) as url:
        yield url


@contextmanager
def streamlit_server(cwd: Path) -> Iterator[str]:
    """`streamlit run dashboard/app.py` on a free port from `cwd`, this process's
    environment; its URL once healthy, stopped on the way out."""
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "app.py")]
    cmd += ["--server.address", "127.0.0.1", "--server.port", str(port)]
    cmd += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, cwd=cwd, env=dict(os.environ), stdout=log, stderr=log)
        try:
            _wait_healthy(url, proc, log)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Any) -> None:
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            pytest.fail(f"streamlit did not start: {log.read().decode()[-2000:]}")
        time.sleep(0.3)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """Headless Chromium driven by chromedriver (both from the system, never downloaded)."""
    if not CHROMIUM or not CHROMEDRIVER:
        pytest.skip("no chromium/chromedriver on PATH (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'chromium'}",
        "--window-size=1440,2200",
        "--lang=fr-FR",
    ):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: Any, xpath: str) -> Any:
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, TIMEOUT).until(ec.visibility_of_element_located(("xpath", xpath)))


def _text(value: str) -> str:
    """An XPath string literal for `value` (which may hold both kinds of quotes)."""
    if "'" not in value:
        return f"'{value}'"
    parts = value.split("'")
    return "concat(" + ', "\'", '.join(f"'{p}'" for p in parts) + ")"


def _click_until(driver: Any, button: str, expected: str, tries: int = 3) -> Any:
    """Click `button` until `expected` shows: a rerun may replace the button under us."""
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    for attempt in range(tries):
        try:
            _wait(driver, button).click()
            return WebDriverWait(driver, TIMEOUT / tries).until(
                ec.visibility_of_element_located(("xpath", expected))
            )
        except (StaleElementReferenceException, TimeoutException):
            if attempt == tries - 1:
                raise
    return None


def _shot(driver: Any, name: str) -> None:
    time.sleep(1.0)  # charts and fonts settle after the last element shows
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def _not_pwned(driver: Any) -> None:
    assert driver.execute_script("return window.__pwned") is None
    assert driver.title != "pwned"


def _open(driver: Any, path: str, heading: str) -> None:
    """Follow the sidebar's link to a page (same session: a new URL would sign out)."""
    link = _wait(driver, f"//a[@data-testid='stSidebarNavLink' and contains(@href, '/{path}')]")
    link.click()
    _wait(driver, f"//h1[.//text()={_text(heading)}]")


def test_every_page_in_a_browser(
    server: str, browser: Any, seeded: Seeded, config: VeilleConfig
) -> None:
    driver = browser
    driver.get(server)
    _wait(driver, "//h1[.//text()='Connexion à Veille']")
    _shot(driver, "0-connexion")
    _wait(driver, "//input[@aria-label='Identifiant']").send_keys("cm")
    _wait(driver, "//input[@aria-label='Mot de passe']").send_keys("cm-pass-1")
    _wait(driver, "//button[.//text()='Se connecter']").click()
    _wait(driver, "//h1[.//text()='Baromètre de marque']")
    body = _click_until(
        driver,
        "(//button[.//text()='Voir les mentions'])[2]",  # Azur Mobile's card
        f"//*[text()={_text(seeded.hostile_body)}]",
    )
    assert body.text == seeded.hostile_body  # shown as text, not parsed
    _wait(driver, f"//*[contains(text(), {_text(seeded.hostile_title[:20])})]")
    _not_pwned(driver)
    _shot(driver, "1-barometre")

    _open(driver, "alertes", "Alertes")
    _wait(driver, "//*[contains(text(), '[a-azur]')]")
    _shot(driver, "2-alertes")
    _wait(driver, "(//button[.//text()='Prendre en charge'])[1]").click()
    _wait(driver, "//*[contains(text(), 'Alerte prise en charge.')]")
    _not_pwned(driver)
    store = SQLiteStore(config.sqlite_path)
    try:
        triaged = store.get_alert("a-azur")
    finally:
        store.close()
    assert triaged is not None and triaged.status == "acknowledged"
    assert [(e.kind, e.by) for e in triaged.history] == [("acknowledged", "cm")]

    # A deep link (what a notification carries), opened after a reload: the session in
    # the URL keeps the person signed in, and the linked alert is shown first.
    token = parse_qs(urlsplit(driver.current_url).query)["session"][0]
    driver.refresh()
    _wait(driver, "//h1[.//text()='Alertes']")
    driver.get(f"{server}/alertes?alert=a-telvia&session={token}")
    _wait(driver, "//*[.//text()='Alerte ouverte par un lien']")
    _wait(driver, "//*[contains(text(), '[a-telvia]')]")
    assert "Page not found" not in driver.page_source
    _shot(driver, "2b-lien-alerte")

    _open(driver, "recherche", "Mentions")
    _wait(driver, "//*[@data-testid='stDataFrame']")
    _shot(driver, "3-mentions")
    _open(driver, "crm", "Clients")
    _wait(driver, "//*[contains(text(), 'pas configuré')]")
    _shot(driver, "4-clients")
    _not_pwned(driver)
    assert not driver.find_elements("xpath", "//a[contains(@href, 'javascript:')]")
    assert not driver.find_elements("xpath", "//a[contains(@href, 'evil.test')]")


def test_admin_sees_sources(server: str, browser: Any) -> None:
    driver = browser
    driver.get(server)
    _wait(driver, "//input[@aria-label='Identifiant']").send_keys("admin")
    _wait(driver, "//input[@aria-label='Mot de passe']").send_keys("ad-pass-3")
    _wait(driver, "//button[.//text()='Se connecter']").click()
    _wait(driver, "//h1[.//text()='Baromètre de marque']")
    _open(driver, "collecte", "Sources")
    _wait(driver, "//*[contains(text(), 'Aucune collecte')]")
    _shot(driver, "5-sources")
    _not_pwned(driver)
