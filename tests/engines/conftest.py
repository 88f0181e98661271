"""Fixtures of the real-engine tests: each engine installed, seeded and served once.

The engine modules (`engine_<name>.py`) and the harness sit beside this file; pytest's
importlib mode puts no test folder on sys.path, so this folder is added here.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from engine_harness import Engine, EngineSite, EngineUnavailable, Served  # noqa: E402

ENGINE_MODULES = ("engine_machina", "engine_spirit", "engine_flaskbb")


def engines() -> list[Engine]:
    """Every engine the tests run, from its module."""
    return [importlib.import_module(name).ENGINE for name in ENGINE_MODULES]


@pytest.fixture(scope="session", params=engines(), ids=lambda e: e.name)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """One engine installed (cached), seeded and served for the session."""
    engine: Engine = request.param
    site = EngineSite(engine, tmp_path_factory.mktemp(engine.name))
    try:
        truth = site.seed()
    except EngineUnavailable as exc:
        pytest.skip(f"{engine.name} cannot run here: {exc}")
    site.start()
    try:
        yield Served(engine, site, truth)
    finally:
        site.stop()
