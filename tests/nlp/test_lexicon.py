"""The lexicon-based sentiment fallback, on plain strings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.metrics import classification_report
from nlp.sentiment.base import LABELS, SentimentModel
from nlp.sentiment.lexicon import (
    LEXICON_VERSION,
    MODEL_NAME,
    Lexicon,
    LexiconSentiment,
    decide,
    tokenize,
)


@pytest.fixture(scope="module")
def model() -> LexiconSentiment:
    return LexiconSentiment()


def label(model: LexiconSentiment, text: str) -> str:
    return model.score(text).label


def negative_strength(model: LexiconSentiment, text: str) -> float:
    positive, negative = model.evidence(text)
    return negative - positive


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C'est la cata depuis lundi", "negative"),
        ("Quelle galère ce SAV", "negative"),
        ("C'est nul", "negative"),
        ("C'est de l'arnaque", "negative"),
        ("Service client au top", "positive"),
        ("Installation rapide, technicien génial", "positive"),
        ("top", "positive"),
        ("Trois appels et toujours rien", "negative"),
        ("ARNAQUE !!! Double prélèvement", "negative"),
        ("Customer service at Lumio is a joke, I waited an hour for nothing", "negative"),
        ("Honestly the speed is great so far", "positive"),
        ("Bonjour, je déménage le mois prochain.", "neutral"),
        ("Tu es en fibre ou en ADSL ?", "neutral"),
        ("", "neutral"),
    ],
)
def test_labels(model: LexiconSentiment, text: str, expected: str) -> None:
    assert label(model, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pas mal du tout ce forfait", "positive"),
        ("le débit, pas terrible", "negative"),
        ("ce n'est pas génial", "negative"),
        ("je ne suis pas content", "negative"),
        ("ça ne marche plus", "negative"),
        ("ça marche pas", "negative"),
        ("jamais eu de coupure", "positive"),
        ("aucun souci depuis deux ans", "positive"),
        ("je ne regrette pas", "positive"),
        ("it is not good", "negative"),
        ("I don't like it", "negative"),
        ("never had a problem", "positive"),
    ],
)
def test_negation(model: LexiconSentiment, text: str, expected: str) -> None:
    assert label(model, text) == expected


def test_negation_stops_at_punctuation(model: LexiconSentiment) -> None:
    assert label(model, "Pas de chance. Le service est génial") == "positive"


def test_intensifiers_and_emphasis_strengthen(model: LexiconSentiment) -> None:
    base = negative_strength(model, "c'est nul")
    for stronger in ("c'est très nul", "c'est trop nul", "c'est vraiment nul", "c'est nul !!!"):
        assert negative_strength(model, stronger) > base, stronger
    assert negative_strength(model, "je suis grave déçu") > negative_strength(model, "je suis déçu")
    assert negative_strength(model, "C'est une ARNAQUE") > negative_strength(
        model, "C'est une arnaque"
    )
    assert model.evidence("super content")[0] > model.evidence("content")[0]


def test_dampeners_weaken(model: LexiconSentiment) -> None:
    assert negative_strength(model, "un peu lent") < negative_strength(model, "lent")


def test_an_intensifier_alone_scores_itself(model: LexiconSentiment) -> None:
    assert label(model, "c'est super") == "positive"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Panne encore 😡", "negative"), ("Merci 👍", "positive"), ("bof :(", "negative")],
)
def test_emoji_and_emoticons(model: LexiconSentiment, text: str, expected: str) -> None:
    assert label(model, text) == expected


def test_no_mixed_answer_the_clause_after_but_decides(model: LexiconSentiment) -> None:
    assert label(model, "Le réseau est nul mais le service client est au top") == "positive"
    assert label(model, "Le service client est au top mais le réseau est nul") == "negative"
    positive, negative = model.evidence("Lumio m'a lâché, heureusement Telvia a assuré")
    assert positive > 0 and negative > 0  # both sides are kept for per-brand contexts


def test_what_follows_but_counts_more(model: LexiconSentiment) -> None:
    assert label(model, "Un peu cher mais vraiment génial") == "positive"


def test_positive_words_in_a_question_count_less(model: LexiconSentiment) -> None:
    assert label(model, "Est-ce que ça capte bien là-bas ?") == "neutral"
    assert label(model, "C'est une blague ?") == "negative"


def test_accents_and_case_do_not_matter(model: LexiconSentiment) -> None:
    assert label(model, "DECUE ET DEGOUTEE") == label(model, "déçue et dégoûtée") == "negative"


def test_scores_in_range_and_model_recorded(model: LexiconSentiment) -> None:
    texts = ["nul", "top", "bonjour", "nul mais top", "!!!", "😡😡😡😡"]
    batch = model.predict(texts)
    assert isinstance(model, SentimentModel)
    assert len(batch) == len(texts)
    for sentiment in batch:
        assert sentiment.label in LABELS
        assert 0.0 <= sentiment.score <= 1.0
        assert (sentiment.model, sentiment.model_version) == (MODEL_NAME, LEXICON_VERSION)
    assert batch.errors == {}


def test_one_bad_text_does_not_fail_the_batch(model: LexiconSentiment) -> None:
    batch = model.predict(["nul", None, "top"])  # type: ignore[list-item]
    assert [s.label for s in batch] == ["negative", "neutral", "positive"]
    assert batch[1].score == 0.0
    assert list(batch.errors) == [1] and "TypeError" in batch.errors[1]
    assert not batch.ok(1) and batch.ok(0)


def test_decide() -> None:
    assert decide(0.0, 0.0) == ("neutral", 1.0)
    assert decide(2.0, 0.0)[0] == "positive"
    assert decide(0.0, 2.0)[0] == "negative"
    assert decide(1.5, 1.2)[0] == "positive"  # no mixed answer by default
    assert decide(1.0, 0.9)[0] == "neutral"  # nearly cancelled out
    assert decide(2.0, 0.3)[0] == "positive"
    assert decide(0.3, 0.0)[0] == "positive"  # a little evidence is enough to commit
    assert decide(0.05, 0.0)[0] == "neutral"


def test_tokenize_handles_elision_and_contractions() -> None:
    tokens, caps = tokenize("C’est NUL, isn't it? :)")
    assert tokens == ["c", "est", "nul", ",", "is", "not", "it", "?", ":)"]
    assert caps[2] and not caps[0]


def test_lexicon_files_are_well_formed(model: LexiconSentiment) -> None:
    lexicon = model.lexicon
    assert len(lexicon.polarities["fr"]) > 1500 and len(lexicon.polarities["en"]) > 3000
    assert ("la", "cata") in lexicon.polarity and ("galere",) in lexicon.polarity
    # English texts do not read French words that mean something else in English.
    assert lexicon.polarities["fr"].get(("pain",)) is None
    assert lexicon.polarities["en"][("pain",)] < 0
    assert {"pas", "jamais", "not", "never"} <= lexicon.negators
    assert {"tres", "trop", "grave", "vraiment", "super"} <= set(lexicon.intensifiers)


def test_a_malformed_lexicon_names_file_and_line(tmp_path: Path) -> None:
    # The derived lists (fr_pattern.tsv, en_vader.tsv) may be absent; the others not.
    for name in ("fr.tsv", "en.tsv", "emoji.tsv", "intensifiers.tsv", "negators.txt"):
        (tmp_path / name).write_text("# empty\n", encoding="utf-8")
    (tmp_path / "en.tsv").write_text("good\t0.5\nbad -0.5\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"en\.tsv:2"):
        Lexicon.load(tmp_path)
    (tmp_path / "en.tsv").write_text("good\t5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="outside"):
        Lexicon.load(tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Je recommande pas.", "negative"),
        ("Je recommande vraiment pas.", "negative"),
        ("Je kiffe pas du tout", "negative"),
        ("Je recommande vraiment.", "positive"),
        ("Je kiffe jamais ce genre d'offre.", "negative"),
        # "pas cher" is scored on its own: it does not negate the word before it.
        ("Efficace pas cher", "positive"),
        # "plus" after a word compares, it does not negate.
        ("Rapide plus que prévu", "positive"),
    ],
)
def test_negation_after_the_word_without_ne(
    model: LexiconSentiment, text: str, expected: str
) -> None:
    assert label(model, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("c trop bien", "positive"),
        ("jpp de ce forfait", "negative"),
        ("grave déçu", "negative"),
        ("trooop bien 😍", "positive"),
        ("c nuuul", "negative"),
        ("jsuis vénère", "negative"),
        ("that's a masterclass, goated", "positive"),
        ("ugh, still waiting", "negative"),
        ("rien à redire", "positive"),
        ("je ne recommande pas", "negative"),
        ("5/5 pour l'accueil", "positive"),
        ("1/5, would not buy again", "negative"),
        ("-_-", "negative"),
    ],
)
def test_slang_sms_spelling_emoticons_and_ratings(
    model: LexiconSentiment, text: str, expected: str
) -> None:
    assert label(model, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Merci pour ces 3h d'attente",
        "Merci pour ces trois heures d'attente au téléphone",
        "Bravo Lumio, 4 heures de coupure… vraiment génial",
        "Thanks for the 2 hours on hold",
    ],
)
def test_stock_praise_in_a_complaint_is_irony(model: LexiconSentiment, text: str) -> None:
    assert label(model, text) == "negative"


def test_praise_beside_a_complaint_is_not_irony(model: LexiconSentiment) -> None:
    # Real praise ("rapide") besides the thanks: the thanks are meant.
    assert label(model, "Merci, problème réglé rapidement") == "positive"


def test_a_waiting_time_is_a_complaint_for_any_number(model: LexiconSentiment) -> None:
    for text in ("depuis 3 semaines", "depuis douze semaines", "ça fait 40 jours"):
        assert label(model, text) == "negative", text
    # "rien" after the expression does not flip it into praise.
    assert label(model, "depuis 3 semaines rien") == "negative"


def test_customer_service_replies_are_not_opinions(model: LexiconSentiment) -> None:
    assert label(model, "Bonjour, nous sommes désolés, revenez vers nous en MP") == "neutral"
    assert label(model, "Sorry to hear that, DM us your account number") == "neutral"


def test_english_texts_read_the_english_lists(model: LexiconSentiment) -> None:
    # "pain" is bread in French (no polarity there) and a complaint in English.
    assert label(model, "the pain of this app is real, it is so slow") == "negative"
    assert label(model, "Du pain frais tous les matins") != "negative"


def _corpus_heldout() -> dict[str, list[tuple[str, str]]]:
    corpus = pytest.importorskip(
        "nlp.corpus", reason="the corpus and its split rule come with the encoder backend"
    )
    files = sorted(Path(corpus.CORPUS_DIR).glob("*.jsonl"))
    if not files:
        pytest.skip(f"no corpus files in {corpus.CORPUS_DIR}")
    heldout: dict[str, list[tuple[str, str]]] = {"fr": [], "en": []}
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            post = json.loads(line)
            if corpus.split_of(post["text"]) == corpus.HELDOUT:
                heldout["en" if post.get("lang") == "en" else "fr"].append(
                    (post["text"], post["label"])
                )
    return heldout


def test_the_fallback_holds_on_the_corpus_heldout_split(model: LexiconSentiment) -> None:
    """A regression guard for README's held-out figures (French 0.724, English 0.583)."""
    for language, posts in _corpus_heldout().items():
        predicted = [s.label for s in model.predict([text for text, _ in posts])]
        report = classification_report([label for _, label in posts], predicted, LABELS)
        assert report.macro_f1 >= 0.55, (language, report.macro_f1)
