1DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
    END IF;
END
$$;
DO LANGUAGE plpgsql $do$ BEGIN RAISE NOTICE 'done; really'; END $do$;
SELECT 1;
