2SET @s = 'ALTER TABLE t ADD c INT; ALTER TABLE t ADD d INT';
SET @exists = (SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'c');
SET @sql = IF(@exists = 0, 'ALTER TABLE t ADD COLUMN c INT', 'SELECT \'column exists; skipping\'');
PREPARE st FROM @sql;
EXECUTE st;
DEALLOCATE PREPARE st;
