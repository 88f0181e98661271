from __future__ import annotations

from pathlib import Path

import pytest

from configuration.base import ConfigError
from configuration.loader import load_config


def test_default_config_loads(config_dir: Path) -> None:
    config = load_config(config_dir)
    assert [s.id for s in config.sources] == ["demo-forum"]
    assert {b.id for b in config.brands} == {"lumio", "azur", "telvia"}
    assert config.brand("lumio").competitors == ["azur", "telvia"]
    assert config.rules[0].type == "crisis_vocabulary"


def test_env_overrides_settings(config_dir: Path, tmp_path: Path) -> None:
    env = {"VEILLE_STORAGE_SQLITE_PATH": str(tmp_path / "x.db"), "VEILLE_NLP_BATCH_SIZE": "7"}
    config = load_config(config_dir, environ=env)
    assert config.sqlite_path == tmp_path / "x.db"
    assert config.settings.nlp.batch_size == 7


def test_malformed_yaml_names_file_and_line(config_dir: Path) -> None:
    (config_dir / "brands.yaml").write_text("brands:\n  - id: x\n    name: [unclosed\n")
    with pytest.raises(ConfigError) as err:
        load_config(config_dir, environ={})
    assert err.value.file.endswith("brands.yaml")
    assert "invalid YAML at line" in str(err.value)


def test_invalid_field_names_field_and_expectation(config_dir: Path) -> None:
    text = (config_dir / "sources.yaml").read_text().replace("max_pages: 500", "max_pages: lots")
    (config_dir / "sources.yaml").write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(config_dir, environ={})
    message = str(err.value)
    assert "sources.yaml" in message
    assert "sources.0.max_pages" in message
    assert "integer" in message


def test_unknown_key_is_rejected(config_dir: Path) -> None:
    (config_dir / "veille.yaml").write_text("storage:\n  sqlite_pth: x.db\n")
    with pytest.raises(ConfigError, match=r"storage\.sqlite_pth: Extra inputs"):
        load_config(config_dir, environ={})


def test_unknown_competitor_and_rule_brand(config_dir: Path) -> None:
    brands = config_dir / "brands.yaml"
    brands.write_text(
        brands.read_text().replace("competitors: [azur, telvia]", "competitors: [nope]", 1)
    )
    with pytest.raises(ConfigError, match="unknown competitors"):
        load_config(config_dir, environ={})


def test_rule_with_unknown_brand(config_dir: Path) -> None:
    alerts = config_dir / "alerts.yaml"
    alerts.write_text(
        alerts.read_text().replace("severity: high", "severity: high\n    brands: [ghost]")
    )
    with pytest.raises(ConfigError, match="unknown brands"):
        load_config(config_dir, environ={})


def test_missing_required_file(config_dir: Path) -> None:
    (config_dir / "sources.yaml").unlink()
    with pytest.raises(ConfigError, match="file not found"):
        load_config(config_dir, environ={})


def test_non_http_start_url(config_dir: Path) -> None:
    sources = config_dir / "sources.yaml"
    sources.write_text(sources.read_text().replace("http://127.0.0.1:8765/", "file:///etc/passwd"))
    with pytest.raises(ConfigError, match="expected an http"):
        load_config(config_dir, environ={})


def test_an_unknown_rule_type_names_the_known_ones(config_dir: Path) -> None:
    alerts = config_dir / "alerts.yaml"
    alerts.write_text(alerts.read_text().replace("type: volume_spike", "type: volume_spik"))
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir)
    (problem,) = caught.value.problems
    assert problem.startswith(
        "field rules.1.type: unknown alert rule type 'volume_spik' (known: crisis_vocabulary, "
    )
    assert "source_broken, volume_spike)" in problem
