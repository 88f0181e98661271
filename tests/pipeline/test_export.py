"""`veille export mentions`: fields, filters, both formats, formula cells neutralised."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.app import app
from dashboard.report import figures_csv
from pipeline.export import FIELDS, defuse_cell, parse_since
from records import BrandMatch, Mention, RawPost, Sentiment
from storage.sqlite import SQLiteStore

runner = CliRunner()
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def mention(n: int, source: str = "demo-forum", body: str = "", **kw: object) -> Mention:
    post = RawPost(
        source_id=source,
        kind="forum",
        external_id=f"p{n}",
        url=f"http://forum.test/t/1#p{n}",
        thread_url="http://forum.test/t/1",
        thread_title="Panne Lumio",
        author=f"user{n}",
        body_text=body or f"message {n} sur Lumio",
        quoted=["Alice: la box clignote"] if n % 2 else [],
        published_at=T0 + timedelta(days=n),
    )
    return Mention(
        post=post,
        lang="fr",
        brands=[BrandMatch("lumio", "Lumio", 0, 5)],
        sentiment=Sentiment("negative", 0.8, "veille-lexicon", "1"),
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def stored(store: SQLiteStore) -> list[Mention]:
    mentions = [
        mention(0, body='=HYPERLINK("http://evil.test","clic")'),
        mention(1, sentiment_override="positive"),
        mention(2, source="other-forum", body="+33 6 12 34 56 78 appelez"),
        mention(3, body="@Lumio -10 € de remise ?"),
    ]
    store.upsert_mentions(mentions)
    return mentions


def export(config_dir: Path, tmp_path: Path, *args: str) -> tuple[str, Path]:
    out = tmp_path / "export.out"
    result = runner.invoke(
        app, ["export", "mentions", "--out", str(out), "--config-dir", str(config_dir), *args]
    )
    assert result.exit_code == 0, result.output
    return result.output, out


def test_jsonl_has_every_field(config_dir: Path, tmp_path: Path, stored: list[Mention]) -> None:
    output, out = export(config_dir, tmp_path, "--format", "jsonl")
    assert "4 mentions écrites" in output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [m.id for m in stored]
    first, second = records[0], records[1]
    assert tuple(first) == FIELDS
    assert first["published_at"] == "2026-03-01T12:00:00Z"
    assert first["body_text"].startswith("=HYPERLINK")  # JSON is data, not a spreadsheet
    assert first["brands"] == ["lumio"] and first["sentiment"] == "negative"
    assert second["sentiment"] == "positive"  # a person's correction wins
    assert second["quoted"] == ["Alice: la box clignote"]
    assert (first["thread_title"], first["thread_url"]) == ("Panne Lumio", "http://forum.test/t/1")


def test_filters(config_dir: Path, tmp_path: Path, stored: list[Mention]) -> None:
    _, out = export(config_dir, tmp_path, "--source", "other-forum", "--format", "jsonl")
    assert [json.loads(x)["source"] for x in out.read_text().splitlines()] == ["other-forum"]
    _, out = export(config_dir, tmp_path, "--since", "2026-03-03", "--format", "jsonl")
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == [
        stored[2].id,
        stored[3].id,
    ]


def test_csv_neutralises_formulas(config_dir: Path, tmp_path: Path, stored: list[Mention]) -> None:
    output, out = export(config_dir, tmp_path, "--format", "csv", "--lang", "en")
    assert "4 mentions written" in output
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["body_text"][:3] for r in rows] == ["'=H", "mes", "'+3", "'@L"]
    assert rows[1]["quoted"] == '["Alice: la box clignote"]'
    assert rows[0]["brands"] == "lumio"
    assert rows[0]["published_at"] == "2026-03-01T12:00:00Z"


def test_the_dashboard_export_uses_the_same_neutraliser() -> None:
    frame = pd.DataFrame({"brand": ["=1+1", "-x", "ok"], "n": [1, 2, 3]})
    text = figures_csv({"t": frame}).decode("utf-8-sig")
    assert "'=1+1" in text and "'-x" in text
    assert [defuse_cell(v) for v in ("=1", "\tx", "ok", 3)] == ["'=1", "'\tx", "ok", 3]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "jsonl ou csv"),
        (["--since", "hier"], "date ISO 8601"),
    ],
)
def test_bad_options_say_what(
    config_dir: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "x"
    result = runner.invoke(
        app, ["export", "mentions", "--out", str(out), "--config-dir", str(config_dir), *args]
    )
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_since_values() -> None:
    assert parse_since("2026-03-14") == datetime(2026, 3, 14, tzinfo=UTC)
    assert parse_since("2026-03-14T11:00+01:00") == datetime(2026, 3, 14, 10, tzinfo=UTC)
