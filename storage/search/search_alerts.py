"""The alerts protocol (`storage.base.AlertStore`) on the search cluster: mentions after a
cursor, alerts with optimistic concurrency, the rules' counts as aggregations, the
notification outbox.

Counted mentions, as in the SQLite store: not the brand's own posts, near-duplicates once
(through their first copy); a brand's negative ones are those whose sentiment for that
brand is negative (`brand_negative`, see `documents.brand_label`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from opensearchpy.exceptions import ConflictError, NotFoundError

from records import Alert, Mention, OutboxItem, parse_utc
from storage.base import WindowCount
from storage.search.search_crawl import state_id, utc_text
from storage.search.search_nlp import SearchNlpMixin

logger = logging.getLogger(__name__)

COUNTED: list[dict[str, Any]] = [{"term": {"is_official": False}}]
NOT_DUPLICATE: dict[str, Any] = {"exists": {"field": "duplicate_of"}}
# Brands and aspects are a few hundred at most; a terms aggregation returns them all.
MANY = 10_000
# Conflicting writers of one alert retry this often before giving up.
ALERT_WRITE_TRIES = 20


def counted(*filters: dict[str, Any]) -> dict[str, Any]:
    """A query of the counted mentions that also match `filters`."""
    return {"bool": {"filter": [*COUNTED, *filters], "must_not": [NOT_DUPLICATE]}}


def period(since: datetime, until: datetime) -> dict[str, Any]:
    """Mention time in [since, until)."""
    return {"range": {"ts": {"gte": utc_text(since), "lt": utc_text(until)}}}


def brand_counts(brand_ids: Sequence[str], inner: dict[str, Any] | None = None) -> dict[str, Any]:
    """Terms per brand (only `brand_ids` when given), each with its negative count."""
    terms: dict[str, Any] = {"field": "brand_ids", "size": MANY}
    negative: dict[str, Any] = {"field": "brand_negative", "size": MANY}
    if brand_ids:
        terms["include"] = negative["include"] = list(brand_ids)
    aggs: dict[str, Any] = {"negative": {"terms": negative}}
    if inner:
        aggs.update(inner)
    return {"terms": terms, "aggs": aggs}


def negative_of(bucket: dict[str, Any], brand_id: str) -> int:
    """The negative count of `brand_id` in a bucket made by `brand_counts`."""
    for sub in bucket["negative"]["buckets"]:
        if sub["key"] == brand_id:
            return int(sub["doc_count"])
    return 0


class SearchAlertsMixin(SearchNlpMixin):
    """Alerts, the rules' aggregates and the outbox of `SearchStore`."""

    def mentions_after(self, seq: int, limit: int) -> list[tuple[int, Mention]]:
        """Mentions stored or changed after `seq`, oldest first; only up to the numbers
        every writer has made visible (`SearchBase._visible_through`)."""
        visible = self._visible_through("mentions")
        if visible <= seq:
            return []
        hits = self._hits(
            self.mentions.read_alias,
            {"range": {"seq": {"gt": seq, "lte": visible}}},
            [{"seq": "asc"}],
            limit,
        )
        return [(int(h["_source"]["seq"]), Mention.from_dict(h["_source"])) for h in hits]

    # --- alerts ---------------------------------------------------------------------

    def _alert_action(self, alert: Alert) -> dict[str, Any]:
        return {
            "id": alert.id,
            "rule_id": alert.rule_id,
            "brand_id": alert.brand_id,
            "status": alert.status,
            "severity": alert.severity,
            "due_at": utc_text(alert.due_at),
            "created_at": utc_text(alert.created_at),
            "updated_at": utc_text(alert.updated_at),
            "data": alert.to_dict(),
        }

    def save_alert(self, alert: Alert, outbox: Iterable[OutboxItem] = ()) -> None:
        """Insert or replace an alert by id, queueing `outbox` in the same bulk request.

        A cluster has no transaction across documents: the outbox lines go first in one
        request, so a process killed before the request leaves neither, and a repeat of the
        alert's save re-queues nothing twice (each item is a `create` by its key).
        """
        actions = self._outbox_actions(list(outbox))
        actions += [
            {"index": {"_index": self.index("alerts"), "_id": alert.id}},
            self._alert_action(alert),
        ]
        self._bulk(actions, f"save alert {alert.id}")

    def get_alert(self, alert_id: str) -> Alert | None:
        """One alert by id (a real-time get)."""
        found = self._get(self.index("alerts"), alert_id)
        return Alert.from_dict(found["data"]) if found is not None else None

    def _alerts(
        self, filters: list[dict[str, Any]], sort: list[Any], limit: int | None = None
    ) -> list[Alert]:
        hits = self._scan(self.index("alerts"), {"bool": {"filter": filters}}, sort, limit)
        return [Alert.from_dict(h["_source"]["data"]) for h in hits]

    def open_alert(self, rule_id: str, brand_id: str) -> Alert | None:
        """The open alert of a rule for a brand, if any."""
        found = self._alerts(
            [
                {"term": {"rule_id": rule_id}},
                {"term": {"brand_id": brand_id}},
                {"terms": {"status": ["new", "acknowledged"]}},
            ],
            [{"created_at": "desc"}, {"id": "asc"}],
            limit=1,
        )
        return found[0] if found else None

    def list_alerts(self, statuses: Sequence[str] = ()) -> list[Alert]:
        """Alerts, most urgent (earliest due) first."""
        filters = [{"terms": {"status": list(statuses)}}] if statuses else []
        return self._alerts(filters, [{"due_at": "asc"}, {"created_at": "asc"}, {"id": "asc"}])

    def update_alert(self, alert_id: str, change: Callable[[Alert], None]) -> Alert:
        """Read, change and write one alert atomically; KeyError if unknown.

        Optimistic concurrency: the write names the version it read (`if_seq_no`,
        `if_primary_term`); if another writer came first, it reads again and re-applies
        `change`, so no update is lost between two workers.
        """
        index = self.index("alerts")
        client = self.cluster.client
        for _ in range(ALERT_WRITE_TRIES):
            try:
                found = self.cluster.call("get alert", lambda: client.get(index=index, id=alert_id))
            except NotFoundError:
                raise KeyError(f"unknown alert {alert_id!r}") from None
            alert = Alert.from_dict(found["_source"]["data"])
            change(alert)
            params = {
                "if_seq_no": str(found["_seq_no"]),
                "if_primary_term": str(found["_primary_term"]),
                "refresh": self.refresh,
            }
            body = self._alert_action(alert)
            try:
                self.cluster.call(
                    "update alert",
                    lambda body=body, params=params: client.index(  # type: ignore[misc]
                        index=index, id=alert_id, body=body, params=params
                    ),
                )
            except ConflictError:
                continue
            return alert
        raise RuntimeError(f"alert {alert_id!r}: {ALERT_WRITE_TRIES} conflicting writers in a row")

    def last_closed_alert(self, rule_id: str, brand_id: str) -> Alert | None:
        """The latest resolved or dismissed alert of a rule for a brand."""
        found = self._alerts(
            [
                {"term": {"rule_id": rule_id}},
                {"term": {"brand_id": brand_id}},
                {"terms": {"status": ["resolved", "dismissed"]}},
            ],
            [{"updated_at": "desc"}, {"id": "asc"}],
            limit=1,
        )
        return found[0] if found else None

    # --- aggregates for the volume rules --------------------------------------------

    def _aggs(self, query: dict[str, Any], aggs: dict[str, Any]) -> dict[str, Any]:
        body = {"query": query, "size": 0, "aggs": aggs}
        response = self._search(self.mentions.read_alias, body)
        found: dict[str, Any] = response.get("aggregations", {})
        return found

    def first_mention_time(self) -> datetime | None:
        """Time of the oldest stored mention."""
        found = self._aggs({"match_all": {}}, {"first": {"min": {"field": "ts"}}})
        value = found.get("first", {}).get("value_as_string")
        return parse_utc(value) if value else None

    def window_counts(
        self,
        windows: Sequence[tuple[datetime, datetime]],
        brand_ids: Sequence[str] = (),
        by_aspect: bool = False,
    ) -> list[WindowCount]:
        """Counted mentions per window, brand (and aspect), with the negative ones: one
        request, a `filters` bucket per window."""
        if not windows:
            return []
        inner = None
        if by_aspect:
            inner = {"aspects": {"terms": {"field": "aspects", "size": MANY}, "aggs": {}}}
            inner["aspects"]["aggs"] = {"negative": brand_counts(brand_ids)["aggs"]["negative"]}
        per_window = {str(i): period(since, until) for i, (since, until) in enumerate(windows)}
        found = self._aggs(
            counted(),
            {
                "windows": {
                    "filters": {"filters": per_window},
                    "aggs": {"brands": brand_counts(brand_ids, inner)},
                }
            },
        )
        out: list[WindowCount] = []
        for key, window in found["windows"]["buckets"].items():
            for brand in window["brands"]["buckets"]:
                brand_id = brand["key"]
                if not by_aspect:
                    total, negative = brand["doc_count"], negative_of(brand, brand_id)
                    out.append(WindowCount(int(key), brand_id, "", total, negative))
                    continue
                for aspect in brand["aspects"]["buckets"]:
                    negative = negative_of(aspect, brand_id)
                    out.append(
                        WindowCount(
                            int(key), brand_id, aspect["key"], aspect["doc_count"], negative
                        )
                    )
        return sorted(out, key=lambda c: (c.window, c.brand_id, c.aspect))

    def hourly_counts(
        self, since: datetime, until: datetime, brand_ids: Sequence[str] = ()
    ) -> list[WindowCount]:
        """Counted mentions per whole UTC hour from `since` (rounded down) and brand."""
        start = since.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        hours = 0
        while start + timedelta(hours=hours) < until:
            hours += 1
        if not hours:
            return []
        end = start + timedelta(hours=hours)
        histogram: dict[str, Any] = {
            "date_histogram": {"field": "ts", "fixed_interval": "1h"},
            "aggs": {"brands": brand_counts(brand_ids)},
        }
        found = self._aggs(counted(period(start, end)), {"hours": histogram})
        out = []
        for bucket in found.get("hours", {}).get("buckets", []):
            at = datetime.fromtimestamp(bucket["key"] / 1000, UTC)
            window = int((at - start).total_seconds() // 3600)
            for brand in bucket["brands"]["buckets"]:
                negative = negative_of(brand, brand["key"])
                out.append(WindowCount(window, brand["key"], "", brand["doc_count"], negative))
        return out

    def mention_ids_in_window(
        self,
        brand_id: str,
        since: datetime,
        until: datetime,
        negative_only: bool = False,
        limit: int = 200,
    ) -> list[str]:
        """Ids of counted mentions of a brand in a window, newest first."""
        field = "brand_negative" if negative_only else "brand_ids"
        query = counted({"term": {field: brand_id}}, period(since, until))
        hits = self._hits(self.mentions.read_alias, query, [{"ts": "desc"}, {"id": "asc"}], limit)
        return [h["_id"] for h in hits]

    def thread_post_times(self, thread_url: str) -> list[datetime]:
        """Times of a thread's posts (the brand's own included, near-duplicates once),
        oldest first."""
        query = {
            "bool": {"filter": [{"term": {"thread_url": thread_url}}], "must_not": [NOT_DUPLICATE]}
        }
        hits = self._scan(self.mentions.read_alias, query, [{"ts": "asc"}, {"id": "asc"}])
        return [t for t in (parse_utc(h["_source"]["ts"]) for h in hits) if t is not None]

    # --- notification outbox --------------------------------------------------------

    def _outbox_document(self, item: OutboxItem) -> dict[str, Any]:
        return {
            "id": item.id,
            "channel_id": item.channel_id,
            "alert_id": item.alert_id,
            "event": item.event,
            "status": item.status,
            "created_at": utc_text(item.created_at),
            "next_attempt_at": utc_text(item.next_attempt_at or item.created_at),
            "sent_at": utc_text(item.sent_at),
            "message_id": item.message_id,
            "data": {
                "payload": item.payload,
                "attempts": item.attempts,
                "last_error": item.last_error,
            },
        }

    def enqueue_notifications(self, items: Iterable[OutboxItem]) -> int:
        """Queue notifications, one per channel, alert and event: `create` by that key, so
        a repeat (409) is not added. Returns how many were added."""
        batch = list(items)
        if not batch:
            return 0
        items_done = self._bulk(self._outbox_actions(batch), f"queue {len(batch)} notifications")
        return sum(1 for i in items_done if i.get("status") == 201)

    def _outbox_actions(self, batch: list[OutboxItem]) -> list[dict[str, Any]]:
        """Bulk lines that create each item under its (channel, alert, event) key."""
        if not batch:
            return []
        first = self._next_seqs("outbox", len(batch))
        actions: list[dict[str, Any]] = []
        for offset, item in enumerate(batch):
            queued = OutboxItem(**{**vars(item), "id": first + offset})
            key = state_id(item.channel_id, item.alert_id, item.event)
            actions.append({"create": {"_index": self.index("outbox"), "_id": key}})
            actions.append(self._outbox_document(queued))
        return actions

    def save_notification(self, item: OutboxItem) -> None:
        """Write back a notification's status, attempts, error and sent time."""
        if item.id is None:
            raise ValueError("save_notification: the item has no id (enqueue it first)")
        key = state_id(item.channel_id, item.alert_id, item.event)
        self._bulk(
            [{"index": {"_index": self.index("outbox"), "_id": key}}, self._outbox_document(item)],
            f"save notification {item.id}",
        )

    def notifications(
        self,
        statuses: Sequence[str] = (),
        channel_id: str | None = None,
        alert_id: str | None = None,
        due_before: datetime | None = None,
    ) -> list[OutboxItem]:
        """Outbox items, oldest first."""
        filters: list[dict[str, Any]] = []
        if statuses:
            filters.append({"terms": {"status": list(statuses)}})
        if channel_id is not None:
            filters.append({"term": {"channel_id": channel_id}})
        if alert_id is not None:
            filters.append({"term": {"alert_id": alert_id}})
        if due_before is not None:
            filters.append({"range": {"next_attempt_at": {"lte": utc_text(due_before)}}})
        hits = self._scan(
            self.index("outbox"),
            {"bool": {"filter": filters}},
            [{"created_at": "asc"}, {"id": "asc"}],
        )
        return [_outbox_item(h["_source"]) for h in hits]

    def notifications_sent_since(self, channel_id: str, since: datetime) -> int:
        """Messages a channel sent since a time (distinct message ids, as SQLite counts)."""
        query = {
            "bool": {
                "filter": [
                    {"term": {"channel_id": channel_id}},
                    {"term": {"status": "sent"}},
                    {"range": {"sent_at": {"gte": utc_text(since)}}},
                ]
            }
        }
        body = {
            "query": query,
            "size": 0,
            # A terms aggregation counts exactly (cardinality would be approximate).
            "aggs": {"ids": {"terms": {"field": "message_id", "size": MANY}}},
        }
        response = self._search(self.index("outbox"), body)
        return len(response["aggregations"]["ids"]["buckets"])


def _outbox_item(source: dict[str, Any]) -> OutboxItem:
    created = parse_utc(source["created_at"])
    assert created is not None
    return OutboxItem(
        channel_id=source["channel_id"],
        alert_id=source["alert_id"],
        event=source["event"],
        created_at=created,
        payload=dict(source["data"]["payload"]),
        status=source["status"],
        attempts=int(source["data"]["attempts"]),
        next_attempt_at=parse_utc(source.get("next_attempt_at")),
        last_error=source["data"]["last_error"],
        sent_at=parse_utc(source.get("sent_at")),
        message_id=source.get("message_id") or "",
        id=int(source["id"]),
    )
