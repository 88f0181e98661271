"""The NLP stage: language, brand and product matching, sentiment.

The logic lives in pure functions over plain data (`normalize`, `lang`, `brands`,
`context`, `sentiment.lexicon`); spaCy and transformers are thin wrappers around it
(`spacy_components` builds the pipelines, `sentiment.transformer`); `analyzer.Analyzer`
runs the whole stage over a batch of raw posts.

Nothing here imports torch or transformers at import time: the transformer backend is
loaded on demand by `sentiment.factory.load_sentiment_model`.
"""
