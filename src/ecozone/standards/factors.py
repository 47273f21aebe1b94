"""Versioned factor tables: small CSV files under ``data/factors/`` whose ``#`` header names the
source and edition.  Shared by :mod:`ecozone.standards.energy` and :mod:`ecozone.standards.carbon`.

A table is read once per process; a result records the table's edition (its ``# edition:`` line),
so that changing the edition is a parameter and never an edit of results already computed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class FactorTable:
    """One factor file: its header fields (``edition``, ``source`` …) and its rows as text."""

    name: str
    meta: dict[str, str]
    rows: tuple[dict[str, str], ...]

    @property
    def edition(self) -> str:
        return self.meta.get("edition", self.name)


@cache
def factor_table(name: str) -> FactorTable:
    """The packaged table ``data/factors/<name>.csv``."""
    return parse_factor_text(name, (resources.files("ecozone") / "data" / "factors" / f"{name}.csv").read_text(encoding="utf-8"))


def parse_factor_text(name: str, text: str, required: tuple[str, ...] = ()) -> FactorTable:
    """A factor table from its text (``#`` header lines ``key: value``, then CSV).

    A user's own table (``--coal-rate-file``, ``--grid-factor-file``) must name its edition and
    carry the ``required`` columns; ValueError otherwise.
    """
    meta: dict[str, str] = {}
    body = []
    for line in text.splitlines():
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            key = key.strip()
            if key and value.strip() and key not in meta:
                meta[key] = value.strip()
        elif line.strip():
            body.append(line)
    reader = csv.DictReader(io.StringIO("\n".join(body)))
    rows = tuple(dict(r) for r in reader)
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"missing column(s) {', '.join(missing)}")
    if required and "edition" not in meta:
        raise ValueError("no '# edition: …' line naming the source and edition of the factors")
    return FactorTable(name, meta, rows)
