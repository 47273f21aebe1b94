"""``ecozone obs ...``, ``ecozone track`` and ``ecozone report ...``: target tracking."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the tracking commands to ``app``."""
