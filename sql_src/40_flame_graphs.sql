-- Flame graphs: folded stacks of a run (tasker_bench_folded, for
-- flamegraph.pl or inferno) and their frames (tasker_bench.flame_frames), from
-- the cases, their phases and their nested statements.

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
-- Flame graphs
-- ---------------------------------------------------------------------------
/*
 * The frames of a flame graph from folded stacks ("a;b;c value"): one row
 * per distinct stack prefix, with its depth (1 = outermost), x0 (the sum of
 * the values of the stacks before it, in the sorted order) and value (the
 * sum of the values of every stack under it); self is the value of the
 * stacks ending there.  So each frame's value is its self value plus its
 * children's, and the outermost frames add up to the total of the stacks.
 */
CREATE FUNCTION tasker_bench.flame_frames(folded text[])
RETURNS TABLE (depth integer, path text[], frame text, x0 float8, value float8, self float8)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH parsed AS (
        SELECT string_to_array(substring(l FROM '^(.*) [^ ]+$'), ';') AS stack,
               substring(l FROM ' ([0-9]+(\.[0-9]+)?)$')::float8 AS v
          FROM unnest(folded) l
         WHERE l ~ '^.+ [0-9]+(\.[0-9]+)?$'
    ), stacks AS (
        SELECT stack, sum(v) AS v FROM parsed WHERE v > 0 GROUP BY stack
    ), placed AS (
        SELECT stack, v, coalesce(sum(v) OVER (ORDER BY stack ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS start
          FROM stacks
    )
    SELECT d, p.stack[1:d], p.stack[d], min(p.start), sum(p.v),
           coalesce(sum(p.v) FILTER (WHERE cardinality(p.stack) = d), 0)
      FROM placed p, generate_series(1, cardinality(p.stack)) d
     GROUP BY d, p.stack[1:d], p.stack[d]
     ORDER BY 1, 4
$$;

COMMENT ON FUNCTION tasker_bench.flame_frames(text[]) IS
    'Frames of a flame graph from folded stacks: depth, path, frame, x0, value (self + children), self';
