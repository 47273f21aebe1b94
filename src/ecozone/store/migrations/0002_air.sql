-- 0002: air-quality station data (issue 3): station registry, import batches, station hours.

-- The station registry: editable; an unknown station code is an import error, never a guess.
CREATE SEQUENCE air_station_id_seq START 1;
CREATE TABLE air_station (
    station_id INTEGER PRIMARY KEY,          -- compact integer key used by station_hour
    code VARCHAR NOT NULL UNIQUE,            -- CNEMC station code, e.g. 1001A
    name_zh VARCHAR NOT NULL,
    name_en VARCHAR,
    city_code VARCHAR NOT NULL,              -- GB/T 2260 city code (region table)
    longitude DOUBLE,
    latitude DOUBLE,
    national_control BOOLEAN NOT NULL DEFAULT TRUE,   -- 国控点
    background BOOLEAN NOT NULL DEFAULT FALSE,        -- 对照点: not an assessment station
    source VARCHAR,                          -- where the record came from (file, registration)
    note VARCHAR,
    registered_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- One row per imported file: the provenance of every station hour.
CREATE SEQUENCE air_import_batch_seq START 1;
CREATE TABLE air_import_batch (
    batch_id INTEGER PRIMARY KEY,
    file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    format VARCHAR NOT NULL,                 -- cnemc | china_sites | prsa | csv | parquet | excel
    time_convention VARCHAR NOT NULL,        -- how the file's hour labels were read
    rows_read BIGINT NOT NULL,
    hours_added BIGINT NOT NULL,
    hours_unchanged BIGINT NOT NULL,
    warnings BIGINT NOT NULL,
    imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Station hours, compact: integer station, hour since 1970-01-01 00:00 Beijing time labelled by
-- the START of the averaging hour, float32 values (µg/m³; CO mg/m³), file row for provenance.
CREATE TABLE air_station_hour (
    station_id INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    pm25 REAL, pm10 REAL, so2 REAL, no2 REAL, co REAL, o3 REAL,
    batch_id INTEGER NOT NULL,
    source_row INTEGER NOT NULL,             -- line in the file (header = line 1)
    PRIMARY KEY (station_id, hour)
);

-- Data-quality flags kept with an import (warnings; errors abort the import instead).
CREATE TABLE air_import_issue (
    batch_id INTEGER NOT NULL,
    file VARCHAR NOT NULL,
    line INTEGER,
    "column" VARCHAR,
    value VARCHAR,
    reason VARCHAR NOT NULL,
    severity VARCHAR NOT NULL                -- warning
);
