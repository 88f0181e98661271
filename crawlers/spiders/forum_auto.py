"""`preset: auto` for the forum spider: the engine recognised from the first page, or the
generic extractor when none is.

A mixin of ForumSpider, kept apart so the preset-driven callbacks stay as they are. The
detection is made once per crawl, on the first page that arrives, and counted in the
crawl's details (`engine/<preset>` or `engine/generic`), so `veille sources status` shows
how the forum was read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from lxml import etree
from scrapy.http import Response

from configuration.sources import ForumSelectors
from crawlers.detect import AUTO, Detection, detect_engine
from crawlers.generic import GenericPage, GenericPost, extract_page
from crawlers.middlewares import fetched_at
from crawlers.presets import preset_for, resolve_selectors
from crawlers.selectors import first_text, root_of
from crawlers.state import THREADS_PREFIX, TopicPageItem, after_page
from crawlers.stats import ENGINE_PREFIX
from crawlers.urls import canonical_url, join_url, strip_fragment
from records import RawPost

logger = logging.getLogger(__name__)

FOLLOWED = THREADS_PREFIX + "followed"
_TITLE = "xpath:(//h1 | //title)[1]"


class AutoForumMixin:
    """Engine detection and the generic extractor's callbacks for the forum spider."""

    # Set by ForumSpider.__init__ and VeilleSpider.
    source: Any
    crawler: Any
    sel: ForumSelectors
    preset: Any
    languages: tuple[str, ...]
    seen_posts: dict[str, set[str]]
    detection: Detection | None = None
    generic = False

    @property
    def auto(self) -> bool:
        """True for a source with `preset: auto` (or neither preset nor selectors)."""
        return bool(self.source.preset == AUTO)

    def detect(self, response: Response) -> None:
        """Recognise the engine on `response`; switch to its preset or to the generic reader."""
        root = root_of(response)
        if not isinstance(root, etree._Element):
            return  # not HTML: the next page decides
        detection = self.detection = detect_engine(root, response.url)
        self.crawler.stats.set_value(ENGINE_PREFIX + detection.preset, 1)
        if detection.is_generic:
            self.generic = True
            logger.info("%s: generic extractor (%s)", self.source.id, detection.evidence[0])
            return
        self.preset = preset_for(detection.preset)
        overrides = self.source.selectors.model_dump() if self.source.selectors else {}
        self.sel = ForumSelectors.model_validate(resolve_selectors(detection.preset, overrides))
        logger.info(
            "%s: engine %s, confidence %.2f (%s)",
            self.source.id,
            detection.preset,
            detection.confidence,
            "; ".join(detection.evidence),
        )

    # --- the generic extractor's callbacks -------------------------------------------

    def parse_generic(self, response: Response) -> Iterator[Any]:
        """Any page of a forum no preset knows: its posts, or the links to its threads."""
        root = root_of(response)
        if not isinstance(root, etree._Element):
            self.count_error("parse/unrecognised", response.url, "not an HTML page")
            return
        now = fetched_at(response)
        page = extract_page(root, response.url, self.source.timezone, now, self.languages)
        if page.posts:
            yield from self._generic_topic(response, page, now)
            return
        if page.blocks:
            self.count_page("topic")
            problem = f"{page.blocks} post blocks ({page.post_selector}), none readable"
            self.count_error("parse/no_posts", response.url, problem)
            return
        if not page.links:
            self.count_page("unknown")
            self.count_error("parse/no_topics", response.url, "no posts and no topic links")
            return
        self.count_page("topic_list")
        for link in page.links:
            self.crawler.stats.inc_value(FOLLOWED)
            yield self.request(response, link, self.parse_generic)
        if page.next_page:
            yield self.request(response, page.next_page, self.parse_generic)

    def _generic_topic(self, response: Response, page: GenericPage, now: Any) -> Iterator[Any]:
        self.count_page("topic")
        thread = response.meta.get("thread") or self._thread_of(response.url)
        seen = self.seen_posts.setdefault(thread, set())
        title = first_text(response, _TITLE)
        posts = [self._generic_post(p, response, thread, title, now) for p in page.posts]
        new = [p.external_id for p in posts if p.external_id not in seen]
        seen.update(new)
        follow = page.next_page if new else None
        if not new:
            self.count_error("parse/pagination_loop", response.url, "a page repeats its posts")
        page_url = canonical_url(strip_fragment(response.url), keep_post_anchor=False)
        last = (posts[-1].external_id, posts[-1].published_at)
        state = after_page(None, thread, page_url, last, is_last_page=follow is None, listing=None)
        yield TopicPageItem(posts, state)
        if follow:
            yield self.request(response, follow, self.parse_generic, meta={"thread": thread})

    def _generic_post(
        self, post: GenericPost, response: Response, thread: str, title: str, now: Any
    ) -> RawPost:
        page_url = canonical_url(strip_fragment(response.url), keep_post_anchor=False)
        anchor = post.element.get("id")
        author_url = post.author_url
        return RawPost(
            source_id=self.source.id,
            kind="forum",
            external_id=post.post_id,
            url=f"{page_url}#{anchor}" if anchor else page_url,
            thread_url=thread,
            thread_title=title,
            author=post.author,
            author_url=canonical_url(join_url(response.url, author_url)) if author_url else "",
            published_at=post.published_at,
            body_text=post.text.body,
            quoted=[quote.text for quote in post.text.quotes],
            lang_hint=self.source.lang_hint,
            fetched_at=now,
        )

    if TYPE_CHECKING:  # provided by ForumSpider and VeilleSpider

        def count_error(self, kind: str, url: str, problem: str) -> None: ...

        def count_page(self, page_kind: str) -> None: ...

        def request(self, response: Response, url: str, callback: Any, **kwargs: Any) -> Any: ...

        def _thread_of(self, url: str) -> str: ...
