-- 0001: reference dictionaries, the plan-target catalogue and the observation history.
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);

CREATE TABLE domain (id VARCHAR PRIMARY KEY, name_zh VARCHAR NOT NULL, name_en VARCHAR NOT NULL);

CREATE TABLE region (
    code VARCHAR PRIMARY KEY,
    name_zh VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    type VARCHAR NOT NULL,
    parent_code VARCHAR,
    aliases VARCHAR[] NOT NULL,
    members VARCHAR[] NOT NULL,
    note VARCHAR
);

CREATE TABLE indicator (
    id VARCHAR PRIMARY KEY,
    domain VARCHAR NOT NULL,
    name_zh VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    polarity VARCHAR NOT NULL,
    aliases VARCHAR[] NOT NULL,
    method VARCHAR,
    note VARCHAR
);

CREATE TABLE document (
    id VARCHAR PRIMARY KEY,
    file VARCHAR NOT NULL,
    title_zh VARCHAR NOT NULL,
    title_en VARCHAR NOT NULL,
    issuer VARCHAR,
    issued DATE,
    scope VARCHAR NOT NULL,
    parent_id VARCHAR,
    note VARCHAR
);

CREATE TABLE target (
    id VARCHAR PRIMARY KEY,
    document_id VARCHAR NOT NULL,
    section VARCHAR NOT NULL,
    region_code VARCHAR NOT NULL,
    indicator_id VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    baseline_year INTEGER,
    baseline_value DOUBLE,
    target_year INTEGER NOT NULL,
    target_value DOUBLE,
    target_value_max DOUBLE,
    target_text VARCHAR,
    comparison VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    quote VARCHAR NOT NULL,
    conflicts_with VARCHAR[] NOT NULL,
    conflict_note VARCHAR,
    reconstructed BOOLEAN NOT NULL,
    reconstruction_note VARCHAR,
    reference VARCHAR,
    note VARCHAR,
    source_file VARCHAR NOT NULL,   -- the catalogue data file and line the record came from
    source_line INTEGER NOT NULL
);

-- Observations: every value of an indicator for a region and period, whatever its source.
-- Append-only: a correction is a new row whose `supersedes` names the row it replaces.
CREATE SEQUENCE observation_id_seq START 1;
CREATE TABLE observation (
    obs_id BIGINT PRIMARY KEY DEFAULT nextval('observation_id_seq'),
    region_code VARCHAR NOT NULL,
    indicator_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,            -- 'YYYY' for annual values, 'YYYY-MM', 'YYYY-01..11' ...
    year INTEGER NOT NULL,              -- the (last) year the value refers to
    measure VARCHAR NOT NULL DEFAULT 'level',   -- level, or a change against base_year
    base_year INTEGER,
    value DOUBLE,
    value_text VARCHAR,                 -- worded values (qualitative judgements)
    unit VARCHAR NOT NULL,
    source_type VARCHAR NOT NULL,       -- plan | bulletin | import | computed | judgement
    source_id VARCHAR NOT NULL,         -- achieved id, URL, file name, or method id
    source_detail VARCHAR,              -- section, file row, input files ...
    document_id VARCHAR,                -- the plan document, for values a plan reports
    quote VARCHAR,
    method VARCHAR,
    method_version VARCHAR,
    quality_flag VARCHAR NOT NULL DEFAULT 'ok',
    note VARCHAR,
    recorded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    recorded_by VARCHAR NOT NULL DEFAULT 'ecozone',
    supersedes BIGINT,
    reason VARCHAR
);

CREATE VIEW observation_current AS
SELECT o.* FROM observation o
WHERE NOT EXISTS (SELECT 1 FROM observation n WHERE n.supersedes = o.obs_id);
