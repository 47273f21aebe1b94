-- 0006: catalogue v2. A target is one commitment; every sentence that states it is a statement.
-- The primary statement's document/section/quote stay on `target` (existing queries keep working).
ALTER TABLE target ADD COLUMN scope VARCHAR NOT NULL DEFAULT 'total';      -- total | each | average
ALTER TABLE target ADD COLUMN scope_stated BOOLEAN NOT NULL DEFAULT TRUE;  -- FALSE: inferred
ALTER TABLE target ADD COLUMN member_rule VARCHAR;  -- the plan's words for members it does not list
ALTER TABLE target ADD COLUMN year_stated BOOLEAN NOT NULL DEFAULT TRUE;   -- FALSE: see year_rule
ALTER TABLE target ADD COLUMN year_rule VARCHAR;
ALTER TABLE target ADD COLUMN n_statements INTEGER NOT NULL DEFAULT 1;

-- every sentence that states a target, the primary one included (is_primary)
CREATE TABLE target_statement (
    target_id VARCHAR NOT NULL,
    document VARCHAR NOT NULL,
    section VARCHAR NOT NULL,
    quote VARCHAR NOT NULL,
    line INTEGER,                 -- line of the quote in the document's seed text (1-based)
    kind VARCHAR NOT NULL,        -- the kind this sentence itself marks
    is_primary BOOLEAN NOT NULL,
    merged_from VARCHAR           -- the record id this statement was before restatements merged
);

-- ids of records merged into a target: they stay resolvable
CREATE TABLE target_alias (
    alias_id VARCHAR PRIMARY KEY,
    target_id VARCHAR NOT NULL
);

-- member regions of `each` (and `average`) targets
CREATE TABLE target_member (
    target_id VARCHAR NOT NULL,
    region VARCHAR NOT NULL,
    PRIMARY KEY (target_id, region)
);

-- policy instruments (eligibility thresholds, subsidies, classification bands, technical
-- standards): kept with the same provenance as targets; tracking never reads this table
CREATE TABLE instrument (
    id VARCHAR PRIMARY KEY,
    document_id VARCHAR NOT NULL,
    section VARCHAR NOT NULL,
    region_code VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    indicator_id VARCHAR,
    comparison VARCHAR,
    value DOUBLE,
    value_max DOUBLE,
    unit VARCHAR,
    text VARCHAR,
    year INTEGER,
    quote VARCHAR NOT NULL,
    line INTEGER,
    former_id VARCHAR,
    note VARCHAR,
    source_file VARCHAR NOT NULL,
    source_line INTEGER NOT NULL
);

-- ids an indicator had before a rename (water.groundwater_good_ratio -> water.groundwater_class_v_ratio)
ALTER TABLE indicator ADD COLUMN former_ids VARCHAR[] NOT NULL DEFAULT [];
