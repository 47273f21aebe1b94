-- 0003: target tracking: evaluation snapshots (for "status changes since the last evaluation")
-- and the record of user import batches.
CREATE SEQUENCE tracking_run_id_seq START 1;
CREATE TABLE tracking_run (
    run_id BIGINT PRIMARY KEY DEFAULT nextval('tracking_run_id_seq'),
    evaluated_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    as_of INTEGER NOT NULL,            -- the evaluation year
    targets INTEGER NOT NULL,
    recorded_by VARCHAR NOT NULL DEFAULT 'ecozone',
    note VARCHAR
);

CREATE TABLE tracking_snapshot (
    run_id BIGINT NOT NULL,
    target_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    latest_year INTEGER,
    latest_value DOUBLE,
    projected_value DOUBLE,
    rate_ratio DOUBLE,
    reason_zh VARCHAR,
    reason_en VARCHAR,
    PRIMARY KEY (run_id, target_id)
);

CREATE SEQUENCE import_batch_id_seq START 1;
CREATE TABLE import_batch (
    batch_id BIGINT PRIMARY KEY DEFAULT nextval('import_batch_id_seq'),
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    rows INTEGER NOT NULL,
    added INTEGER NOT NULL,
    superseded INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    imported_by VARCHAR NOT NULL
);
