-- BOM and CRLF
-- revision: a2
-- migrate:up
SELECT 1;
-- migrate:down
