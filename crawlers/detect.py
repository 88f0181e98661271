"""Which forum engine made a page: `preset: auto` and `veille sources detect URL`.

Each preset has a signature: the generator meta tag its engine writes, CSS selectors of
markup only that engine prints, and the URL shapes of its threads and lists. A page
scores for each preset from what of its signature it shows, plus whether the preset's
own selectors read the page (posts on a thread page, topics on a list, sub-forums on an
index); the best score is the confidence. Below `MIN_CONFIDENCE` the engine is unknown
and the generic extractor (crawlers/generic.py) reads the forum.

Signatures were written from each engine's markup as saved in tests/fixtures/presets/
(and the real installs part of the tests crawl); an engine that renames its classes
still scores through its URLs, its generator tag and its preset's selectors.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from crawlers.presets import PRESETS
from crawlers.selectors import first_text, select_elements

logger = logging.getLogger(__name__)

AUTO = "auto"
GENERIC = "generic"
MIN_CONFIDENCE = 0.5
GENERATOR_WEIGHT = 0.6
POWERED_BY_WEIGHT = 0.3  # a link to the engine's own site ("Powered by phpBB")
MARKUP_WEIGHT = 0.15  # each markup selector matched, up to MARKUP_MAX
MARKUP_MAX = 0.45
URL_WEIGHT = 0.15
# The preset's own selectors reading this page: the strongest evidence there is.
READS_WEIGHT = {"posts": 0.4, "topics": 0.3, "forums": 0.2}


@dataclass(frozen=True)
class Signature:
    """What shows an engine: generator tag, markup selectors, URL patterns, home site."""

    generator: str | None
    markup: tuple[str, ...]
    urls: tuple[str, ...] = ()
    home: str | None = None


SIGNATURES: dict[str, Signature] = {
    "phpbb": Signature(
        None,
        ("body#phpbb", "div.post.has-profile", "a.topictitle", "ul.topiclist", "a.forumtitle"),
        (r"viewtopic\.php\?", r"viewforum\.php\?"),
        r"phpbb\.com",
    ),
    "vbulletin": Signature(
        r"vBulletin",
        ("html#vbulletin_html", "li.postcontainer", "li.threadbit", "blockquote.postcontent"),
        (r"showthread\.php", r"forumdisplay\.php"),
        r"vbulletin\.(?:com|org)",
    ),
    "xenforo": Signature(
        r"XenForo",
        ("html#XF", "article.message--post", "div.structItem--thread", "div.bbWrapper"),
        (r"/threads/[^/]+\.\d+", r"/forums/[^/]+\.\d+"),
        r"xenforo\.com",
    ),
    "invision": Signature(
        r"Invision",
        ("body.ipsApp", "article.cPost", "li.ipsDataItem", "div.ipsType_richText"),
        (r"/topic/\d+-", r"/forum/\d+-"),
        r"invisioncommunity\.com|invisionpower\.com",
    ),
    "smf": Signature(
        r"SMF|Simple Machines",
        (
            "div#forumposts",
            "div.windowbg[id^=msg]",
            "div.poster",
            "div#topic_container",
            "div.message_index_title",
        ),
        (r"index\.php\?topic=\d+", r"index\.php\?board=\d+"),
        r"simplemachines\.org",
    ),
    "khoros": Signature(
        r"Lithium|Khoros",
        ("body.lia-body", "div.lia-linear-display-message-view", "tr.lia-list-row"),
        (r"/t5/",),
    ),
    "discourse_html": Signature(
        r"Discourse",
        ("body.crawler", "div.crawler-post", "span.creator", "a.raw-topic-link"),
        (r"/t/[^/]+/\d+", r"/latest\b"),
        r"discourse\.org",
    ),
    "spirit": Signature(
        None,
        ("div.spirit", "div.layout__topics__topic", "div.comments_list__comment", "a.topic__link"),
        (r"/topic/\d+/[^/]+/?$", r"/category/\d+/"),
    ),
    "flaskbb": Signature(
        None,
        (
            "div.flaskbb-stats",
            "div.forum-name",
            "div.topic-name",
            "div.post-box",
            "div.author-name",
        ),
        (r"/topic/\d+-", r"/forum/\d+-"),
        r"flaskbb\.(?:com|org)",
    ),
    "django_machina": Signature(
        r"machina",
        ("a.topic-name-link", "a.forum-name-link", "div.post-content", "p.post-meta"),
        (r"/forum/[^/]+-\d+/topic/", r"/topic/[^/]+-\d+/?$"),
        r"django-machina",
    ),
}

_GENERATOR = etree.XPath("//meta[translate(@name,'GENERATOR','generator')='generator']/@content")
_LINKS = etree.XPath("//a/@href")


@dataclass
class Detection:
    """The engine a page was made by (a preset name, or GENERIC) and why."""

    preset: str
    confidence: float
    evidence: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def is_generic(self) -> bool:
        """True when no preset was recognised: the generic extractor reads the forum."""
        return self.preset == GENERIC


def _reads(root: etree._Element, preset: str) -> str | None:
    """What the preset's own selectors read on the page: posts, topics, forums or nothing."""
    sel = PRESETS[preset].selectors
    posts = select_elements(root, sel.get("post"))
    if posts and all(first_text(posts[0], sel.get(k)) for k in ("author", "date")):
        return "posts"
    rows = select_elements(root, sel.get("topic_row")) if sel.get("topic_row") else [root]
    if any(first_text(row, sel.get("topic_links")) for row in rows[:3]):
        return "topics"
    if sel.get("forum_links") and first_text(root, sel.get("forum_links")):
        return "forums"
    return None


def score(root: etree._Element, url: str, preset: str) -> tuple[float, list[str]]:
    """How much the page looks made by `preset`'s engine (0 to 1), with the evidence."""
    signature = SIGNATURES[preset]
    evidence: list[str] = []
    total = 0.0
    generators = " ".join(str(g) for g in _GENERATOR(root))
    if signature.generator and re.search(signature.generator, generators, re.IGNORECASE):
        total += GENERATOR_WEIGHT
        evidence.append(f"generator {generators!r}")
    matched = [m for m in signature.markup if select_elements(root, m)]
    if matched:
        total += min(MARKUP_WEIGHT * len(matched), MARKUP_MAX)
        evidence.append("markup " + ", ".join(matched))
    links = [url, *(str(h) for h in _LINKS(root)[:400])]
    if signature.home and any(re.search(signature.home, link) for link in links[1:]):
        total += POWERED_BY_WEIGHT
        evidence.append(f"a link to {signature.home.split('|')[0]}")
    if any(re.search(p, link) for p in signature.urls for link in links):
        total += URL_WEIGHT
        evidence.append("URLs " + " or ".join(signature.urls))
    if reads := _reads(root, preset):
        total += READS_WEIGHT[reads]
        evidence.append(f"its selectors read {reads}")
    return min(total, 1.0), evidence


def detect_engine(root: etree._Element, url: str) -> Detection:
    """The preset whose engine made the page, or GENERIC when none scores enough."""
    results = {name: score(root, url, name) for name in SIGNATURES if name in PRESETS}
    scores = {name: round(value, 2) for name, (value, _) in results.items()}
    best = max(results, key=lambda name: results[name][0])
    confidence, evidence = results[best]
    host = urlsplit(url).hostname or url
    if confidence < MIN_CONFIDENCE:
        # The confidence stays the best preset's: how little a known engine fits.
        logger.info("%s: no known engine (best %s at %.2f)", host, best, confidence)
        return Detection(GENERIC, round(confidence, 2), [f"best preset {best}"], scores)
    logger.info("%s: engine %s (confidence %.2f)", host, best, confidence)
    return Detection(best, round(confidence, 2), evidence, scores)
