"""`veille demo`'s CRM part: after the demo pipeline the Clients page has what it promises.

The demo forum is served on a free port, `run_demo` runs the whole path (crawl, NLP,
alerts, CRM) without the dashboard, and the shipped customer file with its mixed consents
must give linked customers, a pending review candidate and a detractor event.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from configuration.loader import load_config
from demo.runner import run_demo
from pipeline.crm import views
from pipeline.crm.context import open_context

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_demo_links_customers_and_leaves_a_review_and_a_detractor_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_dir = tmp_path / "config"
    shutil.copytree(REPO / "config", config_dir)
    # The demo forum on a free port: the source's start URL says where.
    sources = (config_dir / "sources.yaml").read_text()
    (config_dir / "sources.yaml").write_text(sources.replace(":8765/", f":{_free_port()}/"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VEILLE_STORAGE_SQLITE_PATH", str(tmp_path / "data" / "veille.db"))
    monkeypatch.setenv("VEILLE_NLP_SENTIMENT_MODEL", "")
    monkeypatch.setenv("VEILLE_CRM_SALT", "demo-test-salt")
    monkeypatch.delenv("VEILLE_CRM_DATABASE_URL", raising=False)
    lines: list[str] = []
    config = load_config(config_dir)
    assert run_demo(config, dashboard=False, print_line=lines.append) == 0
    assert any(line.startswith("CRM: 10 customers") for line in lines), lines
    ctx = open_context(config, {"VEILLE_CRM_ENABLED": "1"})
    try:
        linked = {r["customer_id"]: r for r in views.linked_customers(ctx)}
        consents = {r["customer_id"]: r["granted"] for r in views.consents(ctx)}
        pending = views.reviews(ctx)
        events = {e["type"] for e in views.events(ctx)}
    finally:
        ctx.close()
    refused = {c for c, granted in consents.items() if not granted}
    assert refused == {"d003", "d006", "d010"}
    assert linked and not refused & set(linked)
    assert any(r["veille_status"] == "detractor" for r in linked.values())
    assert [r["ckey"] for r in pending] == ["lumio:d004"]
    assert "turned_detractor" in events


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
