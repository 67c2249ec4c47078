-- Backfill severity_rank from severity (a data migration)
--
-- revision: e91b5a7d2c36
-- revises: 3c8d1f6a0e57
-- created: 2026-11-22T08:45:00Z

-- migrate:up
UPDATE vulnerabilities
SET severity_rank = CASE lower(severity)
    WHEN 'critical' THEN 4
    WHEN 'high' THEN 3
    WHEN 'medium' THEN 2
    WHEN 'low' THEN 1
    ELSE 0
END;

-- migrate:down
UPDATE vulnerabilities SET severity_rank = NULL;
