"""Dashboard sessions and queue depths in the search store (`storage.base.ReadStore`).

A mixin of `SearchStore`. A session is a document of the `state` index, by the token's
hash (the browser keeps the token, the store only its SHA-256), read back with a
real-time get: no query and no refresh stand between a sign-in and the next page. Expiry
and revocation are checked on read, as the SQLite backend does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from records import parse_utc
from records.vocab import OPEN_ALERT_STATUSES
from storage.base import QueueDepths
from storage.search.search_alerts import SearchAlertsMixin
from storage.search.search_crawl import utc_text


class SearchHealthMixin(SearchAlertsMixin):
    """Sessions and queue depths of `SearchStore`."""

    def _session_id(self, token_hash: str) -> str:
        return f"session:{token_hash}"

    def create_session(
        self, token_hash: str, login: str, role: str, now: datetime, expires_at: datetime
    ) -> None:
        """Record a new session."""
        document: dict[str, Any] = {
            "kind": "session",
            "name": login,
            "updated_at": utc_text(now),
            "value": {"role": role, "expires_at": utc_text(expires_at), "revoked_at": None},
        }
        self._bulk(
            [{"index": {"_index": self.index("state"), "_id": self._session_id(token_hash)}},
             document],
            "create session",
        )  # fmt: skip

    def find_session(self, token_hash: str, now: datetime) -> tuple[str, str] | None:
        """(login, role) of a live session: not expired at `now`, not revoked."""
        found = self._get(self.index("state"), self._session_id(token_hash))
        if found is None or found.get("kind") != "session":
            return None
        value = found["value"]
        expires = parse_utc(value["expires_at"])
        if value.get("revoked_at") is not None or expires is None or expires <= now:
            return None
        return str(found["name"]), str(value["role"])

    def revoke_session(self, token_hash: str, now: datetime) -> None:
        """End a session now (sign-out); an unknown token is left alone."""
        doc_id = self._session_id(token_hash)
        found = self._get(self.index("state"), doc_id)
        if found is None:
            return
        found["value"] = {**found["value"], "revoked_at": utc_text(now)}
        found["updated_at"] = utc_text(now)
        self._bulk(
            [{"index": {"_index": self.index("state"), "_id": doc_id}}, found], "revoke session"
        )

    def queue_depths(self, now: datetime, nlp_cursor: str, alerts_cursor: str) -> QueueDepths:
        """Raw posts after the NLP cursor, mentions after the alerts cursor, open alerts past
        their SLA at `now`, notifications waiting or being sent."""
        raw = self._count(
            self.index("raw-posts"), {"range": {"seq": {"gt": self.get_cursor(nlp_cursor)}}}
        )
        mentions = self._count(
            self.mentions.read_alias, {"range": {"seq": {"gt": self.get_cursor(alerts_cursor)}}}
        )
        late = self._count(
            self.index("alerts"),
            {
                "bool": {
                    "filter": [
                        {"terms": {"status": list(OPEN_ALERT_STATUSES)}},
                        {"range": {"due_at": {"lt": utc_text(now)}}},
                    ]
                }
            },
        )
        backlog = self._count(self.index("outbox"), {"terms": {"status": ["pending", "sending"]}})
        return QueueDepths(raw, mentions, late, backlog)
