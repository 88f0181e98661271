"""Sentiment models built on this machine, for tests and benchmarks (no model hub).

- `train_tokenizer`: a BPE tokenizer trained on a few lines, saved as `tokenizer.json`
  and its configuration, as transformers saves one;
- `build_random_model`: an XLM-RoBERTa classifier with random weights, saved as a
  transformers model directory (needs torch, the `train` extra);
- `build_onnx_classifier`: a small classifier written directly as an ONNX graph with the
  `onnx` package's helper API (token and position embeddings → masked mean → linear),
  saved with `config.json` in the layout an HF/optimum export writes; no torch.

They exercise the real loading, batching, export and training code. Their predictions
mean nothing.
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


def build_onnx_classifier(
    target: Path,
    vocab_size: int,
    hidden_size: int = 16,
    max_position_embeddings: int = 40,
    labels: dict[int, str] | None = None,
    seed: int = 0,
) -> Path:
    """Write `model.onnx` and `config.json` of a tiny classifier into `target`; returns the graph.

    Position embeddings make a sequence longer than `max_position_embeddings` fail in
    ONNX Runtime (an index out of range), as in a real transformer, so truncation is
    tested for real. Inputs `input_ids` and `attention_mask` (int64, batch × sequence),
    output `logits` (float, batch × classes), as transformers' exports name them.
    """
    import json

    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    names = dict(labels or LABELS)
    rng = np.random.default_rng(seed)

    def weight(name: str, *shape: int) -> onnx.TensorProto:
        return numpy_helper.from_array(rng.normal(0, 1, shape).astype(np.float32), name)

    initializers = [
        weight("tokens", vocab_size, hidden_size),
        weight("positions", max_position_embeddings, hidden_size),
        weight("dense", hidden_size, len(names)),
        weight("bias", len(names)),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "one"),
        numpy_helper.from_array(np.array(0, dtype=np.int64), "zero"),
        numpy_helper.from_array(np.array(1, dtype=np.int64), "step"),
        numpy_helper.from_array(np.array([2], dtype=np.int64), "last_axis"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "sequence_axis"),
        numpy_helper.from_array(np.array(1e-9, dtype=np.float32), "epsilon"),
    ]
    node = helper.make_node
    nodes = [
        node("Gather", ["tokens", "input_ids"], ["token_vectors"]),
        node("Shape", ["input_ids"], ["shape"]),
        node("Gather", ["shape", "one"], ["length_1d"], axis=0),
        node("Squeeze", ["length_1d"], ["length"]),
        node("Range", ["zero", "length", "step"], ["position_ids"]),
        node("Gather", ["positions", "position_ids"], ["position_vectors"]),
        node("Add", ["token_vectors", "position_vectors"], ["vectors"]),
        node("Cast", ["attention_mask"], ["mask_float"], to=TensorProto.FLOAT),
        node("Unsqueeze", ["mask_float", "last_axis"], ["mask"]),
        node("Mul", ["vectors", "mask"], ["masked"]),
        node("ReduceSum", ["masked", "sequence_axis"], ["summed"], keepdims=0),
        node("ReduceSum", ["mask", "sequence_axis"], ["counts"], keepdims=0),
        node("Add", ["counts", "epsilon"], ["safe_counts"]),
        node("Div", ["summed", "safe_counts"], ["pooled"]),
        node("MatMul", ["pooled", "dense"], ["scores"]),
        node("Add", ["scores", "bias"], ["logits"]),
    ]
    axes = ["batch", "sequence"]
    graph = helper.make_graph(
        nodes,
        "veille-tiny-classifier",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, axes),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, axes),
        ],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", len(names)])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8  # what ONNX Runtime 1.18 and later read
    onnx.checker.check_model(model)
    target.mkdir(parents=True, exist_ok=True)
    path = target / "model.onnx"
    onnx.save(model, str(path))
    config = {
        "model_type": "veille-tiny",
        "max_position_embeddings": max_position_embeddings,
        "pad_token_id": 1,
        "id2label": {str(i): label for i, label in names.items()},
        "label2id": {label: i for i, label in names.items()},
    }
    (target / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path
