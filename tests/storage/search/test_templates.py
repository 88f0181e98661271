"""The versioned index templates and the mention documents, checked without a node."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from records import Mention
from storage.search.documents import SOURCE_ONLY_FIELDS, mention_document
from storage.search.templates import TemplateError, load_template, mapped_fields

REPO = Path(__file__).resolve().parents[3]


def test_mentions_template_names_and_settings() -> None:
    template = load_template(REPO / "config", "mentions", 1)
    assert template.template_name == "veille-mentions-template-v1"
    assert template.read_alias == "veille-mentions"
    assert template.write_alias == "veille-mentions-write"
    mappings = template.body["template"]["mappings"]
    assert mappings["dynamic"] is False
    assert mappings["properties"]["body_text"]["analyzer"] == "veille_french"
    assert mappings["properties"]["brand_ids"]["type"] == "keyword"
    assert template.create_index_body() == {
        "aliases": {"veille-mentions-write": {"is_write_index": True}}
    }


def test_monthly_index_is_the_utc_month() -> None:
    template = load_template(REPO / "config", "mentions", 1)
    # 00:30 in Paris on 1 December is still November in UTC.
    paris = timezone(timedelta(hours=1))
    when = datetime(2026, 12, 1, 0, 30, tzinfo=paris).astimezone(UTC)
    assert template.index_for(when) == "veille-mentions-2026.11"
    with pytest.raises(ValueError, match="timezone-aware"):
        template.index_for(datetime(2026, 12, 1))


def test_namespace_prefixes_every_name() -> None:
    template = load_template(REPO / "config", "mentions", 1).with_namespace("t1-")
    assert template.template_name == "t1-veille-mentions-template-v1"
    assert template.body["index_patterns"] == ["t1-veille-mentions-*"]
    assert template.body["template"]["aliases"] == {"t1-veille-mentions": {}}
    assert (template.read_alias, template.write_alias) == (
        "t1-veille-mentions",
        "t1-veille-mentions-write",
    )
    assert template.index_for(datetime(2026, 1, 5, tzinfo=UTC)) == "t1-veille-mentions-2026.01"
    # The loaded file itself is untouched.
    assert load_template(REPO / "config", "mentions", 1).body["index_patterns"] == [
        "veille-mentions-*"
    ]


def test_document_fields_match_the_mapping(make_mention: Callable[..., Mention]) -> None:
    mention = make_mention(
        "1", "Ma facture a doublé", datetime(2026, 11, 3, 9, tzinfo=UTC), ["lumio"], "negative"
    )
    mention.brand_overrides = {"azur": True}
    document = mention_document(mention)
    mapped = mapped_fields(load_template(REPO / "config", "mentions", 1))
    # Every field of a document is mapped or knowingly kept in _source only, and the other
    # way round: a field added to Mention fails here until the template says what it is.
    assert set(document) - SOURCE_ONLY_FIELDS == mapped
    assert document["ts"] == "2026-11-03T09:00:00+00:00"
    assert document["brand_ids"] == ["lumio", "azur"]
    assert document["sentiment_label"] == "negative"
    assert Mention.from_dict(document).to_dict() == mention.to_dict()


def test_document_time_falls_back_to_fetch_time(make_mention: Callable[..., Mention]) -> None:
    mention = make_mention("2", "Sans date", datetime(2026, 11, 3, tzinfo=UTC), [], "neutral")
    mention.post.published_at = None
    assert mention_document(mention)["ts"] == mention.post.fetched_at.isoformat()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda b: b["template"]["mappings"].update(dynamic=True),
            "template.mappings.dynamic: expected false",
        ),
        (
            lambda b: b["_meta"]["veille"].pop("write_alias"),
            "_meta.veille.write_alias: expected a str",
        ),
        (lambda b: b.update(index_patterns=["other-*"]), "index_patterns: expected"),
        (lambda b: b["template"].update(aliases={}), "template.aliases: expected the read alias"),
        (lambda b: b.update(version=2), "version: expected 1"),
    ],
)
def test_a_bad_template_file_names_file_and_field(
    tmp_path: Path, edit: Callable[[dict], object], message: str
) -> None:
    shutil.copytree(REPO / "config" / "search", tmp_path / "search")
    path = tmp_path / "search" / "mentions-template.v1.json"
    body = json.loads(path.read_text())
    edit(body)
    path.write_text(json.dumps(body))
    with pytest.raises(TemplateError, match=message) as caught:
        load_template(tmp_path, "mentions", 1)
    assert str(path) in str(caught.value)


def test_missing_or_mislabelled_template_file(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="no such template file"):
        load_template(tmp_path, "mentions", 1)
    (tmp_path / "search").mkdir()
    shutil.copy(
        REPO / "config" / "search" / "mentions-template.v1.json",
        tmp_path / "search" / "mentions-template.v2.json",
    )
    with pytest.raises(TemplateError, match="the file name says 'mentions' v2"):
        load_template(tmp_path, "mentions", 2)
    (tmp_path / "search" / "mentions-template.v3.json").write_text("{not json")
    with pytest.raises(TemplateError, match="not JSON"):
        load_template(tmp_path, "mentions", 3)
