1SELECT E'it\'s; escaped', 'plain '';'' quotes', U&'d\0061t;a', '5'::int, now()::date;
/* outer /* nested; */ still comment; */ SELECT "weird;""name" FROM t WHERE data->>'k;' = 'v' AND tags @> ARRAY['a;b']::text[];
SELECT $tag$;$tag$ || $$;$$ AS dollar_strings, B'0101', X'3B';
UPDATE t SET n = n + 1 WHERE id = ANY('{1,2}'::int[])
