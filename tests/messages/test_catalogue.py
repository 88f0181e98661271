"""The message catalogue: both languages have every key, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from messages import CATALOGUE, LANGUAGES, _merge, format_duration, plural, t

REPO = Path(__file__).resolve().parents[2]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_every_key() -> None:
    missing = sorted(
        f"{key} ({lang})" for key, entry in CATALOGUE.items() for lang in LANGUAGES
        if not entry.get(lang)
    )  # fmt: skip
    assert missing == []
    assert all(set(entry) == set(LANGUAGES) for entry in CATALOGUE.values())


def test_both_languages_fill_the_same_placeholders() -> None:
    different = sorted(
        key
        for key, entry in CATALOGUE.items()
        if _placeholders(entry["fr"]) != _placeholders(entry["en"])
    )
    assert different == []


def test_every_key_the_code_asks_for_exists() -> None:
    # Keys written out in t("…"), plural(…, "…") and the alert CLI's _t("…") calls.
    sources = [
        p
        for package in ("cli", "dashboard", "pipeline", "messages")
        for p in (REPO / package).rglob("*.py")
    ]
    text = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    asked = set(re.findall(r"\bt\(\s*\"([a-z_.]+)\"", text))
    plurals = set(re.findall(r"plural\([^\"]*?\"(why\.[a-z_]+)\"", text))
    asked |= {f"{key}.{form}" for key in plurals for form in ("one", "many")}
    asked |= {f"cli.alerts.{key}" for key in re.findall(r"\b_t\(\s*\"([a-z_]+)\"", text)}
    assert len(asked) > 120
    assert sorted(asked - CATALOGUE.keys()) == []


def test_a_key_defined_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="defined twice: a"):
        _merge({"a": {"fr": "x", "en": "x"}}, {"a": {"fr": "y", "en": "y"}})


def test_lookups_and_plurals() -> None:
    assert t("cli.alerts.done", "en", id="a1", status="new") == "Alert a1: new"
    assert t("cli.alerts.done", id="a1", status="nouvelle") == "Alerte a1 : nouvelle"
    assert plural(1, "why.reply", "fr", n="1") == "1 réponse"
    assert plural(3, "why.reply", "en", n="3") == "3 replies"
    assert t("no.such.key") == "no.such.key"
    assert len(t("why.days", "fr").split()) == len(t("why.days", "en").split()) == 7
    assert format_duration(125) == "2 h 05 min"
    assert format_duration(3 * 24 * 60 + 61, "en") == "3 d 1 h"
