"""RawPost: one consumer post as a spider saw it, the record the crawl stage stores."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from records.times import parse_utc


def post_id(source_id: str, external_id: str) -> str:
    """Deterministic id of a post: a re-crawl of the same post maps to the same row."""
    digest = hashlib.sha1(f"{source_id}\x1f{external_id}".encode()).hexdigest()
    return digest[:20]


@dataclass
class RawPost:
    """A post as a spider saw it; `body_text` has quotes of other posts removed."""

    source_id: str
    kind: str
    external_id: str
    url: str
    body_text: str
    published_at: datetime | None = None
    thread_url: str = ""
    thread_title: str = ""
    author: str = ""
    author_url: str = ""
    quoted: list[str] = field(default_factory=list)
    reply_to: str | None = None
    metrics: dict[str, int] = field(default_factory=dict)
    lang_hint: str | None = None
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        for name in ("published_at", "fetched_at"):
            value = getattr(self, name)
            if value is not None and (value.tzinfo is None or value.utcoffset() is None):
                raise ValueError(f"RawPost.{name} must be timezone-aware, got {value!r}")

    @property
    def id(self) -> str:
        """The post's deterministic id (source + external id)."""
        return post_id(self.source_id, self.external_id)

    def content_hash(self) -> str:
        """Hash of what a re-crawl can change; equal hashes mean nothing to update."""
        payload = {k: v for k, v in self.to_dict().items() if k not in ("fetched_at",)}
        return hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (datetimes as ISO 8601 strings)."""
        # Built by hand rather than with dataclasses.asdict, whose recursive deep copy was
        # a third of a crawl's CPU time (bench/crawl.py); the lists and dicts are copied.
        data = {name: getattr(self, name) for name in _FIELD_NAMES}
        data["quoted"] = list(self.quoted)
        data["metrics"] = dict(self.metrics)
        for name in ("published_at", "fetched_at"):
            value = data[name]
            data[name] = value.isoformat() if value is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RawPost:
        """Inverse of `to_dict`; unknown keys are ignored."""
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["published_at"] = parse_utc(kwargs.get("published_at"))
        fetched = parse_utc(kwargs.get("fetched_at"))
        if fetched is None:
            kwargs.pop("fetched_at", None)
        else:
            kwargs["fetched_at"] = fetched
        return cls(**kwargs)


_FIELD_NAMES = tuple(f.name for f in fields(RawPost))
