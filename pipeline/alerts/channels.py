"""The built-in notification channel: apprise URLs (email, Slack, Teams, webhooks).

Registered (pyproject.toml entry points) as a third-party channel type is. A channel
names the environment variable that holds its URL, since URLs carry passwords and tokens.
"""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import Field

from configuration.alerts import ChannelConfig, ChannelType
from configuration.settings import secret
from pipeline.alerts.notify import NotificationError

logger = logging.getLogger(__name__)


class AppriseChannelConfig(ChannelConfig):
    """A notification channel: an apprise URL read from an environment variable."""

    type: Literal["apprise"] = "apprise"
    url_env: str = Field(
        pattern=r"^[A-Z][A-Z0-9_]*$",
        description="Environment variable holding the apprise URL (it carries secrets).",
    )


def apprise_send(url: str, title: str, body: str) -> None:
    """Send one message through apprise; raises NotificationError with apprise's reason."""
    import apprise  # imported on the first send: its plugins take a while to load

    notifier = apprise.Apprise()
    if not notifier.add(url):
        raise NotificationError("apprise does not understand this URL (check its scheme)")
    with apprise.LogCapture(level=logging.WARNING) as captured:
        ok = notifier.notify(title=title, body=body)
        log = captured.getvalue().strip() if hasattr(captured, "getvalue") else ""
    if not ok:
        raise NotificationError(log.splitlines()[-1] if log else "apprise reported a failure")


def send(channel: AppriseChannelConfig, title: str, body: str) -> None:
    """Send to the URL in the channel's environment variable."""
    url = secret(channel.url_env)
    if url is None:
        raise NotificationError(f"environment variable {channel.url_env} is not set")
    apprise_send(url, title, body)


APPRISE = ChannelType("apprise", AppriseChannelConfig, send)
