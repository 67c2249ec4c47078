2# A hash comment; MySQL only
INSERT INTO t (a, b) VALUES ('it\'s;', "double \"quoted\"; string"); # trailing; comment
SELECT `weird;name`, 'a\\' FROM t -- dash comment; needs a space
WHERE x = 1 --1 is arithmetic, not a comment
;
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40014 SET FOREIGN_KEY_CHECKS=0 */;
SET @x := 1, @@session.sql_mode = 'ANSI;QUOTES';
/* plain; comment */ SELECT @x;
