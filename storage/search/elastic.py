"""Elasticsearch 8/9 behind the adapter: its official client, called as the store calls
opensearch-py.

The store is written once, in opensearch-py's call style (OpenSearch is the product that
runs live here). The request bodies Veille sends are the same on both products; what
differs is the clients, and this list is the whole of it for Veille's calls
(opensearch-py first, then Elasticsearch's 8.x client and what this module does):

- media type: `application/json`; `application/vnd.elasticsearch+json;
  compatible-with=8` (bulk: `+x-ndjson`), set by the client. OpenSearch answers a body
  sent so with 406; Elasticsearch 9 still takes compatible-with=8.
- product check: none; the client refuses a 2xx answer without `X-Elastic-Product:
  Elasticsearch` (`UnsupportedProductError`), so it cannot talk to OpenSearch.
- request bodies: `body=`; `body=` is still taken (split into body fields, or passed as
  `document=` for `index`, `operations=` for `bulk`): no translation.
- query parameters: `params={...}` or keywords, string values; keywords only (`params=`
  is deprecated): translated to keywords, `"true"`/`"false"` to booleans. `_source`
  beside `body=` goes into the body: the client makes it a body field of `update` and
  drops it when `body=` is given (and a string there would be a field pattern).
- transport options: `ignore=`, `request_timeout=` among the parameters;
  `client.options(ignore_status=..., request_timeout=...)`.
- responses: a `dict`; an `ObjectApiResponse`, whose `.body` (a `dict`) is returned.
- errors: `opensearchpy.exceptions.*` with `status_code`, `error` (the error type) and
  `info`; `elasticsearch.ApiError` subclasses and `elastic_transport` connection errors,
  translated to opensearch-py's classes (same status, type and body), so the store and
  `retrying` catch one kind.
- bulk helper: `opensearchpy.helpers.streaming_bulk`; `elasticsearch.helpers.
  streaming_bulk` on the client itself, same arguments (it sends `PUT /_bulk`).
- authentication: `http_auth=(user, password)`; `basic_auth=(user, password)` or
  `api_key=` (`client.SearchAuth`).
- index templates, aliases, search, aggregations: the same API names and bodies.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

import elastic_transport
import elasticsearch
from elasticsearch import helpers as es_helpers
from opensearchpy import exceptions as os_exceptions

logger = logging.getLogger(__name__)

# Transport options opensearch-py takes among a call's parameters.
_TRANSPORT_OPTIONS = {"ignore": "ignore_status", "request_timeout": "request_timeout"}


def connect_elasticsearch(
    url: str, *, timeout: float, auth: dict[str, Any]
) -> ElasticsearchDialect:
    """Elasticsearch's client for `url`; `auth` holds `basic_auth`, `api_key`, `ca_certs`."""
    # The store retries with back-off itself (`retrying`): no immediate client retries.
    client = elasticsearch.Elasticsearch(
        hosts=[url], request_timeout=timeout, max_retries=0, retry_on_timeout=False, **auth
    )
    return ElasticsearchDialect(client)


class ElasticsearchDialect:
    """Elasticsearch's client (or one of its namespaces, `indices`, `cluster`), taking
    opensearch-py's call style and raising opensearch-py's errors."""

    def __init__(self, client: elasticsearch.Elasticsearch, path: tuple[str, ...] = ()) -> None:
        self.raw = client
        self._path = path

    def __getattr__(self, name: str) -> Any:
        attr = self._resolve(self.raw, (*self._path, name))
        if not callable(attr):  # a namespace: indices, cluster, ...
            return ElasticsearchDialect(self.raw, (*self._path, name))
        path = (*self._path, name)
        return lambda **kwargs: self._call(path, kwargs)

    @staticmethod
    def _resolve(target: Any, path: tuple[str, ...]) -> Any:
        for part in path:
            target = getattr(target, part)
        return target

    def _call(self, path: tuple[str, ...], kwargs: dict[str, Any]) -> Any:
        arguments, options = translate_arguments(kwargs)
        client = self.raw.options(**options) if options else self.raw
        try:
            response = self._resolve(client, path)(**arguments)
        except (elasticsearch.ApiError, elastic_transport.TransportError) as exc:
            raise translate_error(exc) from exc
        return response.body if isinstance(response, elastic_transport.ApiResponse) else response

    def close(self) -> None:
        """Close the client's connections."""
        self.raw.close()


def translate_arguments(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """opensearch-py's keywords as Elasticsearch's: (API keywords, transport options)."""
    arguments = dict(kwargs)
    parameters = dict(arguments.pop("params", None) or {})
    options: dict[str, Any] = {}
    for source in (parameters, arguments):
        for name, option in _TRANSPORT_OPTIONS.items():
            if name in source:
                options[option] = source.pop(name)
    for name, value in parameters.items():
        if name in arguments:
            raise TypeError(f"{name!r} given both as a keyword and in params")
        arguments[name] = _parameter(value)
    body = arguments.get("body")
    if "_source" in arguments and isinstance(body, dict):
        # The client makes `_source` a body field, and drops it when `body=` is given too.
        arguments["body"] = {**body, "_source": arguments.pop("_source")}
    return arguments, options


def _parameter(value: Any) -> Any:
    if value in ("true", "false"):
        return value == "true"
    return value


def translate_error(exc: Exception) -> Exception:
    """The opensearch-py error the store expects for an Elasticsearch client's error."""
    if isinstance(exc, elasticsearch.UnsupportedProductError):
        return exc  # not an answer from Elasticsearch: the adapter says so (client.connect)
    if isinstance(exc, elasticsearch.ApiError):
        cls = os_exceptions.HTTP_EXCEPTIONS.get(exc.status_code, os_exceptions.TransportError)
        return cls(exc.status_code, exc.error, exc.body)
    if isinstance(exc, elastic_transport.ConnectionTimeout):
        return os_exceptions.ConnectionTimeout("TIMEOUT", str(exc), exc)
    if isinstance(exc, elastic_transport.ConnectionError):
        return os_exceptions.ConnectionError("N/A", str(exc), exc)
    return exc


def streaming_bulk(
    client: ElasticsearchDialect, actions: Iterable[dict[str, Any]], **kwargs: Any
) -> Iterator[tuple[bool, dict[str, Any]]]:
    """Elasticsearch's bulk helper (it sends NDJSON through `bulk(operations=...)`) on the
    client itself; its errors are translated as the dialect's are."""
    try:
        yield from es_helpers.streaming_bulk(client.raw, actions, **kwargs)
    except (elasticsearch.ApiError, elastic_transport.TransportError) as exc:
        raise translate_error(exc) from exc
