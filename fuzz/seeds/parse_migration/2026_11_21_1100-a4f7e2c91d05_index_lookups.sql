-- Index the lookups the dashboard makes
--
-- revision: a4f7e2c91d05
-- revises: 6ea05c2d7b39
-- created: 2026-11-21T11:00:00Z

-- migrate:up
CREATE INDEX ix_repositories_repo_name ON repositories (repo_name);
CREATE INDEX ix_vulnerabilities_severity ON vulnerabilities (severity, created_at);

-- migrate:down
DROP INDEX ix_vulnerabilities_severity;
DROP INDEX ix_repositories_repo_name;

-- MySQL and MariaDB name the table in DROP INDEX.
-- migrate:down mysql
DROP INDEX ix_vulnerabilities_severity ON vulnerabilities;
DROP INDEX ix_repositories_repo_name ON repositories;
