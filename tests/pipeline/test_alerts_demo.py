"""Alerts on the demo forum: crawl, NLP, rules, a webhook notification, replay, triage."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from configuration.loader import load_config
from demo.forum.generator import generate_forum
from demo.forum.server import DemoForumServer
from pipeline.alerts import lifecycle
from pipeline.alerts.replay import replay
from pipeline.runner import crawl_sources, evaluate_alerts, process_posts, send_notifications
from storage import MentionFilter
from storage.sqlite import SQLiteStore
from tests.conftest import Webhook

pytestmark = pytest.mark.slow


@pytest.fixture
def forum() -> Iterator[DemoForumServer]:
    server = DemoForumServer(generate_forum(seed=7), port=0)
    server.start()
    yield server
    server.stop()


def test_demo_forum_alerts_end_to_end(
    config_dir: Path, forum: DemoForumServer, hook: Webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = config_dir / "sources.yaml"
    sources.write_text(sources.read_text().replace("http://127.0.0.1:8765/", forum.base_url + "/"))
    alerts_yaml = config_dir / "alerts.yaml"
    alerts_yaml.write_text(
        alerts_yaml.read_text().replace(
            "  channels: []", "  channels:\n    - id: hook\n      url_env: VEILLE_TEST_HOOK"
        )
    )
    monkeypatch.setenv("VEILLE_TEST_HOOK", f"json://127.0.0.1:{hook.server_port}/h")
    config = load_config(config_dir)
    (run,) = crawl_sources(config, ["demo-forum"])
    assert run.status == "ok"
    store = SQLiteStore(config.sqlite_path)
    try:
        process_posts(config, store)
        evaluate_alerts(config, store)
        report = send_notifications(config, store)
        (alert,) = store.list_alerts()
        assert alert.rule_id == "crisis-vocabulary" and alert.brand_id == "lumio"
        assert "mentions négatives de Lumio avec un vocabulaire de crise" in alert.why
        assert report.sent == 1 and len(hook.received) == 1
        assert "Lumio" in hook.received[0]["message"]
        # Replay over the forum's history: what would have fired, nothing stored.
        mentions = store.search_mentions(MentionFilter(include_official=True), limit=10_000)
        first = min(m.post.published_at for m in mentions if m.post.published_at)
        last = max(m.post.published_at for m in mentions if m.post.published_at)
        events = replay(config, store, first, last + timedelta(hours=1))
        assert events and {e.rule_id for e in events} == {"crisis-vocabulary"}
        assert len(store.list_alerts()) == 1
        # Triage.
        lifecycle.acknowledge(store, alert.id, "camille")
        done = lifecycle.resolve(store, alert.id, "camille", note="réponse publiée")
        assert [e.kind for e in lifecycle.notification_log(done)] == ["notification"]
        assert lifecycle.sla_report(store.list_alerts()).handled_within == 1
    finally:
        store.close()
