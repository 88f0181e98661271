"""Text out of post bodies: lines, quotes set apart, markup gone, escaped markup kept."""

from __future__ import annotations

import pytest
from parsel import Selector

from crawlers.text import element_part, extract_post_text, render_text, split_cite_line

QUOTE, CITE = "blockquote.quote", "cite::text"


def body(html: str) -> Selector:
    return Selector(text=f'<html><body><div class="content">{html}</div></body></html>').css(
        "div.content"
    )[0]


def test_paragraphs_and_breaks_become_lines_and_spaces_collapse() -> None:
    element = body("<p>Ma box   ne\n  marche plus.</p>\n<p>Ligne un<br>Ligne deux<br/></p><p> </p>")
    assert extract_post_text(element).body == "Ma box ne marche plus.\nLigne un\nLigne deux"


def test_text_outside_paragraphs_is_kept_in_order() -> None:
    element = body("Avant <b>gras</b> et <i>italique</i><p>Paragraphe</p>après")
    assert render_text(element.root) == "Avant gras et italique\nParagraphe\naprès"


def test_script_style_and_comments_are_dropped_with_their_tails_kept() -> None:
    element = body(
        "<p>Bonsoir<script>document.write('x')</script> tout le monde"
        "<style>p { color: red }</style> !<!-- note --> Fin</p>"
    )
    assert extract_post_text(element).body == "Bonsoir tout le monde ! Fin"


def test_escaped_markup_stays_literal_text() -> None:
    element = body("<p>test &lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt; lol</p>")
    assert extract_post_text(element).body == "test <script>alert('xss')</script> lol"


def test_broken_markup_keeps_every_word() -> None:
    element = body("<p>Franchement <b>lumio c&#x27;est la cata</p>\n<p>Trois jours, <i>trois !</p>")
    assert (
        extract_post_text(element).body == "Franchement lumio c'est la cata\nTrois jours, trois !"
    )


def test_quotes_are_set_apart_without_their_cite_line() -> None:
    element = body(
        '<blockquote class="quote"><cite>Mathieu_75 a écrit :</cite>'
        '<div class="quote-text">Envoie une lettre recommandée.</div></blockquote>'
        "<p>Merci, je vais essayer.</p>"
    )
    text = extract_post_text(element, QUOTE, CITE)
    assert text.body == "Merci, je vais essayer."
    assert [(q.author, q.text) for q in text.quotes] == [
        ("Mathieu_75", "Envoie une lettre recommandée.")
    ]


def test_cite_line_is_found_without_a_cite_selector() -> None:
    element = body('<blockquote class="quote">Bob wrote:<br>hello there</blockquote><p>Hi</p>')
    (quote,) = extract_post_text(element, QUOTE).quotes
    assert (quote.author, quote.text) == ("Bob", "hello there")


def test_text_after_a_quote_survives_its_removal() -> None:
    element = body('Début <blockquote class="quote">cité</blockquote> suite du message')
    text = extract_post_text(element, QUOTE)
    assert text.body == "Début suite du message"
    assert [q.text for q in text.quotes] == ["cité"]


def test_a_quote_inside_a_quote_belongs_to_the_quoted_post() -> None:
    element = body(
        '<blockquote class="quote"><cite>A a écrit :</cite>Réponse de A'
        '<blockquote class="quote"><cite>B a écrit :</cite>Texte de B</blockquote></blockquote>'
        "<p>Mon avis</p>"
    )
    text = extract_post_text(element, QUOTE, CITE)
    assert text.body == "Mon avis"
    assert [(q.author, q.text) for q in text.quotes] == [("A", "Réponse de A")]


def test_several_quotes_keep_their_order() -> None:
    element = body(
        '<blockquote class="quote"><cite>A a écrit :</cite>un</blockquote>'
        '<blockquote class="quote"><cite>B a écrit :</cite>deux</blockquote><p>trois</p>'
    )
    text = extract_post_text(element, QUOTE, CITE)
    assert [q.text for q in text.quotes] == ["un", "deux"]


def test_the_page_tree_is_not_modified() -> None:
    element = body('<blockquote class="quote">cité</blockquote><p>texte</p>')
    extract_post_text(element, QUOTE)
    assert element.css("blockquote.quote::text").get() == "cité"


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        ("cite::text", "cite"),
        ("a.author::attr(href)", "a.author"),
        ("div.x", "div.x"),
        ("::text", ""),
    ],
)
def test_element_part(css: str, expected: str) -> None:
    assert element_part(css) == expected


@pytest.mark.parametrize(
    ("text", "author", "rest"),
    [
        ("Gégé a écrit :\nbonjour", "Gégé", "bonjour"),
        ("Alice wrote:\nhi", "Alice", "hi"),
        ("Citation de Zoé :\nbonjour", "Zoé", "bonjour"),
        ("pas de citation ici\nsuite", None, "pas de citation ici\nsuite"),
    ],
)
def test_split_cite_line(text: str, author: str | None, rest: str) -> None:
    assert split_cite_line(text) == (author, rest)
