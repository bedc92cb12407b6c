-- The nested statements each case ran (pg_stat_statements, when it is
-- installed), stored per case in tasker_bench.statement_results.

-- How many statements per case to keep.
CREATE FUNCTION tasker_bench._statements_top() RETURNS integer
    AS 'MODULE_PATHNAME', 'tb_statements_top_get' LANGUAGE C STABLE PARALLEL SAFE;

/*
 * The schema of pg_stat_statements when nested statements can be collected
 * from it: the library is loaded (shared_preload_libraries), the extension
 * exists in this database, and pg_stat_statements.track = all.  Otherwise
 * NULL, after a NOTICE (once per session) saying what is missing.
 */
CREATE FUNCTION tasker_bench._pgss_schema() RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_schema text;
    v_track text;
    v_why text;
BEGIN
    SELECT n.nspname INTO v_schema
      FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pg_stat_statements';
    -- pg_stat_statements defines its settings only when preloaded: absent from pg_settings, it is not loaded
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_settings WHERE name = 'pg_stat_statements.max') THEN
        v_why := 'pg_stat_statements is not loaded';
    ELSIF v_schema IS NULL THEN
        v_why := 'the extension pg_stat_statements is not created in this database';
    ELSE
        v_track := current_setting('pg_stat_statements.track', true);
        IF v_track IS DISTINCT FROM 'all' THEN
            v_why := format('pg_stat_statements.track is "%s": nested statements are tracked only with "all"', v_track);
        END IF;
    END IF;
    IF v_why IS NULL THEN
        RETURN v_schema;
    END IF;
    IF current_setting('tasker_bench_session.statements_notice', true) IS DISTINCT FROM 'given' THEN
        PERFORM set_config('tasker_bench_session.statements_notice', 'given', false);
        IF NOT tasker_bench._quiet() THEN
            RAISE NOTICE 'tasker_bench: nested statements are not collected (%); runs are measured and stored without them', v_why
                USING HINT = 'To collect them: shared_preload_libraries = ''pg_stat_statements'' (restart), '
                             'pg_stat_statements.track = all, and CREATE EXTENSION pg_stat_statements in this database.';
        END IF;
    END IF;
    RETURN NULL;
END
$$;

/*
 * The counters of the caller's nested statements in this database:
 * {"schema": <pg_stat_statements' schema>, "counters": {queryid: [calls,
 * total_ms, rows, shared hit, read, dirtied, written, temp read, temp
 * written]}}.  NULL when pg_stat_statements is not usable.  Reads the
 * counters only (no query texts), so it is cheap.
 */
CREATE FUNCTION tasker_bench._statements_snapshot() RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_schema text := tasker_bench._pgss_schema();
    v_snap jsonb;
BEGIN
    IF v_schema IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format($q$
        SELECT /* tasker_bench._statements_snapshot */
               coalesce(jsonb_object_agg(s.queryid::text,
                            jsonb_build_array(s.calls, s.total_exec_time + s.total_plan_time, s.rows,
                                              s.shared_blks_hit, s.shared_blks_read, s.shared_blks_dirtied,
                                              s.shared_blks_written, s.temp_blks_read, s.temp_blks_written)),
                        '{}')
          FROM %I.pg_stat_statements(false) s
         WHERE s.userid = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
           AND s.dbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
           AND NOT s.toplevel AND s.queryid IS NOT NULL$q$, v_schema)
      INTO v_snap;
    RETURN jsonb_build_object('schema', v_schema, 'counters', v_snap);
END
$$;

COMMENT ON FUNCTION tasker_bench._statements_snapshot() IS
    'Counters of the caller''s nested statements (pg_stat_statements) before a case; NULL without pg_stat_statements';

/*
 * What ran since the snapshot: per statement the difference of the
 * counters (all of it when the entry was reset or is new), with its text,
 * most total time first.  Statements that mention tasker_bench (the
 * harness's own) are left out.  Keeps a few more than tasker_bench._store_statements
 * will store, as it still removes the case's own statement.  Runs no
 * statement before reading pg_stat_statements (anything it ran would be
 * counted as the case's).
 */
CREATE FUNCTION tasker_bench._statements_since(before jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_out jsonb;
BEGIN
    IF before IS NULL OR before->>'schema' IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format($q$
        SELECT /* tasker_bench._statements_since */
               coalesce(jsonb_agg(to_jsonb(d) ORDER BY d.total_ms DESC, d.queryid), '[]')
          FROM (SELECT c.*
                  FROM (SELECT s.queryid, s.query,
                               s.calls - CASE WHEN r THEN 0 ELSE (b.v->>0)::bigint END AS calls,
                               (s.total_exec_time + s.total_plan_time)
                                 - CASE WHEN r THEN 0 ELSE (b.v->>1)::float8 END AS total_ms,
                               s.rows - CASE WHEN r THEN 0 ELSE (b.v->>2)::bigint END AS rows,
                               s.shared_blks_hit - CASE WHEN r THEN 0 ELSE (b.v->>3)::bigint END AS shared_blks_hit,
                               s.shared_blks_read - CASE WHEN r THEN 0 ELSE (b.v->>4)::bigint END AS shared_blks_read,
                               s.shared_blks_dirtied - CASE WHEN r THEN 0 ELSE (b.v->>5)::bigint END AS shared_blks_dirtied,
                               s.shared_blks_written - CASE WHEN r THEN 0 ELSE (b.v->>6)::bigint END AS shared_blks_written,
                               s.temp_blks_read - CASE WHEN r THEN 0 ELSE (b.v->>7)::bigint END AS temp_blks_read,
                               s.temp_blks_written - CASE WHEN r THEN 0 ELSE (b.v->>8)::bigint END AS temp_blks_written
                          FROM %I.pg_stat_statements(true) s
                          LEFT JOIN jsonb_each($1) b(k, v) ON b.k = s.queryid::text
                         CROSS JOIN LATERAL (SELECT b.v IS NULL OR s.calls < (b.v->>0)::bigint AS r) reset
                         WHERE s.userid = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
                           AND s.dbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
                           AND NOT s.toplevel AND s.queryid IS NOT NULL
                           AND s.query !~ 'tasker_bench[._]') c
                 WHERE c.calls > 0
                 ORDER BY c.total_ms DESC, c.queryid
                 LIMIT $2) d$q$, before->>'schema')
      INTO v_out USING coalesce(before->'counters', '{}'), tasker_bench._statements_top() + 20;
    RETURN v_out;
END
$$;

COMMENT ON FUNCTION tasker_bench._statements_since(jsonb) IS
    'The nested statements run since tasker_bench._statements_snapshot(): counters after minus before, with texts';

/*
 * The query identifier pg_stat_statements gives a statement without $n
 * parameters (EXPLAIN VERBOSE shows it when compute_query_id is on), with
 * the given search_path; NULL when it cannot be had.
 */
CREATE FUNCTION tasker_bench._query_id(p_sql text, p_search_path text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_plan json;
    v_path text;
BEGIN
    IF p_sql IS NULL OR p_sql ~ '\$[0-9]' THEN
        RETURN NULL;
    END IF;
    IF p_search_path IS NOT NULL THEN
        v_path := current_setting('search_path');
        PERFORM set_config('search_path', p_search_path, true);
    END IF;
    BEGIN
        EXECUTE 'EXPLAIN (VERBOSE, FORMAT JSON) ' || p_sql INTO v_plan;
    EXCEPTION WHEN OTHERS THEN
        v_plan := NULL;
    END;
    IF v_path IS NOT NULL THEN
        PERFORM set_config('search_path', v_path, true);
    END IF;
    RETURN (v_plan->0->>'Query Identifier')::bigint;
END
$$;

/*
 * Store the statements a case ran (from tasker_bench._statements_since).
 * Before the top N (tasker_bench.statements_top, default 10) are kept, it
 * removes the case's own statement (its query identifier, from EXPLAIN
 * VERBOSE; or, for a statement with $n, its text, with constants as $n,
 * starts the case's SQL and it ran once per iteration and warmup
 * iteration), the params query (its query identifier) and statements from
 * the bodies of tasker_bench's functions (e.g. sampling in a params query).  For each kept statement it looks for the function
 * whose source holds it (in_function: among the SQL and PL/pgSQL functions
 * called by name in the case's SQL, params or the statements, the one
 * whose source contains the statement's text up to its first $n, or, for
 * a SELECT ... INTO of PL/pgSQL, its select list and its FROM part) and for
 * its caller (parent_queryid: a kept statement with more total time that
 * calls that function).  Both are best effort, for tasker_bench_folded().
 */
CREATE FUNCTION tasker_bench._store_statements(run_id bigint, case_name text, statements jsonb)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_res record;
    v_top integer := tasker_bench._statements_top();
    v_tb oid := (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'tasker_bench');
    v_path text;
    v_case_qid bigint;
    v_params_qid bigint;
BEGIN
    IF statements IS NULL OR jsonb_typeof(statements) <> 'array' OR jsonb_array_length(statements) = 0
       OR v_top = 0 THEN
        RETURN;
    END IF;
    SELECT r.sql, r.params, r.n, r.warmup_n INTO v_res
      FROM tasker_bench.results r
     WHERE r.run_id = _store_statements.run_id AND r.case_name = _store_statements.case_name;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT c.search_path INTO v_path FROM tasker_bench.cases c
     WHERE c.name = _store_statements.case_name AND (c.builtin OR c.owner = current_user);
    v_case_qid := tasker_bench._query_id(v_res.sql, v_path);
    v_params_qid := tasker_bench._query_id(v_res.params, v_path);

    INSERT INTO tasker_bench.statement_results
        (run_id, case_name, ordinal, queryid, query, calls, total_ms, mean_us, rows,
         shared_blks_hit, shared_blks_read, shared_blks_dirtied, shared_blks_written,
         temp_blks_read, temp_blks_written, in_function, parent_queryid)
    WITH s0 AS (
        SELECT x.*, n.norm, f.prefix,
               -- PL/pgSQL blanks out an INTO clause: match "SELECT list" and "FROM ..." apart
               substring(f.prefix FROM '(?i)^(select .*?) from ') AS sel,
               substring(f.prefix FROM '(?i)^select .*? (from .*)$') AS frm
          FROM jsonb_to_recordset(statements) AS x(
                   queryid bigint, query text, calls bigint, total_ms float8, rows bigint,
                   shared_blks_hit bigint, shared_blks_read bigint, shared_blks_dirtied bigint,
                   shared_blks_written bigint, temp_blks_read bigint, temp_blks_written bigint)
         CROSS JOIN LATERAL (SELECT btrim(regexp_replace(x.query, '\s+', ' ', 'g'), ' ;') AS norm) n
         CROSS JOIN LATERAL (SELECT regexp_replace(n.norm, '\$[0-9].*$', '') AS prefix) f
         WHERE x.queryid IS NOT NULL AND x.calls > 0
    ), case_sql AS (
        SELECT lower(btrim(regexp_replace(v_res.sql, '\s+', ' ', 'g'), ' ;')) AS norm
    ), names AS (
        SELECT DISTINCT m[1] AS name
          FROM (SELECT s0.query AS t FROM s0 UNION ALL SELECT v_res.sql UNION ALL SELECT v_res.params) texts,
               regexp_matches(texts.t, '([A-Za-z_][A-Za-z0-9_$]*)"?\s*\(', 'g') m
    ), funcs AS MATERIALIZED (
        SELECT p.oid, p.proname, p.pronamespace,
               regexp_replace(p.prosrc, '\s+', ' ', 'g') AS src
          FROM pg_catalog.pg_proc p
         WHERE (p.proname IN (SELECT name FROM names UNION SELECT lower(name) FROM names)
                OR p.pronamespace = v_tb)      -- tasker_bench's own: the harness
           AND p.prolang IN (SELECT l.oid FROM pg_catalog.pg_language l WHERE l.lanname IN ('sql', 'plpgsql'))
           AND p.pronamespace <> 'pg_catalog'::regnamespace
    ), s1 AS (
        SELECT s0.*, o.oid AS fn, o.proname AS fn_name, o.pronamespace AS fn_nsp,
               (coalesce(s0.queryid = v_case_qid, false)
                OR s0.calls BETWEEN v_res.n + v_res.warmup_n AND v_res.n + v_res.warmup_n + 1
                AND CASE WHEN s0.norm ~ '\$[0-9]'
                         THEN starts_with((SELECT norm FROM case_sql), lower(s0.prefix))
                         ELSE (SELECT norm FROM case_sql) = lower(s0.norm) END) AS is_case
          FROM s0
          LEFT JOIN LATERAL (
                SELECT f.oid, f.proname, f.pronamespace FROM funcs f
                 WHERE (length(s0.prefix) >= 12 AND strpos(f.src, s0.prefix) > 0)
                    OR (length(s0.sel) >= 8 AND length(s0.frm) >= 12
                        AND strpos(f.src, s0.sel) > 0
                        AND strpos(f.src, s0.frm) > strpos(f.src, s0.sel))
                 ORDER BY f.pronamespace = v_tb, f.oid
                 LIMIT 1) o ON true
    ), kept AS (
        SELECT s1.*, row_number() OVER (ORDER BY s1.total_ms DESC, s1.queryid)::integer AS ord
          FROM s1
         WHERE s1.is_case IS NOT TRUE AND s1.queryid IS DISTINCT FROM v_params_qid
           AND s1.fn_nsp IS DISTINCT FROM v_tb
         ORDER BY s1.total_ms DESC, s1.queryid
         LIMIT v_top
    )
    SELECT _store_statements.run_id, _store_statements.case_name, k.ord, k.queryid, k.query,
           k.calls, k.total_ms, k.total_ms * 1000.0 / k.calls, k.rows,
           coalesce(k.shared_blks_hit, 0), coalesce(k.shared_blks_read, 0),
           coalesce(k.shared_blks_dirtied, 0), coalesce(k.shared_blks_written, 0),
           coalesce(k.temp_blks_read, 0), coalesce(k.temp_blks_written, 0),
           k.fn::regprocedure::text,
           (SELECT p.queryid FROM kept p
             WHERE k.fn IS NOT NULL AND p.ord < k.ord
               AND p.query ~* ('(^|[^A-Za-z0-9_$])"?'
                               || regexp_replace(k.fn_name, '([^A-Za-z0-9_])', '\\\1', 'g')
                               || '"?\s*\(')
             ORDER BY p.ord LIMIT 1)
      FROM kept k;
END
$$;

COMMENT ON FUNCTION tasker_bench._store_statements(bigint, text, jsonb) IS
    'Stores the top nested statements of a case (tasker_bench.statement_results)';
