"""Throughput and peak memory of the NLP stage on CPU, per sentiment backend.

Usage: python bench/nlp.py [--posts 128] [--repeats 3] [--batches 64] [--kinds ...]

What runs is the whole stage (`nlp.analyzer.Analyzer.analyze`: language detection,
spaCy French pipeline, brand matching, document and per-brand sentiment, aspects,
near-duplicate fingerprints) over posts of the French dev set, in batches of 64 posts
by default (`--batches 1,16,64` for more). Sentiment backends (`--kinds`):

- encoder: the default, the configured encoder (`nlp.sentiment_encoder`) and its head;
- encoder-use: the Universal Sentence Encoder and its shipped head;
- encoder-e5: multilingual-e5-small (4-bit) and its shipped head;
- encoder-cascade: USE for every text, e5 for those USE is unsure of;
- lexicon: the rule-based fallback;
- torch: a model of the default model's architecture (XLM-RoBERTa base: 12 layers,
  768 hidden, 250 002-token embedding matrix) with random weights, built locally from
  `XLMRobertaConfig`, with a BPE tokenizer trained on the dev set (nothing downloaded;
  speed and memory do not depend on the weights' values);
- onnx: the same model exported once and run by ONNX Runtime.

torch and onnx run only where torch is installed (the `train` extra).

Each configuration runs in its own child process, so its peak memory (max RSS) is its
own; model loading and a warm-up batch are not timed. Figures are medians of `--repeats`
timed passes, in mentions per second. The last lines, one per backend at batch 64, read
`<backend>: <N> mentions/s`, the default backend first.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


# kind → (nlp.sentiment_backend, nlp.sentiment_encoder); the default first.
BACKENDS = {
    "encoder": ("encoder", ""),  # the configured default encoder
    "encoder-use": ("encoder", "use"),
    "encoder-e5": ("encoder", "e5"),
    "encoder-cascade": ("encoder", "cascade"),
    "lexicon": ("lexicon", ""),
    "torch": ("transformer", ""),
    "onnx": ("transformer", ""),
}


def build_model(target: Path, texts: list[str]) -> None:
    """XLM-RoBERTa base with random weights and a locally trained tokenizer, saved."""
    from nlp.sentiment.local_model import BASE_SHAPE, build_random_model, train_tokenizer

    train_tokenizer(texts, 4000, target, model_max_length=512)
    build_random_model(target, **BASE_SHAPE)


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MiB.

    Not `getrusage`: on Linux a child's ru_maxrss starts from its parent's peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_once(model_dir: str, onnx_dir: str) -> None:
    """Export the model to ONNX ahead of the timed runs (as a deployment would, once)."""
    from nlp.sentiment.factory import locate_model
    from nlp.sentiment.onnx import load_onnx

    load_onnx(model_dir, locate_model(model_dir), onnx_dir)


def run_one(kind: str, batch: int, posts: int, repeats: int, model_dir: str, onnx_dir: str) -> dict:
    """Time one configuration in this process; returns its figures."""
    from datetime import UTC, datetime

    from configuration.loader import load_config
    from nlp.analyzer import Analyzer
    from nlp.evaluation import DEV_SET, load_labelled
    from records import RawPost

    env = {
        "VEILLE_NLP_SENTIMENT_BACKEND": BACKENDS[kind][0],
        **({"VEILLE_NLP_SENTIMENT_ENCODER": BACKENDS[kind][1]} if BACKENDS[kind][1] else {}),
        "VEILLE_NLP_SENTIMENT_MODEL": model_dir,
        "VEILLE_NLP_BATCH_SIZE": str(batch),
        "VEILLE_NLP_SENTIMENT_RUNTIME": "onnx" if kind == "onnx" else "torch",
        "VEILLE_NLP_ONNX_DIR": onnx_dir,
    }
    config = load_config(REPO / "config", environ=env)
    texts = [e.text for e in load_labelled(DEV_SET)]
    sample = [texts[i % len(texts)] for i in range(posts)]
    items = [
        RawPost(
            source_id="bench",
            kind="forum",
            external_id=str(i),
            url=f"bench://{i}",
            body_text=text,
            published_at=datetime(2026, 1, 1, tzinfo=UTC),
            lang_hint="fr",
        )
        for i, text in enumerate(sample)
    ]
    analyzer = Analyzer(config)
    analyzer.analyze(items[: max(batch, 4)])  # warm-up: spaCy, lingua, first inference
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        for offset in range(0, len(items), batch):
            analyzer.analyze(items[offset : offset + batch])
        rates.append(len(items) / (time.perf_counter() - started))
    peak_mb = peak_rss_mb()
    return {
        "kind": kind,
        "batch": batch,
        "posts": posts,
        "median": statistics.median(rates),
        "rates": rates,
        "peak_mb": peak_mb,
        "model": analyzer.sentiment_model_name,
        "device": getattr(analyzer.sentiment, "device", "cpu"),
    }


def main() -> None:
    """Build the model, run every configuration in a child process, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=128, help="posts per timed pass (models)")
    parser.add_argument("--lexicon-posts", type=int, default=256, help="posts per pass (lexicon)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batches", default="64")
    parser.add_argument(
        "--kinds", default="encoder,encoder-use,encoder-e5,encoder-cascade,lexicon,torch,onnx"
    )
    parser.add_argument(
        "--one", nargs=6, metavar=("KIND", "BATCH", "POSTS", "REPEATS", "MODEL", "ONNX")
    )
    parser.add_argument("--export", nargs=2, metavar=("MODEL", "ONNX"))
    args = parser.parse_args()
    if args.export:
        export_once(*args.export)
        return
    if args.one:
        kind, batch, posts, repeats, model_dir, onnx_dir = args.one
        print(json.dumps(run_one(kind, int(batch), int(posts), int(repeats), model_dir, onnx_dir)))
        return

    from nlp.evaluation import DEV_SET, load_labelled

    batches = [int(b) for b in args.batches.split(",")]
    kinds = args.kinds.split(",")
    try:
        import torch

        print(
            f"python {platform.python_version()}, torch {torch.__version__}, "
            f"{torch.get_num_threads()} torch threads, {os.cpu_count()} CPUs, "
            f"cuda {'yes' if torch.cuda.is_available() else 'no'}"
        )
    except ImportError:
        print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, no torch")
        if {"torch", "onnx"} & set(kinds):
            print("torch and onnx skipped: torch is not installed (the train extra)")
        kinds = [k for k in kinds if k not in {"torch", "onnx"}]
    summary: list[str] = []
    with tempfile.TemporaryDirectory(prefix="veille-bench-") as tmp:
        model_dir, onnx_dir = Path(tmp) / "xlmr-base-random", Path(tmp) / "onnx"
        if {"torch", "onnx"} & set(kinds):
            started = time.perf_counter()
            build_model(model_dir, [e.text for e in load_labelled(DEV_SET)])
            print(f"model built in {time.perf_counter() - started:.1f} s")
        if "onnx" in kinds:
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, __file__, "--export", str(model_dir), str(onnx_dir)], check=True
            )
            print(f"ONNX export in {time.perf_counter() - started:.1f} s (not timed below)")
        header = f"{'backend':<16}{'batch':>6}{'posts':>7}{'mentions/s (median)':>22}"
        print(f"{header}{'runs':>24}{'peak MiB':>9}")
        for kind in kinds:
            for batch in batches:
                posts = args.lexicon_posts if kind == "lexicon" else args.posts
                child = subprocess.run(
                    [sys.executable, __file__, "--one", kind, str(batch), str(posts),
                     str(args.repeats), str(model_dir), str(onnx_dir)],
                    capture_output=True, text=True, check=False,
                )  # fmt: skip
                if child.returncode != 0:
                    print(f"{kind:<8}{batch:>6} failed: {child.stderr.strip()[-500:]}")
                    continue
                r = json.loads(child.stdout.strip().splitlines()[-1])
                runs = ", ".join(f"{x:.1f}" for x in r["rates"])
                print(
                    f"{kind:<16}{batch:>6}{posts:>7}{r['median']:>22.1f}{runs:>24}"
                    f"{r['peak_mb']:>9.0f}   ({r['model'].split('/')[-1]}, {r['device']})"
                )
                if batch == 64:
                    summary.append(
                        f"{kind}: {r['median']:.0f} mentions/s (batch 64, median of "
                        f"{len(r['rates'])}, peak memory {r['peak_mb']:.0f} MiB; {r['model']})"
                    )
    for line in summary:
        print(line)


if __name__ == "__main__":
    main()
