"""The search-cluster client adapter: the calls Veille makes, over the product's client.

OpenSearch 2.x and Elasticsearch 8/9 take the same request bodies for everything Veille
sends (bulk, typeless mappings, query DSL, terms / date_histogram / composite
aggregations, composable index templates, aliases), but their official clients differ, and
this module is the one place that says so (`Product`):

- Elasticsearch's client (`elasticsearch` 8/9) refuses a server whose responses lack the
  `X-Elastic-Product: Elasticsearch` header, which OpenSearch never sends;
- it sends `application/vnd.elasticsearch+json; compatible-with=8` as Content-Type and
  Accept, which OpenSearch answers with 406 Not Acceptable;
- so OpenSearch is reached with `opensearch-py` and plain `application/json`, and
  Elasticsearch will be reached with its own client (not wired yet: no store backend
  exists so far, and only OpenSearch runs live here).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException, RequestError
from opensearchpy.helpers import streaming_bulk

from storage.base import UpsertCounts
from storage.search.retrying import RetryPolicy, call
from storage.search.templates import IndexTemplate

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Product:
    """What Veille must know about a search product to talk to it."""

    name: str
    client_package: str
    # What the product's official client sends as Content-Type and Accept.
    media_type: str
    # A response header the official client insists on, or None.
    product_header: tuple[str, str] | None


OPENSEARCH = Product("opensearch", "opensearch-py", "application/json", None)
ELASTICSEARCH = Product(
    "elasticsearch",
    "elasticsearch",
    "application/vnd.elasticsearch+json; compatible-with=8",
    ("X-Elastic-Product", "Elasticsearch"),
)


def product_of(info: dict[str, Any]) -> Product:
    """The product behind a `GET /` answer: OpenSearch names its distribution there."""
    return (
        OPENSEARCH if info.get("version", {}).get("distribution") == "opensearch" else ELASTICSEARCH
    )


class SearchClusterError(RuntimeError):
    """The cluster cannot be used; the message names the cluster and what failed."""


@dataclass(frozen=True)
class BulkFailure:
    """One document the cluster refused, with why."""

    doc_id: str
    status: int
    reason: str

    def __str__(self) -> str:
        return f"document {self.doc_id}: HTTP {self.status}, {self.reason}"


@dataclass
class BulkOutcome:
    """What a bulk upsert did: new, changed and identical (duplicate) documents, refusals."""

    counts: UpsertCounts = field(default_factory=UpsertCounts)
    failures: list[BulkFailure] = field(default_factory=list)


def redacted(url: str) -> str:
    """The URL without its password, for messages (credentials come from the environment)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class SearchCluster:
    """A search cluster reached through its product's client."""

    def __init__(
        self,
        client: OpenSearch,
        url: str,
        product: Product,
        version: str,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.client = client
        self.url = url
        self.product = product
        self.version = version
        self.retry = retry or RetryPolicy()

    @classmethod
    def connect(
        cls, url: str, *, timeout: float = 30.0, retry: RetryPolicy | None = None
    ) -> SearchCluster:
        """Connect and check what answers; an unreachable or unsupported one raises.

        With `retry`, an unavailable cluster is waited for (see `retrying`); the client's
        own immediate retries are off, since they do not wait between attempts.
        """
        client = OpenSearch(hosts=[url], timeout=timeout, max_retries=0)
        try:
            info = call("GET /", client.info, retry or RetryPolicy(budget_s=0), redacted(url))
        except (OpenSearchException, RuntimeError) as exc:
            raise SearchClusterError(f"search cluster {redacted(url)}: no answer ({exc})") from None
        product = product_of(info)
        version = str(info.get("version", {}).get("number", "?"))
        if product is not OPENSEARCH:
            raise SearchClusterError(
                f"search cluster {redacted(url)} is {product.name} {version}: only OpenSearch "
                f"is wired so far ({product.client_package} comes with the search backend)"
            )
        return cls(client, url, product, version, retry)

    def call(self, what: str, fn: Callable[[], T]) -> T:
        """Run one request, retrying with back-off while the cluster is unavailable."""
        return call(what, fn, self.retry, redacted(self.url))

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()

    def wait_for_status(self, status: str = "yellow", timeout_s: int = 60) -> None:
        """Block until the cluster reaches `status`, or raise after `timeout_s`."""
        health = self.client.cluster.health(
            wait_for_status=status,
            timeout=f"{timeout_s}s",
            params={"request_timeout": timeout_s + 5},
        )
        if health.get("timed_out"):
            raise SearchClusterError(
                f"search cluster {redacted(self.url)}: still {health.get('status')} "
                f"after {timeout_s}s (wanted {status})"
            )

    def put_template(self, template: IndexTemplate) -> None:
        """Install (or replace) a versioned index template."""
        self.client.indices.put_index_template(name=template.template_name, body=template.body)

    def create_monthly_index(self, template: IndexTemplate, when: datetime) -> str:
        """Create the index of `when`'s month as the write alias's target; idempotent."""
        index = template.index_for(when)
        try:
            self.client.indices.create(index=index, body=template.create_index_body())
        except RequestError as exc:
            if exc.error != "resource_already_exists_exception":
                raise
        return index

    def drop_template(self, template: IndexTemplate) -> None:
        """Delete a template and every index it matches (tests, and a failed migration)."""
        self.client.indices.delete(
            index=template.index_prefix + "*", params={"ignore_unavailable": "true"}
        )
        self.client.indices.delete_index_template(name=template.template_name, ignore=[404])

    def bulk_upsert(
        self, target: str, documents: Iterable[tuple[str, dict[str, Any]]], *, chunk_size: int = 500
    ) -> BulkOutcome:
        """Write documents by id through `target` (an index or the write alias).

        An update with `doc_as_upsert` creates a new id, changes a changed document and is
        a no-op for an identical one, so a repeat is counted as unchanged (a duplicate)
        from the bulk response, never stored twice. A refused document is counted with its
        reason and the others go on; 429s are retried with back-off by the bulk helper.
        """
        outcome = BulkOutcome()
        results = streaming_bulk(
            self.client,
            _update_actions(target, documents),
            chunk_size=chunk_size,
            raise_on_error=False,
            raise_on_exception=False,
            max_retries=3,
            initial_backoff=1,
        )
        for ok, item in results:
            result = item["update"]
            if not ok:
                error = result.get("error", {})
                reason = (
                    f"{error.get('type', '?')}: {error.get('reason', error)}"
                    if isinstance(error, dict)
                    else str(error)
                )
                failure = BulkFailure(str(result.get("_id")), int(result.get("status", 0)), reason)
                logger.warning("bulk into %s: %s", target, failure)
                outcome.failures.append(failure)
            elif result["result"] == "created":
                outcome.counts.new += 1
            elif result["result"] == "updated":
                outcome.counts.updated += 1
            else:  # "noop": the same document again
                outcome.counts.unchanged += 1
        return outcome

    def refresh(self, target: str) -> None:
        """Make what was written visible to searches now (tests; otherwise refresh_interval)."""
        self.client.indices.refresh(index=target)

    def search(self, target: str, body: dict[str, Any]) -> dict[str, Any]:
        """Run a search request body against an index or alias."""
        response: dict[str, Any] = self.client.search(index=target, body=body)
        return response

    def count(self, target: str) -> int:
        """How many documents `target` holds."""
        return int(self.client.count(index=target)["count"])


def _update_actions(
    target: str, documents: Iterable[tuple[str, dict[str, Any]]]
) -> Iterator[dict[str, Any]]:
    for doc_id, document in documents:
        yield {
            "_op_type": "update",
            "_index": target,
            "_id": doc_id,
            "doc": document,
            "doc_as_upsert": True,
        }
