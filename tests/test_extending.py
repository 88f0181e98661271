"""README's "Extending Veille": each example, registered from a package outside Veille's.

`tests/plugins` holds `veille_example` and its `veille_example-0.1.dist-info`, as pip
would install them. Each test runs a child Python with that directory on its path, so
the registries find the extensions through their entry points (importlib.metadata), the
same path a third-party package takes; nothing is patched, and this test process's
registries stay as they were.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import yaml

from configuration.sources import SOURCE_KINDS

PLUGINS = Path(__file__).resolve().parent / "plugins"
BRANDS = {"brands": [{"id": "lumio", "name": "Lumio", "aliases": ["Lumio"]}]}


def run_with_plugin(code: str, env: dict[str, str] | None = None) -> Any:
    """Run `code` in a child Python that has the plugin on its path; its last line, as JSON."""
    path = os.pathsep.join([str(PLUGINS), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**os.environ, **(env or {}), "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_config(directory: Path, **files: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in {"sources": {"sources": []}, "brands": BRANDS, **files}.items():
        (directory / f"{name}.yaml").write_text(yaml.safe_dump(content), encoding="utf-8")
    return directory


def test_the_plugin_is_not_seen_without_its_package() -> None:
    # The registrations below come from the plugin's entry points, not from Veille's.
    assert "review_page" not in SOURCE_KINDS


def test_a_source_kind_from_a_plugin(tmp_path: Path) -> None:
    source = {
        "id": "avis",
        "name": "Avis",
        "kind": "review_page",
        "start_urls": ["https://avis.example/lumio"],
        "review_page": {"review": "article.avis"},
    }
    config_dir = write_config(tmp_path / "config", sources={"sources": [source]})
    result = run_with_plugin(
        f"""
        import json
        from scrapy.http import HtmlResponse
        from configuration.base import ConfigError
        from configuration.loader import load_config
        from crawlers.spiders import spider_for

        config = load_config({str(config_dir)!r})
        source = config.source("avis")
        spider = spider_for("review_page")(source=source)
        page = (
            '<article class="avis" id="a1"><b class="author">Léa</b>'
            '<p class="text">Lumio au top</p></article>'
            '<article class="avis" id="a2"><b class="author">Sam</b>'
            '<p class="text">Lumio en panne</p></article>'
        )
        response = HtmlResponse(
            "https://avis.example/lumio", body=page.encode(), encoding="utf-8"
        )
        posts = [[p.external_id, p.author, p.body_text, p.url] for p in spider.parse(response)]
        bad = {str(config_dir)!r}.replace("config", "bad")
        import pathlib, shutil, yaml
        shutil.copytree({str(config_dir)!r}, bad)
        data = {{"sources": [{{**{source!r}, "review_page": {{"reviw": "x"}}}}]}}
        pathlib.Path(bad, "sources.yaml").write_text(yaml.safe_dump(data))
        try:
            load_config(bad)
            error = None
        except ConfigError as exc:
            error = exc.problems
        print(json.dumps({{"spider": type(spider).__name__, "posts": posts, "error": error}}))
        """
    )
    assert result["spider"] == "ReviewPageSpider"
    assert result["posts"] == [
        ["a1", "Léa", "Lumio au top", "https://avis.example/lumio#a1"],
        ["a2", "Sam", "Lumio en panne", "https://avis.example/lumio#a2"],
    ]
    (problem,) = result["error"]
    assert problem.startswith("field sources.0.review_page.reviw: Extra inputs are not permitted")


MENTIONS_CODE = """
    import json
    from datetime import UTC, datetime, timedelta
    from configuration.loader import load_config
    from pipeline.alerts.stage import AlertsStage
    from records import BrandMatch, Mention, RawPost, Sentiment
    from storage.sqlite import SQLiteStore

    NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    config = load_config({config_dir!r})
    store = SQLiteStore({db!r})
    texts = ["Lumio: panne générale ce matin", "Encore une PANNE Lumio", "Lumio va bien"]
    mentions = [
        Mention(
            post=RawPost("forum", "forum", f"p{{i}}", f"https://f.example/{{i}}", text,
                         published_at=NOW - timedelta(minutes=10 * i)),
            lang="fr",
            brands=[BrandMatch("lumio", "Lumio", 0, 5)],
            sentiment=Sentiment("negative", 0.9, "test"),
        )
        for i, text in enumerate(texts)
    ]
    store.upsert_mentions(mentions)
    alerts = AlertsStage(config, store, now=NOW)(mentions)
"""


def test_an_alert_rule_type_from_a_plugin(tmp_path: Path) -> None:
    rule = {"id": "pannes", "type": "keyword", "keyword": "panne", "severity": "medium"}
    config_dir = write_config(tmp_path / "config", alerts={"rules": [rule]})
    code = MENTIONS_CODE.format(config_dir=str(config_dir), db=str(tmp_path / "v.db"))
    result = run_with_plugin(
        code
        + """
    (alert,) = alerts
    print(json.dumps([alert.rule_id, alert.severity, alert.why, alert.mention_ids]))
    """
    )
    assert result[0:3] == ["pannes", "medium", "2 mentions of Lumio say 'panne'"]
    assert len(result[3]) == 2


def test_a_notification_channel_type_from_a_plugin(tmp_path: Path) -> None:
    out = tmp_path / "messages.jsonl"
    alerts = {
        "language": "en",
        "timezone": "UTC",
        "rules": [{"id": "pannes", "type": "keyword", "keyword": "panne"}],
        "notifications": {"channels": [{"id": "file", "type": "jsonl_file", "path": str(out)}]},
    }
    config_dir = write_config(tmp_path / "config", alerts=alerts)
    code = MENTIONS_CODE.format(config_dir=str(config_dir), db=str(tmp_path / "v.db"))
    result = run_with_plugin(
        code
        + """
    from pipeline.alerts.notify import dispatch
    report = dispatch(config, store, now=NOW)
    print(json.dumps([report.messages, report.sent, report.failed, alerts[0].id]))
    """
    )
    messages, sent, failed, alert_id = result
    assert (messages, sent, failed) == (1, 1, 0)
    (line,) = out.read_text(encoding="utf-8").splitlines()
    sent_message = json.loads(line)
    text, _, ref = sent_message["body"].partition("\n\nref. ")
    assert sent_message["title"] == "[Veille] Alert high: lumio"
    assert text == (
        f"[HIGH] lumio (pannes): 2 mentions of Lumio say 'panne' "
        f"(due 10/11 16:00; veille alerts show {alert_id})"
    )
    # The idempotency key a receiver deduplicates on (pipeline.alerts.notify).
    assert re.fullmatch(r"[0-9a-f]{32}", ref)


def test_a_store_backend_from_a_plugin(tmp_path: Path) -> None:
    settings = {"storage": {"backend": "sqlite_per_directory"}}
    config_dir = write_config(tmp_path / "lumio-fr", veille=settings)
    stores = tmp_path / "stores"
    stores.mkdir()
    result = run_with_plugin(
        f"""
        import json
        from configuration.loader import load_config
        from records import RawPost
        from storage import open_store

        store = open_store(load_config({str(config_dir)!r}))
        counts = store.upsert_raw_posts([RawPost("s", "forum", "1", "https://f.example/1", "x")])
        print(json.dumps([type(store).__name__, counts.new, store.count_raw_posts()]))
        """,
        env={"VEILLE_EXAMPLE_STORES": str(stores)},
    )
    assert result == ["SQLiteStore", 1, 1]
    assert [p.name for p in stores.iterdir() if p.suffix == ".db"] == ["lumio-fr.db"]


def test_a_crm_sink_from_a_plugin(tmp_path: Path) -> None:
    config_dir = write_config(
        tmp_path / "config",
        crm={"sinks": {"jsonl_feed": [{"id": "crm-file", "path": str(tmp_path / "feed.jsonl")}]}},
    )
    got = run_with_plugin(
        f"""
        import json
        from datetime import UTC, datetime
        from configuration.loader import load_config
        from pipeline.crm.context import open_context
        from pipeline.crm.webhooks import deliver_all

        env = {{"VEILLE_CRM_DATABASE_URL": "sqlite:///{tmp_path / "crm.db"}"}}
        ctx = open_context(load_config({str(config_dir)!r}), env)
        with ctx.db.engine.begin() as conn:
            ctx.db.add_event(conn, "ev-1", "lumio:c1", "advocate_appeared", {{"n": 1}},
                             datetime(2026, 11, 2, tzinfo=UTC))
        first = deliver_all(ctx)
        again = deliver_all(ctx)
        print(json.dumps([first, again]))
        """
    )
    assert got == [{"jsonl_feed:crm-file": 1}, {"jsonl_feed:crm-file": 0}]
    lines = (tmp_path / "feed.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["event_id"] for line in lines] == ["ev-1"]
