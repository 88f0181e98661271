"""`veille demo`: the whole path on the project's own demo forum, then the dashboard.

The path is `pipeline.runner.run_once`, the same as `veille run` and the scheduler's
jobs: crawl, NLP, alerts, and the notifications that are due.
"""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from configuration.loader import VeilleConfig
from dashboard.auth import env_name
from dashboard.launch import dashboard_command
from demo.crm import demo_crm_environment, run_crm_demo
from demo.forum.generator import generate_forum, write_ground_truth
from demo.forum.server import DemoForumServer
from pipeline.runner import run_once
from storage import data_dir

logger = logging.getLogger(__name__)

DEMO_SOURCE = "demo-forum"


def demo_address(config: VeilleConfig) -> tuple[str, int]:
    """Host and port of the demo forum, read from the demo source's start URL."""
    url = urlsplit(config.source(DEMO_SOURCE).start_urls[0])
    if url.hostname is None or url.port is None:
        raise ValueError(f"sources.yaml: {DEMO_SOURCE} start URL needs a host and a port")
    return url.hostname, url.port


def demo_passwords(
    config: VeilleConfig, environ: dict[str, str], print_line: Callable[[str], None] = print
) -> dict[str, str]:
    """A fresh password for each dashboard login that has none in the environment.

    They are printed with the login and role, and handed to the dashboard process
    through its environment only (never written to a file).
    """
    added: dict[str, str] = {}
    print_line("Dashboard logins (passwords made for this demo run):")
    for login, role in config.settings.dashboard.users.items():
        if environ.get(env_name(login, hashed=True)) or environ.get(env_name(login)):
            print_line(f"  {login:<12} ({role}): password from the environment")
            continue
        password = secrets.token_urlsafe(9)
        added[env_name(login)] = password
        print_line(f"  {login:<12} ({role}): {password}")
    return added


def run_demo(
    config: VeilleConfig,
    dashboard: bool = True,
    seed: int = 7,
    print_line: Callable[[str], None] = print,
) -> int:
    """Serve the demo forum, run crawl → NLP → alerts on it, then serve the dashboard."""
    host, port = demo_address(config)
    forum = generate_forum(seed=seed)
    truth = data_dir(config) / "demo_ground_truth.json"
    truth.parent.mkdir(parents=True, exist_ok=True)
    write_ground_truth(forum, truth)
    with DemoForumServer(forum, host=host, port=port) as server:
        print_line(f"Demo forum: {server.base_url}/ (ground truth in {truth})")
        report = run_once(config, [DEMO_SOURCE])
        run, nlp, alerts = report.crawls[0], report.nlp, report.alerts
        print_line(
            f"Crawl: {run.status}, {run.pages} pages, {run.posts_new} new posts, "
            f"{run.posts_updated} updated, {run.posts_unchanged} unchanged, "
            f"errors {run.errors or 'none'}"
        )
        print_line(
            f"NLP: {nlp.records} posts analysed, {nlp.stored.new} new mentions, "
            f"{nlp.quarantined_total} quarantined, model {nlp.sentiment_model}"
        )
        print_line(
            f"Alerts: {len(alerts.alerts_touched)} created or updated; "
            f"store holds {report.mentions} mentions, {report.open_alerts} open alerts"
        )
        if report.notifications is not None and report.notifications.messages:
            sent = report.notifications
            print_line(f"Notifications: {sent.sent} alerts sent, {sent.failed} failed")
        crm_env = {**os.environ, **demo_crm_environment(dict(os.environ))}
        run_crm_demo(config, crm_env, print_line)
        if not dashboard:
            return 0 if run.status != "failed" else 1
        dash = config.settings.dashboard
        print_line(f"Dashboard: http://{dash.host}:{dash.port}/  (Ctrl-C to stop)")
        env = {**crm_env, "VEILLE_CONFIG_DIR": str(Path(config.directory).resolve())}
        env.update(demo_passwords(config, env, print_line))
        try:
            return subprocess.call(dashboard_command(config), env=env)
        except KeyboardInterrupt:
            return 0
