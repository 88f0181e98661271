"""A synthetic phpBB 3.3 forum served on loopback, for whole-crawl tests and benchmarks.

The pages follow prosilver's markup (what the `phpbb` preset reads): a board index, one
sub-forum whose topic list shows each topic's last-post date and reply count, and topics
paginated ten posts a page, with quotes, signatures, edit notices, `sid` session ids
on every link and `<time datetime>` dates. Threads can grow between crawls (`add_posts`)
and a few misbehaviours can be switched on: a slow topic page, a thread whose "next"
link never ends, and answers of 429 with Retry-After.

    python -m demo.sample_forum --threads 100 --posts 200   # serves until Ctrl-C
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger(__name__)

SID = "0f3c9a2b7d6e5f4a3b2c1d0e9f8a7b6c"
EPOCH = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
WORDS = (
    "box", "fibre", "lumio", "panne", "débit", "facture", "résiliation", "service", "client",
    "remboursement", "technicien", "réseau", "mobile", "forfait", "portabilité", "délai",
    "courrier", "geste", "commercial",
)  # fmt: skip


@dataclass
class SampleForum:
    """The forum's content and its switches; pages are rendered on request."""

    threads: int = 10
    posts_per_thread: int = 25
    page_size: int = 10
    topics_per_page: int = 25
    # thread id -> number of posts (grows with add_posts)
    sizes: dict[int, int] = field(default_factory=dict)
    slow_seconds: float = 0.0
    slow_threads: set[int] = field(default_factory=set)  # empty: every thread is slow
    redirects: dict[str, str] = field(default_factory=dict)  # target -> Location (301)
    # Topic pages after this many wait for `release` (up to 30 s): a crawl that can be
    # stopped at a known point, whatever the machine's speed.
    hold_after: int | None = None
    release: threading.Event = field(default_factory=threading.Event, repr=False)
    topic_pages_served: int = 0
    endless_thread: int | None = None
    throttled: set[str] = field(default_factory=set)
    hits: Counter[str] = field(default_factory=Counter)
    # The post block's class: another one is a theme change the preset no longer reads.
    post_class: str = "post"
    # Keep rendered pages (benchmarks: the server must not be what is measured).
    cache_pages: bool = False
    _cache: dict[str, bytes] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for thread in range(1, self.threads + 1):
            self.sizes.setdefault(thread, self.posts_per_thread)

    @property
    def total_posts(self) -> int:
        """Posts in the whole forum."""
        return sum(self.sizes.values())

    def add_posts(self, thread: int, count: int) -> None:
        """New replies at the end of a thread (its listing changes)."""
        self.sizes[thread] += count

    def post_id(self, thread: int, index: int) -> int:
        """The global id of a thread's index-th post (0-based)."""
        return thread * 100_000 + index

    def posted_at(self, thread: int, index: int) -> datetime:
        """When a post was written: threads interleave, one post a minute."""
        return EPOCH + timedelta(minutes=index * self.threads + thread)

    # --- pages ---------------------------------------------------------------------

    def index(self) -> str:
        """The board index: one sub-forum."""
        link = f'<a href="./viewforum.php?f=2&amp;sid={SID}" class="forumtitle">Box et fibre</a>'
        return _page("Index", f'<ul class="topiclist forums"><li class="row">{link}</li></ul>')

    def topic_list(self, start: int) -> str:
        """A page of the sub-forum's topic list, last active topic first."""
        order = sorted(self.sizes, key=lambda t: self.posted_at(t, self.sizes[t] - 1), reverse=True)
        rows = []
        for thread in order[start : start + self.topics_per_page]:
            last = self.posted_at(thread, self.sizes[thread] - 1)
            rows.append(
                f'<li class="row"><dl class="row-item"><dt><div class="list-inner">'
                f'<a href="./viewtopic.php?f=2&amp;t={thread}&amp;sid={SID}" class="topictitle">'
                f"Sujet {thread}</a></div></dt>"
                f'<dd class="posts">{self.sizes[thread] - 1} <dfn>Réponses</dfn></dd>'
                f'<dd class="lastpost"><span><time datetime="{last.isoformat()}">x</time>'
                f"</span></dd></dl></li>"
            )
        body = f'<ul class="topiclist topics">{"".join(rows)}</ul>'
        if start + self.topics_per_page < len(order):
            body += _next(f"./viewforum.php?f=2&amp;start={start + self.topics_per_page}")
        return _page("Box et fibre", body)

    def topic(self, thread: int, start: int) -> str | None:
        """A page of a thread; None for a thread or page that does not exist."""
        size = self.sizes.get(thread)
        if size is None:
            return None
        endless = thread == self.endless_thread
        if start >= size and not endless:
            return None
        # An endless thread serves its last page again under every later start.
        first = min(start, max(0, (size - 1) // self.page_size * self.page_size))
        posts = [self._post(thread, i) for i in range(first, min(first + self.page_size, size))]
        title = (
            f'<h2 class="topic-title"><a href="./viewtopic.php?t={thread}">Sujet {thread}</a></h2>'
        )
        body = title + "".join(posts)
        if start + self.page_size < size or endless:
            body += _next(
                f"./viewtopic.php?f=2&amp;t={thread}&amp;start={start + self.page_size}"
                f"&amp;sid={SID}"
            )
        return _page(f"Sujet {thread}", body)

    def _post(self, thread: int, index: int) -> str:
        pid = self.post_id(thread, index)
        author = f"membre{(thread * 7 + index) % 97}"
        text = " ".join(WORDS[(pid + k) % len(WORDS)] for k in range(12))
        quote = ""
        if index % 3 == 1:
            quote = (
                f'<blockquote><div><cite><a href="./memberlist.php?u=1">membre1</a> a écrit : '
                f"</cite>Texte cité {pid - 1}</div></blockquote>"
            )
        edit = '<div class="notice">Dernière modification par x, modifié 1 fois.</div>'
        return (
            f'<div id="p{pid}" class="{self.post_class} has-profile bg{index % 2 + 1}">'
            f'<div class="inner">'
            f'<div class="postbody"><p class="author"><a href="./viewtopic.php?p={pid}'
            f'&amp;sid={SID}#p{pid}">#</a> par <strong><a href="./memberlist.php?mode='
            f'viewprofile&amp;u={index % 97}&amp;sid={SID}" class="username">{author}</a>'
            f'</strong> » <time datetime="{self.posted_at(thread, index).isoformat()}">'
            f'x</time></p><div class="content">{quote}{escape(text)} n°{pid}.</div>'
            f"{edit if index % 5 == 0 else ''}"
            f'<div class="signature">Signature de {author}</div></div></div></div>'
        )

    # --- serving -------------------------------------------------------------------

    def answer(self, target: str) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for a request target."""
        self.hits[target] += 1
        parts = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if target in self.throttled and self.hits[target] == 1:
            return 429, {"Retry-After": "1"}, b"slow down"
        if target in self.redirects:
            return 301, {"Location": self.redirects[target]}, b""
        if parts.path == "/robots.txt":
            return (
                200,
                {"Content-Type": "text/plain"},
                b"User-agent: *\nDisallow: /memberlist.php\n",
            )
        if self.cache_pages and target in self._cache:
            return 200, {"Content-Type": "text/html; charset=UTF-8"}, self._cache[target]
        html: str | None = None
        if parts.path in ("/", "/index.php"):
            html = self.index()
        elif parts.path == "/viewforum.php":
            html = self.topic_list(int(query.get("start", 0)))
        elif parts.path == "/viewtopic.php" and "t" in query:
            self.topic_pages_served += 1
            if self.hold_after is not None and self.topic_pages_served > self.hold_after:
                self.release.wait(30)
            if self.slow_seconds and (
                not self.slow_threads or int(query["t"]) in self.slow_threads
            ):
                time.sleep(self.slow_seconds)
            html = self.topic(int(query["t"]), int(query.get("start", 0)))
        if html is None:
            return 404, {"Content-Type": "text/html"}, b"<html><body>Introuvable</body></html>"
        body = html.encode("utf-8")
        if self.cache_pages:
            self._cache[target] = body
        return 200, {"Content-Type": "text/html; charset=UTF-8"}, body


def _next(href: str) -> str:
    return (
        f'<div class="pagination"><ul><li class="arrow next"><a class="button" href="{href}" '
        f'rel="next">Suivante</a></li></ul></div>'
    )


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{escape(title)}'
        f'</title></head><body id="phpbb">{body}</body></html>'
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A crawler killed or timed out hangs up mid-answer; that is expected here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class SampleForumServer:
    """Serve a SampleForum on 127.0.0.1 (port 0: a free one) in a background thread."""

    def __init__(self, forum: SampleForum, port: int = 0) -> None:
        self.forum = forum
        site = forum

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle's algorithm on, the
            # second waits for the client's delayed ACK (~40 ms) on a kept-alive socket.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                status, headers, body = site.answer(self.path)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = _Server(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port> (no trailing slash)."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> SampleForumServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def main() -> None:
    """Serve a sample forum until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--posts", type=int, default=50, help="posts per thread")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    with SampleForumServer(SampleForum(args.threads, args.posts), args.port) as server:
        print(f"{server.forum.total_posts} posts on {server.base_url}/", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
