"""The NLP stage over a batch of raw posts: language, brands, sentiment, aspects → mentions.

`Analyzer.analyze(posts)` returns one result per post, in order: a `Mention`, or an
`AnalysisError` (post id, reason label, detail) for a post that could not be analysed,
which the runner quarantines and counts. One bad post never fails the batch.

Per batch: languages are detected in one parallel lingua call; each language's spaCy
pipeline runs once with `nlp.pipe` (sentences); documents are scored by one `predict`
call, and per-brand contexts (see `nlp.context`) by a second one. A text the sentiment
model fails on is rescored by the lexicon and counted in `stats["sentiment_fallback"]`;
each mention records the model that scored it.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from spacy.tokens import Doc

from configuration.loader import VeilleConfig
from nlp.aspects import AspectHit, AspectMatcher, Token, aspect_ids, aspects_by_brand
from nlp.brands import BrandMatcher
from nlp.context import BrandContext, Span, brand_contexts, departures
from nlp.dedup import fingerprint
from nlp.lang import UNDETERMINED, detect_languages, normalize_code
from nlp.sentiment.base import SentimentModel
from nlp.sentiment.factory import load_sentiment_model
from nlp.sentiment.lexicon import LexiconSentiment
from nlp.spacy_components import build_pipeline, pipeline_kind
from records import BrandMatch, Mention, RawPost, Sentiment

logger = logging.getLogger(__name__)

NLP_VERSION = "nlp-2"


@dataclass(frozen=True)
class AnalysisError:
    """Why one post was not analysed: a reason label to count and a detail to read."""

    post_id: str
    reason: str
    detail: str = ""


@dataclass
class _Work:
    index: int
    post: RawPost
    text: str
    lang: str = UNDETERMINED
    matches: list[BrandMatch] | None = None
    sentences: list[Span] | None = None
    tokens: list[Token] | None = None
    contexts: dict[str, BrandContext] | None = None
    sentiment: Sentiment | None = None


_Fail = Callable[[_Work, str, BaseException], None]


class Analyzer:
    """The NLP stage: build once (models load here), call `analyze` on each batch."""

    def __init__(self, config: VeilleConfig, sentiment: SentimentModel | None = None) -> None:
        self.config = config
        self.nlp_config = config.settings.nlp
        self.matcher = BrandMatcher.from_config(config.brands)
        self.aspects = AspectMatcher(config.aspects)
        self.sentiment = sentiment or load_sentiment_model(self.nlp_config)
        self._lexicon = (
            self.sentiment if isinstance(self.sentiment, LexiconSentiment) else LexiconSentiment()
        )
        self.stats: Counter[str] = Counter()

    @property
    def sentiment_model_name(self) -> str:
        """The sentiment model's name and version, as the stage report shows it."""
        return f"{self.sentiment.name} {self.sentiment.version}".strip()

    def analyze(self, posts: Sequence[RawPost]) -> list[Mention | AnalysisError]:
        """One Mention or AnalysisError per post, in order."""
        results: list[Mention | AnalysisError | None] = [None] * len(posts)
        work: list[_Work] = []
        for index, post in enumerate(posts):
            text = post.body_text if isinstance(post.body_text, str) else ""
            if not text.strip():
                results[index] = AnalysisError(post.id, "empty_body", "the post has no text")
            else:
                work.append(_Work(index, post, text))

        def fail(item: _Work, reason: str, exc: BaseException) -> None:
            results[item.index] = AnalysisError(
                item.post.id, reason, f"{type(exc).__name__}: {exc}"
            )
            logger.warning("nlp: post %s failed (%s): %s", item.post.id, reason, exc)

        self._detect_languages(work)
        for item in work:
            try:
                item.matches = self.matcher.match(item.text)
            except Exception as exc:
                fail(item, "brand_matching_failed", exc)
        work = [item for item in work if results[item.index] is None]
        self._split_sentences(work, fail)
        work = [item for item in work if results[item.index] is None]
        self._score_documents(work, fail)
        work = [item for item in work if results[item.index] is None]
        brand_labels = self._score_brands(work)
        processed_at = datetime.now(UTC)
        for item in work:
            try:
                hits = self._aspect_hits(item)
                results[item.index] = Mention(
                    post=item.post,
                    lang=item.lang,
                    brands=list(item.matches or []),
                    sentiment=item.sentiment,
                    brand_sentiment=brand_labels.get(item.index, {}),
                    aspects=aspect_ids(hits),
                    fingerprint=self._fingerprint(item),
                    brand_aspects=aspects_by_brand(hits, item.contexts or {}),
                    is_official=self.matcher.is_official(item.post.author),
                    processed_at=processed_at,
                    nlp_version=NLP_VERSION,
                )
            except Exception as exc:
                fail(item, "analysis_failed", exc)
        final = [
            r if r is not None else AnalysisError(posts[i].id, "analysis_failed", "no result")
            for i, r in enumerate(results)
        ]
        for result in final:
            self.stats["mentions" if isinstance(result, Mention) else result.reason] += 1
        return final

    def _detect_languages(self, work: list[_Work]) -> None:
        hints = [normalize_code(item.post.lang_hint) for item in work]
        try:
            langs = detect_languages(
                [item.text for item in work], hints, tuple(self.nlp_config.languages)
            )
        except Exception as exc:  # the detector itself failed: trust the sources' hints
            logger.warning("nlp: language detection failed (%s), using the sources' hints", exc)
            self.stats["language_fallback"] += len(work)
            langs = [hint or UNDETERMINED for hint in hints]
        for item, lang in zip(work, langs, strict=True):
            item.lang = lang

    def _split_sentences(self, work: list[_Work], fail: _Fail) -> None:
        groups: dict[str, list[_Work]] = defaultdict(list)
        for item in work:
            groups[pipeline_kind(item.lang)].append(item)
        for kind, items in groups.items():
            try:
                nlp = build_pipeline(kind, self.nlp_config)
            except Exception as exc:
                for item in items:
                    fail(item, "pipeline_unavailable", exc)
                continue
            try:
                docs = nlp.pipe(
                    [item.text for item in items], batch_size=self.nlp_config.batch_size
                )
                for item, doc in zip(items, docs, strict=True):
                    item.sentences, item.tokens = _read_doc(doc)
            except Exception as exc:
                # One text broke the batch: redo the batch text by text to find it.
                logger.warning("nlp: spaCy batch failed (%s), retrying post by post", exc)
                for item in items:
                    if item.sentences is not None:
                        continue
                    try:
                        item.sentences, item.tokens = _read_doc(nlp(item.text))
                    except Exception as item_exc:
                        fail(item, "spacy_failed", item_exc)

    def _predict(self, texts: list[str]) -> list[Sentiment | None]:
        """Sentiments from the model; lexicon where it failed; None where both failed."""
        if not texts:
            return []
        try:
            batch = self.sentiment.predict(self.for_model(texts))
            found: list[Sentiment | None] = list(batch)
            retry = sorted(batch.errors)
        except Exception as exc:  # the whole batch failed: everything goes to the lexicon
            logger.warning(
                "nlp: sentiment model %s failed on a batch: %s", self.sentiment.name, exc
            )
            found, retry = [None] * len(texts), list(range(len(texts)))
        if retry and self._lexicon is not self.sentiment:
            self.stats["sentiment_fallback"] += len(retry)
            fallback = self._lexicon.predict([texts[i] for i in retry])
            for position, index in enumerate(retry):
                found[index] = fallback[position] if fallback.ok(position) else None
        elif retry:
            for index in retry:
                found[index] = None
        return found

    def for_model(self, texts: list[str]) -> list[str]:
        """The texts as the model wants them: brand names masked for the encoder backend."""
        if not getattr(self.sentiment, "masks_brands", False):
            return texts
        from nlp.sentiment.encoder import mask_brands

        return [mask_brands(t, ((m.start, m.end) for m in self.matcher.match(t))) for t in texts]

    def _score_documents(self, work: list[_Work], fail: _Fail) -> None:
        for item, sentiment in zip(work, self._predict([item.text for item in work]), strict=True):
            if sentiment is None:
                fail(item, "sentiment_failed", RuntimeError("no model could score the text"))
            item.sentiment = sentiment

    def _score_brands(self, work: list[_Work]) -> dict[int, dict[str, str]]:
        labels: dict[int, dict[str, str]] = {}
        pending: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for item in work:
            if not item.matches or item.sentiment is None:
                continue
            labels[item.index] = {}
            item.contexts = brand_contexts(item.text, item.sentences or [], item.matches)
            for brand_id, context in item.contexts.items():
                if context.whole:
                    labels[item.index][brand_id] = item.sentiment.label
                else:
                    pending[context.text(item.text)].append((item.index, brand_id))
        texts = list(pending)
        for text, sentiment in zip(texts, self._predict(texts), strict=True):
            for index, brand_id in pending[text]:
                # Should both models fail on the context, the post's own label stands in.
                labels[index][brand_id] = sentiment.label if sentiment else _label_of(work, index)
        for item in work:
            # Leaving a brand is a negative signal for it, whatever the sentence praises
            # ("passé de Lumio à Azur, meilleur choix de ma vie").
            for brand_id in departures(item.text, item.matches or []):
                if brand_id in labels.get(item.index, {}):
                    labels[item.index][brand_id] = "negative"
        return labels

    def _fingerprint(self, item: _Work) -> list[str]:
        try:
            return fingerprint(item.text, (m.brand_id for m in item.matches or []))
        except Exception as exc:  # without a fingerprint the post is never called a copy
            logger.warning("nlp: fingerprint of post %s failed: %s", item.post.id, exc)
            self.stats["fingerprint_failed"] += 1
            return []

    def _aspect_hits(self, item: _Work) -> list[AspectHit]:
        if not self.aspects:
            return []
        try:
            return self.aspects.match(item.tokens or [])
        except Exception as exc:  # aspects are a bonus: a failure must not lose the mention
            logger.warning("nlp: aspects of post %s failed: %s", item.post.id, exc)
            self.stats["aspects_failed"] += 1
            return []


def _read_doc(doc: Doc) -> tuple[list[Span], list[Token]]:
    """Sentence spans and word tokens (with lemmas where the pipeline has them)."""
    sentences = [(s.start_char, s.end_char) for s in doc.sents]
    tokens = [
        Token(t.idx, t.idx + len(t.text), t.text, t.lemma_)
        for t in doc
        if not (t.is_space or t.is_punct)
    ]
    return sentences, tokens


def _label_of(work: list[_Work], index: int) -> str:
    item = next(item for item in work if item.index == index)
    return item.sentiment.label if item.sentiment else "neutral"
