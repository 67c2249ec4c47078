2BEGIN NOT ATOMIC
    DECLARE x INT DEFAULT 0;
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE column_name = 'c') THEN
        ALTER TABLE t ADD COLUMN c INT;
    END IF;
    FOR i IN 1..3 DO
        SET x = x + i;
    END FOR;
END;
outer_block: BEGIN NOT ATOMIC
    SELECT 1;
END outer_block;
BEGIN;
UPDATE t SET c = 1;
COMMIT;
BEGIN WORK;
ROLLBACK;
