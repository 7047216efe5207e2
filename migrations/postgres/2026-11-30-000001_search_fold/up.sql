-- Searches ignore case and accents, and names sort in French order, the same on both
-- backends: SQLite calls the service's own functions (registered on each connection), and
-- PostgreSQL these two, built on the same table of letters (src/domain/search.rs; a test
-- compares them byte by byte).
CREATE FUNCTION fold(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT translate(replace(replace(t, 'œ', 'oe'), 'Œ', 'oe'),
        'ABCDEFGHIJKLMNOPQRSTUVWXYZàâäáÀÂÄÁçÇéèêëÉÈÊËîïÎÏôöÔÖùûüÙÛÜÿŸ',
        'abcdefghijklmnopqrstuvwxyzaaaaaaaacceeeeeeeeiiiioooouuuuuuyy')
$$;

-- Runs of digits padded to 20, so that 9 sorts before 10; bytes, so that the database's
-- collation does not reorder them.
CREATE FUNCTION sort_key(t text) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT convert_to(coalesce(string_agg(
        CASE WHEN r.m[1] ~ '^[0-9]' THEN lpad(r.m[1], 20, '0') ELSE r.m[1] END, '' ORDER BY r.n
    ), ''), 'UTF8')
    FROM regexp_matches(fold(t), '([0-9]+|[^0-9]+)', 'g') WITH ORDINALITY AS r(m, n)
$$;
