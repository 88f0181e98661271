"""Identifiers: handles made comparable, salted hashes of emails and phones, PII in posts.

Pure functions. Raw emails and phone numbers never leave this module: a customer's come
in from the CRM and a post's from its text, and only their keyed hashes (HMAC-SHA256 with
the deployment's salt) are returned, so the two sides can be compared without keeping
either value.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from nlp.normalize import fold
from records.authors import normalize_handle as _normalize_handle

# Platforms on which one handle names one person whatever the source: a handle on a forum
# only means something on that forum, so forum-like sources use their source id.
SOCIAL_KINDS = frozenset({"mastodon", "reddit", "bluesky", "youtube", "facebook"})

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?![\w-])")
# French numbers as people write them (06 12 34 56 78, 06.12.34.56.78, +33 6 12 34 56 78)
# and other international ones starting with +.
_PHONE = re.compile(r"(?<![\d+])(?:\+|00)?\d(?:[ .\-]?\d){8,13}(?!\d)")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def platform_of(source_id: str, kind: str) -> str:
    """The platform a post's handle belongs to: the social kind, else the source."""
    return kind if kind in SOCIAL_KINDS else source_id


def normalize_handle(handle: str) -> str:
    """Handles compare case-insensitively and without a leading @ (the rule of the store's
    suppression list, `records.authors`, so that both name the same authors)."""
    return _normalize_handle(handle)


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively, surrounding spaces ignored."""
    return email.strip().casefold()


def normalize_phone(phone: str) -> str:
    """Digits with the country code: French national numbers become 33…

    A hand-written rule rather than the `phonenumbers` library: Veille's customers and
    posts are French first, and the rule only needs to make the CRM's and a post's
    writing of one number equal, not to validate numbers of every country.
    """
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    if len(digits) == 10 and digits.startswith("0"):
        return "33" + digits[1:]
    return digits


def keyed_hash(kind: str, value: str, salt: str) -> str:
    """HMAC-SHA256 of a normalised value, hex: the only form an email or phone is stored in."""
    if not salt:
        raise ValueError("the CRM salt is empty (set the variable named by crm.yaml salt_env)")
    normal = normalize_email(value) if kind == "email" else normalize_phone(value)
    digest = hmac.new(salt.encode(), f"{kind}:{normal}".encode(), hashlib.sha256)
    return digest.hexdigest()


def extract_pii_hashes(text: str, salt: str) -> list[str]:
    """Hashes of the emails and phone numbers written in a text, in order, distinct."""
    found: list[str] = []
    for match in _EMAIL.finditer(text):
        found.append(keyed_hash("email", match.group(), salt))
    without_emails = _EMAIL.sub(" ", text)
    for match in _PHONE.finditer(without_emails):
        digits = re.sub(r"\D", "", match.group())
        if 9 <= len(digits) <= 15:
            found.append(keyed_hash("phone", match.group(), salt))
    return list(dict.fromkeys(found))


def normalize_name(name: str) -> str:
    """A person's name folded (case, accents) to words separated by single spaces."""
    return _NON_WORD.sub(" ", fold(name)).strip()
