"""docker-compose.yml is written and validated here, never started (no Docker engine)."""

from __future__ import annotations

import os
import re
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
ENV_EXAMPLE = REPO / ".env.example"
SEARCH_NODES = {"elasticsearch", "opensearch"}
# The search backend's environment (storage/search/backend.py, client.SearchAuth): not in
# the settings table, since its URL and credentials never come from a file.
SEARCH_ENVIRONMENT = {
    "VEILLE_SEARCH_URL",
    "VEILLE_SEARCH_RETRY_S",
    "VEILLE_SEARCH_USERNAME",
    "VEILLE_SEARCH_PASSWORD",
    "VEILLE_SEARCH_API_KEY",
}
SECRETS = ("PASSWORD", "API_KEY", "HASH", "TOKEN", "SECRET")


def _services() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    return data["services"]


def _veille_services() -> dict[str, Any]:
    return {n: s for n, s in _services().items() if n not in SEARCH_NODES}


def test_every_service_runs_a_real_veille_command() -> None:
    group = get_command(app)
    services = _veille_services()
    assert {"scheduler", "nlp-worker", "dashboard"} <= set(services)
    for name, service in services.items():
        program, *words = service["command"]
        assert program == "veille", name
        command = group
        for word in words:
            commands = command.commands  # type: ignore[attr-defined]
            assert word in commands, f"{name}: `veille {' '.join(words)}` does not exist"
            command = commands[word]
            if not hasattr(command, "commands"):
                break


def test_service_environment_names_known_settings() -> None:
    known = {s.env_var for s in SETTINGS} | {"VEILLE_CONFIG_DIR"} | SEARCH_ENVIRONMENT
    for name, service in _veille_services().items():
        environment = service.get("environment", {})
        unknown = set(environment) - known
        unknown -= {k for k in environment if k.startswith("VEILLE_DASHBOARD_PASSWORD_HASH_")}
        assert not unknown, f"{name}: unknown settings {sorted(unknown)}"


def test_no_secret_is_written_in_the_file() -> None:
    """Every secret is passed through from the environment (.env), never a literal."""
    for name, service in _services().items():
        for key, value in service.get("environment", {}).items():
            if any(word in key.upper() for word in SECRETS):
                assert re.fullmatch(r"\$\{\w+(:-|:\?[^}]*)?\}", str(value)), (name, key, value)
    # The health check names the password's variable, for the container's shell to read.
    (_, check) = _services()["elasticsearch"]["healthcheck"]["test"]
    assert "$${ELASTIC_PASSWORD}" in check
    # .env holds the real ones and is never committed; its example is.
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".env"], cwd=REPO, check=False, timeout=30
    )
    assert ignored.returncode == 0, ".env must be in .gitignore"
    assert "ELASTIC_PASSWORD=" in ENV_EXAMPLE.read_text()


def test_search_nodes_are_profiles_with_security_health_and_volumes() -> None:
    services = _services()
    es, opensearch = services["elasticsearch"], services["opensearch"]
    assert es["profiles"] == ["elasticsearch"] and opensearch["profiles"] == ["opensearch"]
    assert es["image"].split(":")[0].endswith("elasticsearch/elasticsearch")
    assert ":-8." in es["image"] and ":-2.19." in opensearch["image"]
    assert es["environment"]["xpack.security.enabled"] == "true"
    assert es["environment"]["discovery.type"] == "single-node"
    for node, data in (
        (es, "/usr/share/elasticsearch/data"),
        (opensearch, "/usr/share/opensearch/data"),
    ):
        assert "_cluster/health?wait_for_status=yellow" in " ".join(node["healthcheck"]["test"])
        assert any(v.endswith(":" + data) for v in node["volumes"])
        # Reached from this machine only.
        assert all(p.startswith("127.0.0.1:") for p in node["ports"])


def test_veille_services_use_the_search_store_with_health_checks() -> None:
    for name, service in _veille_services().items():
        environment = service["environment"]
        assert environment["VEILLE_STORAGE_BACKEND"] == "search", name
        assert environment["VEILLE_SEARCH_URL"] == "${VEILLE_SEARCH_URL:-http://elasticsearch:9200}"
        assert service["healthcheck"]["test"], name
    assert "veille status" in " ".join(_veille_services()["scheduler"]["healthcheck"]["test"])
    assert _veille_services()["nlp-worker"]["deploy"]["replicas"] == 3
    # Several workers share the NLP stage only over several partitions.
    for name, service in _veille_services().items():
        value = service["environment"]["VEILLE_OPS_NLP_PARTITIONS"]
        default = re.fullmatch(r"\$\{VEILLE_OPS_NLP_PARTITIONS:-(\d+)\}", value)
        assert default and int(default.group(1)) > 3, name


def test_services_share_the_data_volume_and_the_store_path() -> None:
    services = _veille_services()
    paths = {s["environment"]["VEILLE_STORAGE_SQLITE_PATH"] for s in services.values()}
    assert len(paths) == 1
    (path,) = paths
    for service in services.values():
        mounts = [v.split(":")[1] for v in service["volumes"]]
        assert any(path.startswith(m.rstrip("/") + "/") for m in mounts)


@pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="docker-compose (Debian package) not installed: the file is checked by the tests "
    "above only",
)
def test_compose_tool_accepts_the_file(tmp_path: Path) -> None:
    def config(*options: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker-compose", "-f", str(COMPOSE), *options, "config", "--quiet"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
            # Not this machine's own settings: only what the file and the env file say.
            env={"PATH": os.environ["PATH"]},
        )

    result = config("--env-file", str(ENV_EXAMPLE))
    assert result.returncode == 0, result.stderr
    # Without .env, the Elasticsearch password is missing and the tool says so.
    empty = tmp_path / "empty.env"
    empty.write_text("")
    missing = config("--env-file", str(empty))
    assert missing.returncode != 0 and "ELASTIC_PASSWORD" in missing.stderr
