"""`veille privacy forget` reaching the main store: the suppression list always, the
person's raw posts and mentions with `erase_mentions`; the NLP stage leaving them out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from cli.app import app
from configuration.loader import load_config
from pipeline.crm.context import CrmContext
from pipeline.crm.stage import sync
from pipeline.runner import process_posts
from records.authors import author_key
from storage import MentionFilter
from storage.sqlite import SQLiteStore
from tests.pipeline.crm.conftest import NOW, crm_yaml, mention, seed

JMARTIN = {1, 2, 5}  # seed()'s posts by JMartin / jmartin


def _lumio(store: SQLiteStore) -> int:
    rows = store.barometer(MentionFilter(brand_ids=["lumio"]), granularity="month")
    return sum(r.total for r in rows)


def _forget(*args: str) -> dict:
    result = CliRunner().invoke(app, ["privacy", "forget", *args, "--by", "dpo", "--lang", "en"])
    assert result.exit_code == 0, result.output
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith("erased: ")
    return json.loads(line.removeprefix("erased: "))


def _seeded(store: SQLiteStore) -> list:
    mentions = seed(store)
    store.upsert_raw_posts([m.post for m in mentions])
    return mentions


def _audit(ctx: CrmContext, action: str) -> list[dict]:
    audit = ctx.db.t["veille_crm_audit"]
    rows = ctx.db.rows(sa.select(audit).where(audit.c.action == action))
    return [json.loads(r["detail"]) for r in rows]


def test_forget_author_with_erase_mentions_empties_the_store_of_them_only(
    ctx: CrmContext, store: SQLiteStore, crm_files: Path
) -> None:
    crm_yaml(crm_files, erase_mentions=True)
    mentions = _seeded(store)
    sync(ctx, store, now=NOW)
    before = (store.count_raw_posts(), store.count_mentions(), _lumio(store))
    assert before == (7, 7, 7)

    what = _forget("--author", "@JMartin")

    assert (what["store_raw_posts"], what["store_mentions"]) == (3, 3)
    assert what["mentions"] == 3 and what["customers"] == ["lumio:c1"]
    assert (store.count_raw_posts(), store.count_mentions(), _lumio(store)) == (4, 4, 4)
    kept = [m.id for i, m in enumerate(mentions, 1) if i not in JMARTIN]
    assert [m.id for m in store.get_mentions([m.id for m in mentions])] == kept
    assert {p.id for _, p in store.raw_posts_after(0, 100)} == set(kept)
    assert author_key("jmartin") in store.suppressed_authors()
    # The CRM's own suppression list keeps the hash too, never the handle.
    sup = ctx.db.t["veille_crm_suppression"]
    values = [r["value"] for r in ctx.db.rows(sa.select(sup).where(sup.c.kind == "author"))]
    assert values == [author_key("jmartin")]
    (audit,) = _audit(ctx, "forget_in_store")
    assert audit["store_mentions"] == 3 and audit["erase_mentions"] is True
    assert "jmartin" not in json.dumps(audit).lower()

    # Run again: nothing left to erase, nothing else touched.
    again = _forget("--author", "jmartin")
    assert (again["store_raw_posts"], again["store_mentions"], again["suppressed_new"]) == (0, 0, 0)
    assert (store.count_raw_posts(), store.count_mentions()) == (4, 4)


def test_forget_author_without_erase_mentions_leaves_the_store_as_it_is(
    ctx: CrmContext, store: SQLiteStore
) -> None:
    _seeded(store)
    sync(ctx, store, now=NOW)
    what = _forget("--author", "jmartin")
    assert what["erase_mentions"] is False and what["store_mentions"] == 0
    assert (store.count_raw_posts(), store.count_mentions(), _lumio(store)) == (7, 7, 7)
    # Suppressed all the same: their later posts are neither crawled nor analysed.
    assert store.suppressed_authors() == {author_key("jmartin")}


def test_forget_customer_erases_the_handles_they_gave(
    ctx: CrmContext, store: SQLiteStore, crm_files: Path
) -> None:
    crm_yaml(crm_files, erase_mentions=True)
    _seeded(store)
    sync(ctx, store, now=NOW)
    what = _forget("--customer", "c1")
    assert what["links"] == 2 and what["handles"] == 1
    assert (what["store_raw_posts"], what["store_mentions"]) == (3, 3)
    assert store.count_mentions() == 4
    assert store.suppressed_authors() == {author_key("jmartin")}
    assert _audit(ctx, "forget_in_store")[0]["store_raw_posts"] == 3


def test_the_nlp_stage_makes_no_mention_of_a_suppressed_author(
    config_dir: Path, store: SQLiteStore
) -> None:
    posts = [
        mention(n, who, "Lumio coupe encore").post for n, who in ((1, "JMartin"), (2, "nanou"))
    ]
    store.upsert_raw_posts(posts)
    store.suppress_authors([author_key("@jmartin")])
    report = process_posts(load_config(config_dir), store)
    assert report.suppressed == 1 and report.records == 2
    assert [m.post.author for _, m in store.mentions_after(0, 10)] == ["nanou"]


@pytest.mark.parametrize("handle", ["", "  ", "@"])
def test_an_empty_handle_erases_and_suppresses_nothing(handle: str, store: SQLiteStore) -> None:
    _seeded(store)
    assert store.erase_author(handle).mentions == 0
    assert store.suppress_authors([author_key(handle)]) == 0
    assert store.count_mentions() == 7
