"""Choose the sentiment backend from config: the transformer if it loads, else the lexicon.

The transformer runs with ONNX Runtime (`nlp.sentiment.onnx`), which needs no torch.

A configured model that cannot be loaded is not an error: Veille says so in one WARNING
line (which model, why, what it uses instead), once per process, and scores with the
lexicon; every mention records the model that scored it. The outcome is cached per model
so a scheduler calling the stage every few minutes neither reloads nor warns again.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from configuration.settings import NlpConfig
from nlp.sentiment.base import SentimentModel
from nlp.sentiment.lexicon import LexiconSentiment

logger = logging.getLogger(__name__)

_Key = tuple[str, str | None, int, int, str]
_LOADED: dict[_Key, SentimentModel] = {}
_WARNED: set[tuple[str, str | None]] = set()
_LOCK = threading.Lock()


def clear_cache() -> None:
    """Forget loaded models and warnings already given (tests, config reloads)."""
    with _LOCK:
        _LOADED.clear()
        _WARNED.clear()


def locate_model(model: str, revision: str | None = None) -> str:
    """Where `model` is on this machine; FileNotFoundError saying why when it is not."""
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise FileNotFoundError(f"directory {path} has no config.json")
        return str(path)
    if model.startswith((".", "/", "~")) or model.count("/") > 1:
        raise FileNotFoundError(f"no directory {path}")
    from huggingface_hub import constants, try_to_load_from_cache

    cached = try_to_load_from_cache(model, "config.json", revision=revision)
    if not isinstance(cached, str):
        raise FileNotFoundError(
            f"not in the local Hugging Face cache ({constants.HF_HUB_CACHE}); fetch it once "
            f"where the network allows (`hf download {model}`) or set nlp.sentiment_model "
            "to a local directory"
        )
    return model


def _load(nlp_config: NlpConfig, model: str) -> SentimentModel:
    location = locate_model(model, nlp_config.sentiment_revision)
    if nlp_config.sentiment_runtime == "torch":
        from nlp.sentiment.transformer import TransformerSentiment

        return TransformerSentiment(
            location,
            revision=nlp_config.sentiment_revision,
            batch_size=nlp_config.batch_size,
            max_length=nlp_config.max_length,
        )
    from nlp.sentiment.onnx import load_onnx

    # ONNX Runtime with no torch; a PyTorch-only directory is exported first where torch
    # is installed, else OnnxUnavailable says what is missing and the caller falls back.
    return load_onnx(
        model,
        location,
        nlp_config.onnx_dir,
        revision=nlp_config.sentiment_revision,
        version=nlp_config.sentiment_revision or "",
        batch_size=nlp_config.batch_size,
        max_length=nlp_config.max_length,
    )


def load_sentiment_model(nlp_config: NlpConfig) -> SentimentModel:
    """The configured backend's model, or the lexicon when none is set or it cannot load."""
    if nlp_config.sentiment_backend == "encoder":
        return _encoder_or_lexicon(nlp_config)
    if nlp_config.sentiment_backend == "lexicon":
        return LexiconSentiment()
    model = (nlp_config.sentiment_model or "").strip()
    if not model:
        logger.info("no sentiment model configured: scoring with the lexicon")
        return LexiconSentiment()
    key = (
        model,
        nlp_config.sentiment_revision,
        nlp_config.batch_size,
        nlp_config.max_length,
        nlp_config.sentiment_runtime,
    )
    with _LOCK:
        loaded = _LOADED.get(key)
        if loaded is None:
            try:
                loaded = _load(nlp_config, model)
            except Exception as exc:  # any failure to load means: use the fallback
                fallback = LexiconSentiment()
                if (model, nlp_config.sentiment_revision) not in _WARNED:
                    _WARNED.add((model, nlp_config.sentiment_revision))
                    reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:400]
                    logger.warning(
                        "sentiment model %r (revision %s) could not be loaded, using %s %s: %s",
                        model,
                        nlp_config.sentiment_revision or "default",
                        fallback.name,
                        fallback.version,
                        reason,
                    )
                loaded = fallback
            _LOADED[key] = loaded
    return loaded


def _encoder_or_lexicon(nlp_config: NlpConfig) -> SentimentModel:
    """The encoder backend; the lexicon, said once, when its package or head cannot load."""
    from nlp.sentiment.encoder import load_encoder_sentiment

    head = str(nlp_config.sentiment_head or "")
    key = (f"encoder:{nlp_config.sentiment_encoder}", head or None, 0, 0, "")
    with _LOCK:
        loaded = _LOADED.get(key)
        if loaded is None:
            try:
                loaded = load_encoder_sentiment(nlp_config.sentiment_encoder, head or None)
            except Exception as exc:  # a missing package or a bad head: the lexicon scores
                loaded = LexiconSentiment()
                if key[:2] not in _WARNED:
                    _WARNED.add(key[:2])
                    logger.warning(
                        "sentiment encoder %r could not be loaded, using %s %s: %s",
                        nlp_config.sentiment_encoder,
                        loaded.name,
                        loaded.version,
                        " ".join(f"{type(exc).__name__}: {exc}".split())[:400],
                    )
            _LOADED[key] = loaded
    return loaded
