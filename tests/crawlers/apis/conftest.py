"""A local HTTP server playing the APIs (Discourse, Mastodon, Reddit, feeds, generic JSON)
from the fixtures under tests/fixtures/apis/, and config directories pointing at it.

Like tests/crawlers/conftest.py's forum: one server per session, in a thread; whole
crawls run in child processes against it. Routes are matched on the decoded path and
query; a test swaps routes between crawls to make an API change.
"""

from __future__ import annotations

import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import yaml

from configuration.loader import load_config
from records import RawPost
from storage.sqlite import SQLiteStore

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "apis"
JSON = "application/json; charset=utf-8"


@dataclass
class Route:
    """An answer: a fixture file (or a status), headers; `{base}` in either becomes the
    server's root URL."""

    file: str | None = None
    status: int = 200
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)
    token: str | None = None  # when set, a request without `Bearer <token>` gets a 401
    header: tuple[str, str] | None = None  # (name, value) a request must carry, else 401
    delay: float = 0.0  # seconds before answering (cut short when the server stops)


class ApiSite:
    """The fake APIs on http://127.0.0.1:<port>/, with a count of hits per target."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.auth: list[str | None] = []
        self.closing = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                target = unquote(self.path)
                site.hits[target] += 1
                site.auth.append(self.headers.get("Authorization"))
                route = site.routes.get(target, Route(status=404))
                if route.delay:
                    site.closing.wait(route.delay)
                status, headers = route.status, dict(route.headers)
                if route.token and self.headers.get("Authorization") != f"Bearer {route.token}":
                    status = 401
                if route.header and self.headers.get(route.header[0]) != route.header[1]:
                    status = 401
                if status == 200 and route.file:
                    body = (FIXTURES / route.file).read_bytes()
                    body = body.replace(b"{base}", site.base_url.encode())
                else:
                    body = b'{"error": "nope"}'
                self.send_response(status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value.replace("{base}", site.base_url))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """Root URL without the trailing slash."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture(scope="session")
def api_site() -> Iterator[ApiSite]:
    """The fake APIs, served for the whole session."""
    site = ApiSite()
    site.thread.start()
    yield site
    site.closing.set()
    site.httpd.shutdown()
    site.httpd.server_close()
    site.thread.join(timeout=5)


@dataclass
class ApiSetup:
    """A private config directory (one source) and store, and the child's environment."""

    config_dir: Path
    db: Path
    env: dict[str, str]
    source_id: str

    def posts(self) -> dict[str, RawPost]:
        """The stored posts by external id."""
        store = SQLiteStore(load_config(self.config_dir, environ=self.env).sqlite_path)
        try:
            return {p.external_id: p for _, p in store.raw_posts_after(0, 10_000)}
        finally:
            store.close()

    def state(self) -> dict[str, dict[str, Any]]:
        """The crawl state remembered for the source."""
        store = SQLiteStore(load_config(self.config_dir, environ=self.env).sqlite_path)
        try:
            return store.crawl_states(self.source_id)
        finally:
            store.close()


@pytest.fixture(scope="session")
def api_setup(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., ApiSetup]:
    """Factory: `api_setup(source_dict)` -> an ApiSetup with a private store.

    No AutoThrottle, one retry and a short timeout keep a crawl to a second or two.
    """

    def make(source: dict[str, Any], **env: str) -> ApiSetup:
        base = tmp_path_factory.mktemp("api")
        config_dir = base / "config"
        config_dir.mkdir()
        for path in (REPO / "config").glob("*.yaml"):
            shutil.copy(path, config_dir / path.name)
        (config_dir / "sources.yaml").write_text(
            yaml.safe_dump({"sources": [source]}, allow_unicode=True), encoding="utf-8"
        )
        db = base / "veille.db"
        child_env = {
            "VEILLE_STORAGE_SQLITE_PATH": str(db),
            "VEILLE_CRAWL_AUTOTHROTTLE": "false",
            "VEILLE_CRAWL_RETRY_TIMES": "1",
            "VEILLE_CRAWL_DOWNLOAD_TIMEOUT": "5",
            **env,
        }
        return ApiSetup(config_dir, db, child_env, source["id"])

    return make
