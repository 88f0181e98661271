"""Serve the seeded FlaskBB install: `python serve.py PORT` (Werkzeug, threaded)."""

from __future__ import annotations

import sys

import flaskbb_shim  # noqa: F401  (before FlaskBB: see the module)
from flaskbb import create_app
from flaskbb_config import TestInstallConfig

if __name__ == "__main__":
    create_app(TestInstallConfig).run(host="127.0.0.1", port=int(sys.argv[1]), threaded=True)
