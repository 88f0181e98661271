"""The bare Scrapy spider of bench/crawl.py: same links as Veille's phpBB crawl, no processing.

Usage: python bench/bare_spider.py START_URL CONCURRENCY   (prints the posts seen)
It follows sub-forums, topic lists and topic pages and counts `div.post[id]` elements;
no items, no pipeline, no dates, quotes, URLs canonical or state.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any, ClassVar

from scrapy import Spider
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

NEXT = "div.pagination li.next a::attr(href)"


class BareSpider(Spider):
    """Follows the forum's links and counts posts."""

    name = "bare"
    counted: ClassVar[list[int]] = [0]

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Board index: sub-forums."""
        for href in response.css("a.forumtitle::attr(href)").getall():
            yield response.follow(href, self.parse_list)

    def parse_list(self, response: Response) -> Iterator[Any]:
        """Topic list: topics and the next list page."""
        for href in response.css("a.topictitle::attr(href)").getall():
            yield response.follow(href, self.parse_topic)
        for href in response.css(NEXT).getall():
            yield response.follow(href, self.parse_list)

    def parse_topic(self, response: Response) -> Iterator[Any]:
        """Topic page: count its posts, follow the next page."""
        self.counted[0] += len(response.css("div.post[id]"))
        for href in response.css(NEXT).getall():
            yield response.follow(href, self.parse_topic)


def main() -> None:
    """Crawl START_URL with CONCURRENCY requests per domain; print the posts counted."""
    start_url, concurrency = sys.argv[1], int(sys.argv[2])
    process = CrawlerProcess(
        {
            "ROBOTSTXT_OBEY": True,
            "USER_AGENT": "VeilleBot/0.1 (+bench)",
            "LOG_LEVEL": "WARNING",
            "AUTOTHROTTLE_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        }
    )
    process.crawl(BareSpider, start_urls=[start_url])
    process.start()
    print(BareSpider.counted[0])


if __name__ == "__main__":
    main()
