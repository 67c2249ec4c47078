1CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION add_one(i integer) RETURNS integer
LANGUAGE plpgsql
AS $body$
DECLARE
    result integer;
BEGIN
    result := i + 1; -- a comment; inside the body
    RETURN result;
END
$body$;

CREATE TRIGGER users_touch BEFORE UPDATE ON users
FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
