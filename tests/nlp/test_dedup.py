"""Near-duplicates: MinHash fingerprints, linking to the first copy, across batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from configuration.loader import VeilleConfig
from nlp.dedup import (
    BANDS,
    MIN_SHARED_BANDS,
    estimated_similarity,
    fingerprint,
    link_duplicates,
    normalize,
)
from pipeline.runner import process_posts
from records import Mention, RawPost
from storage import MentionFilter
from storage.sqlite import SQLiteStore

COMPLAINT = "Toujours pas de réseau Lumio depuis ce matin à Lyon, c'est une honte absolue !!!"
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _mention(n: int, text: str, hours: int = 0, author: str = "") -> Mention:
    post = RawPost(
        source_id="forum",
        kind="forum",
        external_id=str(n),
        url=f"http://forum.test/{n}",
        body_text=text,
        published_at=T0 + timedelta(hours=hours),
        author=author or f"user{n}",
    )
    return Mention(post=post, lang="fr", fingerprint=fingerprint(text))


def _shared(a: str, b: str) -> int:
    return len(set(fingerprint(a)) & set(fingerprint(b)))


def test_normalize_drops_links_handles_tags_and_punctuation() -> None:
    assert normalize("LUMIO!!  @lumio_fr https://x.fr/a #panne   c'est nul…") == "lumio c est nul"


def test_copies_share_bands_and_other_posts_do_not() -> None:
    assert _shared(COMPLAINT, COMPLAINT.lower() + " #panne @lumio_fr") == BANDS
    edited = COMPLAINT.replace("Lyon", "Lille")
    assert _shared(COMPLAINT, edited) >= MIN_SHARED_BANDS
    other = "Toujours pas de réseau Telvia à Brest depuis deux jours, le SAV ne répond plus."
    assert _shared(COMPLAINT, other) < MIN_SHARED_BANDS


def test_the_same_words_about_another_brand_are_not_a_copy() -> None:
    text = "Aucun souci de mon côté avec {}, peut-être un problème local chez toi ?"
    lumio, telvia = (
        fingerprint(text.format("Lumio"), ["lumio"]),
        fingerprint(text.format("Telvia"), ["telvia"]),
    )
    assert len(lumio) == BANDS and not set(lumio) & set(telvia)
    assert fingerprint(text.format("Lumio"), ["lumio"]) == lumio  # stable


def test_short_texts_get_no_fingerprint() -> None:
    assert fingerprint("merci !") == []
    assert fingerprint("+1 pareil chez moi") == []
    assert fingerprint("Même problème ici chez Lumio, pareil.") == []


def test_estimated_similarity() -> None:
    assert estimated_similarity(BANDS) == 1.0
    assert estimated_similarity(0) == 0.0
    assert 0.7 < estimated_similarity(MIN_SHARED_BANDS) < 0.8


def test_batch_links_copies_to_the_earliest() -> None:
    later = _mention(1, COMPLAINT + " #panne", hours=2)
    first = _mention(2, COMPLAINT, hours=0)
    other = _mention(3, "Telvia a réglé mon problème de facture en dix minutes, bravo à eux.")
    short = _mention(4, "merci !")
    assert link_duplicates([later, first, other, short]) == 1
    assert later.duplicate_of == first.id
    assert first.duplicate_of is None and other.duplicate_of is None and short.duplicate_of is None


def test_lookup_finds_earlier_batches_and_its_failure_is_not_fatal(
    config: VeilleConfig,
) -> None:
    store = SQLiteStore(config.sqlite_path)
    first = _mention(1, COMPLAINT)
    link_duplicates([first], store.near_duplicate_candidates)
    store.upsert_mentions([first])
    copy = _mention(2, COMPLAINT + " Fuyez !", hours=5)
    assert link_duplicates([copy], store.near_duplicate_candidates) == 1
    assert copy.duplicate_of == first.id
    # Re-processing the first copy does not make it a copy of itself.
    again = _mention(1, COMPLAINT)
    assert link_duplicates([again], store.near_duplicate_candidates) == 0
    store.close()

    def broken(*args: object) -> dict[str, int]:
        raise RuntimeError("database is locked")

    lone = _mention(3, COMPLAINT)
    assert link_duplicates([lone], broken) == 0 and lone.duplicate_of is None


def test_other_authors_copy_only_within_the_wave_window() -> None:
    first = _mention(1, COMPLAINT, author="alice")
    weeks_later = _mention(2, COMPLAINT, hours=24 * 21, author="bob")
    cross_post = _mention(3, COMPLAINT, hours=24 * 30, author="alice")
    assert link_duplicates([first, weeks_later, cross_post]) == 1
    assert weeks_later.duplicate_of is None  # two people, three weeks apart: two voices
    assert cross_post.duplicate_of == first.id  # the same account pasting it again


def test_a_wave_is_followed_copy_after_copy() -> None:
    # Each copy comes 20 h after the previous one: the wave outlasts the window, and
    # every copy still points to the very first.
    wave = [_mention(n, COMPLAINT, hours=20 * n) for n in range(5)]
    assert link_duplicates(wave) == 4
    assert {m.duplicate_of for m in wave[1:]} == {wave[0].id}


def test_the_store_lookup_keeps_to_the_window(config: VeilleConfig) -> None:
    store = SQLiteStore(config.sqlite_path)
    first = _mention(1, COMPLAINT, author="alice")
    copy = _mention(2, COMPLAINT, hours=10)
    link_duplicates([first, copy])
    store.upsert_mentions([first, copy])
    in_wave = _mention(3, COMPLAINT, hours=30)  # 20 h after the stored copy
    much_later = _mention(4, COMPLAINT, hours=24 * 20)
    by_alice = _mention(5, COMPLAINT, hours=24 * 20, author="alice")
    for mention in (in_wave, much_later, by_alice):
        link_duplicates([mention], store.near_duplicate_candidates)
    assert in_wave.duplicate_of == first.id
    assert much_later.duplicate_of is None
    assert by_alice.duplicate_of == first.id
    store.close()


def test_stage_links_copies_across_batches_and_counts_them_once(config: VeilleConfig) -> None:
    store = SQLiteStore(config.sqlite_path)
    posts = [
        RawPost(
            source_id="forum",
            kind="forum",
            external_id=str(n),
            url=f"http://forum.test/{n}",
            body_text=text,
            published_at=T0 + timedelta(hours=n),
            lang_hint="fr",
        )
        for n, text in enumerate(
            [COMPLAINT, "Azur Mobile a enfin réparé la fibre chez moi, merci au technicien."]
        )
    ]
    store.upsert_raw_posts(posts)
    process_posts(config, store)
    wave = [
        RawPost(
            source_id="other-forum",
            kind="forum",
            external_id=str(n),
            url=f"http://other.test/{n}",
            body_text=COMPLAINT + suffix,
            published_at=T0 + timedelta(days=1, hours=n),
            lang_hint="fr",
        )
        for n, suffix in enumerate([" #panne", " @lumio_fr", ""])
    ]
    store.upsert_raw_posts(wave)
    report = process_posts(config, store)
    assert report.duplicates == 3
    first_id = posts[0].id
    copies = store.get_mentions([p.id for p in wave])
    assert {m.duplicate_of for m in copies} == {first_id}
    rows = store.barometer(MentionFilter(), granularity="month")
    assert {r.brand_id: r.total for r in rows}["lumio"] == 1
    store.close()
