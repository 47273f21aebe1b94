-- 0009: surface-water data (issue 11): section registry, target classes, import batches, samples.

-- The section registry: editable; sections a data file describes are registered on import.
CREATE TABLE water_section (
    code VARCHAR PRIMARY KEY,                -- official section code where known, else a stable id
    name_zh VARCHAR NOT NULL,
    name_en VARCHAR,
    water_type VARCHAR NOT NULL,             -- river | lake (湖库: total phosphorus has its own limits)
    river VARCHAR,                           -- river or lake name (所在水体)
    basin VARCHAR,                           -- basin (流域), e.g. 海河流域-大清河水系
    region_code VARCHAR,                     -- city (GB/T 2260) the section is assessed for
    level VARCHAR,                           -- national | provincial | municipal | NULL (unknown)
    groups VARCHAR[],                        -- region codes of water bodies/groups it counts toward
    drinking_source BOOLEAN NOT NULL DEFAULT FALSE,  -- a centralised drinking-water source (集中式饮用水水源地)
    source VARCHAR,                          -- where the record came from
    note VARCHAR
);

-- Target class of a section by year (1..5; a target is never 劣Ⅴ).
CREATE TABLE water_section_target (
    code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    target_class INTEGER NOT NULL,
    source VARCHAR,
    PRIMARY KEY (code, year)
);

-- One row per imported file: the provenance of every sample.
CREATE SEQUENCE water_import_batch_seq START 1;
CREATE TABLE water_import_batch (
    batch_id INTEGER PRIMARY KEY,
    file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    format VARCHAR NOT NULL,                 -- long | wide | cnemc
    rows_read BIGINT NOT NULL,
    samples_added BIGINT NOT NULL,
    samples_unchanged BIGINT NOT NULL,
    imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Section results, long: one value per section, sampling time and item (Table 1 unit; chla
-- mg/m³, sd m).  A month-only date is stored as the first of the month, month_only TRUE.
CREATE TABLE water_sample (
    section_code VARCHAR NOT NULL,
    sampled_at TIMESTAMP NOT NULL,
    month_only BOOLEAN NOT NULL,
    item VARCHAR NOT NULL,
    value DOUBLE NOT NULL,                   -- the value the statistics use (DL/2 below detection)
    below_dl BOOLEAN NOT NULL DEFAULT FALSE, -- reported as '<DL>L': value = DL / 2
    raw VARCHAR,                             -- the cell as the file wrote it
    batch_id INTEGER NOT NULL,
    source_row INTEGER NOT NULL,             -- line (CSV) or row (Excel) in the file
    PRIMARY KEY (section_code, sampled_at, item)
);
