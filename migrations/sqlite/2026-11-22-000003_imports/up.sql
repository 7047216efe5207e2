-- Every uploaded file: its fingerprint (to refuse the same file twice), progress and report.
-- Job state lives here so that several instances on one PostgreSQL serve the same users.
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    buyer_id BIGINT REFERENCES buyers (id),
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    uploaded_by BIGINT REFERENCES users (id),
    status TEXT NOT NULL,
    rows_total INTEGER NOT NULL DEFAULT 0 CHECK (rows_total >= 0),
    rows_done INTEGER NOT NULL DEFAULT 0 CHECK (rows_done >= 0),
    rows_written INTEGER NOT NULL DEFAULT 0 CHECK (rows_written >= 0),
    error_count INTEGER NOT NULL DEFAULT 0 CHECK (error_count >= 0),
    report TEXT,
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP
);
CREATE INDEX ix_imports_fingerprint ON imports (kind, buyer_id, sha256);
CREATE INDEX ix_imports_status ON imports (status);
