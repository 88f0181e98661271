"""`python -m cli`: the `veille` command line."""

from __future__ import annotations

from cli.app import main

main()
