-- Index the lookups the dashboard makes
--
-- revision: a4f7e2c91d05
-- revises: 6ea05c2d7b39
-- created: 2026-11-21T11:00:00Z

-- migrate:up
CREATE INDEX ix_repositories_user_id ON repositories (user_id);
CREATE INDEX ix_vulnerabilities_scan_severity ON vulnerabilities (scan_id, severity);

-- migrate:down
DROP INDEX ix_vulnerabilities_scan_severity;
DROP INDEX ix_repositories_user_id;
