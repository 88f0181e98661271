"""Labelled data (JSONL) and the evaluation of the NLP stage on it (`veille eval`).

One JSON object per line: `text` and `label` (positive, neutral, negative, mixed) are
required; `brands` (brand ids the text is about), `brand_sentiment` (label per brand),
`id`, `split`, `lang`, `domain` and `register` are optional. The same format is what
`veille sentiment export` writes from human corrections and what `veille sentiment
train` reads. `load_labelled` raises on a bad line; `read_labelled` (what eval and train
use) reports it with its line number, skips it and counts it.

Three-class data: when no gold label is `mixed` (the corpus, most real sets), the scores
are over positive, neutral and negative, and a `mixed` prediction counts as the stronger
of positive and negative (the model's own probabilities where it has them, else the
lexicon's evidence), since a set without `mixed` asks for that choice.

The texts run through the real stage (`nlp.analyzer.Analyzer`: language, brands,
sentiment), so the figures are those of what the pipeline stores. Each text is a post
with the source hint "fr", as from a French forum (lingua still overrides the hint).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from nlp.metrics import ClassificationReport, TaggingScores, classification_report, tagging_report
from nlp.sentiment.base import LABELS, MIXED, NEGATIVE, NEUTRAL, POSITIVE, SentimentModel
from records import Mention, RawPost

if TYPE_CHECKING:
    from nlp.analyzer import Analyzer

T = TypeVar("T")

logger = logging.getLogger(__name__)

DEV_SET = Path(__file__).resolve().parent / "data" / "dev_fr.jsonl"


@dataclass
class LabelledExample:
    """One labelled text."""

    text: str
    label: str
    brands: list[str] | None = None
    brand_sentiment: dict[str, str] = field(default_factory=dict)
    id: str = ""
    split: str = ""
    lang: str = ""
    domain: str = ""
    register: str = ""

    def to_json(self) -> dict[str, Any]:
        """The JSONL object of this example (optional fields only when set)."""
        data: dict[str, Any] = {"text": self.text, "label": self.label}
        for name in ("id", "split", "lang", "domain", "register"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.brands is not None:
            data["brands"] = list(self.brands)
        if self.brand_sentiment:
            data["brand_sentiment"] = dict(self.brand_sentiment)
        return data


def parse_example(data: Any) -> LabelledExample:
    """Validate one decoded JSON line; ValueError says what is wrong."""
    if not isinstance(data, dict):
        raise ValueError(f"expected an object, got {type(data).__name__}")
    text, label = data.get("text"), data.get("label")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("field 'text': expected a non-empty string")
    if label not in LABELS:
        raise ValueError(f"field 'label': expected one of {', '.join(LABELS)}, got {label!r}")
    brands = data.get("brands")
    if brands is not None and (
        not isinstance(brands, list) or not all(isinstance(b, str) for b in brands)
    ):
        raise ValueError("field 'brands': expected a list of brand ids")
    targets = data.get("brand_sentiment") or {}
    if not isinstance(targets, dict) or any(v not in LABELS for v in targets.values()):
        raise ValueError("field 'brand_sentiment': expected {brand id: label}")
    return LabelledExample(
        text=text,
        label=label,
        brands=list(brands) if brands is not None else None,
        brand_sentiment=dict(targets),
        id=str(data.get("id") or ""),
        split=str(data.get("split") or ""),
        lang=str(data.get("lang") or ""),
        domain=str(data.get("domain") or ""),
        register=str(data.get("register") or ""),
    )


def load_labelled(path: Path | str, split: str | None = None) -> list[LabelledExample]:
    """Read a JSONL file of labelled texts; ValueError names the line of a bad one."""
    examples = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                example = parse_example(json.loads(line))
            except (json.JSONDecodeError, ValueError) as exc:
                raise ValueError(f"{path}:{number}: {exc}") from exc
            if split is None or example.split == split:
                examples.append(example)
    return examples


@dataclass
class ReadReport:
    """What tolerant reading skipped: `file:line: reason` for each bad line."""

    read: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        """How many lines were skipped."""
        return len(self.errors)


def read_jsonl(
    path: Path | str, parse: Callable[[Any], T], report: ReadReport | None = None
) -> Iterator[T]:
    """Parsed lines of a JSONL file; a bad line is logged, skipped and counted in `report`."""
    report = report if report is not None else ReadReport()
    with Path(path).open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = parse(json.loads(line))
            except (json.JSONDecodeError, ValueError) as exc:
                message = f"{path}:{number}: {exc}"
                logger.warning("skipped line %s", message)
                report.errors.append(message)
                continue
            report.read += 1
            yield item


def read_labelled(
    path: Path | str, split: str | None = None, report: ReadReport | None = None
) -> list[LabelledExample]:
    """Like `load_labelled`, but a bad line is skipped and counted in `report`."""
    return [e for e in read_jsonl(path, parse_example, report) if split is None or e.split == split]


def write_labelled(path: Path | str, examples: Iterable[LabelledExample]) -> int:
    """Write examples as JSONL; returns how many were written."""
    count = 0
    with Path(path).open("w", encoding="utf-8") as handle:
        for example in examples:
            handle.write(json.dumps(example.to_json(), ensure_ascii=False) + "\n")
            count += 1
    return count


@dataclass
class EvalResult:
    """Sentiment and tagging figures over a labelled set."""

    model: str
    sentiment: ClassificationReport
    tagging: dict[str, TaggingScores] | None
    target: ClassificationReport | None
    failed: int = 0
    mixed_resolved: int = 0
    groups: dict[str, dict[str, ClassificationReport]] = field(default_factory=dict)


def _post(index: int, text: str) -> RawPost:
    return RawPost(
        source_id="eval",
        kind="eval",
        external_id=str(index),
        url=f"eval://{index}",
        body_text=text,
        published_at=datetime(2026, 1, 1, tzinfo=UTC),
        lang_hint="fr",
    )


def evaluate(analyzer: Analyzer, examples: Sequence[LabelledExample]) -> EvalResult:
    """Run the stage over the examples and compare with their labels.

    A text the stage rejects counts as a wrong "neutral" with no brands, so failures
    lower the figures instead of vanishing from them.
    """
    results = analyzer.analyze([_post(i, e.text) for i, e in enumerate(examples)])
    predicted: list[str] = []
    brand_sets: list[list[str]] = []
    failed = 0
    target_gold: list[str] = []
    target_predicted: list[str] = []
    for example, result in zip(examples, results, strict=True):
        mention = result if isinstance(result, Mention) else None
        failed += mention is None
        predicted.append((mention and mention.effective_label) or "neutral")
        brand_sets.append(mention.brand_ids if mention else [])
        for brand_id, label in example.brand_sentiment.items():
            target_gold.append(label)
            found = mention.brand_sentiment.get(brand_id) if mention else None
            target_predicted.append(found or "neutral")
    tagged = [
        (e.brands, b) for e, b in zip(examples, brand_sets, strict=True) if e.brands is not None
    ]
    gold = [e.label for e in examples]
    labels: tuple[str, ...] = LABELS
    resolved = 0
    if MIXED not in gold:
        labels = (POSITIVE, NEUTRAL, NEGATIVE)
        mixed = [i for i, label in enumerate(predicted) if label == MIXED]
        for i, label in zip(
            mixed,
            stronger_polarity(
                analyzer.sentiment, analyzer.for_model([examples[i].text for i in mixed])
            ),
            strict=True,
        ):
            predicted[i] = label
        resolved = len(mixed)
    return EvalResult(
        model=analyzer.sentiment_model_name,
        sentiment=classification_report(gold, predicted, labels),
        tagging=tagging_report([g for g, _ in tagged], [p for _, p in tagged]) if tagged else None,
        target=classification_report(target_gold, target_predicted, LABELS)
        if target_gold
        else None,
        failed=failed,
        mixed_resolved=resolved,
        groups=_groups(examples, predicted, labels),
    )


def stronger_polarity(model: SentimentModel, texts: Sequence[str]) -> list[str]:
    """Positive or negative, whichever is stronger in each text (for `mixed` predictions)."""
    if not texts:
        return []
    polarity = getattr(model, "polarity", None)
    if callable(polarity):
        return list(polarity(texts))
    from nlp.sentiment.lexicon import LexiconSentiment

    lexicon = model if isinstance(model, LexiconSentiment) else LexiconSentiment()
    return [POSITIVE if pos >= neg else NEGATIVE for pos, neg in map(lexicon.evidence, texts)]


def _groups(
    examples: Sequence[LabelledExample], predicted: Sequence[str], labels: Sequence[str]
) -> dict[str, dict[str, ClassificationReport]]:
    """Scores per language, domain and register, for the fields the data has."""
    groups: dict[str, dict[str, ClassificationReport]] = {}
    for name in ("lang", "domain", "register"):
        values = sorted({getattr(e, name) for e in examples if getattr(e, name)})
        if len(values) < 2:
            continue
        groups[name] = {}
        for value in values:
            rows = [i for i, e in enumerate(examples) if getattr(e, name) == value]
            groups[name][value] = classification_report(
                [examples[i].label for i in rows], [predicted[i] for i in rows], labels
            )
    return groups


def format_classification(report: ClassificationReport, title: str) -> list[str]:
    """Plain-text lines: accuracy, macro-F1, per-class scores and the confusion matrix."""
    lines = [
        f"{title}: {report.total} texts, accuracy {report.accuracy:.3f}, "
        f"macro-F1 {report.macro_f1:.3f}",
        f"  {'label':<10}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}",
    ]
    for label, s in report.per_class.items():
        lines.append(
            f"  {label:<10}{s.precision:>10.3f}{s.recall:>8.3f}{s.f1:>8.3f}{s.support:>9d}"
        )
    lines.append("  confusion (rows gold, columns predicted):")
    lines.append("  " + " " * 10 + "".join(f"{label:>10}" for label in report.labels))
    for gold in report.labels:
        row = "".join(f"{report.confusion[gold][p]:>10d}" for p in report.labels)
        lines.append(f"  {gold:<10}{row}")
    return lines


def format_result(result: EvalResult) -> list[str]:
    """The whole evaluation as plain-text lines (what `veille eval` prints)."""
    lines = [f"model: {result.model}"]
    if result.failed:
        lines.append(f"texts the stage rejected (counted as wrong): {result.failed}")
    lines += format_classification(result.sentiment, "sentiment")
    if result.sentiment.labels == (POSITIVE, NEUTRAL, NEGATIVE):
        lines.append(
            f"  three-class data: {result.mixed_resolved} mixed predictions counted as the "
            "stronger of positive and negative"
        )
    for name, reports in result.groups.items():
        lines.append(f"by {name}:")
        for value, report in reports.items():
            lines.append(
                f"  {value:<18}{report.total:>6} texts, accuracy {report.accuracy:.3f}, "
                f"macro-F1 {report.macro_f1:.3f}"
            )
    if result.target is not None:
        lines += format_classification(result.target, "sentiment per brand (targets)")
    if result.tagging is not None:
        lines.append("brand tagging:")
        lines.append(
            f"  {'brand':<10}{'precision':>10}{'recall':>8}{'f1':>8}{'tp':>6}{'fp':>6}{'fn':>6}"
        )
        for brand, s in result.tagging.items():
            lines.append(
                f"  {brand:<10}{s.precision:>10.3f}{s.recall:>8.3f}{s.f1:>8.3f}"
                f"{s.true_positives:>6d}{s.false_positives:>6d}{s.false_negatives:>6d}"
            )
    return lines
