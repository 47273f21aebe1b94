"""``ecozone air ...``: station data import and HJ 633 / HJ 663 computations."""

from __future__ import annotations

import typer

air_app = typer.Typer(help="空气质量 / air quality: import, daily AQI, annual assessment, ranking", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(air_app, name="air")
