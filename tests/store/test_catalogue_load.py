"""Loading the catalogue is idempotent; achieved values are superseded or withdrawn, never overwritten."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ecozone.catalogue.loader import load_catalogue
from ecozone.store.catalogue_load import load_catalogue_into
from tests.conftest import GOOD_TARGET


def _obs(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT obs_id, source_id, value, supersedes, quality_flag FROM observation ORDER BY obs_id"
    ).fetchall()


def test_load_twice_changes_nothing(con: duckdb.DuckDBPyConnection, mini_root: Path) -> None:
    cat = load_catalogue(mini_root)
    first = load_catalogue_into(con, cat)
    assert first.changed and first.targets == 1 and first.observations_added == 1
    before = _obs(con)
    second = load_catalogue_into(con, cat)
    assert not second.changed
    forced = load_catalogue_into(con, cat, force=True)
    assert forced.changed and forced.observations_added == 0 and forced.observations_superseded == 0
    assert _obs(con) == before
    row = con.execute("SELECT target_value, source_file, source_line FROM target").fetchone()
    assert row == (38.0, "data/catalogue/000.yaml", 2)


def test_revised_value_supersedes_and_removed_value_is_withdrawn(con: duckdb.DuckDBPyConnection, mini_root: Path) -> None:
    load_catalogue_into(con, load_catalogue(mini_root))
    catalogue_file = mini_root / "catalogue" / "000.yaml"
    catalogue_file.write_text(GOOD_TARGET.replace("value: 44.8", "value: 44.9"), encoding="utf-8")
    revised = load_catalogue_into(con, load_catalogue(mini_root))
    assert (revised.observations_added, revised.observations_superseded) == (0, 1)
    rows = _obs(con)
    assert [(r[2], r[3]) for r in rows] == [(44.8, None), (44.9, rows[0][0])]
    current = con.execute("SELECT value FROM observation_current").fetchall()
    assert current == [(44.9,)]

    catalogue_file.write_text(GOOD_TARGET.split("achieved:")[0], encoding="utf-8")
    removed = load_catalogue_into(con, load_catalogue(mini_root))
    assert removed.observations_withdrawn == 1
    last = _obs(con)[-1]
    assert last[2] is None and last[3] == rows[1][0] and last[4] == "withdrawn"
    assert con.execute("SELECT count(*) FROM observation").fetchone() == (3,)
