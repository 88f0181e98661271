"""How the dashboard is started: the Streamlit command line for a config."""

from __future__ import annotations

import sys
from pathlib import Path

from configuration.loader import VeilleConfig

APP = Path(__file__).resolve().parent / "app.py"


def dashboard_command(config: VeilleConfig) -> list[str]:
    """The command line that starts the Streamlit dashboard."""
    dash = config.settings.dashboard
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        dash.host,
        "--server.port",
        str(dash.port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # A self-hosted tool: no "Deploy" button, no developer menu for its users.
        "--client.toolbarMode",
        "viewer",
    ]
