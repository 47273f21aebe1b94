"""Energy statistics standards as pure calculations: GB/T 2589-2020 conversion to standard coal."""

from ecozone.standards.energy import gb2589

__all__ = ["gb2589"]
