//! The six catalog queries `inspect` runs, whatever the number of tables. Each reads one
//! kind of catalog row for the whole schema at once (`pg_catalog` only: the
//! `information_schema` views are much slower, and lack identity, enums and partitions).
//!
//! The inspected schema is the session's `current_schema()`, the first schema of the
//! `search_path` the config set that exists; `NS` finds its oid once per query. Objects
//! are tied back to their table by oid (`attrelid`, `conrelid`, `indrelid`), never by a
//! query per table. Catalog names are qualified, so a user's object named like a catalog
//! function cannot stand in for it.

/// The inspected schema's oid (no row, and so no result anywhere, when `search_path`
/// names no schema that exists).
macro_rules! ns {
    () => {
        "(SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = pg_catalog.current_schema())"
    };
}

/// The tables whose columns, constraints and indexes are read: ordinary and partitioned
/// tables of the schema, not partitions (which are listed as unmanaged).
macro_rules! tables_of_the_schema {
    ($alias:literal) => {
        concat!(
            $alias,
            ".relnamespace = ",
            ns!(),
            " AND ",
            $alias,
            ".relkind IN ('r', 'p') AND NOT ",
            $alias,
            ".relispartition"
        )
    };
}

/// Every relation of the schema: oid, name, kind, whether a partition, comment, a view's
/// definition, a sequence's start and increment, its name as `regclass` prints it (what a
/// `nextval` default names), the column owning it (a `serial`'s or an identity's), and the
/// server's version number (which decides the later queries' text: no query of its own).
pub(super) const RELATIONS: &str = concat!(
    "SELECT c.oid, c.relname::text, c.relkind::text, c.relispartition, d.description, \
       CASE WHEN c.relkind = 'v' THEN pg_catalog.pg_get_viewdef(c.oid, true) END, \
       s.seqstart, s.seqincrement, c.oid::pg_catalog.regclass::text, \
       own.refobjid, own.refobjsubid, own.deptype::text, \
       pg_catalog.current_setting('server_version_num')::int \
     FROM pg_catalog.pg_class c \
     LEFT JOIN pg_catalog.pg_description d ON d.objoid = c.oid \
       AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = 0 \
     LEFT JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid \
     LEFT JOIN pg_catalog.pg_depend own ON c.relkind = 'S' \
       AND own.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND own.objid = c.oid \
       AND own.objsubid = 0 AND own.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass \
       AND own.refobjsubid > 0 AND own.deptype IN ('a', 'i') \
     WHERE c.relnamespace = ",
    ns!(),
    " AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
);

/// Every column of those tables in `attnum` order: table oid, number, name, the type as
/// written in DDL (see below), NOT NULL, the default's or generated expression, identity
/// and generated kinds, the collation when not the type's own, comment, the type's
/// category (`S` string, `N` numeric…), and the type as a cast in an expression prints it.
///
/// The type is `format_type`'s spelling (one for every way of writing it: `int4`, `int`
/// and `integer` are all `integer`), except for types outside `pg_catalog`: those are
/// unqualified when they live in the inspected schema and qualified otherwise, whatever
/// `search_path` makes visible. An array's element decides.
pub(super) const COLUMNS: &str = concat!(
    "SELECT a.attrelid, a.attnum, a.attname::text, \
       CASE WHEN b.typnamespace = 'pg_catalog'::pg_catalog.regnamespace \
         THEN pg_catalog.format_type(a.atttypid, a.atttypmod) \
       WHEN b.typnamespace = ",
    ns!(),
    " THEN CASE WHEN pg_catalog.pg_type_is_visible(b.oid) \
         THEN pg_catalog.format_type(a.atttypid, a.atttypmod) \
         ELSE pg_catalog.substr(pg_catalog.format_type(a.atttypid, a.atttypmod), \
           pg_catalog.length(pg_catalog.quote_ident(bn.nspname)) + 2) END \
       WHEN pg_catalog.pg_type_is_visible(b.oid) \
         THEN pg_catalog.quote_ident(bn.nspname) || '.' \
           || pg_catalog.format_type(a.atttypid, a.atttypmod) \
       ELSE pg_catalog.format_type(a.atttypid, a.atttypmod) END, \
       a.attnotnull, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true), \
       a.attidentity::text, a.attgenerated::text, \
       CASE WHEN a.attcollation <> t.typcollation THEN \
         CASE WHEN co.collnamespace IN ('pg_catalog'::pg_catalog.regnamespace, ",
    ns!(),
    ") THEN '' ELSE pg_catalog.quote_ident(cn.nspname) || '.' END \
         || pg_catalog.quote_ident(co.collname) END, \
       d.description, t.typcategory::text, pg_catalog.format_type(a.atttypid, NULL) \
     FROM pg_catalog.pg_attribute a \
     JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
     JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
     JOIN pg_catalog.pg_type b ON b.oid = CASE WHEN t.typelem <> 0 AND t.typlen = -1 \
       THEN t.typelem ELSE t.oid END \
     JOIN pg_catalog.pg_namespace bn ON bn.oid = b.typnamespace \
     LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
     LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation \
     LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
     LEFT JOIN pg_catalog.pg_description d ON d.objoid = a.attrelid \
       AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = a.attnum \
     WHERE ",
    tables_of_the_schema!("c"),
    " AND a.attnum > 0 AND NOT a.attisdropped \
     ORDER BY a.attrelid, a.attnum"
);

/// The server version (`server_version_num`) from which `pg_index.indnullsnotdistinct`
/// exists.
pub(super) const NULLS_NOT_DISTINCT_SINCE: i32 = 150_000;

/// Primary keys, unique, foreign-key, check and exclusion constraints: table oid, name,
/// kind, columns in key order, the referenced table (name, whether in this schema, its
/// schema) and columns, actions, deferrability, a check's definition, MATCH FULL, whether
/// validated, a unique constraint's NULLS NOT DISTINCT (`$nnd`: the column on PostgreSQL
/// 15 and later, `false` before), and NO INHERIT. A foreign key to a partitioned table has a
/// row per partition besides its own (`conparentid` set): only its own is read.
macro_rules! constraints {
    ($nnd:literal) => { concat!(
    "SELECT con.conrelid, con.conname::text, con.contype::text, \
       ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY k(n, i) \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n \
         ORDER BY k.i), \
       rc.relname::text, rc.relnamespace = ",
    ns!(),
    ", rn.nspname::text, \
       ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY k(n, i) \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n \
         ORDER BY k.i), \
       con.confupdtype::text, con.confdeltype::text, con.condeferrable, con.condeferred, \
       CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_constraintdef(con.oid, true) END, \
       con.confmatchtype = 'f', con.convalidated, \
       COALESCE(", $nnd, ", false), con.connoinherit \
     FROM pg_catalog.pg_constraint con \
     JOIN pg_catalog.pg_class c ON c.oid = con.conrelid \
     LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid \
     LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace \
     LEFT JOIN pg_catalog.pg_index ci ON con.contype = 'u' AND ci.indexrelid = con.conindid \
     WHERE ",
    tables_of_the_schema!("c"),
    " AND con.contype IN ('p', 'u', 'f', 'c', 'x') AND con.conparentid = 0"
) };
}

/// [`constraints!`] before PostgreSQL 15.
pub(super) const CONSTRAINTS: &str = constraints!("false");
/// [`constraints!`] on PostgreSQL 15 and later.
pub(super) const CONSTRAINTS_15: &str = constraints!("ci.indnullsnotdistinct");

/// Indexes that back no constraint of their table: table oid, name, unique, method, the
/// predicate, NULLS NOT DISTINCT (`$nnd`, as in [`constraints!`]), and per key column
/// (not the INCLUDE ones) its column name or expression, whether it is an expression, its
/// `indoption` bits (1 descending, 2 nulls first), its operator class where not a default
/// one, and its collation where not the column's (an expression's: its type's); then the
/// INCLUDE columns. Names of operator classes and collations are bare in `pg_catalog` and
/// the inspected schema, qualified elsewhere, as column collations are. The keys come from
/// one `unnest` of `indkey`, `indoption`, `indclass` and `indcollation` per index:
/// `generate_series` there would make the planner guess a thousand keys per index and pay
/// for JIT compilation (0.37 s of 0.43 s at 1,000 tables). The non-default operator classes
/// are gathered once into two arrays (`classes`) and found per key by `array_position`;
/// a collation, rarely set, is looked up by oid only where it differs. Joined, the planner
/// scanned both catalogs whole for every index (0.25 s at 1,000 tables), and a lookup per
/// key scanned pg_opclass per key (0.07 s); this way the query takes 0.04 s.
macro_rules! indexes {
    ($nnd:literal) => { concat!(
    "WITH classes AS MATERIALIZED (SELECT pg_catalog.array_agg(opc.oid) AS oids, \
       pg_catalog.array_agg(CASE WHEN opc.opcnamespace IN ('pg_catalog'::pg_catalog.regnamespace, ",
    ns!(),
    ") THEN '' ELSE pg_catalog.quote_ident(opn.nspname) || '.' END \
         || pg_catalog.quote_ident(opc.opcname)) AS names \
       FROM pg_catalog.pg_opclass opc \
       JOIN pg_catalog.pg_namespace opn ON opn.oid = opc.opcnamespace \
       WHERE NOT opc.opcdefault) \
     SELECT i.indrelid, ic.relname::text, i.indisunique, am.amname::text, \
       pg_catalog.pg_get_expr(i.indpred, i.indrelid, true), ", $nnd, ", \
       keys.texts, keys.expressions, keys.options, keys.classes, keys.collations, \
       COALESCE(keys.included, '{}') \
     FROM pg_catalog.pg_index i \
     JOIN pg_catalog.pg_class c ON c.oid = i.indrelid \
     JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
     JOIN pg_catalog.pg_am am ON am.oid = ic.relam \
     CROSS JOIN classes cl \
     CROSS JOIN LATERAL (SELECT \
         pg_catalog.array_agg(CASE WHEN k.attnum = 0 \
           THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.n::int, true) \
           ELSE a.attname::text END ORDER BY k.n) FILTER (WHERE k.n <= i.indnkeyatts) AS texts, \
         pg_catalog.array_agg(k.attnum = 0 ORDER BY k.n) \
           FILTER (WHERE k.n <= i.indnkeyatts) AS expressions, \
         pg_catalog.array_agg(k.option ORDER BY k.n) \
           FILTER (WHERE k.n <= i.indnkeyatts) AS options, \
         pg_catalog.array_agg(cl.names[pg_catalog.array_position(cl.oids, k.class)] \
             ORDER BY k.n) FILTER (WHERE k.n <= i.indnkeyatts) AS classes, \
         pg_catalog.array_agg(CASE WHEN k.coll <> 0 \
             AND k.coll <> COALESCE(a.attcollation, it.typcollation) THEN (SELECT \
             CASE WHEN co.collnamespace IN ('pg_catalog'::pg_catalog.regnamespace, ",
    ns!(),
    ") THEN '' ELSE pg_catalog.quote_ident(cn.nspname) || '.' END \
             || pg_catalog.quote_ident(co.collname) \
           FROM pg_catalog.pg_collation co \
           JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace \
           WHERE co.oid = k.coll) END ORDER BY k.n) \
           FILTER (WHERE k.n <= i.indnkeyatts) AS collations, \
         pg_catalog.array_agg(a.attname::text ORDER BY k.n) \
           FILTER (WHERE k.n > i.indnkeyatts) AS included \
       FROM ROWS FROM (pg_catalog.unnest(i.indkey::pg_catalog.int2[]), \
         pg_catalog.unnest(i.indoption::pg_catalog.int2[]), \
         pg_catalog.unnest(i.indclass::pg_catalog.oid[]), \
         pg_catalog.unnest(i.indcollation::pg_catalog.oid[])) \
         WITH ORDINALITY k(attnum, option, class, coll, n) \
       LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
       LEFT JOIN pg_catalog.pg_attribute ia ON ia.attrelid = i.indexrelid AND ia.attnum = k.n \
       LEFT JOIN pg_catalog.pg_type it ON it.oid = ia.atttypid) keys \
     WHERE ",
    tables_of_the_schema!("c"),
    " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con \
       WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid \
       AND con.contype IN ('p', 'u', 'x'))"
) };
}

/// [`indexes!`] before PostgreSQL 15.
pub(super) const INDEXES: &str = indexes!("false");
/// [`indexes!`] on PostgreSQL 15 and later.
pub(super) const INDEXES_15: &str = indexes!("i.indnullsnotdistinct");

/// The schema's enum types and their labels in `enumsortorder`.
pub(super) const ENUMS: &str = concat!(
    "SELECT t.typname::text, \
       ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid \
         ORDER BY e.enumsortorder) \
     FROM pg_catalog.pg_type t WHERE t.typtype = 'e' AND t.typnamespace = ",
    ns!()
);

/// What retort does not manage, as (kind, name, the table it is on): user triggers on
/// tables and views (not on partitions, which are listed themselves, nor the internal
/// ones of foreign keys); functions, procedures and aggregates with their argument types
/// (overloads are distinct objects); domains, composite and range types; row-level
/// security policies and rules (not a view's own `_RETURN`); and the database's extensions, but for `plpgsql`, which every database is created with.
/// Members of an extension are the extension's own and are not listed one by one, nor
/// are functions internal to another object (a range type's constructors).
pub(super) const UNMANAGED: &str = concat!(
    "SELECT 'trigger', tg.tgname::text || ' on ' || c.relname::text, c.relname::text \
     FROM pg_catalog.pg_trigger tg JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid \
     WHERE c.relnamespace = ",
    ns!(),
    " AND NOT c.relispartition AND NOT tg.tgisinternal \
     UNION ALL \
     SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' \
         ELSE 'function' END, \
       p.proname::text || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', \
       NULL \
     FROM pg_catalog.pg_proc p WHERE p.pronamespace = ",
    ns!(),
    " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e \
       WHERE e.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND e.objid = p.oid \
       AND e.deptype IN ('e', 'i')) \
     UNION ALL \
     SELECT CASE t.typtype WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range type' \
         ELSE 'composite type' END, t.typname::text, NULL \
     FROM pg_catalog.pg_type t \
     LEFT JOIN pg_catalog.pg_class r ON r.oid = t.typrelid \
     WHERE t.typnamespace = ",
    ns!(),
    " AND (t.typtype IN ('d', 'r') OR (t.typtype = 'c' AND r.relkind = 'c')) \
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e \
         WHERE e.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND e.objid = t.oid \
         AND e.deptype = 'e') \
     UNION ALL \
     SELECT 'policy', p.polname::text || ' on ' || c.relname::text, c.relname::text \
     FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid \
     WHERE c.relnamespace = ",
    ns!(),
    " UNION ALL \
     SELECT 'rule', r.rulename::text || ' on ' || c.relname::text, c.relname::text \
     FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class \
     WHERE c.relnamespace = ",
    ns!(),
    " AND r.rulename <> '_RETURN' \
     UNION ALL \
     SELECT 'extension', x.extname::text, NULL FROM pg_catalog.pg_extension x \
     WHERE x.extname <> 'plpgsql'"
);
