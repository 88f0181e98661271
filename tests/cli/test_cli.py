from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app

runner = CliRunner()


def test_config_check_ok(config_dir: Path) -> None:
    result = runner.invoke(app, ["config", "check", "--config-dir", str(config_dir)])
    assert result.exit_code == 0, result.output
    assert "1 sources, 3 brands, 6 alert rules" in result.output


def test_config_check_names_file_and_field(config_dir: Path) -> None:
    (config_dir / "alerts.yaml").write_text("rules:\n  - id: x\n    terms: []\n")
    result = runner.invoke(app, ["config", "check", "--config-dir", str(config_dir)])
    assert result.exit_code == 2
    assert "alerts.yaml" in result.output
    assert "rules.0.crisis_vocabulary.terms" in result.output  # the rule type names the model


@pytest.mark.parametrize(
    "command",
    [
        ["crawl"],
        ["process"],
        ["alerts"],
        ["alerts", "list"],
        ["alerts", "show"],
        ["alerts", "ack"],
        ["alerts", "assign"],
        ["alerts", "resolve"],
        ["alerts", "dismiss"],
        ["alerts", "note"],
        ["alerts", "sla"],
        ["alerts", "notify"],
        ["alerts", "replay"],
        ["run"],
        ["schedule"],
        ["dashboard"],
        ["demo"],
        ["config", "check"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


@pytest.mark.parametrize("command", ["crawl", "run"])
def test_unknown_source_is_a_clear_error(config_dir: Path, command: str) -> None:
    result = runner.invoke(app, [command, "--source", "nope", "--config-dir", str(config_dir)])
    assert result.exit_code == 2
    assert "unknown source 'nope'" in result.output
    assert "demo-forum" in result.output


def test_alerts_on_empty_store(config_dir: Path) -> None:
    result = runner.invoke(app, ["alerts", "--config-dir", str(config_dir)])
    assert result.exit_code == 0, result.output
    assert "alerts: 0 records" in result.output
    listing = runner.invoke(app, ["alerts", "list", "--config-dir", str(config_dir)])
    assert listing.exit_code == 0, listing.output
