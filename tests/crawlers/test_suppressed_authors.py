"""An author forgotten with `veille privacy forget` stays out of later real crawls of the
fixture forum (see conftest.py): none of their posts is stored, each is counted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from cli.app import app
from configuration.loader import load_config
from crawlers.run import crawl_source
from records import RawPost
from records.authors import normalize_handle
from storage.sqlite import SQLiteStore

SOURCE = "demo-forum"
AUTHOR = "Mathieu_75"  # two posts of topic 1, one on each of its pages


def _stored(setup: Any) -> dict[str, RawPost]:
    store = SQLiteStore(load_config(setup.config_dir, environ=setup.env).sqlite_path)
    try:
        return {p.external_id: p for _, p in store.raw_posts_after(0, 1000)}
    finally:
        store.close()


def test_a_forgotten_author_is_erased_and_left_out_of_later_crawls(
    forum_site: Any, crawl_setup: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    setup = crawl_setup([forum_site.base_url + "/"])
    (setup.config_dir / "crm.yaml").write_text(
        yaml.safe_dump({"erase_mentions": True}), encoding="utf-8"
    )
    first = crawl_source(setup.config_dir, SOURCE, env=setup.env)
    theirs = {i for i, p in _stored(setup).items() if normalize_handle(p.author) == "mathieu_75"}
    assert first.posts_new == 11 and len(theirs) == 2

    for name, value in setup.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("VEILLE_CRM_DATABASE_URL", f"sqlite:///{tmp_path / 'crm.db'}")
    args = ["privacy", "forget", "--author", "@" + AUTHOR.upper(), "--lang", "en"]
    result = CliRunner().invoke(app, [*args, "--config-dir", str(setup.config_dir)])
    assert result.exit_code == 0, result.output
    erased = json.loads(result.stdout.strip().splitlines()[-1].removeprefix("erased: "))
    assert erased["store_raw_posts"] == 2 and erased["suppressed_new"] == 1
    assert set(_stored(setup)).isdisjoint(theirs) and len(_stored(setup)) == 9

    # The next crawl reads topic 1's last page again (its post by them) and stores none.
    second = crawl_source(setup.config_dir, SOURCE, env=setup.env)
    assert second.status == first.status
    assert second.details.get("posts/suppressed", 0) >= 1
    assert second.posts_new == 0
    stored = _stored(setup)
    assert len(stored) == 9 and set(stored).isdisjoint(theirs)

    # A re-run is idempotent: the same nine posts, nothing new, nothing of theirs.
    third = crawl_source(setup.config_dir, SOURCE, env=setup.env)
    assert third.posts_new == 0 and third.posts_updated == 0
    assert _stored(setup) == stored


def test_a_fresh_crawl_counts_every_post_of_a_suppressed_author(
    forum_site: Any, crawl_setup: Any
) -> None:
    from records.authors import author_key

    setup = crawl_setup([forum_site.base_url + "/"])
    store = SQLiteStore(load_config(setup.config_dir, environ=setup.env).sqlite_path)
    try:
        store.suppress_authors([author_key(AUTHOR)])
    finally:
        store.close()
    run = crawl_source(setup.config_dir, SOURCE, env=setup.env)
    assert run.details["posts/suppressed"] == 2
    assert run.posts_new == 9
    assert all(normalize_handle(p.author) != "mathieu_75" for p in _stored(setup).values())
