"""Test support for the search-cluster tests: the live node, a private namespace, mentions.

The node is the one `VEILLE_SEARCH_URL` names (CI starts it with `scripts/search-node
start`); tests marked `requires_search_cluster` are skipped, saying why, without it (see
tests/conftest.py). Each test gets its own namespace: a prefix on every template, index
and alias name, dropped afterwards, so tests and repeated runs never meet on one node.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawlers.items import RawPost
from records import BrandMatch, Mention, Sentiment
from storage.search.client import SearchCluster
from storage.search.templates import IndexTemplate, load_template

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def search_cluster() -> Iterator[SearchCluster]:
    """The live node; a URL that is set but does not answer fails, it never skips."""
    url = os.environ.get("VEILLE_SEARCH_URL", "")
    if not url:
        pytest.skip("VEILLE_SEARCH_URL is not set: no live search node")
    cluster = SearchCluster.connect(url)
    cluster.wait_for_status("yellow", timeout_s=60)
    yield cluster
    cluster.close()


@pytest.fixture
def mentions_template(search_cluster: SearchCluster) -> Iterator[IndexTemplate]:
    """The mentions template v1 in a namespace of this test's own, installed on the node."""
    namespace = f"t{uuid.uuid4().hex[:10]}-"
    template = load_template(REPO / "config", "mentions", 1).with_namespace(namespace)
    search_cluster.put_template(template)
    yield template
    search_cluster.drop_template(template)


def _make_mention(
    external_id: str,
    body: str,
    published_at: datetime,
    brands: list[str],
    label: str,
    *,
    source_id: str = "forum-test",
) -> Mention:
    """A mention as the NLP stage stores it (real records, so documents are real too)."""
    post = RawPost(
        source_id=source_id,
        kind="forum",
        external_id=external_id,
        url=f"https://forum.example.fr/t/1#p{external_id}",
        body_text=body,
        published_at=published_at,
        thread_url="https://forum.example.fr/t/1",
        thread_title="Mon opérateur et moi",
        author=f"membre{external_id}",
        metrics={"likes": 2},
        fetched_at=datetime(2026, 11, 20, tzinfo=UTC),
    )
    matches = [BrandMatch(brand_id=b, surface=b, start=0, end=len(b)) for b in brands]
    return Mention(
        post=post,
        lang="fr",
        brands=matches,
        sentiment=Sentiment(label=label, score=0.9, model="lexicon"),
        processed_at=datetime(2026, 11, 20, 12, tzinfo=UTC),
        nlp_version="test",
    )


@pytest.fixture
def make_mention() -> Callable[..., Mention]:
    """Builds mentions: `make_mention(external_id, body, published_at, brands, label)`."""
    return _make_mention
