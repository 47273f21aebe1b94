"""Air-quality standards as pure calculations: HJ 633-2012 (AQI), HJ 663-2013 with GB 3095-2012
(validity, statistics, limits) and the composite index of the city-ranking technical rules.

No I/O here: every function takes and returns arrays, so the same code serves the store, the
file-only mode and the benchmark.
"""

from ecozone.standards.air import composite, hj633, hj663

METHOD = "HJ 663-2013"
#: version of this implementation's reading of the rules; bump when a rule changes
METHOD_VERSION = "ecozone-air 1.0 (HJ 633-2012, HJ 663-2013, GB 3095-2012, 环办监测〔2018〕19号)"

__all__ = ["METHOD", "METHOD_VERSION", "composite", "hj633", "hj663"]
