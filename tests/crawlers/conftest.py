"""A tiny forum served from tests/fixtures/forum/ on loopback, and configs pointing at it.

Like Scrapy's own mockserver: one server per test session, in a thread; whole crawls run
in child processes against it. Each route is a fixture file with its Content-Type, or an
HTTP status to answer with.
"""

from __future__ import annotations

import shutil
import socket
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "forum"
HTML = "text/html; charset=utf-8"
SOURCE_ID = "demo-forum"

ROUTES: dict[str, tuple[str, str] | int] = {
    "/": ("index.html", HTML),
    "/robots.txt": ("robots.txt", "text/plain; charset=utf-8"),
    "/forum/box": ("forum-box.html", HTML),
    "/forum/box?page=2": ("forum-box-2.html", HTML),
    "/forum/mobile": ("forum-mobile.html", HTML),
    "/topic/1-panne-box-telvia": ("topic-1.html", HTML),
    "/topic/1-panne-box-telvia?page=2": ("topic-1-page-2.html", HTML),
    "/topic/2-resiliation-frais": ("topic-2-cp1252.html", "text/html; charset=windows-1252"),
    "/topic/3-votre-forum-filtre-rien": ("topic-3-hostile.html", HTML),
    "/topic/4-sujet-supprime": ("topic-4-deleted.html", HTML),
    "/topic/5-reseau-lumio": 500,
    # Disallowed by robots.txt: a crawl that fetched it would count a no_posts error.
    "/topic/6-espace-prive": ("topic-4-deleted.html", HTML),
    # cp1252 bytes, no charset anywhere: the crawler has to sniff the encoding.
    "/topic/7-portabilite": ("topic-7-no-charset.html", "text/html"),
    "/maintenance": ("not-a-forum.html", HTML),
}
SLOW_PATH = "/slow"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A crawler that gave up on a slow page hangs up mid-answer; that is expected.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ForumSite:
    """The fixture forum on http://127.0.0.1:<port>/, with a count of hits per target."""

    def __init__(self, cookie: str | None = None) -> None:
        self.hits: Counter[str] = Counter()
        # A Set-Cookie header on every answer (Scrapy's cookie middleware then runs).
        self.cookie = cookie
        self.closing = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits[self.path] += 1
                if self.path == SLOW_PATH:
                    site.closing.wait(10)
                route = ROUTES.get(self.path, 404)
                if isinstance(route, int):
                    status, body, content_type = route, f"Erreur {route}\n".encode(), HTML
                else:
                    name, content_type = route
                    status, body = 200, (FIXTURES / name).read_bytes()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if site.cookie:
                    self.send_header("Set-Cookie", site.cookie)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """Root URL without the trailing slash."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> None:
        """Serve in a background thread."""
        self.thread.start()

    def stop(self) -> None:
        """Release slow requests, stop serving and close the socket."""
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def forum_site() -> Iterator[ForumSite]:
    """The fixture forum, served for the whole session."""
    site = ForumSite()
    site.start()
    yield site
    site.stop()


@dataclass
class CrawlSetup:
    """A private config directory and store for one crawl, and the child's environment."""

    config_dir: Path
    db: Path
    env: dict[str, str]


def _write_config(directory: Path, start_urls: list[str], **source: Any) -> Path:
    # The repository's config/*.yaml, with the demo source pointed at the fixture forum.
    directory.mkdir(parents=True, exist_ok=True)
    for path in (REPO / "config").glob("*.yaml"):
        shutil.copy(path, directory / path.name)
    sources = yaml.safe_load((directory / "sources.yaml").read_text(encoding="utf-8"))
    (demo,) = [s for s in sources["sources"] if s["id"] == SOURCE_ID]
    demo.update(start_urls=start_urls, **source)
    sources["sources"] = [demo]
    (directory / "sources.yaml").write_text(
        yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8"
    )
    return directory


@pytest.fixture(scope="session")
def crawl_setup(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., CrawlSetup]:
    """Factory: `crawl_setup(start_urls, **source_fields)` -> a CrawlSetup of its own.

    The child gets a private SQLite file, and no AutoThrottle, one retry and a short
    download timeout so that a crawl of the fixture forum takes a second or two.
    """

    def make(start_urls: list[str], **source: Any) -> CrawlSetup:
        base = tmp_path_factory.mktemp("crawl")
        db = base / "veille.db"
        env = {
            "VEILLE_STORAGE_SQLITE_PATH": str(db),
            "VEILLE_CRAWL_AUTOTHROTTLE": "false",
            "VEILLE_CRAWL_RETRY_TIMES": "1",
            "VEILLE_CRAWL_DOWNLOAD_TIMEOUT": "5",
            "VEILLE_CRAWL_RETRY_BACKOFF": "0.1",
        }
        return CrawlSetup(_write_config(base / "config", start_urls, **source), db, env)

    return make


@pytest.fixture
def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
