"""`python -m demo.forum`: serve the demo forum in the foreground until stopped."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from demo.forum.generator import generate_forum, write_ground_truth
from demo.forum.server import DemoForumServer

logger = logging.getLogger(__name__)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m demo.forum", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    parser.add_argument("--port", type=int, default=8765, help="port, 0 for any free one")
    parser.add_argument("--seed", type=int, default=7, help="generation seed")
    parser.add_argument(
        "--ground-truth", metavar="PATH", help="also write the ground truth JSON here"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, stop: threading.Event | None = None) -> int:
    """Generate the forum, serve it until Ctrl-C, SIGTERM or `stop` is set; returns 0."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    forum = generate_forum(seed=args.seed)
    if args.ground_truth:
        path = write_ground_truth(forum, args.ground_truth)
        print(f"Ground truth: {path}", flush=True)
    stop = stop or threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Both signals end the loop the same way. Handlers can only be set from the main
    # thread; a caller running main elsewhere stops it through `stop`.
    handled = (signal.SIGINT, signal.SIGTERM)
    in_main = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, on_signal) for sig in handled} if in_main else {}
    try:
        with DemoForumServer(forum, host=args.host, port=args.port) as server:
            posts = sum(1 for _ in forum.posts())
            print(f"Demo forum ({posts} posts, seed {args.seed}): {server.base_url}/", flush=True)
            print("Ctrl-C to stop.", flush=True)
            while not stop.wait(0.5):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("Demo forum stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
