"""Graceful stop on SIGTERM and SIGINT for `veille run`, `veille schedule` and the dashboard.

The first signal sets `STOP`: a stage finishes the batch in hand, stores it, moves its
cursor and returns; a crawl child is asked to stop (SIGTERM, which Scrapy takes as "close
the spider": the item pipeline stores its last batch and the run is saved); nothing new
starts. A second signal stops at once (KeyboardInterrupt), which a `kill -9` does too,
and the stages are built to resume after either.

`STOP` is one event per process: scheduler jobs are module-level functions with plain
arguments (the persistent job store pickles them), so they cannot be handed an object;
they read this flag. It carries no data between stages, which still talk only through
the store.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

logger = logging.getLogger(__name__)

STOP = threading.Event()
SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def graceful_stop(on_stop: Callable[[int], None] | None = None) -> Iterator[threading.Event]:
    """Handle SIGTERM and SIGINT while inside: the first sets `STOP` (and calls
    `on_stop(signum)`), the next raises KeyboardInterrupt. Restores the old handlers."""
    STOP.clear()

    def handle(signum: int, frame: FrameType | None) -> None:
        if STOP.is_set():
            raise KeyboardInterrupt
        STOP.set()
        logger.warning(
            "%s received: stopping after the current batch (again to stop at once)",
            signal.Signals(signum).name,
        )
        if on_stop is not None:
            on_stop(signum)

    previous = {sig: signal.signal(sig, handle) for sig in SIGNALS}
    try:
        yield STOP
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_forwarding_signals(command: Sequence[str], env: dict[str, str], grace: float = 20) -> int:
    """Run a child (the Streamlit server) in the foreground, passing it SIGTERM and SIGINT.

    A container or systemd stops the parent only; without this the child would outlive
    it. A child that has not exited `grace` seconds after the signal is killed.
    """
    child = subprocess.Popen(list(command), env=env)
    stopping = threading.Event()

    def forward(signum: int, frame: FrameType | None) -> None:
        if child.poll() is None:
            child.send_signal(signum)
        stopping.set()

    previous = {sig: signal.signal(sig, forward) for sig in SIGNALS}
    deadline: float | None = None
    try:
        while True:
            try:
                return child.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                if not stopping.is_set():
                    continue
                deadline = deadline or time.monotonic() + grace
                if time.monotonic() > deadline:
                    logger.warning("child %s did not stop in %.0f s: killed", child.pid, grace)
                    child.kill()
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
