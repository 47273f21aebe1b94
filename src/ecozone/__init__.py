"""ecozone: plan targets, monitoring data and national-standard indicators as data.

Notebook API (DataFrames in, DataFrames out; docs/notebook.md)::

    import ecozone
    ecozone.air.daily(frame, start="2015-01-01", end="2015-01-31")
    ecozone.air.annual(frame, year=2015)
    ecozone.air.rank(frame, year=2015)
    ecozone.targets(region="廊坊市", domain="air")
    ecozone.track(region="河北省")
"""

from __future__ import annotations

from typing import Any

__all__ = ["air", "targets", "track"]


def __getattr__(name: str) -> Any:
    if name == "air":
        import importlib

        return importlib.import_module("ecozone.air")
    if name in ("targets", "track"):
        from ecozone import notebook

        return getattr(notebook, name)
    raise AttributeError(f"module 'ecozone' has no attribute {name!r}")
