"""A source kind: a page listing reviews, one `<article>` each (selectors in the options)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict
from scrapy.http import Response

from configuration.sources import SourceKind
from crawlers.items import RawPost
from crawlers.spiders.base import VeilleSpider


class ReviewPageOptions(BaseModel):
    """Where a review and its parts are on the page."""

    model_config = ConfigDict(extra="forbid")
    review: str = "article.review"
    author: str = ".author::text"
    text: str = ".text::text"


class ReviewPageSpider(VeilleSpider):
    """One request per start URL; each review on the page becomes a RawPost."""

    name = "review_page"
    kind = "review_page"

    def parse(self, response: Response, **kwargs: Any) -> Iterator[RawPost]:
        """The reviews of one page."""
        options = self.source.options(ReviewPageOptions)
        for review in response.css(options.review):
            yield RawPost(
                source_id=self.source.id,
                kind=self.kind,
                external_id=review.attrib.get("id", ""),
                url=f"{response.url}#{review.attrib.get('id', '')}",
                author=review.css(options.author).get(default="").strip(),
                body_text=review.css(options.text).get(default="").strip(),
            )


# `spider` is a "module:Class" path: Veille imports it only for a crawl.
REVIEW_PAGE = SourceKind(
    "review_page",
    spider="veille_example.kind:ReviewPageSpider",
    options=ReviewPageOptions,
    needs_start_urls=True,
)
