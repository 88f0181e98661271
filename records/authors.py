"""Authors as the suppression list knows them: a normalised handle and its hash.

`veille privacy forget` puts an author on the store's suppression list; the crawl stage
skips their posts and the NLP stage makes no mention of them. The list holds
`author_key(handle)`, never the handle: the person asked to be forgotten, and a list of
the handles of everyone who asked would itself be personal data kept after the erasure.
A hash lets a crawl recognise the author's next post without the list saying who they
are to whoever reads it. An unsalted hash of a handle can still be matched against a
guessed handle (it is pseudonymous, not anonymous); the crawl stage has no secret of the
CRM's to key it with, and the list keeps nothing else (no reason, no platform, no link).

One key for every platform, as `forget --author` erases a handle on every platform: a
person who objects is left out wherever that handle writes, at the price of also leaving
out a stranger with the same handle on another site.
"""

from __future__ import annotations

import hashlib

_DOMAIN = "veille-author-v1\x1f"


def normalize_handle(handle: str) -> str:
    """Handles compare case-insensitively, without surrounding spaces or a leading @."""
    return handle.strip().lstrip("@").casefold()


def author_key(handle: str) -> str:
    """The suppression key of a handle (SHA-256 of the normalised handle, hex); the empty
    handle (an anonymous post) has the key "" and is never suppressed."""
    normal = normalize_handle(handle)
    if not normal:
        return ""
    return hashlib.sha256((_DOMAIN + normal).encode("utf-8")).hexdigest()
