"""Near-duplicates (copy-pastes, cross-posts, spam waves): MinHash over shingles. Pure logic.

A text is normalised (folded, links, @handles and #tags dropped, punctuation and runs of
spaces collapsed), cut into character shingles, and summarised by a MinHash signature
of `PERMUTATIONS` values, grouped in `BANDS` bands of `ROWS` values. Each band becomes a
key ("7:3fa2…"); the keys are all the store keeps (`Mention.fingerprint`), and two texts
that share many keys are near-duplicates.

Why this estimate: for two texts of Jaccard similarity s, each band matches with
probability s**ROWS, so the share of shared bands estimates s**ROWS. With 64 bands of 2
rows, `MIN_SHARED_BANDS` = 36 asks for s of about 0.75 or more (a band-count estimate
with a standard deviation of about 4 bands near the threshold; 32 bands of 4 rows were
noisier): a copy with a word or two changed, a signature, a hashtag or an emoji added,
still links; two posts that share a sentence but not the rest, or a complaint
template about another brand, do not (the brands salt the keys, see `fingerprint`).

`link_duplicates` links each new mention to the first copy: an earlier stored one (found
through a store lookup, so it works across batches), else an earlier one of the batch.
Texts of fewer than `MIN_WORDS` words get no fingerprint: "merci !", "+1" or "même
problème ici" repeated by different people is not a spam wave. Likewise two people who
write the same sentence weeks apart are two voices: a copy by another author links only
within `WAVE_WINDOW` of the first copy (a wave, a campaign), while the same author's copies
link at any distance (cross-posts, a complaint pasted again a month later).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

import numpy as np

from nlp.normalize import fold
from records import Mention

logger = logging.getLogger(__name__)

SHINGLE = 5  # characters
BANDS, ROWS = 64, 2
PERMUTATIONS = BANDS * ROWS
MIN_SHARED_BANDS = 36
MIN_WORDS = 8
WAVE_WINDOW = timedelta(hours=24)

_rng = np.random.default_rng(20261124)  # fixed: fingerprints must be stable across runs
# Multiply-shift hashing (Dietzfelbinger): (a·h + b) mod 2**64, top 32 bits, a odd.
_A = _rng.integers(0, 1 << 63, size=PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _rng.integers(0, 1 << 63, size=PERMUTATIONS, dtype=np.uint64)

_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+")
_NOT_WORD = re.compile(r"[\W_]+")

# lookup(keys, own_id, author, since, until) → stored first copies (id → shared keys)
# written by `author`, or published between `since` and `until`.
Lookup = Callable[[Sequence[str], str, str, datetime, datetime], dict[str, int]]


def normalize(text: str) -> str:
    """The text as near-duplicate detection sees it: folded words separated by one space."""
    return _NOT_WORD.sub(" ", _NOISE.sub(" ", fold(text))).strip()


def shingles(normalized: str) -> set[str]:
    """Character shingles of a normalised text (the whole text when shorter)."""
    if len(normalized) <= SHINGLE:
        return {normalized} if normalized else set()
    return {normalized[i : i + SHINGLE] for i in range(len(normalized) - SHINGLE + 1)}


def minhash(items: set[str]) -> np.ndarray:
    """MinHash signature (`PERMUTATIONS` values) of a set of shingles."""
    hashes = np.fromiter(
        (int.from_bytes(hashlib.blake2b(s.encode(), digest_size=4).digest()) for s in items),
        dtype=np.uint64,
        count=len(items),
    )
    # Array arithmetic in uint64 wraps around modulo 2**64, which is what the family needs.
    values = (_A[:, None] * hashes[None, :] + _B[:, None]) >> np.uint64(32)
    return values.min(axis=1)


def band_keys(signature: np.ndarray, salt: str = "") -> list[str]:
    """One key per band: the band's index and a short hash of its values (and `salt`)."""
    keys = []
    for band in range(BANDS):
        chunk = signature[band * ROWS : (band + 1) * ROWS].tobytes() + salt.encode()
        keys.append(f"{band}:{hashlib.blake2b(chunk, digest_size=8).hexdigest()}")
    return keys


def fingerprint(text: str, brand_ids: Iterable[str] = ()) -> list[str]:
    """The band keys of a text, or [] for a text too short to call a copy.

    The brands the text names salt every key: a copy is about the same brands, and
    "aucun souci avec Lumio" is not a copy of "aucun souci avec Telvia".
    """
    normalized = normalize(text)
    if len(normalized.split()) < MIN_WORDS:
        return []
    return band_keys(minhash(shingles(normalized)), ",".join(sorted(set(brand_ids))))


def estimated_similarity(shared_bands: int) -> float:
    """Jaccard similarity that `shared_bands` shared bands out of `BANDS` suggest."""
    return float((max(0, min(shared_bands, BANDS)) / BANDS) ** (1 / ROWS))


def link_duplicates(mentions: Sequence[Mention], lookup: Lookup | None = None) -> int:
    """Set `duplicate_of` on near-duplicates, to the first copy; returns how many.

    `lookup` returns stored first copies sharing keys, by the same author or within
    `WAVE_WINDOW` (see `Lookup`). Within the batch the earliest post (by publication date,
    then id) is the first copy.
    """
    index: dict[str, list[Mention]] = defaultdict(list)  # key → posts of this batch so far
    linked = 0

    def order(mention: Mention) -> tuple[datetime, str]:
        return (_when(mention), mention.id)

    def related(first: Mention, mention: Mention) -> bool:
        same_author = bool(mention.post.author) and first.post.author == mention.post.author
        return same_author or abs(_when(mention) - _when(first)) <= WAVE_WINDOW

    for mention in sorted(mentions, key=order):
        if not mention.fingerprint:
            mention.duplicate_of = None
            continue
        shared: dict[str, int] = {}
        if lookup is not None:
            when = _when(mention)
            try:
                shared.update(
                    lookup(
                        mention.fingerprint,
                        mention.id,
                        mention.post.author,
                        when - WAVE_WINDOW,
                        when + WAVE_WINDOW,
                    )
                )
            except Exception as exc:  # the lookup is a help; losing it must not fail the batch
                logger.warning("dedup: store lookup failed for %s: %s", mention.id, exc)
        per_post: dict[str, int] = defaultdict(int)
        posts: dict[str, Mention] = {}
        for key in mention.fingerprint:
            for other in index.get(key, ()):
                if related(other, mention):
                    per_post[other.id] += 1
                    posts[other.id] = other
        for other_id, count in per_post.items():
            # A copy stands for its first copy, so a wave is followed copy after copy; a
            # re-processed post may be found both here and in the store.
            first_id = posts[other_id].duplicate_of or other_id
            if first_id != mention.id:
                shared[first_id] = max(shared.get(first_id, 0), count)
        best = max(shared.items(), key=lambda item: item[1], default=None)
        if best is not None and best[1] >= MIN_SHARED_BANDS:
            mention.duplicate_of = best[0]
            linked += 1
        else:
            mention.duplicate_of = None
        for key in mention.fingerprint:
            index[key].append(mention)
    return linked


def _when(mention: Mention) -> datetime:
    """When a post was written (when it was fetched, for a post that shows no date)."""
    return mention.post.published_at or mention.post.fetched_at
