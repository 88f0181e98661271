"""The alerts protocol (`storage.base.AlertStore`) on the search cluster."""

from __future__ import annotations

from storage.search.base import SearchBase


class SearchAlertsMixin(SearchBase):
    """Alerts, the rules' aggregates and the outbox of `SearchStore`."""
