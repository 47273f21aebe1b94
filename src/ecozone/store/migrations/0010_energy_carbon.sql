-- 0010: the energy and carbon engine: the power emitters' registry and their yearly ledger.
-- Energy use and GDP are read from files (ecozone energy ... --input); their results are observations.
CREATE TABLE facility_list (
    list_id VARCHAR PRIMARY KEY,        -- e.g. hebei_ets_power_2022 (the data file's name)
    name VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    stated_count INTEGER,               -- the number the list's text states
    listed_count INTEGER NOT NULL,      -- the number of units it actually lists
    note VARCHAR
);

CREATE TABLE facility (
    facility_id VARCHAR PRIMARY KEY,    -- HB2022-001 …
    list_id VARCHAR NOT NULL,
    list_no INTEGER,                    -- the number in the published list
    name_zh VARCHAR NOT NULL,
    city_name VARCHAR,
    region_code VARCHAR,
    sector VARCHAR NOT NULL DEFAULT 'power'
);

-- verified emissions and allocated allowances per facility and year, as imported
CREATE TABLE facility_year (
    facility_id VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    verified_t DOUBLE,
    allowance_t DOUBLE,
    surrendered_t DOUBLE,               -- allowances surrendered (清缴的配额)
    ccer_t DOUBLE,                      -- CCER offsets surrendered (国家核证自愿减排量抵销)
    source_file VARCHAR NOT NULL,
    source_line INTEGER,
    imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (facility_id, year)
);

-- key-project reductions of COD, NH3-N, NOx and VOCs, as imported (10^4 t, the plans' unit)
CREATE TABLE pollutant_reduction (
    region_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    pollutant VARCHAR NOT NULL,         -- cod | nh3n | nox | vocs
    reduction_10kt DOUBLE NOT NULL,
    project VARCHAR,
    source_file VARCHAR NOT NULL,       -- a re-import of the same file replaces its rows
    source_line INTEGER,
    imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
