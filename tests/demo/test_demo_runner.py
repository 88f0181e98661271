"""`veille demo` without the dashboard: the one run path on the demo forum, notifications sent."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from configuration.loader import load_config
from demo.runner import run_demo
from storage.sqlite import SQLiteStore
from tests.conftest import Webhook

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_demo_runs_the_pipeline_and_sends_due_notifications(
    config_dir: Path, hook: Webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = _free_port()
    sources = config_dir / "sources.yaml"
    sources.write_text(sources.read_text().replace(":8765/", f":{port}/"))
    alerts_yaml = config_dir / "alerts.yaml"
    alerts_yaml.write_text(
        alerts_yaml.read_text().replace(
            "  channels: []", "  channels:\n    - id: hook\n      url_env: VEILLE_TEST_HOOK"
        )
    )
    monkeypatch.setenv("VEILLE_TEST_HOOK", f"json://127.0.0.1:{hook.server_port}/h")
    config = load_config(config_dir)
    lines: list[str] = []
    assert run_demo(config, dashboard=False, print_line=lines.append) == 0
    assert lines[1].startswith("Crawl: ok, ") and ", 467 new posts," in lines[1]
    assert lines[2].startswith("NLP: 467 posts analysed, 467 new mentions, 0 quarantined")
    assert lines[3] == "Alerts: 1 created or updated; store holds 467 mentions, 1 open alerts"
    assert lines[4] == "Notifications: 1 alerts sent, 0 failed"
    assert len(hook.received) == 1 and "Lumio" in hook.received[0]["message"]
    store = SQLiteStore(config.sqlite_path)
    try:
        (alert,) = store.list_alerts()
        assert [e.kind for e in alert.history] == ["created", "notification"]
    finally:
        store.close()
    assert (Path(config.sqlite_path).parent / "demo_ground_truth.json").exists()
