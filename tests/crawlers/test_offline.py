"""A crawl connects to its source and nowhere else (tldextract's suffix list included)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawlers.offline import SUFFIX_LIST_URLS
from crawlers.run import crawl_source
from tests.crawlers.conftest import SOURCE_ID, ForumSite

# Started in the child crawl through PYTHONPATH: Python imports `sitecustomize` at
# start-up, so the audit hook sees every name lookup and connection the crawl makes.
AUDIT_HOOK = """
import os, sys

_log = open(os.environ["VEILLE_TEST_AUDIT_LOG"], "a", encoding="utf-8")

def _audit(event, args):
    if event == "socket.getaddrinfo":
        _log.write(f"lookup {args[0]}\\n")
    elif event == "socket.connect" and isinstance(args[1], tuple):
        _log.write(f"connect {args[1][0]}\\n")
    else:
        return
    _log.flush()

sys.addaudithook(_audit)
"""


@pytest.fixture
def cookie_site() -> Iterator[ForumSite]:
    """The fixture forum, setting a cookie on every page (so tldextract is asked)."""
    site = ForumSite(cookie="sid=abc123; Path=/")
    site.start()
    yield site
    site.stop()


@pytest.mark.slow
def test_a_crawl_connects_only_to_its_source(
    cookie_site: ForumSite, crawl_setup: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SUFFIX_LIST_URLS, raising=False)
    (tmp_path / "sitecustomize.py").write_text(AUDIT_HOOK, encoding="utf-8")
    log = tmp_path / "audit.log"
    setup = crawl_setup([cookie_site.base_url + "/"])
    env = {
        **setup.env,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
        "VEILLE_TEST_AUDIT_LOG": str(log),
    }
    run = crawl_source(setup.config_dir, SOURCE_ID, env=env)
    assert run.posts_new > 0
    assert cookie_site.hits["/topic/1-panne-box-telvia"] == 1
    events = log.read_text(encoding="utf-8").splitlines()
    assert events, "the audit hook did not run in the child"
    hosts = {line.split(" ", 1)[1] for line in events}
    assert hosts == {"127.0.0.1"}, events
