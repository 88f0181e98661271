"""Language identification among the languages Veille follows."""

from __future__ import annotations

import pytest

from nlp.lang import _decide, detect_language, detect_languages, get_detector, normalize_code


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Bonjour, ma box est en panne depuis trois jours, quelqu'un a une idée ?", "fr"),
        ("Anyone else having issues with their connection every evening?", "en"),
        ("Hola, ¿alguien sabe si la fibra funciona bien en Madrid este mes?", "es"),
        ("Mein Internet funktioniert seit gestern Abend überhaupt nicht mehr.", "de"),
    ],
)
def test_detects_the_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_short_texts_take_the_hint() -> None:
    assert detect_language("top !", hint="fr") == "fr"
    assert detect_language("+1 grave", hint="fr-FR") == "fr"
    assert detect_language("ok", hint=None) == "und"
    assert detect_language("", hint="en") == "en"


def test_a_long_text_wins_over_a_wrong_hint() -> None:
    text = "Customer service is a joke, I waited an hour on the phone for nothing."
    assert detect_language(text, hint="fr") == "en"


def test_a_close_call_goes_to_the_hint() -> None:
    assert _decide([("en", 0.52), ("fr", 0.48)], hint="fr") == "fr"
    assert _decide([("en", 0.9), ("fr", 0.1)], hint="fr") == "en"
    assert _decide([], hint=None) == "und"


def test_batch_detection_keeps_order() -> None:
    texts = ["Le débit est catastrophique tous les soirs", "ok", "The speed is great so far"]
    assert detect_languages(texts, ["fr", "fr", None]) == ["fr", "fr", "en"]
    with pytest.raises(ValueError, match="hints"):
        detect_languages(texts, ["fr"])


def test_restricted_languages_and_cached_detector() -> None:
    assert get_detector(("fr", "en")) is get_detector(("fr", "en"))
    spanish = "Hola, ¿alguien sabe si la fibra funciona bien en Madrid este mes?"
    assert detect_language(spanish, languages=("fr", "en")) in {"fr", "en"}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("fr", "fr"),
        ("FR", "fr"),
        ("fr-CA", "fr"),
        ("en_GB", "en"),
        ("", None),
        (None, None),
        ("x", None),
    ],
)
def test_normalize_code(code: str | None, expected: str | None) -> None:
    assert normalize_code(code) == expected
