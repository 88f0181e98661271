"""The demo forum served over HTTP on loopback, and its command line."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urljoin
from urllib.request import urlopen

import pytest
from parsel import Selector

from demo.forum.__main__ import main
from demo.forum.generator import generate_forum
from demo.forum.models import CP1252, Forum
from demo.forum.server import DemoForumServer

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def forum() -> Forum:
    return generate_forum(seed=7, now=NOW)


@pytest.fixture
def server(forum: Forum) -> Iterator[DemoForumServer]:
    second_topic = list(forum.topics())[1]
    faults = {f"{second_topic.path}?page=2": 500, "/forum/service-client": 503}
    with DemoForumServer(forum, port=0, faults=faults, clock=lambda: NOW) as running:
        yield running


def fetch(url: str) -> tuple[int, str, bytes]:
    with urlopen(url, timeout=5) as response:
        return response.status, response.headers["Content-Type"], response.read()


def status_of(url: str) -> int:
    with pytest.raises(HTTPError) as error:
        fetch(url)
    error.value.close()
    return error.value.code


def test_crawl_index_forum_topic(server: DemoForumServer, forum: Forum) -> None:
    assert server.base_url == f"http://127.0.0.1:{server.port}" and server.port > 0
    status, content_type, body = fetch(server.base_url + "/")
    assert status == 200 and content_type == "text/html; charset=utf-8"
    forum_url = urljoin(
        server.base_url, Selector(text=body.decode()).css("a.forum-link::attr(href)").get()
    )
    _, _, body = fetch(forum_url)
    listing = Selector(text=body.decode())
    assert len(listing.css("a.topic-link")) == 10
    assert listing.css("a[rel=next]::attr(href)").get() == "/forum/box-fibre?page=2"
    topic_url = urljoin(forum_url, listing.css("a.topic-link::attr(href)").get())
    _, _, body = fetch(topic_url)
    page = Selector(text=body.decode())
    first_topic = forum.sub_forums[0].topics[0]
    assert page.css("h1.topic-title::text").get() == first_topic.title
    assert page.css("article.post::attr(data-post-id)").getall()[:1] == [
        first_topic.posts[0].external_id
    ]
    assert server.hits["/"] == 1 and server.hits["/forum/box-fibre"] == 1


def test_windows_1252_over_http(server: DemoForumServer, forum: Forum) -> None:
    topic = next(t for t in forum.topics() if t.encoding == CP1252)
    _, content_type, body = fetch(server.base_url + topic.path)
    assert content_type == "text/html; charset=windows-1252"
    assert topic.posts[0].body_text in Selector(text=body.decode("cp1252")).css("p::text").getall()


def test_robots_404_and_faults(server: DemoForumServer, forum: Forum) -> None:
    _, content_type, body = fetch(server.base_url + "/robots.txt")
    assert content_type.startswith("text/plain") and b"Disallow: /membre/" in body
    assert status_of(server.base_url + "/nulle-part") == 404
    second_topic = list(forum.topics())[1]
    assert status_of(f"{server.base_url}{second_topic.path}?page=2") == 500
    assert fetch(server.base_url + second_topic.path)[0] == 200  # only the faulty target fails
    assert status_of(server.base_url + "/forum/service-client") == 503
    assert fetch(server.base_url + "/forum/service-client?page=2")[0] == 200
    assert server.hits[f"{second_topic.path}?page=2"] == 1 and server.hits["/nulle-part"] == 1


def test_relative_dates_follow_the_clock(server: DemoForumServer, forum: Forum) -> None:
    crisis = next(t for t in forum.topics() if t.title.startswith("ARNAQUE"))
    _, _, body = fetch(f"{server.base_url}{crisis.path}?page={crisis.page_count}")
    dates = Selector(text=body.decode()).css("span.date::text").getall()
    assert any(d.startswith(("aujourd'hui à", "hier à")) for d in dates)


def test_stop_releases_the_port(forum: Forum) -> None:
    server = DemoForumServer(forum)
    server.start()
    with pytest.raises(RuntimeError):
        server.start()
    url = server.base_url
    server.stop()
    server.stop()
    with pytest.raises(OSError):
        fetch(url + "/")


def test_command_line_serves_until_sigterm(tmp_path: Path) -> None:
    truth = tmp_path / "truth.json"
    command = [
        sys.executable,
        "-m",
        "demo.forum",
        "--port",
        "0",
        "--ground-truth",
        str(truth),
    ]
    with subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        try:
            lines = [proc.stdout.readline(), proc.stdout.readline()]
            url = lines[1].strip().rsplit(" ", 1)[1]
            assert url.startswith("http://127.0.0.1:") and url.endswith("/")
            assert fetch(url)[0] == 200
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    assert json.loads(truth.read_text(encoding="utf-8"))["seed"] == 7


def test_main_in_a_thread_stops_on_its_event(capsys: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(main(["--port", "0"], stop)))
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while "http://" not in capsys.readouterr().out and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert result == [0]
