"""Fixtures of the NLP tests: a fixed brand catalog and tiny local sentiment models."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from configuration.brands import BrandConfig, BrandsFile
from nlp.sentiment import factory

# The catalog the tests rely on, kept here so that editing config/brands.yaml cannot
# change what these tests mean.
CATALOG = {
    "brands": [
        {
            "id": "lumio",
            "name": "Lumio",
            "aliases": ["Lumio", "Lumio Télécom", "@lumio_fr", "#lumio"],
            "competitors": ["azur", "telvia"],
            "official_accounts": ["Lumio_Officiel"],
            "products": [
                {"id": "lumibox", "name": "LumiBox", "aliases": ["Lumi Box", "box Lumio"]},
                {"id": "lumio-5g", "name": "Lumio 5G", "aliases": ["forfait Lumio 5G"]},
            ],
        },
        {
            "id": "azur",
            "name": "Azur Mobile",
            "aliases": ["Azur", "AzurMobile"],
            "competitors": ["lumio", "telvia"],
            "exclusions": ["côte d'azur", "ciel azur", "bleu azur", "un azur"],
            "products": [{"id": "azurbox", "name": "AzurBox", "aliases": ["Azur Box"]}],
        },
        {
            "id": "telvia",
            "name": "Telvia",
            "competitors": ["lumio", "azur"],
            "official_accounts": ["@TelviaFR"],
            "products": [{"id": "telvia-fibre", "name": "Telvia Fibre"}],
        },
    ]
}

FRENCH_LINES = [
    "Ma box est en panne depuis trois jours, c'est la cata.",
    "Le service client Lumio est au top, merci !",
    "Débit fibre catastrophique le soir, vraiment nul.",
    "Installation rapide, technicien sympa, rien à redire.",
    "Impossible de joindre le SAV, quarante minutes d'attente.",
    "Franchement pas mal ce forfait, la 5G capte partout.",
    "Arnaque : double prélèvement ce mois-ci, je porte plainte.",
    "Je déménage le mois prochain, vous me conseillez quoi ?",
    "Le wifi porte dans toute la maison, super content.",
    "Résiliation envoyée, ils continuent de prélever.",
    "Aucun souci depuis deux ans, jamais une coupure.",
    "Le réseau s'est amélioré dans ma campagne.",
    "Facture qui double sans raison, c'est une blague ?",
    "Conseillère adorable, geste commercial sans même demander.",
    "Toujours rien aujourd'hui, je craque.",
    "La box redémarre en boucle, voyant rouge qui clignote.",
    "Merci pour vos réponses, je rappelle demain.",
    "Passé chez un autre opérateur, moitié prix et plus stable.",
    "Le chat du SAV est un robot qui ne comprend rien.",
    "Bonne nouvelle : remboursé des frais de résiliation.",
]


@pytest.fixture(scope="session")
def brands() -> list[BrandConfig]:
    """The test catalog, validated like config/brands.yaml."""
    return BrandsFile.model_validate(CATALOG).brands


@pytest.fixture
def fresh_sentiment_cache() -> Iterator[None]:
    """Forget models (and warnings) loaded by earlier tests, before and after the test."""
    factory.clear_cache()
    yield
    factory.clear_cache()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny XLM-RoBERTa sentiment classifier with random weights, saved locally.

    The tokenizer is a BPE trained on a few French lines; the model has cardiffnlp's
    architecture and label names but 32 hidden units and 40 positions, so texts longer
    than 38 tokens must be truncated to run at all.
    """
    pytest.importorskip(
        "torch", reason="torch is the optional `train` extra: not in the default install"
    )
    from nlp.sentiment.local_model import build_random_model, train_tokenizer

    target = tmp_path_factory.mktemp("tiny-sentiment")
    vocab_size = train_tokenizer(FRENCH_LINES, 400, target)
    build_random_model(
        target,
        vocab_size=vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=40,
    )
    return target


OnnxBuilder = Callable[[Path, "dict[int, str] | None"], Path]


@pytest.fixture(scope="session")
def build_onnx_model() -> OnnxBuilder:
    """Writes a tiny ONNX classifier and its tokenizer into a directory (no torch).

    The layout an HF/optimum export writes: model.onnx, tokenizer.json, config.json; 40
    positions, so texts longer than 40 tokens must be truncated to run at all.
    """
    pytest.importorskip("onnx", reason="the tiny ONNX graph is built with the `onnx` package")
    from nlp.sentiment.local_model import build_onnx_classifier, train_tokenizer

    def build(target: Path, labels: dict[int, str] | None = None) -> Path:
        vocab_size = train_tokenizer(FRENCH_LINES, 400, target)
        build_onnx_classifier(target, vocab_size, max_position_embeddings=40, labels=labels)
        return target

    return build


@pytest.fixture(scope="session")
def tiny_onnx_dir(build_onnx_model: OnnxBuilder, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny ONNX sentiment classifier with random weights (see `build_onnx_model`)."""
    return build_onnx_model(tmp_path_factory.mktemp("tiny-onnx"), None)
