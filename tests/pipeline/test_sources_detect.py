"""`veille sources detect URL` against local forums: a phpBB one and one no preset knows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.app import app
from demo.sample_forum import SampleForum, SampleForumServer
from tests.crawlers.conftest import ForumSite

runner = CliRunner()
POST_LINE = re.compile(r"^  - (\S+), (\d{4}-\d\d-\d\d \d\d:\d\d) UTC ?: (.+)$", re.M)


@pytest.fixture(scope="module")
def site() -> Iterator[ForumSite]:
    forum = ForumSite()
    forum.start()
    yield forum
    forum.stop()


def detect(config_dir: Path, url: str, *args: str) -> Any:
    return runner.invoke(app, ["sources", "detect", url, "--config-dir", str(config_dir), *args])


def test_a_phpbb_forum_is_recognised_from_its_index(config_dir: Path) -> None:
    forum = SampleForum(threads=3, posts_per_thread=12)
    with SampleForumServer(forum) as server:
        result = detect(config_dir, server.base_url + "/index.php")
    assert result.exit_code == 0, result.output
    assert re.search(r"^Moteur : phpbb \(confiance 0\.\d\d\)$", result.output, re.M)
    assert "  post: div.post[id]" in result.output
    posts = POST_LINE.findall(result.output)
    assert len(posts) == 3
    # The first thread listed is the last active one: thread 3 (posts interleave).
    for index, (author, date, words) in enumerate(posts):
        assert author == f"membre{(3 * 7 + index) % 97}"
        assert date == forum.posted_at(3, index).strftime("%Y-%m-%d %H:%M")
        assert len(words.split()) <= 13
    assert "preset: phpbb" in result.output


def test_an_unknown_engine_is_read_by_the_generic_extractor(
    config_dir: Path, site: ForumSite
) -> None:
    result = detect(config_dir, site.base_url + "/", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Engine: no preset recognised: generic extractor" in result.output
    assert "generic extractor: repeated post blocks" in result.output
    posts = POST_LINE.findall(result.output)
    assert [author for author, _, _ in posts] == ["Mathieu_75", "Nanou", "Telvia_Officiel"]
    assert posts[0][1] == "2026-03-12 13:32"  # "le 12/03/2026 à 14h32" in Paris
    assert posts[0][2].startswith("Bonjour à tous, Ma box Telvia")


def test_robots_txt_is_obeyed(config_dir: Path, site: ForumSite) -> None:
    result = detect(config_dir, site.base_url + "/topic/6-espace-prive")
    assert result.exit_code == 1
    assert "robots.txt forbids" in result.output


def test_an_unreachable_forum_says_so(config_dir: Path, free_tcp_port: int) -> None:
    result = detect(config_dir, f"http://127.0.0.1:{free_tcp_port}/")
    assert result.exit_code == 1
    assert "cannot fetch" in result.output
