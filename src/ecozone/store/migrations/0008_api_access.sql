-- 0008: the web API's users, their tokens (stored hashed) and the append-only audit log (issue 10).
CREATE SEQUENCE api_user_id_seq START 1;
CREATE TABLE api_user (
    user_id INTEGER PRIMARY KEY DEFAULT nextval('api_user_id_seq'),
    name VARCHAR NOT NULL UNIQUE,
    role VARCHAR NOT NULL,                -- viewer | editor | admin
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    created_by VARCHAR NOT NULL,
    note VARCHAR
);

-- A token is shown once when created; only its SHA-256 is kept.  Revoked tokens stay (audit).
CREATE SEQUENCE api_token_id_seq START 1;
CREATE TABLE api_token (
    token_id INTEGER PRIMARY KEY DEFAULT nextval('api_token_id_seq'),
    user_id INTEGER NOT NULL,
    prefix VARCHAR NOT NULL,              -- first characters, to recognise a token in lists
    token_sha256 VARCHAR NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    created_by VARCHAR NOT NULL,
    revoked_at TIMESTAMP,
    revoked_by VARCHAR
);

-- Every accepted write: who, when, what, before and after (JSON text).  Rows are only inserted.
CREATE SEQUENCE audit_log_id_seq START 1;
CREATE TABLE audit_log (
    audit_id BIGINT PRIMARY KEY DEFAULT nextval('audit_log_id_seq'),
    recorded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    actor VARCHAR NOT NULL,               -- user name
    token_id INTEGER,
    role VARCHAR,
    action VARCHAR NOT NULL,              -- observations.import | observation.correct | target.judge | user.* | token.*
    object VARCHAR,                       -- what was written: batch, observation or target id
    before_json VARCHAR,
    after_json VARCHAR,
    client VARCHAR                        -- client address as the server saw it
);
