"""The ``ecozone`` command line (Typer).  Each concern registers its own sub-commands."""

from __future__ import annotations

import sys

import typer

from ecozone.cli import air, catalogue, energy, tracking, water, web
from ecozone.cli.common import EcozoneGroup, handle_unexpected

app = typer.Typer(
    cls=EcozoneGroup,
    name="ecozone",
    help="京津冀生态环境支撑区 目标与监测平台 / targets, monitoring and indicators for the Hebei plans.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
catalogue.register(app)
air.register(app)
tracking.register(app)
energy.register(app)
water.register(app)
web.register(app)



def main() -> None:
    """The ``ecozone`` console script: the app, with a last guard for errors outside a command."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # option parsing, shell completion: outside EcozoneGroup.invoke
        sys.exit(handle_unexpected(exc))


__all__ = ["app", "main"]
