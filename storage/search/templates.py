"""Versioned index templates (config/search/<name>-template.v<N>.json) and their names.

A template file is a composable index template body as both OpenSearch 2.x and
Elasticsearch 8/9 take it (`PUT _index_template/<name>`), plus Veille's own block under
`_meta.veille`: the monthly index prefix and date format, the read alias (every index the
template matches joins it, through the template's `aliases`) and the write alias (set on
one index at a time, with `is_write_index`). The JSON stays the single source of the
names, so a mapping change is a new file (v2) next to the old one, never an edit.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

# Keys of `_meta.veille` every template file must give, with what each must be.
_META_KEYS = (
    "template",
    "version",
    "index_prefix",
    "index_date_format",
    "read_alias",
    "write_alias",
)


class TemplateError(ValueError):
    """A template file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class IndexTemplate:
    """One versioned index template and the index and alias names it defines."""

    name: str
    version: int
    index_prefix: str
    index_date_format: str
    read_alias: str
    write_alias: str
    body: dict[str, Any]
    path: Path

    @property
    def template_name(self) -> str:
        """Name under `_index_template/`: one per version, so v1 and v2 can coexist."""
        return f"{self.index_prefix.rstrip('-')}-template-v{self.version}"

    def index_for(self, when: datetime) -> str:
        """The concrete index of the month `when` falls in (UTC), e.g. veille-mentions-2026.11."""
        if when.tzinfo is None:
            raise ValueError(f"index_for: {when!r} must be timezone-aware")
        return self.index_prefix + when.strftime(self.index_date_format)

    def create_index_body(self) -> dict[str, Any]:
        """Body that creates a monthly index as the write alias's target.

        Settings and mappings come from the template itself (the index name matches its
        pattern); only the write alias is per index.
        """
        return {"aliases": {self.write_alias: {"is_write_index": True}}}

    def with_namespace(self, namespace: str) -> IndexTemplate:
        """The same template with every index, alias and pattern name prefixed.

        Lets tests (and several Veille installs) share one cluster without meeting.
        """
        body = copy.deepcopy(self.body)
        body["index_patterns"] = [namespace + p for p in body["index_patterns"]]
        template = body.get("template", {})
        template["aliases"] = {namespace + a: v for a, v in template.get("aliases", {}).items()}
        meta = body["_meta"]["veille"]
        for key in ("index_prefix", "read_alias", "write_alias"):
            meta[key] = namespace + meta[key]
        return _from_body(body, self.path)


def template_path(config_dir: Path, name: str, version: int) -> Path:
    """Where template `name` at `version` lives under a config directory."""
    return Path(config_dir) / "search" / f"{name}-template.v{version}.json"


def load_template(config_dir: Path, name: str, version: int) -> IndexTemplate:
    """Read and check one template file; a bad file raises TemplateError naming it."""
    path = template_path(config_dir, name, version)
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TemplateError(f"{path}: no such template file") from None
    except json.JSONDecodeError as exc:
        raise TemplateError(f"{path}: not JSON ({exc})") from None
    template = _from_body(body, path)
    if template.name != name or template.version != version:
        raise TemplateError(
            f"{path}: _meta.veille says {template.name!r} v{template.version}, "
            f"the file name says {name!r} v{version}"
        )
    return template


def _from_body(body: Any, path: Path) -> IndexTemplate:
    if not isinstance(body, dict):
        raise TemplateError(f"{path}: expected a JSON object at the top level")
    meta = body.get("_meta", {}).get("veille")
    if not isinstance(meta, dict):
        raise TemplateError(f"{path}: _meta.veille: missing (Veille's names for the template)")
    for key in _META_KEYS:
        expected = int if key == "version" else str
        if not isinstance(meta.get(key), expected) or meta.get(key) in ("", 0):
            raise TemplateError(f"{path}: _meta.veille.{key}: expected a {expected.__name__}")
    mappings = body.get("template", {}).get("mappings", {})
    # An unmapped field in a hostile post must never grow the mapping (a mapping explosion).
    if mappings.get("dynamic") is not False:
        raise TemplateError(f"{path}: template.mappings.dynamic: expected false")
    patterns = body.get("index_patterns")
    if patterns != [meta["index_prefix"] + "*"]:
        raise TemplateError(
            f"{path}: index_patterns: expected [{meta['index_prefix'] + '*'!r}], got {patterns!r}"
        )
    if meta["read_alias"] not in body["template"].get("aliases", {}):
        raise TemplateError(
            f"{path}: template.aliases: expected the read alias {meta['read_alias']!r}"
        )
    if body.get("version") != meta["version"]:
        raise TemplateError(f"{path}: version: expected {meta['version']} as in _meta.veille")
    return IndexTemplate(
        name=meta["template"],
        version=meta["version"],
        index_prefix=meta["index_prefix"],
        index_date_format=meta["index_date_format"],
        read_alias=meta["read_alias"],
        write_alias=meta["write_alias"],
        body=body,
        path=path,
    )


def mapped_fields(template: IndexTemplate) -> set[str]:
    """Top-level field names the template maps (the rest stays in _source only)."""
    return set(template.body["template"]["mappings"]["properties"])
