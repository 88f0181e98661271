"""The dashboard's access to the message catalogue (`messages`): `t`, the languages."""

from __future__ import annotations

from messages import DEFAULT_LANGUAGE, LANGUAGES, format_duration, t

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "format_duration", "t"]
