"""Human corrections exported as labelled data (`veille sentiment export`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from cli.app import app
from configuration.loader import VeilleConfig
from nlp.corrections import corrections_to_examples
from records import BrandMatch, Mention, RawPost, Sentiment
from storage.sqlite import SQLiteStore


def _mention(n: int, text: str, label: str, brands: tuple[str, ...]) -> Mention:
    post = RawPost(
        source_id="forum",
        kind="forum",
        external_id=str(n),
        url=f"http://forum.test/{n}",
        body_text=text,
        published_at=datetime(2026, 3, n, tzinfo=UTC),
    )
    return Mention(
        post=post,
        lang="fr",
        brands=[BrandMatch(b, b, 0, len(b)) for b in brands],
        sentiment=Sentiment(label, 0.7, "veille-lexicon", "1.0"),
        brand_sentiment={b: label for b in brands},
    )


def test_export_writes_corrected_mentions_only(
    config: VeilleConfig, config_dir: Path, tmp_path: Path
) -> None:
    store = SQLiteStore(config.sqlite_path)
    store.upsert_mentions(
        [
            _mention(1, "Lumio, super service, enfin !", "positive", ("lumio",)),
            _mention(
                2, "Orange pressée le matin, Azur le soir sur la plage.", "neutral", ("azur",)
            ),
            _mention(3, "Telvia ne répond jamais.", "negative", ("telvia",)),
        ]
    )
    ids = [m.id for _, m in store.mentions_after(0, 10)]
    store.set_sentiment_override(ids[0], "mixed")  # a person reads sarcasm
    store.set_brand_override(ids[1], "azur", False)  # not the operator
    store.close()
    out = tmp_path / "labelled.jsonl"
    result = CliRunner().invoke(
        app, ["sentiment", "export", "--out", str(out), "-c", str(config_dir)]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["label"], r["brands"]) for r in rows] == [("mixed", ["lumio"]), ("neutral", [])]
    assert "2 labelled texts" in result.output


def test_mentions_without_label_are_skipped() -> None:
    mention = _mention(1, "Lumio", "positive", ("lumio",))
    mention.sentiment = None
    assert list(corrections_to_examples([mention])) == []
