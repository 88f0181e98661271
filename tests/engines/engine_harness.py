"""Real forum engines for the tests: install, seed, serve on 127.0.0.1, compare with truth.

Each engine (one module beside this one) is installed from the package registry into a
virtualenv of its own under `.cache/engines/<name>-<version>/` (git-ignored, reused while
its pinned requirements are unchanged), seeded through its own ORM by a script run with
that venv (`seedlib` gives every engine the same generated French forum and writes the
truth), and served by its own server as a child process on a free loopback port.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CACHE = Path(os.environ.get("VEILLE_ENGINES_CACHE", REPO / ".cache" / "engines"))
# pip's own timeout per request; an install from a warm cache takes seconds.
INSTALL_TIMEOUT = 900
SEED_TIMEOUT = 300
READY_TIMEOUT = 60
SOURCE_ID = "engine-under-test"


class EngineUnavailable(RuntimeError):
    """The engine cannot be installed or started here; the message says why."""


@dataclass(frozen=True)
class Engine:
    """One forum engine as the tests run it."""

    name: str
    version: str
    # The engine's own Python, at least this version (found on PATH or under pyenv).
    python: tuple[int, int]
    # Files of the engine's test project, in tests/engines/<folder>/.
    folder: str
    # Seed and serve commands, run with the venv's python in the project folder;
    # "{port}" is the server's port, "{truth}" the truth file, "{data}" its data folder.
    seed: tuple[str, ...]
    serve: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    # The Veille source for it: preset, start page, selectors overridden (none, ideally).
    preset: str = ""
    start_path: str = "/"
    # Sub-forums the install has that hold no topic (each is a parse/no_topics count).
    empty_lists: int = 0
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def project(self) -> Path:
        """The folder of the engine's settings, seed script and requirements."""
        return HERE / self.folder

    @property
    def requirements(self) -> Path:
        """The engine's pinned requirements."""
        return self.project / "requirements.txt"


def django_engine(name: str, version: str, folder: str, preset: str, **fields: Any) -> Engine:
    """A Django forum app: its project's seed.py, then Django's own server.

    The server is threaded; --noreload keeps it one process that terminate() ends.
    """
    return Engine(
        name=name,
        version=version,
        python=(3, 10),
        folder=folder,
        seed=("seed.py", "{truth}"),
        serve=("-m", "django", "runserver", "127.0.0.1:{port}", "--noreload"),
        env={"DJANGO_SETTINGS_MODULE": "settings"},
        preset=preset,
        **fields,
    )


def find_python(minimum: tuple[int, int]) -> str:
    """An interpreter of at least `minimum`: this one, one on PATH, or one under pyenv.

    The oldest that qualifies is taken: an engine pinned today may not run on a newer
    Python (FlaskBB 2.2 fails to import on 3.13).
    """
    if sys.version_info[:2] >= minimum:
        return sys.executable
    names = [f"python{minimum[0]}.{minor}" for minor in range(minimum[1], minimum[1] + 4)]
    for name in names:
        if found := shutil.which(name):
            probe = subprocess.run([found, "-V"], capture_output=True, check=False)
            if probe.returncode == 0:  # a pyenv shim of a version not selected fails here
                return found
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    versions = [v for v in pyenv.glob(f"{minimum[0]}.*") if v.name.split(".")[1].isdigit()]
    for version in sorted(versions, key=lambda v: int(v.name.split(".")[1])):
        minor = int(version.name.split(".")[1])
        candidate = version / "bin" / "python3"
        if minor >= minimum[1] and candidate.exists():
            return str(candidate)
    wanted = ".".join(map(str, minimum))
    raise EngineUnavailable(f"no Python >= {wanted} on this machine (tried {', '.join(names)})")


def venv_of(engine: Engine) -> Path:
    """The engine's virtualenv, created and installed from its pinned requirements if needed."""
    python = find_python(engine.python)
    # The venv is reused while its requirements and its interpreter are the same.
    stamp_text = hashlib.sha256(engine.requirements.read_bytes() + python.encode()).hexdigest()
    venv = CACHE / f"{engine.name}-{engine.version}"
    stamp = venv / ".veille-installed"
    if stamp.exists() and stamp.read_text() == stamp_text:
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    for command in (
        [python, "-m", "venv", str(venv)],
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", "-r", str(engine.requirements)],
    ):  # fmt: skip
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False
        )
        if done.returncode != 0:
            raise EngineUnavailable(
                f"{engine.name}: {' '.join(command[:4])} failed: {done.stderr[-2000:]}"
            )
    stamp.write_text(stamp_text)
    logger.info("%s installed in %.0f s", engine.name, time.monotonic() - started)
    return venv


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EngineSite:
    """A seeded install of one engine, served on http://127.0.0.1:<port>/."""

    def __init__(self, engine: Engine, data: Path) -> None:
        self.engine = engine
        self.data = data
        self.port = free_port()
        self.truth_path = data / "truth.json"
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data / "server.log"

    @property
    def base_url(self) -> str:
        """The site's root URL, without the trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def _command(self, venv: Path, argv: tuple[str, ...]) -> list[str]:
        values = {"port": str(self.port), "truth": str(self.truth_path), "data": str(self.data)}
        return [str(venv / "bin" / "python"), *(a.format(**values) for a in argv)]

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VEILLE_", "PYTHON"))}
        env.update(self.engine.env, ENGINE_DATA=str(self.data), TZ="UTC")
        env["PYTHONPATH"] = os.pathsep.join((str(self.engine.project), str(HERE)))
        # As in an activated venv: an engine's tools (FlaskBB runs pybabel) are found.
        env["PATH"] = os.pathsep.join((str(venv_of(self.engine) / "bin"), env.get("PATH", "")))
        return env

    def seed(self) -> dict[str, Any]:
        """Seed the engine (its own script, its own venv) and return the truth it wrote."""
        venv = venv_of(self.engine)
        done = subprocess.run(
            self._command(venv, self.engine.seed),
            cwd=self.engine.project,
            env=self._env(),
            capture_output=True,
            text=True,
            timeout=SEED_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{self.engine.name} seed failed:\n{done.stderr[-4000:]}")
        truth: dict[str, Any] = json.loads(self.truth_path.read_text(encoding="utf-8"))
        return truth

    def start(self) -> None:
        """Start the engine's server and wait until its start page answers."""
        venv = venv_of(self.engine)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self._command(venv, self.engine.serve),
                cwd=self.engine.project,
                env=self._env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.base_url + self.engine.start_path, timeout=5):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        log_tail = self.log_path.read_text(errors="replace")[-3000:]
        self.stop()
        raise RuntimeError(f"{self.engine.name} server did not answer:\n{log_tail}")

    def stop(self) -> None:
        """Stop the server (terminate, then kill if it lingers)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@dataclass
class Served:
    """A seeded, running engine and what its seed says it holds."""

    engine: Engine
    site: EngineSite
    truth: dict[str, Any]


def write_config(directory: Path, engine: Engine, base_url: str, **fields: Any) -> Path:
    """A config folder: the repository's config with one forum source for the engine."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in (REPO / "config").glob("*.yaml"):
        shutil.copy(path, directory / path.name)
    source: dict[str, Any] = {
        "id": SOURCE_ID,
        "name": f"{engine.name} {engine.version}",
        "kind": "forum",
        "start_urls": [base_url + engine.start_path],
        "timezone": "Europe/Paris",
        "lang_hint": "fr",
        "max_pages": 2000,
        **engine.source,
        **fields,
    }
    if engine.preset and "selectors" not in fields:
        source.setdefault("preset", engine.preset)
    (directory / "sources.yaml").write_text(
        yaml.safe_dump({"sources": [source]}, allow_unicode=True), encoding="utf-8"
    )
    return directory


def crawl_env(db: Path) -> dict[str, str]:
    """The crawl child's environment: a private store, no AutoThrottle, short timeouts."""
    return {
        "VEILLE_STORAGE_SQLITE_PATH": str(db),
        "VEILLE_CRAWL_AUTOTHROTTLE": "false",
        "VEILLE_CRAWL_RETRY_TIMES": "1",
        "VEILLE_CRAWL_DOWNLOAD_TIMEOUT": "10",
        "VEILLE_CRAWL_RETRY_BACKOFF": "0.1",
    }
