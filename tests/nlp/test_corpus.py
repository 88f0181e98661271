"""The corpus: its split rule, its cleaning, tolerant reading, and the committed files."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from nlp.corpus import CORPUS_DIR, HELDOUT, TRAIN, load_corpus, near_key, normalise, split_of
from nlp.evaluation import ReadReport


def write(path: Path, rows: list[dict[str, str]], tail: str = "") -> None:
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n" + tail, encoding="utf-8")


def test_the_split_rule_is_the_hash_of_the_normalised_text() -> None:
    text = "  Super   Service, MERCI ! "
    assert normalise(text) == "super service, merci !"
    expected = (
        HELDOUT if int(hashlib.sha1(b"super service, merci !").hexdigest(), 16) % 5 == 0 else TRAIN
    )
    assert split_of(text) == expected
    # Case and spacing do not move a text to the other split.
    assert split_of("super service, merci !") == split_of(text)


def test_about_a_fifth_of_the_corpus_is_held_out() -> None:
    splits = Counter(e.split for e in load_corpus())
    share = splits[HELDOUT] / sum(splits.values())
    assert 0.17 < share < 0.23, splits


def test_copies_are_dropped_but_not_posts_an_emoji_tells_apart(tmp_path: Path) -> None:
    rows = [
        {"text": "Super service, merci !", "label": "positive"},
        {"text": "super service merci", "label": "positive"},  # near copy
        {"text": "Super   service, merci !", "label": "positive"},  # exact copy once normalised
        {"text": "merci 🙏", "label": "positive"},
        {"text": "merci… 🙄", "label": "negative"},  # same words, other label: kept
    ]
    write(tmp_path / "a.jsonl", rows)
    copies: Counter[str] = Counter()
    kept = load_corpus(tmp_path, copies=copies)
    assert [e.text for e in kept] == ["Super service, merci !", "merci 🙏", "merci… 🙄"]
    assert copies == Counter({"near": 1, "exact": 1})
    assert near_key("Super service !! 👍 @sfr https://x.fr/a") == "super service"


def test_bad_and_incomplete_lines_are_named_skipped_and_counted(tmp_path: Path) -> None:
    rows = [
        {"text": "Très bon accueil", "label": "positive", "lang": "fr", "domain": "retail"},
        {"text": "", "label": "neutral"},
        {"text": "Colis perdu", "label": "furious"},
    ]
    write(tmp_path / "b.jsonl", rows, tail='{"text": "Livraison en ret')  # still being written
    report = ReadReport()
    kept = load_corpus(tmp_path, report=report)
    assert [e.text for e in kept] == ["Très bon accueil"]
    assert kept[0].domain == "retail" and kept[0].split in {TRAIN, HELDOUT}
    assert report.skipped == 3 and report.read == 1
    assert [error.split(": ")[0] for error in report.errors] == [
        f"{tmp_path / 'b.jsonl'}:{n}" for n in (2, 3, 4)
    ]


def test_the_committed_corpus_is_clean_and_balanced() -> None:
    report = ReadReport()
    examples = load_corpus(CORPUS_DIR, report=report)
    assert report.skipped == 0
    labels = Counter(e.label for e in examples)
    assert set(labels) == {"positive", "neutral", "negative"}
    assert max(labels.values()) / min(labels.values()) < 1.2
    langs = Counter(e.lang for e in examples)
    assert langs["fr"] >= 4000 and langs["en"] >= 1000
