"""Loading a config directory: read each YAML file, validate it, check across files.

Files of a config directory, each with its schema module in this package:
- veille.yaml   settings (configuration.settings);
- sources.yaml  where to crawl (configuration.sources);
- brands.yaml   the brand catalog (configuration.brands);
- alerts.yaml   alert rules and notifications (configuration.alerts);
- aspects.yaml  the aspect taxonomy (configuration.aspects).

Every error names the file, the field and what was expected.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError

from configuration.alerts import AlertsFile, RuleConfig
from configuration.aspects import AspectConfig, AspectsFile
from configuration.base import ConfigError, StrictModel, format_errors
from configuration.brands import BrandConfig, BrandsFile
from configuration.settings import SETTINGS, Settings
from configuration.sources import SourceConfig, SourcesFile

logger = logging.getLogger(__name__)

DEFAULT_CONFIG_DIR = Path("config")


class VeilleConfig(BaseModel):
    """Everything loaded from one config directory."""

    directory: Path
    settings: Settings
    sources: list[SourceConfig]
    brands: list[BrandConfig]
    rules: list[RuleConfig]
    aspects: list[AspectConfig] = Field(default_factory=list)
    alerts: AlertsFile = Field(default_factory=AlertsFile)

    def source(self, source_id: str) -> SourceConfig:
        """The source with this id, or a KeyError naming the known ones."""
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(s.id for s in self.sources) or "none"
        raise KeyError(f"unknown source {source_id!r} (known: {known})")

    def brand(self, brand_id: str) -> BrandConfig:
        """The brand with this id."""
        for brand in self.brands:
            if brand.id == brand_id:
                return brand
        raise KeyError(f"unknown brand {brand_id!r}")

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file, relative paths taken from the working directory."""
        return self.settings.storage.sqlite_path


def _read_yaml(path: Path, required: bool) -> dict[str, Any]:
    if not path.exists():
        if required:
            raise ConfigError(path, ["file not found"])
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(path, [f"invalid YAML at {where}{problem}"]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, [f"cannot read: {exc}"]) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(path, [f"expected a mapping at the top level, got {type(data).__name__}"])
    return data


def _validate(model: type[StrictModel], path: Path, data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(path, format_errors(exc)) from exc


def apply_env_overrides(data: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    """Apply `VEILLE_SECTION__KEY=value` variables to the settings mapping."""
    for setting in SETTINGS:
        value = environ.get(setting.env_var)
        if value is None:
            continue
        section, key = setting.name.split(".", 1)
        data.setdefault(section, {})[key] = yaml.safe_load(value) if value != "" else None
    return data


def load_config(
    directory: Path | str | None = None, environ: dict[str, str] | None = None
) -> VeilleConfig:
    """Load and validate a config directory (default: $VEILLE_CONFIG_DIR or ./config)."""
    env = dict(os.environ if environ is None else environ)
    base = Path(directory or env.get("VEILLE_CONFIG_DIR") or DEFAULT_CONFIG_DIR)
    if not base.is_dir():
        raise ConfigError(base, ["config directory not found"])
    settings_path = base / "veille.yaml"
    settings_data = apply_env_overrides(_read_yaml(settings_path, required=False), env)
    settings = _validate(Settings, settings_path, settings_data)
    sources_path = base / "sources.yaml"
    sources = _validate(SourcesFile, sources_path, _read_yaml(sources_path, required=True))
    brands_path = base / "brands.yaml"
    brands = _validate(BrandsFile, brands_path, _read_yaml(brands_path, required=True))
    alerts_path = base / "alerts.yaml"
    alerts = _validate(AlertsFile, alerts_path, _read_yaml(alerts_path, required=False))
    brand_ids = {b.id for b in brands.brands}
    for rule in alerts.rules:
        unknown = [b for b in rule.brands if b not in brand_ids]
        if unknown:
            raise ConfigError(
                alerts_path, [f"field rules.{rule.id}.brands: unknown brands {unknown}"]
            )
    aspects_path = base / "aspects.yaml"
    aspects = _validate(AspectsFile, aspects_path, _read_yaml(aspects_path, required=False))
    for channel in alerts.notifications.channels:
        unknown = [b for b in channel.brands if b not in brand_ids]
        if unknown:
            raise ConfigError(
                alerts_path,
                [f"field notifications.channels.{channel.id}.brands: unknown brands {unknown}"],
            )
    return VeilleConfig(
        directory=base,
        settings=settings,
        sources=sources.sources,
        brands=brands.brands,
        rules=alerts.rules,
        aspects=aspects.aspects,
        alerts=alerts,
    )
