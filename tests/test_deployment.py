"""docker-compose.yml is written and validated here, never started (no Docker engine)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.main import get_command

from cli.app import app
from configuration.settings import SETTINGS

REPO = Path(__file__).resolve().parent.parent
COMPOSE = REPO / "docker-compose.yml"


def _services() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    return data["services"]


def test_every_service_runs_a_real_veille_command() -> None:
    commands = get_command(app).commands  # type: ignore[attr-defined]
    services = _services()
    assert {"scheduler", "dashboard"} <= set(services)
    for name, service in services.items():
        program, command, *_ = service["command"]
        assert program == "veille", name
        assert command in commands, f"{name}: `veille {command}` does not exist"


def test_service_environment_names_known_settings() -> None:
    known = {s.env_var for s in SETTINGS} | {"VEILLE_CONFIG_DIR"}
    for name, service in _services().items():
        environment = service.get("environment", {})
        secrets = {k for k in environment if k.startswith("VEILLE_DASHBOARD_PASSWORD_HASH_")}
        # Secrets are only passed through from the host, never written in the file.
        assert all(environment[k] == f"${{{k}:-}}" for k in secrets), name
        unknown = set(environment) - known - secrets
        assert not unknown, f"{name}: unknown settings {sorted(unknown)}"


def test_services_share_the_data_volume_and_the_store_path() -> None:
    paths = {s["environment"]["VEILLE_STORAGE_SQLITE_PATH"] for s in _services().values()}
    assert len(paths) == 1
    (path,) = paths
    for service in _services().values():
        mounts = [v.split(":")[1] for v in service["volumes"]]
        assert any(path.startswith(m.rstrip("/") + "/") for m in mounts)


@pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="docker-compose (Debian package) not installed: the file is checked by the tests "
    "above only",
)
def test_compose_tool_accepts_the_file() -> None:
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
