-- Create scans
--
-- One run of the scanner over a repository.
--
-- revision: 1b9e6f3c5d84
-- revises: 8c3d47e1f0a2
-- created: 2026-11-20T09:30:00Z

-- migrate:up
CREATE TABLE scans (
    id INTEGER PRIMARY KEY,
    repository_id INTEGER NOT NULL,
    status VARCHAR(32) NOT NULL DEFAULT 'pending',
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    total_files INTEGER,
    issues_found INTEGER,
    FOREIGN KEY (repository_id) REFERENCES repositories (id)
);

-- migrate:down
DROP TABLE scans;
