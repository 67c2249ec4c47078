-- Add a column
--
-- revision: a1
-- revises: b1, c1
-- depends_on: d1
-- branch_labels: feat, other-x
-- created: 2026-01-02T03:04:05Z
-- transaction: false

-- migrate:up
SELECT 1;
-- migrate:up postgresql
CREATE INDEX CONCURRENTLY i ON t (c);
-- migrate:up mysql
ALTER TABLE t ADD INDEX i (c);
-- migrate:down
SELECT 2;
-- migrate:down sqlite3
