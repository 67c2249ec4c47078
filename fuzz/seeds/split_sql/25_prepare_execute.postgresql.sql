1PREPARE fetch_user (int) AS
    SELECT * FROM users WHERE id = $1 AND note <> ';';
EXECUTE fetch_user(1);
DEALLOCATE fetch_user;
