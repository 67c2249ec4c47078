-- Add a numeric severity rank, for sorting
--
-- revision: 3c8d1f6a0e57
-- revises: a4f7e2c91d05
-- created: 2026-11-22T08:30:00Z

-- migrate:up
ALTER TABLE vulnerabilities ADD COLUMN severity_rank INTEGER;

-- migrate:down
ALTER TABLE vulnerabilities DROP COLUMN severity_rank;
