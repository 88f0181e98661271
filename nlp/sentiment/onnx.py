"""The sentiment transformer run by ONNX Runtime: faster CPU inference, same results.

`export_onnx` converts a local sequence-classification model with PyTorch's ONNX
exporter (batch and sequence axes dynamic), saves its tokenizer and config beside it,
and checks the exported graph against PyTorch on a padded probe batch before anyone
uses it. `OnnxSentiment` runs the exported graph behind the same `BatchedClassifier` as
the PyTorch backend (batching, truncation, per-text failures), with the CUDA provider
when ONNX Runtime has one, else the CPU.

`load_onnx` is what the factory calls for `nlp.sentiment_runtime: onnx`: it exports the
configured model once into `nlp.onnx_dir` (again when the model's files change) and
loads the result.
"""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from nlp.sentiment.transformer import BatchedClassifier, normalize_labels, token_limit

logger = logging.getLogger(__name__)

ONNX_FILE = "model.onnx"
SOURCE_FILE = "veille_source.json"
OPSET = 17
_PROBE = ["Le réseau est tombé ce matin.", "Top !", "Merci pour la réponse rapide du SAV."]


def export_onnx(model: str, output: Path | str, revision: str | None = None) -> Path:
    """Export a local model (directory or cached id) to `output`/model.onnx; returns it."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model, revision=revision, local_files_only=True)
    network = AutoModelForSequenceClassification.from_pretrained(
        model, revision=revision, local_files_only=True
    ).eval()
    target = Path(output)
    target.mkdir(parents=True, exist_ok=True)
    encoded = tokenizer(_PROBE, padding=True, return_tensors="pt")
    inputs = (encoded["input_ids"], encoded["attention_mask"])
    axes = {0: "batch", 1: "sequence"}
    with warnings.catch_warnings():
        # The TorchScript tracer warns about Python-side shape checks in transformers'
        # code; the probe comparison below is what tells whether the graph is right.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            network,
            inputs,
            str(target / ONNX_FILE),
            input_names=["input_ids", "attention_mask"],
            output_names=["logits"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "logits": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )
    tokenizer.save_pretrained(target)
    network.config.save_pretrained(target)
    with torch.inference_mode():
        expected = network(*inputs).logits.float().numpy()
    _check(target, {"input_ids": inputs[0].numpy(), "attention_mask": inputs[1].numpy()}, expected)
    logger.info("sentiment model %s exported to %s", model, target / ONNX_FILE)
    return target / ONNX_FILE


def _check(target: Path, feed: dict[str, np.ndarray], expected: np.ndarray) -> None:
    import onnxruntime as ort

    session = ort.InferenceSession(str(target / ONNX_FILE), providers=["CPUExecutionProvider"])
    found = session.run(["logits"], feed)[0]
    if not np.allclose(found, expected, atol=1e-3, rtol=1e-3):
        (target / ONNX_FILE).unlink()
        raise RuntimeError("the exported ONNX graph disagrees with PyTorch; not used")


class OnnxSentiment(BatchedClassifier):
    """Sentiment from an exported ONNX graph (see `export_onnx`)."""

    def __init__(
        self,
        directory: Path | str,
        name: str | None = None,
        version: str = "",
        batch_size: int = 32,
        max_length: int = 256,
        threads: int = 0,
    ) -> None:
        import onnxruntime as ort
        from transformers import AutoConfig, AutoTokenizer

        folder = Path(directory)
        self.name = name or str(folder)
        self.batch_size = max(1, batch_size)
        self.tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        config = AutoConfig.from_pretrained(folder, local_files_only=True)
        self.labels = normalize_labels(config.id2label)
        self.version = f"{version or 'local'}+onnx"
        self.max_length = token_limit(config, self.tokenizer, max_length)
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        providers = [
            p
            for p in ("CUDAExecutionProvider", "CPUExecutionProvider")
            if p in ort.get_available_providers()
        ]
        self.session = ort.InferenceSession(
            str(folder / ONNX_FILE), sess_options=options, providers=providers
        )
        self._inputs = {i.name for i in self.session.get_inputs()}
        self.device = self.session.get_providers()[0]
        logger.info(
            "sentiment model %s (%s) loaded with ONNX Runtime on %s, max %d tokens",
            self.name,
            self.version,
            self.device,
            self.max_length,
        )

    def _forward(self, encoded: dict[str, np.ndarray]) -> np.ndarray:
        feed = {k: v.astype(np.int64) for k, v in encoded.items() if k in self._inputs}
        logits: np.ndarray = self.session.run(["logits"], feed)[0]
        return logits


def _fingerprint(location: str) -> dict[str, Any]:
    # What identifies the exported model: its location and its files' sizes and dates.
    folder = Path(location)
    files = {}
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.is_file():
                stat = path.stat()
                files[path.name] = [stat.st_size, int(stat.st_mtime)]
    return {"location": location, "files": files}


def load_onnx(
    model: str,
    location: str,
    onnx_dir: Path | str,
    revision: str | None = None,
    version: str = "",
    batch_size: int = 32,
    max_length: int = 256,
) -> OnnxSentiment:
    """Export `model` once into `onnx_dir` (again when its files change) and load it."""
    slug = hashlib.sha1(f"{model}@{revision or ''}".encode()).hexdigest()[:12]
    target = Path(onnx_dir) / f"{Path(model).name or 'model'}-{slug}"
    source = _fingerprint(location)
    marker = target / SOURCE_FILE
    current = json.loads(marker.read_text(encoding="utf-8")) if marker.is_file() else None
    if current != source or not (target / ONNX_FILE).is_file():
        export_onnx(location, target, revision)
        marker.write_text(json.dumps(source, sort_keys=True), encoding="utf-8")
    return OnnxSentiment(
        target, name=model, version=version, batch_size=batch_size, max_length=max_length
    )
