"""The client adapter's offline parts: product detection, messages, an unreachable node."""

from __future__ import annotations

import socket

import pytest

from storage.search.client import (
    ELASTICSEARCH,
    OPENSEARCH,
    SearchCluster,
    SearchClusterError,
    product_of,
    redacted,
)


def test_product_is_read_from_the_root_answer() -> None:
    assert product_of({"version": {"distribution": "opensearch", "number": "2.19.6"}}) is OPENSEARCH
    # Elasticsearch names no distribution there (its build_flavor is "default").
    assert product_of({"version": {"build_flavor": "default", "number": "8.15.0"}}) is ELASTICSEARCH


def test_password_never_reaches_a_message() -> None:
    assert (
        redacted("https://veille:s3cret@search.local:9200/")
        == "https://veille:***@search.local:9200/"
    )
    assert redacted("http://127.0.0.1:9200") == "http://127.0.0.1:9200"


def test_unreachable_node_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The port is closed again: nothing listens there.
    url = f"http://user:pw@127.0.0.1:{port}"
    with pytest.raises(
        SearchClusterError, match=rf"search cluster http://user:\*\*\*@127.0.0.1:{port}: no answer"
    ):
        SearchCluster.connect(url, timeout=2)
