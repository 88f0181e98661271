"""One message catalogue, French (the default) and English, for every text a person reads.

The dashboard (`messages.dashboard`), `veille alerts` (`messages.cli`), the alert `why`
texts and notifications (`messages.alerts`), `veille status` and `schedule`
(`messages.ops`), the CRM page and commands (`messages.crm`), `veille store`
(`messages.store`) look their words up with
`t(key, lang)`; a test checks that both languages have every key, with the same placeholders. A key
missing in English falls back to French, and a key missing everywhere shows the key
itself, so that a forgotten entry is visible rather than blank. Like `records`, a leaf:
it imports nothing else of Veille.
"""

from __future__ import annotations

import logging

from messages.alerts import ALERTS
from messages.cli import CLI
from messages.crm import CRM
from messages.dashboard import DASHBOARD
from messages.ops import OPS
from messages.store import STORE

logger = logging.getLogger(__name__)

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"


def _merge(*tables: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for table in tables:
        if twice := sorted(merged.keys() & table.keys()):
            raise ValueError(f"message keys defined twice: {', '.join(twice)}")
        merged.update(table)
    return merged


CATALOGUE = _merge(DASHBOARD, CLI, ALERTS, OPS, CRM, STORE)


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text for `key` in `lang` (French when missing), with `{name}` filled in."""
    entry = CATALOGUE.get(key)
    if entry is None:
        logger.warning("no message for key %r", key)
        return key
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def plural(count: int, key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """`key.one` for one, else `key.many`, with `{n}` (the count as given) filled in."""
    return t(f"{key}.one" if count == 1 else f"{key}.many", lang, **values)


def format_duration(minutes: int, lang: str = DEFAULT_LANGUAGE) -> str:
    """A duration as people write it: `2 j 3 h`, `3 h 05 min`, `12 min` (`d`/`h` in English)."""
    minutes = abs(int(minutes))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return t("duration.days", lang, days=days, hours=hours)
    if hours:
        return t("duration.hours", lang, hours=hours, mins=mins)
    return t("duration.minutes", lang, mins=mins)
