"""Prometheus metrics of `veille schedule`: the figures of `veille status`, read at scrape.

A collector computes them from the store and the job states each time the endpoint is
scraped (a handful of indexed counts), so they are never stale and nothing has to keep
them up to date; a store that cannot be read shows as `veille_store_up 0`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from configuration.loader import VeilleConfig
from pipeline.health import JobState, collect, timestamp
from storage import open_store

logger = logging.getLogger(__name__)

JOB_STATES = ("never", "running", "ok", "waiting", "error", "stopped")


class HealthCollector(Collector):
    """Gauges of sources, queues and jobs, computed at each scrape."""

    def __init__(self, config: VeilleConfig) -> None:
        self.config = config

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The metric families of one scrape."""
        try:
            store = open_store(self.config)
        except Exception as exc:
            logger.warning("metrics: store not opened: %s", exc)
            store = None
        try:
            health = collect(self.config, store)
        finally:
            if store is not None:
                store.close()
        up = GaugeMetricFamily("veille_store_up", "1 if the store answered this scrape.")
        up.add_metric([], 0 if health.store_error else 1)
        yield up
        queues = GaugeMetricFamily(
            "veille_queue_depth", "Records waiting at a stage.", labels=["queue"]
        )
        for name, value in asdict(health.queues).items() if health.queues else ():
            queues.add_metric([name], value)
        yield queues
        yield from self._sources(health.sources)
        yield from self._jobs([*health.jobs, *(s.job for s in health.sources)])

    @staticmethod
    def _sources(sources: list[Any]) -> Iterator[GaugeMetricFamily]:
        success = GaugeMetricFamily(
            "veille_source_last_success_timestamp_seconds",
            "Start of the source's last successful crawl (Unix time).",
            labels=["source"],
        )
        error = GaugeMetricFamily(
            "veille_source_last_error_timestamp_seconds",
            "End of the source's last crawl with errors or failed (Unix time).",
            labels=["source"],
        )
        lag = GaugeMetricFamily(
            "veille_source_lag_seconds",
            "Seconds since the source's last successful crawl started.",
            labels=["source"],
        )
        for s in sources:
            if s.last_success is not None:
                success.add_metric([s.source_id], s.last_success.timestamp())
                lag.add_metric([s.source_id], s.lag_seconds or 0.0)
            if s.last_error is not None:
                error.add_metric([s.source_id], s.last_error.timestamp())
        yield from (success, error, lag)

    @staticmethod
    def _jobs(jobs: list[JobState]) -> Iterator[GaugeMetricFamily]:
        state = GaugeMetricFamily(
            "veille_job_state",
            "1 for the state each scheduler job is in (waiting: for the store).",
            labels=["job", "state"],
        )
        success = GaugeMetricFamily(
            "veille_job_last_success_timestamp_seconds",
            "When the job last ended well (Unix time).",
            labels=["job"],
        )
        for job in jobs:
            for name in JOB_STATES:
                state.add_metric([job.job, name], 1 if job.state == name else 0)
            if (at := timestamp(job.last_success)) is not None:
                success.add_metric([job.job], at.timestamp())
        yield from (state, success)


def registry_for(config: VeilleConfig) -> CollectorRegistry:
    """A registry holding only Veille's health collector."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HealthCollector(config))
    return registry


def serve_metrics(config: VeilleConfig) -> Any:
    """Start the endpoint on `ops.metrics_host:ops.metrics_port` (0: off); returns the
    server, or None."""
    ops = config.settings.ops
    if not ops.metrics_port:
        return None
    server, _thread = start_http_server(
        ops.metrics_port, addr=ops.metrics_host, registry=registry_for(config)
    )
    logger.info("metrics on http://%s:%d/metrics", ops.metrics_host, ops.metrics_port)
    return server


def stop_metrics(server: Any) -> None:
    """Stop the endpoint and close its socket."""
    server.shutdown()
    server.server_close()
