"""Config of the API source kinds: option blocks, secrets named by variable, clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from configuration.base import ConfigError
from configuration.loader import load_config
from configuration.sources import SOURCE_KINDS
from crawlers.spiders import spider_for


def write_sources(config_dir: Path, *sources: dict[str, Any]) -> None:
    (config_dir / "sources.yaml").write_text(
        yaml.safe_dump({"sources": list(sources)}), encoding="utf-8"
    )


def test_every_api_kind_has_a_spider() -> None:
    kinds = {"discourse", "rss", "mastodon", "reddit", "facebook", "youtube", "bluesky"}
    assert kinds | {"json_api", "forum"} <= set(SOURCE_KINDS.names())
    assert all(spider_for(kind).kind == kind for kind in SOURCE_KINDS.names())


def test_api_sources_load_with_defaults(config_dir: Path) -> None:
    write_sources(
        config_dir,
        {"id": "d", "name": "D", "kind": "discourse",
         "discourse": {"base_url": "https://forum.example.fr/"}},
        {"id": "r", "name": "R", "kind": "reddit", "reddit": {"subreddits": ["france"]}},
        {"id": "f", "name": "F", "kind": "rss", "start_urls": ["https://blog.example/feed"]},
        {"id": "m", "name": "M", "kind": "mastodon", "mastodon": {"hashtags": ["telvia"]}},
    )  # fmt: skip
    config = load_config(config_dir)
    discourse = config.source("d").discourse
    assert discourse is not None and discourse.base_url == "https://forum.example.fr"
    reddit = config.source("r").reddit
    assert reddit is not None and reddit.base_url == "https://www.reddit.com"
    mastodon = config.source("m").mastodon
    assert mastodon is not None and mastodon.base_url == "https://mastodon.social"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"kind": "discourse"}, "needs a 'discourse' block"),
        ({"kind": "rss"}, "needs start_urls"),
        ({"kind": "mastodon", "mastodon": {}}, "hashtags, search, accounts"),
        ({"kind": "reddit", "reddit": {"subreddits": ["x"]}, "mastodon": {"hashtags": ["x"]}},
         "mastodon: options of another kind"),
        ({"kind": "facebook", "facebook": {"page_id": "1", "token_env": "lower-case"}},
         "facebook.token_env"),
        ({"kind": "facebook", "facebook": {"page_id": "1", "token": "EAAB..."}},
         "facebook.token"),
        ({"kind": "discourse", "discourse": {"base_url": "ftp://x"}}, "expected an http"),
        ({"kind": "json_api", "json_api": {"url": "https://x.test/", "items": "", "id": "id"}},
         "json_api.text"),
    ],
)  # fmt: skip
def test_bad_api_sources_name_file_and_field(
    config_dir: Path, source: dict[str, Any], message: str
) -> None:
    write_sources(config_dir, {"id": "bad", "name": "Bad", **source})
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir)
    assert caught.value.file.endswith("sources.yaml")
    assert message in str(caught.value)
