-- Profiling and continuous benchmarking:
--   * the nested statements each case ran (pg_stat_statements), stored per
--     case in tasker_bench.statement_results;
--   * tasker_bench_folded(run_id): folded stacks for flamegraph.pl / inferno;
--   * tasker_bench_run_suite: a procedure that runs a case or suite and
--     commits after each case;
--   * tasker_bench_schedule / tasker_bench_unschedule through pg_cron;
--   * history (tasker_bench.history), regression alerts (tasker_bench.alerts
--     and NOTIFY tasker_bench_alerts) and retention (tasker_bench_prune).

-- The schema tasker_bench's user-facing functions live in.
-- The schema holding the user-facing functions (tasker_bench_run...): the
-- extension's schema, or public when CREATE EXTENSION chose another schema
-- only because it came first on the search_path (see sql_src/00_schema.sql).
CREATE FUNCTION tasker_bench._ext_schema() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT n.nspname::text
           FROM pg_catalog.pg_depend d
           JOIN pg_catalog.pg_proc p ON p.oid = d.objid AND d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
           JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
           JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
                                         AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
          WHERE e.extname = 'tasker_bench' AND d.deptype = 'e' AND p.proname = 'tasker_bench_run'
          LIMIT 1),
        (SELECT n.nspname::text FROM pg_catalog.pg_extension e
           JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
          WHERE e.extname = 'tasker_bench'))
$$;

-- ---------------------------------------------------------------------------
-- Nested statements (pg_stat_statements)
-- ---------------------------------------------------------------------------

/*
 * A table (not a view): the figures are a difference of two snapshots of
 * pg_stat_statements taken around the case, so they must be stored when the
 * case is; the contract's "view tasker_bench.statement_results" is met by
 * this table with its columns.
 */
CREATE TABLE tasker_bench.statement_results (
    run_id      bigint NOT NULL,
    case_name   text NOT NULL,
    ordinal     integer NOT NULL,       -- 1 = the most total time
    queryid     bigint NOT NULL,
    query       text NOT NULL,
    calls       bigint NOT NULL,
    total_ms    float8 NOT NULL,
    mean_us     float8,
    rows        bigint NOT NULL,
    shared_blks_hit     bigint NOT NULL DEFAULT 0,
    shared_blks_read    bigint NOT NULL DEFAULT 0,
    shared_blks_dirtied bigint NOT NULL DEFAULT 0,
    shared_blks_written bigint NOT NULL DEFAULT 0,
    temp_blks_read      bigint NOT NULL DEFAULT 0,
    temp_blks_written   bigint NOT NULL DEFAULT 0,
    in_function text,                   -- the function whose body holds the statement (best effort)
    parent_queryid bigint,              -- the stored statement that calls in_function (best effort)
    run_by      name NOT NULL DEFAULT current_user,
    PRIMARY KEY (run_id, case_name, queryid),
    FOREIGN KEY (run_id, case_name) REFERENCES tasker_bench.results (run_id, case_name) ON DELETE CASCADE
);
COMMENT ON TABLE tasker_bench.statement_results IS
    'Per case of a run: the top statements (by total time) that ran nested inside it, from pg_stat_statements '
    '(loaded, track = all, extension created in the database). calls, rows, total_ms and the block counts are totals '
    'over the warmup and the measured iterations (results.warmup_n + results.n); mean_us = total_ms / calls. '
    'The case''s own statement and tasker_bench''s internals are left out. A table, so it serves as the view '
    'tasker_bench.statement_results of the contract.';
COMMENT ON COLUMN tasker_bench.statement_results.total_ms IS
    'Execution (plus planning, with pg_stat_statements.track_planning) time over warmup and measured iterations';
COMMENT ON COLUMN tasker_bench.statement_results.in_function IS
    'The SQL or PL/pgSQL function whose source holds the statement, found by text (best effort; NULL if unknown)';
COMMENT ON COLUMN tasker_bench.statement_results.parent_queryid IS
    'A stored statement of the same case, with more total time, that calls in_function: the caller in '
    'tasker_bench_folded() (best effort; NULL: called by the case''s statement or unknown)';
ALTER TABLE tasker_bench.statement_results ENABLE ROW LEVEL SECURITY;
CREATE POLICY statement_results_own ON tasker_bench.statement_results FOR ALL
    USING (run_by = current_user) WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));
SELECT pg_catalog.pg_extension_config_dump('tasker_bench.statement_results', '');

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

-- ---------------------------------------------------------------------------
-- Folded stacks for flame graphs
-- ---------------------------------------------------------------------------

/* One frame of a folded stack: no ';', no line breaks or tabs, trimmed, short, never empty. */
CREATE FUNCTION tasker_bench._frame(t text, max_len integer DEFAULT 120) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN f = '' THEN '(unnamed)' ELSE f END
      FROM (SELECT CASE WHEN length(c) > max_len THEN rtrim(left(c, greatest(max_len - 3, 1))) || '...'
                        ELSE c END AS f
              FROM (SELECT btrim(regexp_replace(replace(coalesce(t, ''), ';', ','),
                                                '[[:space:][:cntrl:]]+', ' ', 'g')) AS c) a) b
$$;

CREATE FUNCTION tasker_bench_folded(run_id bigint DEFAULT NULL) RETURNS SETOF text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_run bigint := tasker_bench_folded.run_id;
BEGIN
    IF v_run IS NULL THEN
        SELECT r.id INTO v_run FROM tasker_bench.runs r
         WHERE r.run_by = current_user AND r.status = 'completed'
         ORDER BY r.id DESC LIMIT 1;
        IF v_run IS NULL THEN
            RAISE EXCEPTION 'you have no completed run' USING ERRCODE = '42704',
                HINT = 'Run a case or suite first (tasker_bench_run), or pass run_id.';
        END IF;
    ELSIF NOT EXISTS (SELECT 1 FROM tasker_bench.runs r WHERE r.id = v_run) THEN
        RAISE EXCEPTION 'run % does not exist or is not yours', v_run USING ERRCODE = '42704',
            HINT = 'SELECT id, kind, what, label, status FROM tasker_bench.runs ORDER BY id DESC lists your runs.';
    END IF;

    RETURN QUERY
    WITH RECURSIVE res AS (
        SELECT r.case_name, r.ordinal,
               tasker_bench._frame(coalesce(r.suite, 'adhoc')) || ';' || tasker_bench._frame(r.case_name) AS stack,
               greatest(coalesce(r.mean_us, 0) * r.n, 0) AS total_us,
               r.n::float8 / greatest(r.n + r.warmup_n, 1) AS scale,
               EXISTS (SELECT 1 FROM tasker_bench.phase_results p
                        WHERE p.run_id = r.run_id AND p.case_name = r.case_name) AS has_phases
          FROM tasker_bench.results r
         WHERE r.run_id = v_run
    ), st AS (
        -- statements of cases without phases (statements cannot be placed in a phase)
        SELECT s.case_name, s.queryid, s.parent_queryid, s.ordinal, s.query,
               s.total_ms * 1000.0 * res.scale AS us
          FROM tasker_bench.statement_results s JOIN res ON res.case_name = s.case_name
         WHERE s.run_id = v_run AND NOT res.has_phases
    ), tree AS (
        SELECT st.case_name, st.queryid, st.us, ARRAY[st.ordinal] AS sortkey,
               tasker_bench._frame(st.query) AS path, true AS root
          FROM st
         WHERE st.parent_queryid IS NULL
            OR NOT EXISTS (SELECT 1 FROM st p WHERE p.case_name = st.case_name
                                                AND p.queryid = st.parent_queryid)
        UNION ALL
        SELECT c.case_name, c.queryid, c.us, t.sortkey || c.ordinal,
               t.path || ';' || tasker_bench._frame(c.query), false
          FROM tree t JOIN st c ON c.case_name = t.case_name AND c.parent_queryid = t.queryid
         WHERE cardinality(t.sortkey) < 100
    ), fit AS (
        -- nested statements overlap the case's time; never let them exceed it
        SELECT res.case_name,
               CASE WHEN coalesce(sum(tree.us) FILTER (WHERE tree.root), 0) > res.total_us
                    THEN res.total_us / sum(tree.us) FILTER (WHERE tree.root) ELSE 1 END AS f,
               coalesce(sum(tree.us) FILTER (WHERE tree.root), 0) AS roots_us
          FROM res LEFT JOIN tree ON tree.case_name = res.case_name
         GROUP BY res.case_name, res.total_us
    ), lines AS (
        -- phases
        SELECT res.ordinal AS case_ord, 1 AS kind, ARRAY[p.ordinal] AS sortkey,
               res.stack || ';' || tasker_bench._frame(p.phase) AS stack,
               greatest(coalesce(p.mean_us, 0) * p.n, 0) AS us
          FROM res JOIN tasker_bench.phase_results p
            ON p.run_id = v_run AND p.case_name = res.case_name
        UNION ALL
        -- the case's own (self) time
        SELECT res.ordinal, 0, '{}'::integer[], res.stack,
               greatest(res.total_us - fit.roots_us * fit.f, 0)
          FROM res JOIN fit ON fit.case_name = res.case_name
         WHERE NOT res.has_phases
        UNION ALL
        -- statements: their self time (minus the statements they call)
        SELECT res.ordinal, 2, t.sortkey, res.stack || ';' || t.path,
               greatest(t.us - coalesce((SELECT sum(c.us) FROM st c
                                          WHERE c.case_name = t.case_name
                                            AND c.parent_queryid = t.queryid
                                            AND c.queryid <> t.queryid), 0), 0) * fit.f
          FROM tree t JOIN res ON res.case_name = t.case_name
          JOIN fit ON fit.case_name = t.case_name
    )
    SELECT l.stack || ' ' || round(l.us)::bigint
      FROM lines l
     WHERE l.kind <> 2 OR round(l.us) > 0
     ORDER BY l.case_ord, l.kind, l.sortkey;
END
$$;
COMMENT ON FUNCTION tasker_bench_folded(bigint) IS
    'Folded stacks of a run (default: your latest completed run) for flamegraph.pl or inferno: '
    'suite;case[;phase | ;statement[;nested statement...]] value, value = microseconds of total time (mean x n). '
    'A case with phases gives one line per phase; otherwise its nested statements (tasker_bench.statement_results, '
    'scaled to the measured iterations, nested by their caller where known, each with its self time) and the '
    'case''s remaining time as suite;case';

-- ---------------------------------------------------------------------------
-- Runs as a procedure, history, alerts
-- ---------------------------------------------------------------------------

-- A baseline name must exist (baselines come from tasker_bench_baseline).
CREATE FUNCTION tasker_bench._check_baseline(p_baseline text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_found boolean := false;
BEGIN
    IF p_baseline IS NULL THEN
        RETURN;
    END IF;
    IF to_regclass('tasker_bench.baselines') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM tasker_bench.baselines b WHERE b.name = $1 AND b.run_by = current_user)'
          INTO v_found USING p_baseline;
    END IF;
    IF NOT v_found THEN
        RAISE EXCEPTION 'no baseline named "%"', p_baseline USING ERRCODE = '42704',
            HINT = 'SELECT name, run_id FROM tasker_bench.baselines lists your baselines; tasker_bench_baseline(name) names a run. Leave baseline out to compare with the rolling median of recent runs.';
    END IF;
END
$$;

/*
 * Runs left 'running' by a backend that is gone (crash, terminate, server
 * restart) or by this backend (a new run starts here, so the old one is
 * not running) become 'interrupted'.  Returns how many.
 */
CREATE FUNCTION tasker_bench._mark_interrupted_runs() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_n integer;
BEGIN
    UPDATE tasker_bench.runs r
       SET status = 'interrupted',
           finished_at = coalesce(r.finished_at, clock_timestamp()),
           error = coalesce(r.error, format('the backend running it (PID %s) ended before the run finished',
                                            coalesce(r.environment->>'backend_pid', '?')))
     WHERE r.status = 'running'
       AND (r.environment->>'backend_pid' IS NULL
            OR r.environment->>'backend_pid' !~ '^[0-9]+$'
            OR (r.environment->>'backend_pid')::integer = pg_backend_pid()
            OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a
                            WHERE a.pid = (r.environment->>'backend_pid')::integer
                              AND a.backend_start <= r.started_at));
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END
$$;

CREATE TABLE tasker_bench.alerts (
    id          bigserial PRIMARY KEY,
    run_id      bigint NOT NULL REFERENCES tasker_bench.runs (id) ON DELETE CASCADE,
    case_name   text NOT NULL,
    baseline    text NOT NULL,          -- a baseline's name, or 'rolling median of N'
    change_pct  float8,
    verdict     text NOT NULL,
    details     jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    run_by      name NOT NULL DEFAULT current_user
);
CREATE INDEX ON tasker_bench.alerts (run_id);
COMMENT ON TABLE tasker_bench.alerts IS
    'Regressions found after a run of tasker_bench_run_suite (scheduled or not): against its baseline, or the '
    'rolling median of the p50 of recent runs; each is also signalled as NOTIFY tasker_bench_alerts with the payload '
    '{"run_id": N} only (listeners read the alert rows, which row level security keeps to their role). '
    'tasker_bench_prune keeps runs an alert points to.';
ALTER TABLE tasker_bench.alerts ENABLE ROW LEVEL SECURITY;
CREATE POLICY alerts_own ON tasker_bench.alerts FOR ALL
    USING (run_by = current_user) WITH CHECK (run_by = current_user AND tasker_bench._own_run(run_id));
CREATE TRIGGER alerts_key BEFORE INSERT OR UPDATE OF id ON tasker_bench.alerts
    FOR EACH ROW EXECUTE FUNCTION tasker_bench._key_from_sequence('id', 'tasker_bench.alerts_id_seq');
SELECT pg_catalog.pg_extension_config_dump('tasker_bench.alerts', '');
SELECT pg_catalog.pg_extension_config_dump('tasker_bench.alerts_id_seq', '');

CREATE VIEW tasker_bench.history WITH (security_invoker = true) AS
SELECT r.id AS run_id, r.started_at, r.what, r.label, res.case_name,
       res.p50_us, res.p95_us, res.p99_us, res.mean_us, res.n
  FROM tasker_bench.runs r
  JOIN tasker_bench.results res ON res.run_id = r.id
 WHERE r.status = 'completed';
COMMENT ON VIEW tasker_bench.history IS
    'Each case''s figures (microseconds) in every completed run, over time: ORDER BY case_name, started_at';

CREATE FUNCTION tasker_bench._history_runs() RETURNS integer
    AS 'MODULE_PATHNAME', 'tb_history_runs_get' LANGUAGE C STABLE PARALLEL SAFE;

-- Write an alert and signal it on the channel tasker_bench_alerts (delivered
-- at commit).  The channel is shared by every role of the database, so the
-- payload carries only the run id: a listener reads the alerts of that run
-- from tasker_bench.alerts, where it sees only its own; a NOTIFY anyone
-- sends creates no alert row.
CREATE FUNCTION tasker_bench._alert(p_run bigint, p_case text, p_baseline text, p_change float8,
                                    p_verdict text, p_details jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tasker_bench.alerts (run_id, case_name, baseline, change_pct, verdict, details)
    VALUES (p_run, p_case, p_baseline, p_change, p_verdict, coalesce(p_details, '{}'));
    PERFORM pg_notify('tasker_bench_alerts', json_build_object('run_id', p_run)::text);
    IF NOT tasker_bench._quiet() THEN
        RAISE NOTICE 'tasker_bench: run %, case %: % by % %% against %', p_run, p_case, p_verdict,
            round(p_change::numeric, 1), p_baseline;
    END IF;
END
$$;

/*
 * After a run of tasker_bench_run_suite: compare it and write an alert per
 * regressed case.
 *  - With a baseline: tasker_bench_compare(baseline, run) when it exists;
 *    a case regressed when its verdict is 'regressed' and the change is
 *    beyond its tolerance.  (Without tasker_bench_compare: hcompare of the
 *    baseline run's histogram and this run's, with the noise threshold.)
 *  - Without: the rolling median of the p50 of the case in the last N
 *    completed runs of the same what (N: tasker_bench.history_runs, default
 *    5; at least one is needed).  A case regressed when its p50 exceeds
 *    that median by more than its tolerance (cases.tolerance_pct, else 10 %
 *    for e2e, 20 % for lifecycle, else the noise threshold
 *    tasker_bench.noise_threshold()) AND hcompare of the previous run's
 *    histogram with this run's says 'regressed' (median change beyond the
 *    tolerance, significant, CI above zero).  The median guards against one
 *    noisy earlier run, hcompare against a noisy current one; the tolerance
 *    is never below the case's own run-to-run noise floor
 *    (tasker_bench._history_floor), so one run as noisy as the case usually
 *    is gives no alert.  Then a sustained shift: a change point upwards
 *    (tasker_bench.change_points) that this run confirms as the third run
 *    at the new level, beyond the tolerance, not alerted before.
 * Returns the number of alerts written.
 */
CREATE FUNCTION tasker_bench._check_history(p_run bigint, p_baseline text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_run tasker_bench.runs;
    v_ext text := tasker_bench._ext_schema();
    v_n integer := 0;
    v_hist integer := tasker_bench._history_runs();
    v_tol float8;
    v_change float8;
    v_hc record;
    r record;
BEGIN
    SELECT * INTO STRICT v_run FROM tasker_bench.runs WHERE id = p_run;
    IF p_baseline IS NOT NULL THEN
        FOR r IN EXECUTE format('SELECT to_jsonb(c) AS j FROM %I.tasker_bench_compare($1, $2) c', v_ext)
                   USING p_baseline, p_run LOOP
            IF r.j->>'verdict' = 'regressed'
               AND coalesce((r.j->>'within_tolerance')::boolean, false) = false THEN
                PERFORM tasker_bench._alert(p_run, r.j->>'case_name', p_baseline,
                                            (r.j->>'change_pct')::float8, 'regressed',
                                            jsonb_build_object('method', 'baseline') || r.j);
                v_n := v_n + 1;
            END IF;
        END LOOP;
        RETURN v_n;
    END IF;

    FOR r IN
        WITH prev AS (
            SELECT p.id FROM tasker_bench.runs p
             WHERE p.what = v_run.what AND p.kind = v_run.kind AND p.status = 'completed'
               AND p.run_by = v_run.run_by AND p.id < p_run
             ORDER BY p.id DESC
             LIMIT v_hist
        ), med AS (
            SELECT x.case_name,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY x.p50_us) AS median_p50,
                   count(*) AS k, max(x.run_id) AS last_run,
                   array_agg(x.run_id ORDER BY x.run_id) AS runs
              FROM tasker_bench.results x
             WHERE x.run_id IN (SELECT id FROM prev)
             GROUP BY x.case_name
        )
        SELECT c.case_name, c.p50_us, c.histogram, c.category, c.sql, c.params, m.median_p50, m.k, m.runs, m.last_run,
               l.histogram AS last_h, cs.tolerance_pct,
               l.block_medians_ns AS last_blocks, c.block_medians_ns AS blocks,
               l.probe_medians_ns AS last_probes, c.probe_medians_ns AS probes
          FROM tasker_bench.results c
          JOIN med m ON m.case_name = c.case_name
          JOIN tasker_bench.results l ON l.run_id = m.last_run AND l.case_name = c.case_name
          LEFT JOIN tasker_bench.cases cs ON cs.name = c.case_name
         WHERE c.run_id = p_run
         ORDER BY c.ordinal
    LOOP
        v_tol := coalesce(r.tolerance_pct,
                          CASE r.category WHEN 'e2e' THEN 10.0 WHEN 'lifecycle' THEN 20.0 END,
                          tasker_bench.compare_noise_threshold());
        -- never within the case's own run-to-run noise (one noisy run is no regression)
        v_tol := greatest(v_tol, (SELECT hf.floor_pct FROM tasker_bench._history_floor(
                                      r.case_name, r.sql, r.params, r.last_run) hf));
        v_change := 100.0 * (r.p50_us / nullif(r.median_p50, 0) - 1);
        CONTINUE WHEN v_change IS NULL OR v_change <= v_tol;
        SELECT * INTO v_hc FROM tasker_bench.hcompare(r.last_h, r.histogram, v_tol, 0.05, 0.95,
                                                      r.last_blocks, r.blocks, r.last_probes, r.probes);
        IF v_hc.verdict = 'regressed' THEN
            PERFORM tasker_bench._alert(p_run, r.case_name, format('rolling median of %s', r.k), v_change,
                                        'regressed',
                                        jsonb_build_object('method', 'rolling_median', 'runs', to_jsonb(r.runs),
                                                           'median_p50_us', r.median_p50,
                                                           'current_p50_us', r.p50_us,
                                                           'tolerance_pct', v_tol,
                                                           'previous_run_id', r.last_run,
                                                           'hcompare_previous', to_jsonb(v_hc)));
            v_n := v_n + 1;
        END IF;
    END LOOP;

    -- a sustained shift: a change point (tasker_bench.change_points) upwards that this run
    -- confirms as the third at the new level, beyond the case's tolerance, not yet alerted
    FOR r IN
        SELECT cp.*, c.category, cs.tolerance_pct
          FROM tasker_bench.change_points cp
          JOIN tasker_bench.results c ON c.run_id = p_run AND c.case_name = cp.case_name
          LEFT JOIN tasker_bench.cases cs ON cs.name = cp.case_name
         WHERE cp.runs_at_new_level = 3 AND cp.change_pct > 0
           AND NOT EXISTS (SELECT 1 FROM tasker_bench.alerts a
                            WHERE a.case_name = cp.case_name AND a.run_id >= cp.run_id)
    LOOP
        CONTINUE WHEN r.change_pct <= coalesce(r.tolerance_pct,
                                               CASE r.category WHEN 'e2e' THEN 10.0 WHEN 'lifecycle' THEN 20.0 END,
                                               tasker_bench.compare_noise_threshold());
        PERFORM tasker_bench._alert(p_run, r.case_name, format('change point at run %s', r.run_id),
                                    r.change_pct, 'regressed',
                                    jsonb_build_object('method', 'change_point', 'change_point_run_id', r.run_id,
                                                       'before_p50_us', r.before_p50_us,
                                                       'after_p50_us', r.after_p50_us,
                                                       'p_value', r.p_value));
        v_n := v_n + 1;
    END LOOP;
    RETURN v_n;
END
$$;

/*
 * Runs a case or suite like tasker_bench_run, but as a procedure that
 * commits after each case: the run's row is written first (status
 * 'running'), then each case's results as soon as it is measured, so a
 * crash or cancel loses at most the case in progress and no snapshot is
 * held for the whole suite.  Call it outside a transaction block
 * (CALL tasker_bench_run_suite('tasker')); pg_cron jobs of
 * tasker_bench_schedule call it.
 *
 * A failing case: the run is marked 'failed' (error, SQLSTATE, case),
 * committed, and the error is raised.  A cancel or statement_timeout: the
 * run is marked 'interrupted', committed, and the cancel is raised.  A run
 * whose backend ends (terminate, crash) stays 'running' until the next run
 * (or tasker_bench_prune) marks it 'interrupted'.  At the end the run is
 * 'completed' and compared (tasker_bench._check_history) with its baseline
 * or recent runs; regressions go to tasker_bench.alerts and NOTIFY
 * tasker_bench_alerts.
 */
CREATE PROCEDURE tasker_bench_run_suite(
    what text, iterations bigint DEFAULT NULL, duration interval DEFAULT '1 second',
    warmup interval DEFAULT '200 milliseconds', label text DEFAULT NULL, baseline text DEFAULT NULL,
    clients integer DEFAULT 1, schema text DEFAULT 'tasker')
LANGUAGE plpgsql AS $$
DECLARE
    v_cases tasker_bench.cases[];
    v_suite text;
    v_run bigint;
    v_env jsonb;
    v_case tasker_bench.cases;
    v_n integer;
    v_i integer := 0;
    v_one record;
    v_state text;
    v_msg text;
    v_detail text;
    v_hint text;
    v_outcome text;
    v_alerts integer;
BEGIN
    PERFORM tasker_bench._check_budget(iterations, duration, warmup);
    PERFORM tasker_bench._enter_run();
    PERFORM tasker_bench._check_clients(clients);
    SELECT c.cases, c.suite INTO v_cases, v_suite FROM tasker_bench._cases_for(what, tasker_bench_run_suite.schema) c;
    PERFORM tasker_bench._check_baseline(baseline);
    PERFORM tasker_bench._validate_cases(v_cases);
    PERFORM tasker_bench._mark_interrupted_runs();
    v_n := cardinality(v_cases);
    v_env := tasker_bench._environment();
    v_run := tasker_bench._write_run(jsonb_build_object(
        'kind', 'run', 'what', what, 'suite', v_suite, 'label', label, 'status', 'running',
        'settings', tasker_bench._settings(iterations, duration, warmup, NULL)
                    || jsonb_build_object('procedure', true, 'baseline', baseline)
                    || CASE WHEN clients > 1 THEN jsonb_build_object('clients', clients) ELSE '{}' END,
        'environment', v_env, 'dataset', tasker_bench._dataset_for(v_cases)));
    IF NOT tasker_bench._quiet() THEN
        RAISE NOTICE 'tasker_bench: run % of "%": % case%, backend PID %, committing after each case',
            v_run, what, v_n, CASE WHEN v_n = 1 THEN '' ELSE 's' END, pg_backend_pid();
    END IF;
    COMMIT;

    FOREACH v_case IN ARRAY v_cases LOOP
        v_i := v_i + 1;
        v_outcome := NULL;
        BEGIN
            -- each case runs in a transaction of its own: mark it as part of the run
            PERFORM tasker_bench._enter_run(false);
            SELECT * INTO STRICT v_one
              FROM tasker_bench._measure_case(v_run, v_case, v_i, v_n, iterations, duration, warmup, NULL,
                                              clients);
            PERFORM tasker_bench._store_case(v_one.result, v_one.phases, v_one.statements, v_one.clients);
            UPDATE tasker_bench.runs SET cases_done = v_i WHERE id = v_run;
        EXCEPTION
            WHEN query_canceled THEN
                GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT,
                                        v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
                v_outcome := 'interrupted';
            WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT,
                                        v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
                v_outcome := 'failed';
        END;
        IF v_outcome IS NOT NULL THEN
            UPDATE tasker_bench.runs
               SET status = v_outcome, finished_at = clock_timestamp(), error = v_msg,
                   error_sqlstate = v_state, failed_case = v_case.name
             WHERE id = v_run;
            COMMIT;
            v_detail := concat_ws(E'\n', nullif(v_detail, ''),
                                  format('Run %s is %s; the %s case%s before "%s" are stored.', v_run, v_outcome,
                                         v_i - 1, CASE WHEN v_i - 1 = 1 THEN '' ELSE 's' END, v_case.name));
            IF coalesce(v_hint, '') <> '' THEN
                RAISE EXCEPTION USING MESSAGE = v_msg, ERRCODE = v_state, DETAIL = v_detail, HINT = v_hint;
            END IF;
            RAISE EXCEPTION USING MESSAGE = v_msg, ERRCODE = v_state, DETAIL = v_detail;
        END IF;
        COMMIT;
    END LOOP;
    -- the run's prepared cases go (a failed case's error aborts, which drops them too)
    PERFORM tasker_bench._leave_run();

    UPDATE tasker_bench.runs SET status = 'completed', finished_at = clock_timestamp() WHERE id = v_run;
    COMMIT;

    BEGIN
        v_alerts := tasker_bench._check_history(v_run, baseline);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT, v_state = RETURNED_SQLSTATE;
        RAISE WARNING 'tasker_bench: run % completed but could not be compared: % (SQLSTATE %)',
            v_run, v_msg, v_state;
    END;
    COMMIT;
END
$$;
COMMENT ON PROCEDURE tasker_bench_run_suite(text, bigint, interval, interval, text, text, integer, text) IS
    'Runs a case or suite, committing after each case (status running -> completed / failed / interrupted); '
    'then compares it with its baseline or the rolling median of recent runs and alerts on regressions';

-- ---------------------------------------------------------------------------
-- Schedules (pg_cron)
-- ---------------------------------------------------------------------------

-- The jobs (table schedule_jobs); the view tasker_bench.schedules adds the
-- outcome of each job's last run from pg_cron.
CREATE TABLE tasker_bench.schedule_jobs (
    job_name    text NOT NULL CONSTRAINT schedules_job_name_check CHECK (job_name <> ''),
    jobid       bigint NOT NULL,         -- cron.job.jobid
    what        text NOT NULL,
    baseline    text,
    schedule    text NOT NULL,
    created_by  name NOT NULL DEFAULT current_user,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT schedules_pkey PRIMARY KEY (job_name)
);
COMMENT ON TABLE tasker_bench.schedule_jobs IS
    'pg_cron jobs made by tasker_bench_schedule: each runs CALL tasker_bench_run_suite(what, baseline, '
    'label => ''scheduled:<job_name>'') on its cron schedule, as the role that scheduled it';
ALTER TABLE tasker_bench.schedule_jobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY schedules_own ON tasker_bench.schedule_jobs FOR ALL
    USING (created_by = current_user) WITH CHECK (created_by = current_user);
SELECT pg_catalog.pg_extension_config_dump('tasker_bench.schedule_jobs', '');

-- The last run of a pg_cron job as pg_cron recorded it (cron.job_run_details,
-- which shows each role its own jobs); NULLs when pg_cron is not in this
-- database or the role cannot read it.
CREATE FUNCTION tasker_bench._cron_last_run(p_jobid bigint,
    OUT status text, OUT message text, OUT started_at timestamptz)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_cron text;
BEGIN
    SELECT n.nspname INTO v_cron
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relname = 'job_run_details' AND c.relkind = 'r'
       AND n.nspname = 'cron' AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
       AND pg_catalog.has_table_privilege(c.oid, 'SELECT');
    IF v_cron IS NULL THEN
        RETURN;
    END IF;
    EXECUTE format('SELECT d.status, d.return_message, d.start_time FROM %I.job_run_details d
                     WHERE d.jobid = $1 ORDER BY d.runid DESC LIMIT 1', v_cron)
       INTO status, message, started_at USING p_jobid;
END
$$;

CREATE VIEW tasker_bench.schedules WITH (security_invoker = true) AS
SELECT j.job_name, j.jobid, j.what, j.baseline, j.schedule, j.created_by, j.created_at,
       (tasker_bench._cron_last_run(j.jobid)).status AS last_status,
       (tasker_bench._cron_last_run(j.jobid)).message AS last_message,
       (tasker_bench._cron_last_run(j.jobid)).started_at AS last_started_at
  FROM tasker_bench.schedule_jobs j;
-- (one table: INSERT and DELETE through the view reach schedule_jobs)
COMMENT ON VIEW tasker_bench.schedules IS
    'Your scheduled jobs (tasker_bench_schedule) with the status, message and start of each one''s last run as '
    'pg_cron recorded it (e.g. failed / connection failed when pg_cron cannot connect: see cron.host)';

/*
 * A light check of a cron expression before pg_cron sees it (pg_cron checks
 * it fully too): five fields (minute hour day-of-month month day-of-week)
 * of numbers in range, *, lists, ranges, steps (and month or day names),
 * or @yearly/@annually/@monthly/@weekly/@daily/@hourly/@reboot, or
 * 'N seconds' (1-59).
 */
CREATE FUNCTION tasker_bench._check_cron(p_schedule text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    v text := btrim(regexp_replace(coalesce(p_schedule, ''), '\s+', ' ', 'g'));
    v_fields text[];
    v_names constant text[] := ARRAY['minute', 'hour', 'day of month', 'month', 'day of week'];
    v_lo constant integer[] := ARRAY[0, 0, 1, 1, 0];
    v_hi constant integer[] := ARRAY[59, 23, 31, 12, 7];
    v_problem text;
    v_pattern text;
    v_num text;
BEGIN
    IF v ~* '^@(yearly|annually|monthly|weekly|daily|hourly|reboot)$' THEN
        RETURN;
    END IF;
    IF v ~* '^[0-9]+ seconds?$' THEN
        IF split_part(v, ' ', 1)::numeric NOT BETWEEN 1 AND 59 THEN
            v_problem := 'an interval in seconds must be 1 to 59 seconds';
        END IF;
    ELSE
        v_fields := string_to_array(v, ' ');
        IF v = '' OR cardinality(v_fields) <> 5 THEN
            v_problem := format('it has %s field%s, a cron expression has 5', coalesce(cardinality(v_fields), 0),
                                CASE WHEN cardinality(v_fields) = 1 THEN '' ELSE 's' END);
        ELSE
            FOR i IN 1 .. 5 LOOP
                -- names (jan, mon, ...) in month and day of week; $ (last day) in day of month
                v_pattern := CASE WHEN i >= 4 THEN '^[0-9*,/A-Za-z-]+$'
                                  WHEN i = 3 THEN '^[0-9*,/$-]+$'
                                  ELSE '^[0-9*,/-]+$' END;
                IF v_fields[i] !~ v_pattern THEN
                    v_problem := format('the %s field "%s" is not a number, *, a list, a range or a step',
                                        v_names[i], v_fields[i]);
                    EXIT;
                END IF;
                FOR v_num IN SELECT m[1] FROM regexp_matches(v_fields[i], '(?:^|[^/0-9])([0-9]+)', 'g') m LOOP
                    IF v_num::numeric NOT BETWEEN v_lo[i] AND v_hi[i] THEN
                        v_problem := format('the %s field has %s, outside %s-%s', v_names[i], v_num,
                                            v_lo[i], v_hi[i]);
                        EXIT;
                    END IF;
                END LOOP;
                EXIT WHEN v_problem IS NOT NULL;
            END LOOP;
        END IF;
    END IF;
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION 'invalid cron schedule "%"', p_schedule USING ERRCODE = '22023',
            DETAIL = initcap(left(v_problem, 1)) || substr(v_problem, 2) || '.',
            HINT = 'Use five fields, minute hour day-of-month month day-of-week, e.g. ''*/5 * * * *'' (every 5 minutes) or ''0 3 * * *'' (daily at 03:00).';
    END IF;
END
$$;

-- pg_cron runs a job by connecting to cron.host (unless it uses background
-- workers): on a server that listens on no TCP address, a host name there
-- fails every run with "connection failed".  Warn when that is the case.
CREATE FUNCTION tasker_bench._check_cron_reach() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_bgw text;
    v_host text;
    v_listen text;
BEGIN
    BEGIN
        v_bgw := current_setting('cron.use_background_workers', true);
        v_host := current_setting('cron.host', true);
        v_listen := current_setting('listen_addresses');
    EXCEPTION WHEN insufficient_privilege THEN
        RETURN;             -- settings this role cannot read: nothing to say
    END;
    IF v_bgw = 'on' OR v_host IS NULL OR left(v_host, 1) = '/' THEN
        RETURN;             -- no connection, or a socket directory
    END IF;
    IF btrim(coalesce(v_listen, '')) = '' THEN
        RAISE WARNING 'pg_cron cannot reach this server: it connects to cron.host = "%" over TCP, but listen_addresses is empty', v_host
            USING DETAIL = 'Every run of the job will fail with "connection failed" (tasker_bench.schedules shows it in last_status and last_message).',
                  HINT = 'Set cron.host to the server''s socket directory (one of unix_socket_directories), or cron.use_background_workers = on, and restart.';
    END IF;
END
$$;

-- DROP EXTENSION tasker_bench takes its pg_cron jobs with it (else they
-- would stay and fail every time).  An event trigger of the extension does
-- not fire for the DROP that removes it, so this one runs before: at the
-- start of a DROP EXTENSION naming tasker_bench.
CREATE FUNCTION tasker_bench._unschedule_on_drop() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_cron text;
    v_jobid bigint;
BEGIN
    IF current_query() !~* 'drop\s+extension\s+(if\s+exists\s+)?([[:alnum:]_"]+\s*,\s*)*"?tasker_bench"?\s*(,|;|cascade|restrict|$)' THEN
        RETURN;
    END IF;
    SELECT n.nspname INTO v_cron
      FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'cron' AND p.proname = 'unschedule' LIMIT 1;
    IF v_cron IS NULL THEN
        RETURN;
    END IF;
    FOR v_jobid IN EXECUTE format('SELECT j.jobid FROM tasker_bench.schedule_jobs s JOIN %I.job j ON j.jobid = s.jobid', v_cron) LOOP
        EXECUTE format('SELECT %I.unschedule($1)', v_cron) USING v_jobid;
    END LOOP;
END
$$;
CREATE EVENT TRIGGER tasker_bench_unschedule_on_drop ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION') EXECUTE FUNCTION tasker_bench._unschedule_on_drop();

-- pg_cron must be installed in this database; its schema.
CREATE FUNCTION tasker_bench._cron_schema() RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_schema text;
    v_db text;
BEGIN
    BEGIN
        v_db := current_setting('cron.database_name', true);
    EXCEPTION WHEN insufficient_privilege THEN
        v_db := '';         -- a superuser-only setting: unknown to others
    END;
    -- pg_cron's objects live in the schema cron (whatever its extnamespace says)
    SELECT n.nspname INTO v_schema
      FROM pg_catalog.pg_extension e
      JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_extension'::regclass
                                 AND d.refobjid = e.oid AND d.deptype = 'e'
                                 AND d.classid = 'pg_catalog.pg_class'::regclass
      JOIN pg_catalog.pg_class c ON c.oid = d.objid AND c.relname = 'job' AND c.relkind = 'r'
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE e.extname = 'pg_cron';
    IF v_schema IS NULL THEN
        IF v_db = '' THEN
            RAISE EXCEPTION 'pg_cron is not installed in this database' USING ERRCODE = '0A000',
                HINT = 'Ask a superuser where pg_cron lives (cron.database_name): install tasker_bench there, or schedule from there with cron.schedule_in_database(job_name, schedule, ''CALL ...tasker_bench_run_suite(...)'', <this database>).';
        END IF;
        IF v_db IS NULL THEN
            RAISE EXCEPTION 'pg_cron is not available: it is not loaded, and not installed in this database'
                USING ERRCODE = '0A000',
                HINT = 'Add pg_cron to shared_preload_libraries (restart), set cron.database_name, CREATE EXTENSION pg_cron in that database, and install tasker_bench there to schedule its suites.';
        END IF;
        RAISE EXCEPTION 'pg_cron is not installed in this database' USING ERRCODE = '0A000',
            HINT = format('pg_cron''s extension lives in the database cron.database_name = "%s". Either install tasker_bench there, or schedule from there into this database: SELECT cron.schedule_in_database(job_name, schedule, ''CALL %I.tasker_bench_run_suite(...)'', %L) (the job then runs as you, here).',
                          v_db, tasker_bench._ext_schema(), pg_catalog.current_database());
    END IF;
    RETURN v_schema;
END
$$;

CREATE FUNCTION tasker_bench_schedule(job_name text, schedule text, what text, baseline text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_job text := tasker_bench_schedule.job_name;
    v_cron text;
    v_exists boolean;
    v_jobid bigint;
    v_command text;
    v_state text;
    v_msg text;
    v_detail text;
BEGIN
    IF v_job IS NULL OR btrim(v_job) = '' THEN
        RAISE EXCEPTION 'job_name must not be NULL or empty' USING ERRCODE = '22004',
            HINT = 'Name the job, e.g. tasker_bench_schedule(''tasker-nightly'', ''0 3 * * *'', ''tasker'').';
    END IF;
    IF schedule IS NULL THEN
        RAISE EXCEPTION 'schedule must not be NULL' USING ERRCODE = '22004',
            HINT = 'Give a cron expression, e.g. ''*/5 * * * *'' (every 5 minutes).';
    END IF;
    PERFORM tasker_bench._cases_for(what);
    PERFORM tasker_bench._check_baseline(baseline);
    PERFORM tasker_bench._check_cron(schedule);
    IF EXISTS (SELECT 1 FROM tasker_bench.schedule_jobs s WHERE s.job_name = v_job) THEN
        RAISE EXCEPTION 'a job named "%" is already scheduled', v_job USING ERRCODE = '42710',
            HINT = 'tasker_bench_unschedule(job_name) removes it; or choose another name.';
    END IF;
    v_cron := tasker_bench._cron_schema();
    -- cron.schedule would silently replace a job of the same name
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.job j WHERE j.jobname = $1 AND j.username = current_user)', v_cron)
      INTO v_exists USING v_job;
    IF v_exists THEN
        RAISE EXCEPTION 'a pg_cron job named "%" already exists', v_job USING ERRCODE = '42710',
            HINT = 'SELECT jobid, jobname, schedule, command FROM cron.job lists the jobs; choose another name.';
    END IF;
    v_command := format('CALL %I.tasker_bench_run_suite(%L, baseline => %L, label => %L)',
                        tasker_bench._ext_schema(), what, baseline, 'scheduled:' || v_job);
    BEGIN
        -- as the calling role, in this database
        IF to_regprocedure(format('%I.schedule_in_database(text,text,text,text,text,boolean)', v_cron)) IS NOT NULL
           AND has_function_privilege(format('%I.schedule_in_database(text,text,text,text,text,boolean)', v_cron),
                                      'EXECUTE') THEN
            -- username NULL: the current role (pg_cron lets only superusers name another)
            EXECUTE format('SELECT %I.schedule_in_database($1, $2, $3, $4, NULL, true)', v_cron) INTO v_jobid
              USING v_job, schedule, v_command, pg_catalog.current_database();
        ELSE
            EXECUTE format('SELECT %I.schedule($1, $2, $3)', v_cron) INTO v_jobid USING v_job, schedule, v_command;
        END IF;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
        IF v_msg ILIKE '%schedule%' THEN
            RAISE EXCEPTION 'invalid cron schedule "%"', schedule USING ERRCODE = '22023',
                DETAIL = 'pg_cron: ' || v_msg,
                HINT = 'Use five fields, minute hour day-of-month month day-of-week, e.g. ''*/5 * * * *'' (every 5 minutes) or ''0 3 * * *'' (daily at 03:00).';
        END IF;
        RAISE;
    END;
    BEGIN
        INSERT INTO tasker_bench.schedule_jobs (job_name, jobid, what, baseline, schedule)
        VALUES (v_job, v_jobid, what, baseline, schedule);
    EXCEPTION WHEN unique_violation THEN
        RAISE EXCEPTION 'job name "%" is taken by another role', v_job USING ERRCODE = '42710',
            HINT = 'Job names are shared by all roles; choose another name.';
    END;
    PERFORM tasker_bench._check_cron_reach();
    RETURN v_jobid;
END
$$;
COMMENT ON FUNCTION tasker_bench_schedule(text, text, text, text) IS
    'Schedules a case or suite through pg_cron (installed in this database), run as the calling role: '
    'CALL tasker_bench_run_suite(what, baseline => ..., label => ''scheduled:<job_name>''); returns the cron job id';

CREATE FUNCTION tasker_bench_unschedule(job_name text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    v_job text := tasker_bench_unschedule.job_name;
    v_cron text;
    v_row tasker_bench.schedule_jobs;
    v_exists boolean;
BEGIN
    IF v_job IS NULL THEN
        RAISE EXCEPTION 'job_name must not be NULL' USING ERRCODE = '22004',
            HINT = 'SELECT job_name, schedule, what FROM tasker_bench.schedules lists your jobs.';
    END IF;
    v_cron := tasker_bench._cron_schema();
    DELETE FROM tasker_bench.schedule_jobs s
     WHERE s.job_name = v_job AND s.created_by = current_user RETURNING * INTO v_row;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.job j WHERE j.jobid = $1)', v_cron)
      INTO v_exists USING v_row.jobid;
    IF v_exists THEN
        EXECUTE format('SELECT %I.unschedule($1::bigint)', v_cron) USING v_row.jobid;
    END IF;
    RETURN true;
END
$$;
COMMENT ON FUNCTION tasker_bench_unschedule(text) IS
    'Removes a job made by tasker_bench_schedule (and its pg_cron job); false when you have no job of that name';

-- ---------------------------------------------------------------------------
-- Retention
-- ---------------------------------------------------------------------------

CREATE FUNCTION tasker_bench_prune(keep interval) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_sql text;
    v_n bigint;
BEGIN
    IF keep IS NULL OR keep < interval '0' THEN
        RAISE EXCEPTION 'keep must be zero or a positive interval, got %', coalesce(keep::text, 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'Runs started more than keep ago are deleted, e.g. tasker_bench_prune(''30 days'').';
    END IF;
    PERFORM tasker_bench._mark_interrupted_runs();
    v_sql := 'DELETE FROM tasker_bench.runs r
               WHERE r.started_at < now() - $1
                 AND r.run_by = current_user
                 AND r.status <> ''running''
                 AND NOT EXISTS (SELECT 1 FROM tasker_bench.alerts a WHERE a.run_id = r.id)';
    IF to_regclass('tasker_bench.baselines') IS NOT NULL THEN
        v_sql := v_sql || ' AND NOT EXISTS (SELECT 1 FROM tasker_bench.baselines b WHERE b.run_id = r.id)';
    END IF;
    BEGIN
        EXECUTE v_sql USING keep;
        GET DIAGNOSTICS v_n = ROW_COUNT;
    -- 23503 up to 17; 18 reports a RESTRICT foreign key as 23001
    EXCEPTION WHEN foreign_key_violation OR restrict_violation THEN
        RAISE EXCEPTION 'a baseline or an alert was made for one of the runs to prune while tasker_bench_prune ran'
            USING ERRCODE = '40001',
            HINT = 'Nothing was deleted; run tasker_bench_prune again (it keeps the runs baselines and alerts name).';
    END;
    RETURN v_n;
END
$$;
COMMENT ON FUNCTION tasker_bench_prune(interval) IS
    'Deletes your runs started more than keep ago (with their results, phases and statements), '
    'except runs a baseline or an alert points to and runs still running; returns how many';
