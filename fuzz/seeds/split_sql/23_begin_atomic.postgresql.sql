1CREATE FUNCTION grade(score int) RETURNS text
    LANGUAGE SQL
    IMMUTABLE
BEGIN ATOMIC
    SELECT CASE
        WHEN score >= 90 THEN 'A'
        WHEN score >= 80 THEN 'B'
        ELSE 'C'
    END;
END;
CREATE PROCEDURE insert_two(a int, b int)
LANGUAGE SQL
BEGIN ATOMIC
  INSERT INTO tbl VALUES (a);
  INSERT INTO tbl VALUES (b);
END;
CALL insert_two(1, 2);
