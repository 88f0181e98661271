"""The read model (`storage.base.ReadStore`) on the search cluster: search, barometer,
rollups as aggregations, a person's corrections."""

from __future__ import annotations

import logging

from records import Mention
from storage.search.search_nlp import SearchNlpMixin

logger = logging.getLogger(__name__)


class SearchReadMixin(SearchNlpMixin):
    """Search, aggregations and corrections of `SearchStore`."""

    def set_sentiment_override(self, mention_id: str, label: str | None) -> None:
        """A person's sentiment correction (None removes it); KeyError if unknown."""

        def change(mention: Mention) -> None:
            mention.sentiment_override = label

        self._rewrite_mention(mention_id, change)

    def set_brand_override(self, mention_id: str, brand_id: str, present: bool | None) -> None:
        """A person adds (True) or removes (False) a brand; None clears the correction.
        The correction is kept through re-processing; KeyError if unknown."""

        def change(mention: Mention) -> None:
            if present is None:
                mention.brand_overrides.pop(brand_id, None)
            else:
                mention.brand_overrides[brand_id] = present

        self._rewrite_mention(mention_id, change)
