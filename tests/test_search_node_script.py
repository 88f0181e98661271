"""scripts/search-node's checks that need no Java: usage, bad ports, a stale pid file.

Starting the node itself is what .ci/run does before the suite (the live tests use it).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "search-node"


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"VEILLE_SEARCH_NODE_HOME": str(home)}
    return subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=30, check=False
    )


def test_usage_and_bad_port(tmp_path: Path) -> None:
    usage = _run(tmp_path)
    assert usage.returncode == 2
    assert "usage:" in usage.stderr
    bad = _run(tmp_path, "start", "--port", "92OO")
    assert bad.returncode == 1
    assert "search-node: the HTTP port must be a number, got '92OO'" in bad.stderr


def test_status_and_stop_without_a_node(tmp_path: Path) -> None:
    status = _run(tmp_path, "status")
    assert (status.returncode, status.stdout.strip()) == (3, "search-node: not running")
    stop = _run(tmp_path, "stop")
    assert (stop.returncode, stop.stdout.strip()) == (0, "search-node: not running")


def test_stale_pid_file_never_signals_another_process(tmp_path: Path) -> None:
    # A pid file left by a node that died, whose pid now belongs to another program.
    other = subprocess.Popen(["sleep", "30"])
    try:
        (tmp_path / "node.pid").write_text(f"{other.pid}\n")
        assert _run(tmp_path, "status").returncode == 3
        assert _run(tmp_path, "stop").stdout.strip() == "search-node: not running"
        assert other.poll() is None, "stop signalled a process that is not the node"
        assert not (tmp_path / "node.pid").exists()
    finally:
        other.kill()
        other.wait()
