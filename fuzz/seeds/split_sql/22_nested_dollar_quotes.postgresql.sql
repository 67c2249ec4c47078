1CREATE FUNCTION make_table(name text) RETURNS void AS $a$
BEGIN
    EXECUTE format($b$CREATE TABLE %I (id int); COMMENT ON TABLE %I IS 'made; here'$b$, name, name);
    PERFORM $$ $$;
END;
$a$ LANGUAGE plpgsql;
SELECT make_table('t1');
