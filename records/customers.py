"""Customer records of the CRM stage: who a customer is, what they consented to, a link."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Identity:
    """One identifier a customer gave: a handle on a platform, or a salted hash."""

    kind: str  # "handle", "email_hash" or "phone_hash"
    value: str
    platform: str = ""  # a source id or a social kind for handles; "" for hashes


@dataclass
class Consent:
    """A customer's answer for one purpose, with when and where it was given."""

    purpose: str
    granted: bool
    given_at: datetime | None = None
    source: str = ""


@dataclass
class Customer:
    """A brand's customer as loaded from its CRM (raw emails and phones already hashed)."""

    brand_id: str
    customer_id: str
    name: str = ""
    city: str = ""
    identities: list[Identity] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    # Where the record came from (file and line, or table), for error messages and audit.
    origin: str = ""

    @property
    def key(self) -> str:
        """Key unique across brands: a customer id is only unique within one brand's CRM."""
        return f"{self.brand_id}:{self.customer_id}"

    def consent(self, purpose: str) -> bool:
        """Whether the customer said yes to `purpose`."""
        return any(c.purpose == purpose and c.granted for c in self.consents)


@dataclass
class Link:
    """A mention attributed to a customer, with how, how sure and who confirmed it."""

    customer_key: str
    mention_id: str
    method: str  # "handle", "email_hash", "phone_hash", "review"
    confidence: float
    evidence_url: str
    confirmed_by: str
    confirmed_at: datetime
