"""The sentiment transformer run by ONNX Runtime: the inference path, with no torch.

A model directory in the layout an HF/optimum export writes — `model.onnx` (or
`onnx/model.onnx`, as many published repositories keep it), `tokenizer.json` and
`config.json` — is loaded and run with `onnxruntime` and `tokenizers` only:
`OnnxSentiment` tokenizes with the fast tokenizer's own file (truncation and padding set
from the model's limits), feeds the graph the inputs it declares and maps its classes
through `config.json`'s `id2label`, behind the same `BatchedClassifier` as every
transformer backend (batching by length, per-text failures).

A directory with PyTorch weights only (`model.safetensors`, `pytorch_model.bin`) needs
an export first. `export_onnx` does it with PyTorch's exporter when torch (the `train`
extra) is installed, checked against PyTorch on a probe batch; `load_onnx`, what the
factory calls, exports such a model once into `nlp.onnx_dir` (again when its files
change). Without torch it raises `OnnxUnavailable`, a message that names the directory,
what is missing and how to get it, and the factory falls back to its next backend.
"""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from nlp.sentiment.transformer import BatchedClassifier, normalize_labels, token_limit

logger = logging.getLogger(__name__)

ONNX_FILE = "model.onnx"
GRAPH_PLACES = (ONNX_FILE, f"onnx/{ONNX_FILE}")
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "config.json"
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json")
SOURCE_FILE = "veille_source.json"
OPSET = 17
_PROBE = ["Le réseau est tombé ce matin.", "Top !", "Merci pour la réponse rapide du SAV."]


class OnnxUnavailable(FileNotFoundError):
    """A model directory that ONNX Runtime cannot run as it is (the message says why)."""


def find_graph(folder: Path) -> Path | None:
    """The ONNX graph of a model directory, at its root or under `onnx/`; None if none."""
    for place in GRAPH_PLACES:
        if (folder / place).is_file():
            return folder / place
    return None


def missing_for_onnx(folder: Path) -> list[str]:
    """The files ONNX Runtime inference needs that `folder` lacks (empty: it can run)."""
    missing = [] if find_graph(folder) else [ONNX_FILE]
    missing += [name for name in (TOKENIZER_FILE, CONFIG_FILE) if not (folder / name).is_file()]
    return missing


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise OnnxUnavailable(f"{path}: not readable JSON ({exc})") from None
    if not isinstance(data, dict):
        raise OnnxUnavailable(f"{path}: expected a JSON object")
    return data


class OnnxSentiment(BatchedClassifier):
    """Sentiment from a model directory holding an ONNX graph, its tokenizer and config."""

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
        from tokenizers import Tokenizer

        folder = Path(directory)
        missing = missing_for_onnx(folder)
        if missing:
            raise OnnxUnavailable(f"model directory {folder} has no {', '.join(missing)}")
        config = _read_json(folder / CONFIG_FILE)
        settings = (
            _read_json(folder / "tokenizer_config.json")
            if (folder / "tokenizer_config.json").is_file()
            else {}
        )
        self.name = name or str(folder)
        self.batch_size = max(1, batch_size)
        self.labels = normalize_labels(config.get("id2label") or {})
        self.version = f"{version or 'local'}+onnx"
        self.max_length = token_limit(
            SimpleNamespace(**config),
            SimpleNamespace(model_max_length=settings.get("model_max_length")),
            max_length,
        )
        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self.tokenizer.enable_truncation(self.max_length)
        pad_token = settings.get("pad_token")
        if isinstance(pad_token, dict):  # older tokenizer_config files store an AddedToken
            pad_token = pad_token.get("content")
        pad_id = config.get("pad_token_id")
        if pad_id is None and isinstance(pad_token, str):
            pad_id = self.tokenizer.token_to_id(pad_token)
        pad_id = int(pad_id or 0)
        self.tokenizer.enable_padding(
            pad_id=pad_id, pad_token=self.tokenizer.id_to_token(pad_id) or "[PAD]"
        )
        self.truncated = 0  # texts cut to `max_length` tokens since the model was loaded
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        providers = [
            p
            for p in ("CUDAExecutionProvider", "CPUExecutionProvider")
            if p in ort.get_available_providers()
        ]
        graph = find_graph(folder)
        self.session = ort.InferenceSession(str(graph), sess_options=options, providers=providers)
        self._inputs = {i.name for i in self.session.get_inputs()}
        self._output = "logits" if "logits" in {o.name for o in self.session.get_outputs()} else ""
        self.device = self.session.get_providers()[0]
        logger.info(
            "sentiment model %s (%s) loaded with ONNX Runtime on %s, labels %s, max %d tokens",
            self.name,
            self.version,
            self.device,
            self.labels,
            self.max_length,
        )

    def _encode(self, texts: list[str]) -> dict[str, np.ndarray]:
        encodings = self.tokenizer.encode_batch(texts)
        cut = sum(1 for e in encodings if e.overflowing)
        if cut:
            self.truncated += cut
            logger.info(
                "sentiment %s: %d of %d texts truncated to %d tokens",
                self.name,
                cut,
                len(texts),
                self.max_length,
            )
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        return {
            "input_ids": ids,
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }

    def _forward(self, encoded: dict[str, np.ndarray]) -> np.ndarray:
        feed = {k: v.astype(np.int64) for k, v in encoded.items() if k in self._inputs}
        # A graph whose output is not named "logits" has its scores as the first output.
        logits: np.ndarray = self.session.run([self._output] if self._output else None, feed)[0]
        return logits


def export_onnx(model: str, output: Path | str, revision: str | None = None) -> Path:
    """Export a local PyTorch model (directory or cached id) to `output`; needs torch."""
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


def model_folder(location: str, revision: str | None = None) -> Path:
    """The directory of a located model: the path itself, or its snapshot in the HF cache."""
    path = Path(location).expanduser()
    if path.is_dir():
        return path
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(location, CONFIG_FILE, revision=revision)
    if not isinstance(cached, str):
        raise OnnxUnavailable(f"{location} is not in the local Hugging Face cache")
    return Path(cached).parent


def _fingerprint(folder: Path) -> dict[str, Any]:
    # What identifies the exported model: its location and its files' sizes and dates.
    files = {}
    for path in sorted(folder.iterdir()):
        if path.is_file():
            stat = path.stat()
            files[path.name] = [stat.st_size, int(stat.st_mtime)]
    return {"location": str(folder), "files": files}


def _torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def load_onnx(
    model: str,
    location: str,
    onnx_dir: Path | str,
    revision: str | None = None,
    version: str = "",
    batch_size: int = 32,
    max_length: int = 256,
) -> OnnxSentiment:
    """Run `model` with ONNX Runtime: as it is when it has a graph, else exported once."""
    folder = model_folder(location, revision)
    # A cache snapshot's folder name is the commit it holds: a version worth recording.
    version = version or (folder.name if folder.parent.name == "snapshots" else "")
    if not missing_for_onnx(folder):
        return OnnxSentiment(
            folder, name=model, version=version, batch_size=batch_size, max_length=max_length
        )
    weights = [name for name in WEIGHT_FILES if (folder / name).is_file()]
    if not weights:
        missing = ", ".join(missing_for_onnx(folder))
        raise OnnxUnavailable(
            f"model directory {folder} has no {missing} and no PyTorch weights "
            f"({', '.join(WEIGHT_FILES[:2])}) to export one from"
        )
    if not _torch_available():
        raise OnnxUnavailable(
            f"model directory {folder} has PyTorch weights ({weights[0]}) but no ONNX graph "
            f"({ONNX_FILE} with {TOKENIZER_FILE} and {CONFIG_FILE}); torch is not installed "
            "to export it: install the `train` extra once, or export the directory with "
            "optimum (`optimum-cli export onnx --task text-classification`) and name the "
            "export in nlp.sentiment_model"
        )
    slug = hashlib.sha1(f"{model}@{revision or ''}".encode()).hexdigest()[:12]
    target = Path(onnx_dir) / f"{Path(model).name or 'model'}-{slug}"
    source = _fingerprint(folder)
    marker = target / SOURCE_FILE
    current = json.loads(marker.read_text(encoding="utf-8")) if marker.is_file() else None
    if current != source or not (target / ONNX_FILE).is_file():
        export_onnx(str(folder), target, revision)
        marker.write_text(json.dumps(source, sort_keys=True), encoding="utf-8")
    return OnnxSentiment(
        target, name=model, version=version, batch_size=batch_size, max_length=max_length
    )
