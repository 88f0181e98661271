"""A notification channel type: each message appended as one JSON line to a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from configuration.alerts import ChannelConfig, ChannelType


class JsonLinesChannelConfig(ChannelConfig):
    """Its own settings on top of every channel's (id, min_severity, brands, digest…)."""

    type: Literal["jsonl_file"]
    path: Path


def send(channel: JsonLinesChannelConfig, title: str, body: str) -> None:
    """Append the message; an OSError is a failed send, retried by the dispatcher."""
    with channel.path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"title": title, "body": body}, ensure_ascii=False) + "\n")


JSONL_FILE = ChannelType("jsonl_file", JsonLinesChannelConfig, send)
