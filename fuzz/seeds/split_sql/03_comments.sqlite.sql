0-- Leading comment; with a semicolon.
/* A block comment; also with one. */
CREATE TABLE t (
    a INTEGER, -- trailing comment; inside the statement
    /* inner; block */ b TEXT
);
-- between statements;
SELECT 1 /* before the terminator */ ;
SELECT 2 -- last comment; no terminator
