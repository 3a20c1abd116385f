"""The ``keepwise`` command line."""

from keepwise.cli.app import app, main

__all__ = ["app", "main"]
