"""The `veille` command line: one module per group of commands, each a plain function.

`cli.app` builds the Typer app from the command modules; the commands call the run path
(`pipeline.runner`), the store and the alert lifecycle, and print, and nothing of Veille
imports this package.
"""
