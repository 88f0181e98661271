"""The search-cluster client adapter: the calls Veille makes, over the product's client.

OpenSearch 2.x and Elasticsearch 8/9 take the same request bodies for everything Veille
sends (bulk, typeless mappings, query DSL, terms / date_histogram / composite
aggregations, composable index templates, aliases), but their official clients differ:

- Elasticsearch's client (`elasticsearch` 8.x) refuses a server whose responses lack the
  `X-Elastic-Product: Elasticsearch` header, which OpenSearch never sends;
- it sends `application/vnd.elasticsearch+json; compatible-with=8` as Content-Type and
  Accept, which OpenSearch answers with 406 Not Acceptable (Elasticsearch 9 still takes
  it, so the 8.x client serves both 8 and 9);
- so OpenSearch is reached with `opensearch-py` and plain `application/json`, and
  Elasticsearch with its own client, called in opensearch-py's style through
  `storage.search.elastic`, whose table lists every difference in the calls.

Which one: `storage.search_product` (`auto`, the default, asks `GET /` and reads the
answer, `product_of`). Credentials come from the environment only (`SearchAuth`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import elasticsearch
from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException, RequestError
from opensearchpy.helpers import streaming_bulk

from storage.base import UpsertCounts
from storage.search import elastic
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


PRODUCTS = {p.name: p for p in (OPENSEARCH, ELASTICSEARCH)}


class SearchClusterError(RuntimeError):
    """The cluster cannot be used; the message names the cluster and what failed."""


@dataclass(frozen=True)
class SearchAuth:
    """How Veille signs in to the cluster: from the environment only, never a file."""

    username: str | None = None
    password: str | None = None
    api_key: str | None = None
    # A CA bundle for an https node whose certificate a private CA signed.
    ca_certs: str | None = None

    @classmethod
    def from_environment(cls) -> SearchAuth:
        """`VEILLE_SEARCH_USERNAME` and `VEILLE_SEARCH_PASSWORD`, or `VEILLE_SEARCH_API_KEY`
        (Elasticsearch's encoded key); `VEILLE_SEARCH_CA_CERTS`; empty ones are unset."""
        auth = cls(
            *(
                os.environ.get(f"VEILLE_SEARCH_{name}") or None
                for name in ("USERNAME", "PASSWORD", "API_KEY", "CA_CERTS")
            )
        )
        if (auth.username is None) != (auth.password is None):
            given, missing = ("USERNAME", "PASSWORD") if auth.username else ("PASSWORD", "USERNAME")
            raise SearchClusterError(
                f"VEILLE_SEARCH_{given} is set but VEILLE_SEARCH_{missing} is not: "
                "give both, or VEILLE_SEARCH_API_KEY alone"
            )
        if auth.api_key and auth.username:
            raise SearchClusterError(
                "VEILLE_SEARCH_API_KEY and VEILLE_SEARCH_USERNAME are both set: give one"
            )
        return auth

    def for_opensearch(self) -> dict[str, Any]:
        """opensearch-py's keywords (an API key as a header: the probe of an
        Elasticsearch node with `storage.search_product: auto` sends it)."""
        kwargs: dict[str, Any] = {}
        if self.username and self.password:
            kwargs["http_auth"] = (self.username, self.password)
        if self.api_key:
            kwargs["headers"] = {"authorization": f"ApiKey {self.api_key}"}
        if self.ca_certs:
            kwargs["ca_certs"] = self.ca_certs
        return kwargs

    def for_elasticsearch(self) -> dict[str, Any]:
        """Elasticsearch's client keywords."""
        kwargs: dict[str, Any] = {}
        if self.username and self.password:
            kwargs["basic_auth"] = (self.username, self.password)
        if self.api_key:
            kwargs["api_key"] = self.api_key
        if self.ca_certs:
            kwargs["ca_certs"] = self.ca_certs
        return kwargs


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
        # opensearch-py's client, or Elasticsearch's called in its style (`elastic`).
        client: Any,
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
        cls,
        url: str,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        product: str = "auto",
        auth: SearchAuth | None = None,
    ) -> SearchCluster:
        """Connect and check what answers; an unreachable or unsupported one raises.

        `product`: `auto` (ask `GET /`), `opensearch` or `elasticsearch`; `auth` defaults
        to the environment's. With `retry`, an unavailable cluster is waited for (see
        `retrying`); the clients' own immediate retries are off, since they do not wait
        between attempts.
        """
        if product != "auto" and product not in PRODUCTS:
            raise SearchClusterError(
                f"storage.search_product: {product!r} is not auto, opensearch or elasticsearch"
            )
        auth = auth if auth is not None else SearchAuth.from_environment()
        where = redacted(url)
        policy = retry or RetryPolicy(budget_s=0)
        client: Any = None
        found = ELASTICSEARCH
        if product != "elasticsearch":
            client = OpenSearch(
                hosts=[url], timeout=timeout, max_retries=0, **auth.for_opensearch()
            )
            info = _root(client, policy, where)
            found = product_of(info)
            if product == "opensearch" and found is not OPENSEARCH:
                client.close()
                raise SearchClusterError(
                    f"search cluster {where} is {found.name} "
                    f"{info.get('version', {}).get('number', '?')}, not opensearch as "
                    "storage.search_product says (set it to auto or elasticsearch)"
                )
        if product == "elasticsearch" or found is ELASTICSEARCH:
            if client is not None:
                client.close()
            client = elastic.connect_elasticsearch(
                url, timeout=timeout, auth=auth.for_elasticsearch()
            )
            info = _root(client, policy, where)
            # The client's product check passed: Elasticsearch, as far as the calls go.
            found = ELASTICSEARCH
        elif auth.api_key:
            client.close()
            raise SearchClusterError(
                f"search cluster {where} is OpenSearch, which takes no Elasticsearch API key: "
                "give VEILLE_SEARCH_USERNAME and VEILLE_SEARCH_PASSWORD instead"
            )
        version = str(info.get("version", {}).get("number", "?"))
        return cls(client, url, found, version, retry)

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
        helper = elastic.streaming_bulk if self.product is ELASTICSEARCH else streaming_bulk
        results = helper(
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


def _root(client: Any, policy: RetryPolicy, where: str) -> dict[str, Any]:
    """`GET /`, its errors said as the adapter's: no answer, or not the product expected."""
    try:
        info: dict[str, Any] = call("GET /", client.info, policy, where)
    except elasticsearch.UnsupportedProductError:
        client.close()
        raise SearchClusterError(
            f"search cluster {where} did not answer as Elasticsearch (no "
            "X-Elastic-Product: Elasticsearch header), and Elasticsearch's client talks to "
            "nothing else: OpenSearch? Set storage.search_product to auto or opensearch"
        ) from None
    except (OpenSearchException, RuntimeError) as exc:
        client.close()
        raise SearchClusterError(f"search cluster {where}: no answer ({exc})") from None
    return info


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
