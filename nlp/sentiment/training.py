"""Fine-tune the configured sentiment transformer on labelled texts (`veille sentiment train`).

The labelled texts are what `veille sentiment export` writes from human corrections (or
any JSONL in that format). Veille's labels are mapped onto the model's own classes
through `normalize_labels`; texts whose label the model has no class for ("mixed" for a
three-class model) are skipped and counted. A plain PyTorch loop (AdamW, shuffled
batches, truncation on) keeps the dependencies to torch and transformers; the model and
its tokenizer are saved with `save_pretrained`, so the directory can be named in
`nlp.sentiment_model` as is.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from nlp.evaluation import LabelledExample
from nlp.sentiment.factory import locate_model
from nlp.sentiment.transformer import normalize_labels, token_limit

logger = logging.getLogger(__name__)

TRAINING_INFO = "veille_training.json"


@dataclass(frozen=True)
class TrainingOptions:
    """Hyper-parameters of a fine-tuning run."""

    epochs: int = 3
    learning_rate: float = 2e-5
    batch_size: int = 16
    max_length: int = 256
    seed: int = 0


@dataclass(frozen=True)
class TrainingSummary:
    """What a fine-tuning run did: texts used and skipped, mean loss of first and last epoch."""

    examples: int
    skipped: int
    epochs: int
    first_loss: float
    last_loss: float


def label_ids(id2label: dict[int, str]) -> dict[str, int]:
    """Veille label → the model's class id (the first class when several map to one)."""
    ids: dict[str, int] = {}
    for index, label in sorted(normalize_labels(id2label).items()):
        ids.setdefault(label, index)
    return ids


def fine_tune(
    base: str,
    examples: Sequence[LabelledExample],
    output: Path | str,
    options: TrainingOptions | None = None,
    revision: str | None = None,
) -> TrainingSummary:
    """Fine-tune `base` (local path or cached model id) and save it to `output`."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    options = options or TrainingOptions()
    if options.epochs < 1 or options.batch_size < 1:
        raise ValueError("epochs and batch size must be at least 1")
    location = locate_model(base, revision)
    tokenizer = AutoTokenizer.from_pretrained(location, revision=revision, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        location, revision=revision, local_files_only=True
    )
    classes = label_ids(dict(model.config.id2label))
    usable = [(e.text, classes[e.label]) for e in examples if e.label in classes]
    skipped = len(examples) - len(usable)
    if skipped:
        logger.warning(
            "training: %d texts skipped, their labels are not among the model's %s",
            skipped,
            sorted(classes),
        )
    if not usable:
        raise ValueError("no text has a label the model can learn")
    limit = token_limit(model.config, tokenizer, options.max_length)
    torch.manual_seed(options.seed)
    shuffler = random.Random(options.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model.to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=options.learning_rate)
    epoch_losses: list[float] = []
    model.train()
    for epoch in range(options.epochs):
        order = list(usable)
        shuffler.shuffle(order)
        losses = []
        for start in range(0, len(order), options.batch_size):
            batch = order[start : start + options.batch_size]
            encoded = tokenizer(
                [text for text, _ in batch],
                padding=True,
                truncation=True,
                max_length=limit,
                return_tensors="pt",
            ).to(device)
            labels = torch.tensor([label for _, label in batch], device=device)
            loss = model(**encoded, labels=labels).loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
        epoch_losses.append(sum(losses) / len(losses))
        logger.info(
            "training: epoch %d/%d, mean loss %.4f", epoch + 1, options.epochs, epoch_losses[-1]
        )
    model.eval()
    target = Path(output)
    target.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(target)
    tokenizer.save_pretrained(target)
    summary = TrainingSummary(
        len(usable), skipped, options.epochs, epoch_losses[0], epoch_losses[-1]
    )
    info = {
        "base": base,
        "revision": revision,
        "trained_at": datetime.now(UTC).isoformat(),
        "options": asdict(options),
        "summary": asdict(summary),
    }
    (target / TRAINING_INFO).write_text(json.dumps(info, indent=2), encoding="utf-8")
    return summary
