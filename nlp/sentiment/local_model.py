"""Sentiment models built on this machine: an XLM-RoBERTa classifier with random weights
and a BPE tokenizer trained on a few lines, saved as a transformers model directory.

The tests and the benchmarks use them to exercise the real loading, batching, ONNX
export and training code without a model hub. Their predictions mean nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

LABELS = {0: "negative", 1: "neutral", 2: "positive"}  # cardiffnlp's label names
# XLM-R's special tokens, in its order: <pad> has id 1.
SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
# The shape of the default model (cardiffnlp/twitter-xlm-roberta-base-sentiment).
BASE_SHAPE: dict[str, int] = {
    "vocab_size": 250002,
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 3072,
    "max_position_embeddings": 514,
    "type_vocab_size": 1,
}


def train_tokenizer(texts: Iterable[str], vocab_size: int, target: Path, **extra: Any) -> int:
    """Train an XLM-R-style BPE tokenizer on `texts`, save it to `target`; returns its size."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.normalizer = normalizers.NFKC()
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.train_from_iterator(
        texts, trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIALS)
    )
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", 0), ("</s>", 2)],
    )
    PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<s>",
        eos_token="</s>",
        cls_token="<s>",
        sep_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        mask_token="<mask>",
        **extra,
    ).save_pretrained(target)
    return int(tokenizer.get_vocab_size())


def build_random_model(target: Path, **shape: Any) -> None:
    """Save an XLM-RoBERTa sentiment classifier of `shape` with random (seeded) weights."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification

    torch.manual_seed(0)
    config = XLMRobertaConfig(
        **shape,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        id2label=dict(LABELS),
        label2id={label: i for i, label in LABELS.items()},
    )
    XLMRobertaForSequenceClassification(config).save_pretrained(target)
