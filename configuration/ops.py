"""veille.yaml, section `ops`: how `veille schedule` runs for months.

The persistent job store, how soon the stage jobs look for new input, the metrics
endpoint, the log format, and how long a stage waits for a locked store. Owned by the
scheduler and health code (pipeline.scheduler, pipeline.health, pipeline.metrics).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from configuration.base import StrictModel


class OpsConfig(StrictModel):
    jobstore_url: str = Field(
        default="",
        description="SQLAlchemy URL of the scheduler's job store; empty: scheduler.db next "
        "to the SQLite store. PostgreSQL: postgresql+psycopg://user@host/db (password "
        "from VEILLE_OPS_JOBSTORE_URL only).",
    )
    stage_poll_seconds: float = Field(
        default=10.0,
        gt=0,
        le=3600,
        description="How often the NLP, alerts and notification jobs look for new input.",
    )
    jitter_seconds: int = Field(
        default=30,
        ge=0,
        description="Random delay (0 to this many seconds) added to each crawl's start, so "
        "that sources on one schedule do not all start at once.",
    )
    metrics_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="Port of the Prometheus metrics endpoint of `veille schedule`; 0: off.",
    )
    metrics_host: str = Field(
        default="127.0.0.1", description="Address the metrics endpoint listens on."
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="Log lines as text, or as JSON objects (with the source and run id).",
    )
    store_retry_seconds: float = Field(
        default=300.0,
        ge=0,
        description="How long a stage retries a locked or unavailable store (with back-off) "
        "before it gives up its run; the next run starts over.",
    )
    nlp_partitions: int = Field(
        default=1,
        ge=1,
        le=1024,
        description="Partitions of the NLP stage (by a hash of the post id), each with its "
        "cursor and lease: how many NLP workers can work at once. Every worker must use the "
        "same value; 1 keeps one stage in crawl order.",
    )
    lease_seconds: float = Field(
        default=60.0,
        ge=5,
        le=3600,
        description="How long a worker's lease (a crawl, an NLP partition, the alerts "
        "stage) lasts unless renewed: after a worker dies, others take its work over "
        "this late.",
    )
    language: Literal["fr", "en"] = Field(
        default="fr", description="Language of `veille status`, `run` and `schedule` output."
    )
