"""Every built-in preset on saved pages of its engine (tests/fixtures/presets/).

Each engine has a topic page (second page of a thread: a quote, a signature, an edit
notice, likes where the engine shows them, a "next" link) and a topic list (a row with
last-post date and reply count, a sub-forum link, a "next" link). The pages follow each
engine's own markup, session ids and tracking parameters included.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from configuration.sources import SourceConfig
from crawlers.middlewares import FETCHED_AT
from crawlers.presets import PRESETS
from crawlers.spiders.forum import ForumSpider
from crawlers.state import ThreadState, TopicPageItem
from records import RawPost

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "presets"
ENGINE_PAGES = FIXTURES.parent / "engines"
FETCHED = datetime(2024, 11, 13, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Expected:
    topic_url: str
    list_url: str
    thread: str
    title: str
    first: dict[str, Any]
    second_at: datetime
    next_topic_page: str
    listing: str
    replies: int | None
    next_list_page: str
    # Text of signatures and edit notices that must not reach any body.
    absent: tuple[str, ...]
    content_type: str = "text/html; charset=utf-8"


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


PHPBB = "https://forum.example.fr/"
XF = "https://community.example.com/threads/lumio-fibre-speed-drops-every-evening.3317/"
IPS = "https://communaute.example.fr/topic/8812-r%C3%A9siliation-impossible-en-ligne/"
SMF = "https://forum.example.org/index.php?topic=2291"
KH = "https://communaute.lumio.example/t5/Forfaits-mobiles/Roaming-factur%C3%A9-en-Suisse/"
DISC = "https://discuss.example.fr/t/panne-fibre-lumio-a-nantes/1204"

EXPECTED: dict[str, Expected] = {
    "phpbb": Expected(
        topic_url=PHPBB + "viewtopic.php?f=12&t=4182&start=10",
        list_url=PHPBB + "viewforum.php?f=12",
        thread=PHPBB + "viewtopic.php?t=4182",
        title="Box Lumio qui redémarre en boucle",
        first={
            "external_id": "p58211",
            "url": PHPBB + "viewtopic.php?p=58211#p58211",
            "author": "Gégé_du_13",
            "author_url": PHPBB + "memberlist.php?mode=viewprofile&u=931",
            "published_at": at(2024, 11, 12, 13, 32),
            "body_text": "Pareil ici, depuis la mise à jour de lundi.\n"
            "Le support m'a dit de faire un reset usine, sans effet.",
            "quoted": ["Elle redémarre toutes les 10 minutes depuis la mise à jour."],
            "reply_to": "p58199",  # the engine links the quoted post
            "metrics": {},
        },
        second_at=at(2024, 11, 12, 15, 1),
        next_topic_page=PHPBB + "viewtopic.php?f=12&t=4182&start=20",
        listing="2024-11-12T15:01:00+00:00|13",
        replies=13,
        next_list_page=PHPBB + "viewforum.php?f=12&start=25",
        absent=("Dernière modification", "Fibre Lumio 1 Gb", "roi est nu"),
    ),
    "vbulletin": Expected(
        topic_url="https://forum.example.be/showthread.php?t=90211&page=2",
        list_url="https://forum.example.be/forumdisplay.php?f=43",
        thread="https://forum.example.be/showthread.php?t=90211",
        title="Forfait mobile : facturé deux fois ?",
        first={
            "external_id": "post_1488213",
            "url": "https://forum.example.be/showthread.php?t=90211&p=1488213&viewfull=1#post1488213",
            "author": "Karim_B",
            "author_url": "https://forum.example.be/member.php?u=5521-Karim_B",
            "published_at": at(2024, 11, 12, 13, 32),
            "body_text": "Moi aussi, 19,99 € deux fois.\n"
            "Remboursé au bout de trois semaines après réclamation.",
            "quoted": ["J'ai été prélevée deux fois en octobre."],
            "reply_to": "post_1488190",
            "metrics": {"likes": 4},
        },
        second_at=at(2024, 11, 13, 8, 12),  # "Aujourd'hui, 09:12" in Paris
        next_topic_page="https://forum.example.be/showthread.php?t=90211&page=3",
        listing="Aujourd'hui, 09:12|Réponses: 11",
        replies=11,
        next_list_page="https://forum.example.be/forumdisplay.php?f=43&page=2",
        absent=("Dernière modification", "patient mais pas trop"),
        # Windows-1252 bytes declared by a <meta> only, as vBulletin 4 boards serve them.
        content_type="text/html",
    ),
    "xenforo": Expected(
        topic_url=XF + "page-2",
        list_url="https://community.example.com/forums/fibre.9/",
        thread=XF,
        title="Lumio fibre: speed drops every evening",
        first={
            "external_id": "post-77120",
            "url": XF + "post-77120",
            "author": "dave_k",
            "author_url": "https://community.example.com/members/dave_k.2041/",
            "published_at": at(2024, 11, 12, 17, 3, 41),
            "body_text": 'Same here in Lyon. Support told me it is "network saturation" and a fix '
            "is planned.",
            "quoted": ["Every night from 8pm to 11pm it falls to 50 Mbps."],
            "reply_to": "post-77098",
            "metrics": {"likes": 5},  # "MaraT, kev and 3 others"
        },
        second_at=at(2024, 11, 13, 7, 15),
        next_topic_page=XF + "page-3",
        listing="2024-11-13T08:15:00+0100|41",
        replies=41,
        next_list_page="https://community.example.com/forums/fibre.9/page-2",
        absent=("Last edited", "Freebox before that", "Click to expand"),
    ),
    "invision": Expected(
        topic_url=IPS + "page/2/",
        list_url="https://communaute.example.fr/forum/12-offres-et-factures/",
        thread=IPS,
        title="Résiliation impossible en ligne",
        first={
            "external_id": "elComment_334021",
            "url": IPS + "?do=findComment&comment=334021",
            "author": "Sofia R.",
            "author_url": "https://communaute.example.fr/profile/5120-sofia-r/",
            "published_at": at(2024, 11, 12, 15, 30),
            "body_text": "Le bouton n’apparaît pas chez moi, ni sur mobile ni sur ordinateur.\n"
            "Je vais envoyer une lettre recommandée.",
            "quoted": ["La résiliation se fait depuis l’espace client, rubrique « Mon offre »."],
            "reply_to": "elComment_333990",
            "metrics": {"likes": 7},
        },
        second_at=at(2024, 11, 12, 18, 5),
        next_topic_page=IPS + "page/3/",
        listing="2024-11-12T18:05:00Z|15",
        replies=15,
        next_list_page="https://communaute.example.fr/forum/12-offres-et-factures/page/2/",
        absent=("Modifié", "Cliente Lumio depuis 2015"),
    ),
    "smf": Expected(
        topic_url=SMF + ".15",
        list_url="https://forum.example.org/index.php?board=5.0",
        thread=SMF + ".0",
        title="Remboursement jamais reçu",
        first={
            "external_id": "msg40917",
            "url": SMF + ".msg40917#msg40917",
            "author": "Thibault",
            "author_url": "https://forum.example.org/index.php?action=profile;u=318",
            "published_at": at(2024, 11, 12, 13, 32, 10),
            "body_text": "Transmis il y a un mois, toujours rien sur mon compte.\n"
            "Je saisis le médiateur.",
            "quoted": ["Votre dossier a été transmis au service facturation."],
            "reply_to": "msg40902",
            "metrics": {"likes": 3},
        },
        second_at=at(2024, 11, 13, 8, 12, 44),
        next_topic_page=SMF + ".30",
        listing="Aujourd'hui à 09:12:44|Réponses: 16",
        replies=16,
        next_list_page="https://forum.example.org/index.php?board=5.20",
        absent=("Dernière édition", "depuis 2019"),
    ),
    "khoros": Expected(
        topic_url=KH + "td-p/245511/page/2",
        list_url="https://communaute.lumio.example/t5/Forfaits-mobiles/bd-p/forfaits",
        thread=KH + "td-p/245511",
        title="Roaming facturé en Suisse",
        first={
            "external_id": "245730",
            "url": KH + "m-p/245730#M4411",
            "author": "Camille_L",
            "author_url": "https://communaute.lumio.example/t5/user/viewprofilepage/user-id/88312",
            "published_at": at(2024, 11, 12, 13, 32),
            "body_text": "Je n'avais reçu aucun SMS d'avertissement en passant la frontière.\n"
            "12 € facturés pour 200 Mo, c'est abusé.",
            "quoted": ["Le forfait inclut l'Europe, mais la Suisse est hors zone UE."],
            "reply_to": None,  # Khoros quotes do not link the quoted post
            "metrics": {"likes": 5},
        },
        second_at=at(2024, 11, 12, 15, 10),
        next_topic_page=KH + "td-p/245511/page/3",
        listing="\u200e12-11-2024 04:10 PM|13",
        replies=13,
        next_list_page="https://communaute.lumio.example/t5/Forfaits-mobiles/bd-p/forfaits/page/2",
        absent=("Message édité", "Cliente fidèle"),
    ),
    "discourse_html": Expected(
        topic_url=DISC + "?page=2",
        list_url="https://discuss.example.fr/latest",
        thread=DISC,
        title="Panne fibre Lumio à Nantes",
        first={
            # Discourse numbers posts within a topic: the thread makes the id unique.
            "external_id": DISC + "#post_21",
            "url": DISC + "/21",
            "author": "mathis",
            "author_url": "https://discuss.example.fr/u/mathis",
            "published_at": at(2024, 11, 12, 13, 32),
            "body_text": "Même chose quai de la Fosse, le technicien passe jeudi.",
            "quoted": ["Toujours rien depuis ce matin rue de Strasbourg."],
            "reply_to": DISC + "#post_19",
            "metrics": {"likes": 6},
        },
        second_at=at(2024, 11, 12, 15, 5),
        next_topic_page=DISC + "?page=3",
        listing="2024-11-12T15:05:00Z|22",
        replies=22,
        next_list_page="https://discuss.example.fr/latest?no_definitions=true&page=1",
        absent=("lea_b:",),
    ),
}


def spider_for_preset(preset: str, **fields: Any) -> ForumSpider:
    source = SourceConfig(
        id="presets", name="Presets", start_urls=["https://forum.test/"], preset=preset, **fields
    )
    crawler = get_crawler(ForumSpider, {"VEILLE_SOURCE": source.model_dump(mode="json")})
    return ForumSpider.from_crawler(crawler)


def fixture_page(preset: str, kind: str, url: str, content_type: str) -> HtmlResponse:
    body = (FIXTURES / f"{preset}-{kind}.html").read_bytes()
    request = Request(url, meta={FETCHED_AT: FETCHED})
    return HtmlResponse(url, body=body, headers={"Content-Type": content_type}, request=request)


def page_posts(output: Any) -> list[RawPost]:
    return [post for o in output if isinstance(o, TopicPageItem) for post in o.posts]


def errors(spider: ForumSpider) -> dict[str, int]:
    stats = spider.crawler.stats.get_stats()
    return {k: v for k, v in stats.items() if k.startswith("veille/errors/")}


def test_every_preset_has_fixtures() -> None:
    # Presets checked against a real install are tested on its saved pages instead
    # (tests/engines/test_engine_pages.py).
    real = {
        json.loads(path.read_text(encoding="utf-8"))["preset"]
        for path in ENGINE_PAGES.glob("*/pages.json")
    }
    assert set(EXPECTED) | real == set(PRESETS)
    assert not set(EXPECTED) & real


@pytest.mark.parametrize("preset", sorted(EXPECTED))
def test_topic_page(preset: str) -> None:
    expected = EXPECTED[preset]
    spider = spider_for_preset(preset, lang_hint="fr")
    response = fixture_page(preset, "topic", expected.topic_url, expected.content_type)
    output = list(spider.parse_topic(response))
    pages = [o for o in output if isinstance(o, TopicPageItem)]
    requests = [o for o in output if isinstance(o, Request)]
    assert len(pages) + len(requests) == len(output)
    posts = [post for page in pages for post in page.posts]
    states = [page.state for page in pages]
    assert errors(spider) == {}
    assert len(posts) == 2
    first = posts[0]
    assert {name: getattr(first, name) for name in expected.first} == expected.first
    assert (first.thread_url, first.thread_title) == (expected.thread, expected.title)
    assert posts[1].published_at == expected.second_at
    assert posts[1].quoted == []
    for post in posts:
        assert not any(text in post.body_text for text in expected.absent), post.body_text
    assert [r.url for r in requests] == [expected.next_topic_page]
    assert requests[0].meta["thread"] == expected.thread
    assert states == [
        ThreadState(
            url=expected.thread,
            last_page=expected.topic_url,
            pages=1,
            last_post_id=posts[1].external_id,
            last_post_at=expected.second_at.isoformat(),
            complete=False,
        )
    ]


@pytest.mark.parametrize("preset", sorted(EXPECTED))
def test_topic_list(preset: str) -> None:
    expected = EXPECTED[preset]
    spider = spider_for_preset(preset)
    response = fixture_page(preset, "list", expected.list_url, expected.content_type)
    requests = list(spider.parse_topic_list(response))
    assert all(isinstance(r, Request) for r in requests)
    topics = [r for r in requests if r.callback == spider.parse_topic]
    lists = [r.url for r in requests if r.callback == spider.parse_topic_list]
    thread = next(r for r in topics if r.meta["thread"] == expected.thread)
    assert thread.meta["listing"] == expected.listing
    assert thread.meta["replies"] == expected.replies
    assert lists[-1] == expected.next_list_page
    assert not any("sid=" in u or "PHPSESSID" in u or "utm_" in u for u in lists)
    assert errors(spider) == {}


def test_single_selectors_override_the_preset() -> None:
    # A phpBB 3.0 board prints the date as text, not in <time datetime>.
    expected = EXPECTED["phpbb"]
    spider = spider_for_preset("phpbb", selectors={"date": "p.author time::text"})
    response = fixture_page("phpbb", "topic", expected.topic_url, expected.content_type)
    posts = page_posts(spider.parse_topic(response))
    assert spider.sel.body == "div.content"
    assert [p.published_at for p in posts] == [at(2024, 11, 12, 13, 32), at(2024, 11, 12, 15, 1)]


def test_an_unchanged_listing_skips_the_thread_and_a_changed_one_jumps_ahead() -> None:
    expected = EXPECTED["xenforo"]
    known = ThreadState(
        url=expected.thread,
        last_page=expected.thread + "page-2",
        pages=2,
        listing=expected.listing,
        complete=True,
    )
    spider = spider_for_preset("xenforo")
    spider.restore_state({known.key: known.to_dict()})
    response = fixture_page("xenforo", "list", expected.list_url, expected.content_type)
    assert not [r for r in spider.parse_topic_list(response) if r.callback == spider.parse_topic]
    assert spider.crawler.stats.get_value("veille/threads/unchanged") == 1

    changed = ThreadState.from_dict({**known.to_dict(), "listing": "older|40"})
    spider = spider_for_preset("xenforo")
    spider.restore_state({changed.key: changed.to_dict()})
    (topic,) = [r for r in spider.parse_topic_list(response) if r.callback == spider.parse_topic]
    assert topic.url == expected.thread + "page-2"
    assert spider.crawler.stats.get_value("veille/threads/resumed") == 1


def test_days_back_leaves_old_threads_and_posts_out() -> None:
    spider = spider_for_preset("phpbb", days_back=30)
    expected = EXPECTED["phpbb"]
    # The list's sticky topic dates from 2019; the fixture's posts from November 2024.
    response = fixture_page("phpbb", "list", expected.list_url, expected.content_type)
    topics = [r for r in spider.parse_topic_list(response) if r.callback == spider.parse_topic]
    assert topics == []
    assert spider.crawler.stats.get_value("veille/threads/too_old") == 2
    topic = fixture_page("phpbb", "topic", expected.topic_url, expected.content_type)
    assert not page_posts(spider.parse_topic(topic))
    assert spider.crawler.stats.get_value("veille/posts/too_old") == 2


def test_xpath_selectors_work_like_css() -> None:
    expected = EXPECTED["phpbb"]
    spider = spider_for_preset(
        "phpbb", selectors={"author": "xpath:.//p[@class='author']//a[@class='username']/text()"}
    )
    response = fixture_page("phpbb", "topic", expected.topic_url, expected.content_type)
    posts = page_posts(spider.parse_topic(response))
    # The moderator's name is in a.username-coloured, which this XPath leaves out.
    assert [p.author for p in posts] == ["Gégé_du_13", ""]
