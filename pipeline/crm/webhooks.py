"""Feed events pushed to webhook endpoints, signed in the Standard Webhooks scheme.

Each event is one POST with `webhook-id` (the event id, so a receiver deduplicates),
`webhook-timestamp` and `webhook-signature`: `v1,<base64 HMAC-SHA256 of id.timestamp.body>`
from the `standardwebhooks` package, once per secret of the endpoint, space-separated,
so a receiver holding either the old or the new secret accepts it during a rotation.
Delivery is in feed order per endpoint, at least once: the endpoint's cursor moves after
a 2xx answer; a failure is retried with exponential back-off, and after the last attempt
the endpoint waits for the next sync, from the same event.
"""

from __future__ import annotations

import importlib
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from standardwebhooks import Webhook

from configuration.crm import WebhookConfig
from pipeline.crm.context import CrmContext

logger = logging.getLogger(__name__)


def secrets_of(hook: WebhookConfig, environ: Mapping[str, str]) -> list[str]:
    """The endpoint's secrets (`whsec_…`, base64), space-separated in its variable."""
    return environ.get(hook.secrets_env, "").split()


def sign(secrets: Sequence[str], msg_id: str, timestamp: datetime, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers, with one signature per secret."""
    signatures = [Webhook(s).sign(msg_id, timestamp, body) for s in secrets]
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def event_body(event: Mapping[str, Any]) -> str:
    """The JSON a consumer receives for one feed event (the same as a feed line)."""
    payload = event["payload"]
    data = json.loads(payload) if isinstance(payload, str) else payload
    brand_id, customer_id = str(event["ckey"]).split(":", 1)
    return json.dumps(
        {
            "cursor": event["seq"],
            "event_id": event["event_id"],
            "type": event["type"],
            "brand_id": brand_id,
            "customer_id": customer_id,
            "created_at": _iso(event["created_at"]),
            "data": data,
        },
        sort_keys=True,
        ensure_ascii=False,
    )


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    return str(value)


def _post(hook: WebhookConfig, body: str, headers: Mapping[str, str]) -> None:
    # One JSON POST with a timeout: the standard library is enough, no HTTP client added.
    request = urllib.request.Request(
        hook.url,
        data=body.encode(),
        method="POST",
        headers={"content-type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=hook.timeout_seconds) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.close()  # the error holds the open response
        raise OSError(f"HTTP {exc.code}") from None
    if not 200 <= status < 300:
        raise OSError(f"HTTP {status}")


def deliver(
    ctx: CrmContext,
    hook: WebhookConfig,
    limit: int = 1000,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """Send the endpoint's events after its cursor; returns how many were accepted."""
    db = ctx.db
    secrets = secrets_of(hook, ctx.environ)
    if not secrets:
        raise ValueError(f"webhook {hook.id}: {hook.secrets_env} is not set")
    state = f"webhook:{hook.id}"
    with db.engine.connect() as conn:
        cursor = int(db.get_state(conn, state, "0"))
    sent = 0
    for event in db.feed_after(cursor, limit):
        body = event_body(event)
        for attempt in range(1, hook.max_attempts + 1):
            # A fresh timestamp each attempt: a retry hours later must not look like a replay.
            headers = sign(secrets, event["event_id"], clock(), body)
            try:
                _post(hook, body, headers)
                break
            except OSError as exc:  # URLError and timeouts are OSErrors too
                logger.warning(
                    "webhook %s: event %s attempt %d/%d failed: %s",
                    hook.id,
                    event["event_id"],
                    attempt,
                    hook.max_attempts,
                    exc,
                )
                if attempt == hook.max_attempts:
                    return sent
                sleep(hook.backoff_seconds * 2 ** (attempt - 1))
        with db.engine.begin() as conn:
            db.set_state(conn, state, str(event["seq"]))
        sent += 1
    return sent


def deliver_all(ctx: CrmContext) -> dict[str, int]:
    """Deliver the feed through every configured sink (registered kinds, webhooks built in)."""
    sent: dict[str, int] = {}
    for kind, options in ctx.crm.sink_options():
        module, _, name = kind.deliver.partition(":")
        function = getattr(importlib.import_module(module), name)
        sent[f"{kind.name}:{getattr(options, 'id', len(sent))}"] = function(ctx, options)
    return sent
