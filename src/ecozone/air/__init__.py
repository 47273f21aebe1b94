"""Air quality: the engine (:mod:`.engine`), the store services (:mod:`.service`) and the
notebook functions :func:`daily`, :func:`annual`, :func:`period`, :func:`rank` (:mod:`.api`).

The notebook functions load lazily, so that importing a submodule stays cheap.
"""

from __future__ import annotations

from typing import Any

_API = ("daily", "annual", "period", "rank")


def __getattr__(name: str) -> Any:
    if name in _API:
        from ecozone.air import api

        return getattr(api, name)
    raise AttributeError(f"module 'ecozone.air' has no attribute {name!r}")


__all__ = list(_API)
