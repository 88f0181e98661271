"""Sentiment backends behind one interface (`SentimentModel`), and how one is chosen."""

from __future__ import annotations

from nlp.sentiment.base import LABELS, SentimentBatch, SentimentModel
from nlp.sentiment.factory import load_sentiment_model
from nlp.sentiment.lexicon import LexiconSentiment

__all__ = ["LABELS", "LexiconSentiment", "SentimentBatch", "SentimentModel", "load_sentiment_model"]
