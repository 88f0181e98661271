"""Human corrections as labelled data: what `veille sentiment export` writes.

A person's sentiment correction is the label; a mention corrected only on its brands
keeps the model's label, since a person who fixed the brands and left the sentiment
alone let it stand. Brands are the effective ones (detected, corrections applied).
Per-brand sentiment is not exported: it is the model's, and no person has checked it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from nlp.evaluation import LabelledExample
from records import Mention

logger = logging.getLogger(__name__)


def correction_to_example(mention: Mention) -> LabelledExample | None:
    """The labelled example a corrected mention gives, or None when it has no label."""
    label = mention.effective_label
    if not label or not mention.post.body_text.strip():
        return None
    return LabelledExample(
        text=mention.post.body_text,
        label=label,
        brands=mention.brand_ids,
        id=mention.id,
        split="corrections",
    )


def corrections_to_examples(mentions: Iterable[Mention]) -> Iterator[LabelledExample]:
    """Labelled examples of corrected mentions, skipping those without a label."""
    for mention in mentions:
        example = correction_to_example(mention)
        if example is None:
            logger.info("export: mention %s has no label, skipped", mention.id)
            continue
        yield example
