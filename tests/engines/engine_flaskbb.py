"""FlaskBB 2.2 (Flask, SQLAlchemy), default theme, French, served by Werkzeug's server."""

from __future__ import annotations

from engine_harness import Engine

ENGINE = Engine(
    name="flaskbb",
    version="2.2.0",
    # FlaskBB 2.2 requires Python 3.12; the harness finds one (PATH, then pyenv).
    python=(3, 12),
    folder="flaskbb",
    seed=("seed.py", "{truth}"),
    serve=("serve.py", "{port}"),
    preset="flaskbb",
)
