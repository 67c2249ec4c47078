-- Create pull requests
--
-- Fix-up pull requests opened from a scan.
--
-- revision: 6ea05c2d7b39
-- revises: d27a8b4e9c10
-- created: 2026-11-20T10:00:00Z

-- migrate:up
CREATE TABLE pull_requests (
    id INTEGER PRIMARY KEY,
    scan_id INTEGER NOT NULL,
    pr_url VARCHAR(1024),
    branch_name VARCHAR(255) NOT NULL,
    status VARCHAR(32) NOT NULL DEFAULT 'created',
    fixes_applied INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (scan_id) REFERENCES scans (id)
);

-- migrate:down
DROP TABLE pull_requests;
