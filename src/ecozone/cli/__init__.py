"""The ``ecozone`` command line (Typer).  Each concern registers its own sub-commands."""

from __future__ import annotations

import typer

from ecozone.cli import air, catalogue, tracking, water

app = typer.Typer(
    name="ecozone",
    help="京津冀生态环境支撑区 目标与监测平台 / targets, monitoring and indicators for the Hebei plans.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
catalogue.register(app)
air.register(app)
tracking.register(app)
water.register(app)

__all__ = ["app"]
