"""The schema is created on first use, versioned, and migrating twice changes nothing."""

from __future__ import annotations

from pathlib import Path

from ecozone.store.db import connect, migrate, migrations, schema_version


def test_schema_created_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "ez.duckdb"
    con = connect(path)
    assert path.exists()
    latest = migrations()[-1][0]
    assert schema_version(con) == latest
    assert migrate(con) == []
    con.close()
    again = connect(path)
    assert schema_version(again) == latest
    versions = again.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
    assert [v for (v,) in versions] == [v for v, _, _ in migrations()]


def test_migration_versions_are_unique_and_ordered() -> None:
    versions = [v for v, _, _ in migrations()]
    assert versions == sorted(set(versions))
    assert versions[0] == 1


def test_a_missing_lower_migration_is_still_applied() -> None:
    import duckdb

    all_migrations = migrations()
    assert len(all_migrations) >= 3
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                "applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)")
    first, last = all_migrations[0], all_migrations[-1]
    con.execute(first[2])
    # a database that received the newest migration before a lower-numbered one was merged
    con.execute("INSERT INTO schema_version (version, name) VALUES (?, ?), (?, ?)", [first[0], first[1], last[0], last[1]])
    applied = migrate(con)
    assert applied == [v for v, _, _ in all_migrations[1:-1]]
