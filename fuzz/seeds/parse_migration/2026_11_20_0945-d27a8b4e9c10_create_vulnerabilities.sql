-- Create vulnerabilities
--
-- revision: d27a8b4e9c10
-- revises: 1b9e6f3c5d84
-- created: 2026-11-20T09:45:00Z

-- migrate:up
CREATE TABLE vulnerabilities (
    id INTEGER PRIMARY KEY,
    scan_id INTEGER NOT NULL,
    type VARCHAR(64) NOT NULL,
    severity VARCHAR(16) NOT NULL,
    file_path VARCHAR(1024) NOT NULL,
    line_number INTEGER,
    message TEXT,
    fixable BOOLEAN NOT NULL DEFAULT FALSE,
    confidence_score REAL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (scan_id) REFERENCES scans (id)
);

-- migrate:down
DROP TABLE vulnerabilities;
