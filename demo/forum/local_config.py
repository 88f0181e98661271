"""A config directory for running Veille against a demo forum on a local port.

The crash test and the soak each start a demo forum on a free port and a local webhook;
this writes the project's default config with the demo source pointed at that forum and
one notification channel whose URL comes from an environment variable (never a file).
"""

from __future__ import annotations

from pathlib import Path

import yaml

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent.parent / "config"
DEMO_URL = "http://127.0.0.1:8765/"
HOOK_ENV = "VEILLE_DEMO_HOOK_URL"


def write_demo_config(
    target: Path, forum_url: str, hook_channel: bool = True, schedule_minutes: int | None = None
) -> Path:
    """Copy the default config into `target`, the demo source crawling `forum_url`
    (every `schedule_minutes` when given).

    With `hook_channel`, alerts.yaml gets a channel `demo-hook` (every severity, one
    message per alert) whose apprise URL is read from `$VEILLE_DEMO_HOOK_URL`.
    """
    target.mkdir(parents=True, exist_ok=True)
    for source in DEFAULT_CONFIG.glob("*.yaml"):
        text = source.read_text(encoding="utf-8")
        if source.name == "sources.yaml":
            text = text.replace(DEMO_URL, forum_url.rstrip("/") + "/")
        (target / source.name).write_text(text, encoding="utf-8")
    if schedule_minutes is not None:
        sources_path = target / "sources.yaml"
        sources = yaml.safe_load(sources_path.read_text(encoding="utf-8"))
        for source in sources["sources"]:
            if source["id"] == "demo-forum":
                source["schedule_minutes"] = schedule_minutes
        sources_path.write_text(yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8")
    if hook_channel:
        alerts_path = target / "alerts.yaml"
        alerts = yaml.safe_load(alerts_path.read_text(encoding="utf-8"))
        alerts.setdefault("notifications", {})["channels"] = [
            {"id": "demo-hook", "url_env": HOOK_ENV, "min_severity": "low", "max_per_hour": 1000}
        ]
        alerts_path.write_text(yaml.safe_dump(alerts, allow_unicode=True), encoding="utf-8")
    return target
