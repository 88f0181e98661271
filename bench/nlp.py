"""Throughput and peak memory of the NLP stage on CPU: lexicon, PyTorch and ONNX Runtime.

Usage: python bench/nlp.py [--posts 64] [--repeats 3] [--batches 1,16,64] [--lexicon-posts 256]

What runs is the whole stage (`nlp.analyzer.Analyzer.analyze`: language detection,
spaCy French pipeline, brand matching, document and per-brand sentiment, aspects,
near-duplicate fingerprints) over posts of the French dev set, in batches of 1, 16 and
64 posts (the transformer's batch size follows). Sentiment backends:

- lexicon: the rule-based fallback;
- torch: a model of the default model's architecture (XLM-RoBERTa base: 12 layers,
  768 hidden, 250 002-token embedding matrix) with random weights, built locally from
  `XLMRobertaConfig`, with a BPE tokenizer trained on the dev set (nothing downloaded;
  speed and memory do not depend on the weights' values);
- onnx: the same model exported once and run by ONNX Runtime.

Each configuration runs in its own child process, so its peak memory (max RSS) is its
own; model loading and a warm-up batch are not timed. Figures are medians of `--repeats`
timed passes, in mentions per second.
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
        "VEILLE_NLP_SENTIMENT_MODEL": "" if kind == "lexicon" else model_dir,
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
    parser.add_argument("--posts", type=int, default=64, help="posts per timed pass (models)")
    parser.add_argument("--lexicon-posts", type=int, default=256, help="posts per pass (lexicon)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batches", default="1,16,64")
    parser.add_argument("--kinds", default="lexicon,torch,onnx")
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

    import torch

    from nlp.evaluation import DEV_SET, load_labelled

    batches = [int(b) for b in args.batches.split(",")]
    kinds = args.kinds.split(",")
    print(
        f"python {platform.python_version()}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} torch threads, {os.cpu_count()} CPUs, "
        f"cuda {'yes' if torch.cuda.is_available() else 'no'}"
    )
    with tempfile.TemporaryDirectory(prefix="veille-bench-") as tmp:
        model_dir, onnx_dir = Path(tmp) / "xlmr-base-random", Path(tmp) / "onnx"
        if set(kinds) - {"lexicon"}:
            started = time.perf_counter()
            build_model(model_dir, [e.text for e in load_labelled(DEV_SET)])
            print(f"model built in {time.perf_counter() - started:.1f} s")
        if "onnx" in kinds:
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, __file__, "--export", str(model_dir), str(onnx_dir)], check=True
            )
            print(f"ONNX export in {time.perf_counter() - started:.1f} s (not timed below)")
        header = f"{'backend':<8}{'batch':>6}{'posts':>7}{'mentions/s (median)':>22}"
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
                    f"{kind:<8}{batch:>6}{posts:>7}{r['median']:>22.1f}{runs:>24}"
                    f"{r['peak_mb']:>9.0f}   ({r['model'].split('/')[-1]}, {r['device']})"
                )


if __name__ == "__main__":
    main()
