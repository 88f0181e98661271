"""`veille worker nlp` and `veille worker alerts`: one stage in a loop, sharing the work
with the other workers of a cluster through the store's leases (see `pipeline.leases`).

Each pass drains what the worker can take (NLP: the partitions whose lease is free or
expired; alerts: the `alerts` lease, then the due notifications under `notify`), then
waits `--poll` seconds; SIGTERM or Ctrl-C ends it after the batch in hand. `--once`
drains and exits. `--json` prints what the worker did as one JSON object at the end.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer

from cli.common import ConfigDir, Verbose, console, load, out, setup_logging
from configuration.loader import VeilleConfig
from messages import t
from pipeline.jobs import with_store_retry
from pipeline.leases import lease_seconds, worker_id
from pipeline.runner import StageReport, evaluate_alerts, process_posts, send_notifications
from pipeline.shutdown import graceful_stop
from storage import Store, open_store

logger = logging.getLogger(__name__)

worker_app = typer.Typer(
    help="Workers sharing a stage on a cluster (leases in the store).", no_args_is_help=True
)

Once = Annotated[bool, typer.Option("--once", help="Drain what there is, then exit.")]
WorkerId = Annotated[
    str | None, typer.Option("--id", help="Worker id in the leases (default: hostname-pid).")
]
Poll = Annotated[
    float | None,
    typer.Option("--poll", help="Seconds between passes (default: ops.stage_poll_seconds)."),
]
AsJson = Annotated[bool, typer.Option("--json", help="What it did, as one JSON object.")]


@dataclass
class Totals:
    """What a worker did over all its passes."""

    worker: str
    stage: str
    passes: int = 0
    records: int = 0
    batches: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    seconds: float = 0.0
    partitions: set[int] = field(default_factory=set)

    def add(self, report: StageReport) -> None:
        self.passes += 1
        self.records += report.records
        self.batches += report.batches
        self.new += report.stored.new
        self.updated += report.stored.updated
        self.unchanged += report.stored.unchanged
        self.quarantined += report.quarantined_total
        self.seconds += report.seconds
        self.partitions.update(report.partitions)

    def as_dict(self) -> dict[str, Any]:
        return {**vars(self), "partitions": sorted(self.partitions)}


def _loop(
    config: VeilleConfig,
    stage: str,
    owner: str,
    once: bool,
    poll: float,
    one_pass: Callable[[Store, threading.Event], StageReport],
) -> Totals:
    """Passes until a stop signal (or, with `once`, until a pass finds nothing)."""
    lang = config.settings.ops.language
    totals = Totals(owner, stage)
    store = open_store(config)
    try:
        with graceful_stop() as stop:
            while not stop.is_set():
                try:
                    report = with_store_retry(
                        config, f"worker {stage}", lambda: one_pass(store, stop)
                    )
                except Exception as exc:
                    if once:
                        raise
                    logger.exception("worker %s: pass failed", stage)
                    console.print(t("worker.failed", lang, stage=stage, error=exc, poll=poll))
                    stop.wait(poll)
                    continue
                totals.add(report)
                if report.records:
                    console.print(_pass_line(lang, report), markup=False)
                if once and (not report.records or report.stopped):
                    break
                if not report.records:
                    stop.wait(poll)
    finally:
        store.close()
    return totals


def _pass_line(lang: str, report: StageReport) -> str:
    return t(
        "worker.pass",
        lang,
        stage=report.stage,
        records=report.records,
        new=report.stored.new,
        updated=report.stored.updated,
        unchanged=report.stored.unchanged,
        quarantined=report.quarantined_total,
        partitions=", ".join(map(str, report.partitions)) or "-",
        elsewhere=", ".join(report.held_elsewhere) or "-",
    )


def _run(
    config: VeilleConfig,
    stage: str,
    worker: str | None,
    once: bool,
    poll: float | None,
    as_json: bool,
    one_pass: Callable[[Store, threading.Event], StageReport],
) -> None:
    lang, owner = config.settings.ops.language, worker or worker_id()
    poll = poll if poll is not None else config.settings.ops.stage_poll_seconds
    partitions = config.settings.ops.nlp_partitions if stage == "nlp" else 1
    console.print(
        t("worker.ready", lang, stage=stage, worker=owner, partitions=partitions,
          ttl=lease_seconds(config), poll=poll),
        markup=False,
    )  # fmt: skip
    totals = _loop(config, stage, owner, once, poll, one_pass)
    console.print(
        t("worker.stopped", lang, stage=stage, worker=owner, records=totals.records,
          passes=totals.passes),
        markup=False,
    )  # fmt: skip
    if as_json:
        out.print(json.dumps(totals.as_dict(), ensure_ascii=False), markup=False)


@worker_app.command("nlp")
def nlp_worker(
    once: Once = False,
    worker: WorkerId = None,
    poll: Poll = None,
    as_json: AsJson = False,
    config_dir: ConfigDir = None,
    verbose: Verbose = False,
) -> None:
    """Analyse raw posts in the NLP partitions this worker can lease (`ops.nlp_partitions`)."""
    config = load(config_dir)
    setup_logging(verbose, config.settings.ops.log_format)
    from nlp.analyzer import Analyzer

    analyzer = Analyzer(config)  # loaded once: spaCy and the sentiment model take seconds
    owner = worker or worker_id()

    def one_pass(store: Store, stop: threading.Event) -> StageReport:
        return process_posts(config, store, analyzer=analyzer, stop=stop, owner=owner)

    _run(config, "nlp", owner, once, poll, as_json, one_pass)


@worker_app.command("alerts")
def alerts_worker(
    once: Once = False,
    worker: WorkerId = None,
    poll: Poll = None,
    as_json: AsJson = False,
    config_dir: ConfigDir = None,
    verbose: Verbose = False,
) -> None:
    """Evaluate the alert rules under the `alerts` lease (others stand by), then notify."""
    config = load(config_dir)
    setup_logging(verbose, config.settings.ops.log_format)
    owner = worker or worker_id()

    def one_pass(store: Store, stop: threading.Event) -> StageReport:
        report = evaluate_alerts(config, store, stop=stop, owner=owner)
        if not stop.is_set():
            send_notifications(config, store)
        return report

    _run(config, "alerts", owner, once, poll, as_json, one_pass)
