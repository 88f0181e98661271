"""Folding for matching keeps a map back to the original text."""

from __future__ import annotations

import pytest

from nlp.normalize import fold, fold_with_offsets


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Côte d’Azur", "cote d'azur"),
        ("DÉÇU", "decu"),
        ("Télécom", "telecom"),
        ("cœur", "coeur"),
        ("Straße", "strasse"),
        ("ﬁbre", "fibre"),
        ("l`AzurBox", "l'azurbox"),
    ],
)
def test_fold_casefolds_strips_accents_and_unifies_apostrophes(text: str, folded: str) -> None:
    assert fold(text) == folded
    assert fold_with_offsets(text).text == folded


def test_ascii_offsets_are_the_identity() -> None:
    folded = fold_with_offsets("Lumio OK")
    assert folded.text == "lumio ok"
    assert folded.offsets == tuple(range(8))


def test_offsets_map_back_across_expanding_letters() -> None:
    text = "Ça œuvre, Lumio"
    folded = fold_with_offsets(text)
    start = folded.text.index("lumio")
    original = folded.span(start, start + len("lumio"))
    assert text[original[0] : original[1]] == "Lumio"
    # "œ" became two letters that both map back to it.
    oe = folded.text.index("oe")
    assert folded.span(oe, oe + 2) == (3, 4)


def test_empty_span_maps_to_a_position() -> None:
    folded = fold_with_offsets("été")
    assert folded.span(3, 3) == (3, 3)
    assert folded.span(1, 1) == (1, 1)
