"""Judgements of qualitative targets: recorded by a person as observations with a reason."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from ecozone.store.db import transaction
from ecozone.store.observations import write_observations
from ecozone.tracking.status import JUDGEABLE, parse_status

JUDGEMENT_SOURCE = "judgement"


def record_judgement(
    con: duckdb.DuckDBPyConnection, target_id: str, status: str, *, reason: str, by: str, year: int
) -> int:
    """Record that ``target_id`` is ``status`` as of ``year``; return the observation id.

    A second judgement of the same target and year supersedes the first (append-only).
    """
    s = parse_status(status)
    if s not in JUDGEABLE:
        raise ValueError(f"a judgement is one of {', '.join(j.value for j in JUDGEABLE)}")
    if not reason.strip() or not by.strip():
        raise ValueError("a judgement needs a reason and the name of who made it")
    row = con.execute("SELECT region_code, indicator_id, unit FROM target WHERE id = ?", [target_id]).fetchone()
    if row is None:
        raise LookupError(f"no target {target_id}")
    table = pa.table({
        "region_code": [row[0]], "indicator_id": [row[1]], "period": [str(year)], "year": [year],
        "value_text": [s.value], "unit": [row[2]], "source_type": [JUDGEMENT_SOURCE],
        "source_id": [target_id], "note": [reason.strip()], "method": ["human judgement / 人工判定"],
    })
    with transaction(con):
        write_observations(con, table, recorded_by=by.strip(), reason=f"re-judged / 重新判定: {reason.strip()}")
        got = con.execute(
            "SELECT max(obs_id) FROM observation_current WHERE source_type = ? AND source_id = ? AND period = ?",
            [JUDGEMENT_SOURCE, target_id, str(year)],
        ).fetchone()
    assert got is not None
    return int(got[0])
