-- Security helpers the tables need (see README, Security): keys only from
-- their sequences, one run at a time per transaction.  Row level security is forced on every table, and internal
-- functions get their privileges and a pinned search_path, in 99_privileges.sql.

-- Keys of the tables come only from their sequences (src/keys.c): a BEFORE
-- INSERT OR UPDATE OF key trigger, arguments (column, schema.sequence).
CREATE FUNCTION tasker_bench._key_from_sequence() RETURNS trigger
    AS 'MODULE_PATHNAME', 'tb_key_from_sequence' LANGUAGE C;

-- A run cannot start inside another (a case whose statement or params query
-- starts a run): tasker_bench.in_run is set while a run measures, local to
-- its transaction, so an error or the end of the transaction clears it.
-- The cases the run in progress has prepared (src/target.c): a case is
-- prepared once per run (validation, measurement and EXPLAIN share its plan
-- and parameter sets, so its params query runs once).  Dropped when a run
-- starts (run_starts: kept from here on) and ends, and by the abort of the
-- (sub)transaction the run started in.
CREATE FUNCTION tasker_bench._run_targets_reset(run_starts boolean) RETURNS void
    AS 'MODULE_PATHNAME', 'tb_run_targets_reset' LANGUAGE C;
-- For the tests: how many times this session has prepared a case, and how
-- many prepared cases the run in progress keeps.
CREATE FUNCTION tasker_bench._prepare_count(OUT prepares bigint, OUT kept integer)
    AS 'MODULE_PATHNAME', 'tb_prepare_count' LANGUAGE C;
COMMENT ON FUNCTION tasker_bench._prepare_count() IS
    'How many times this session has prepared a case (parse, plan cache, params query) and how many the run in progress keeps; for tests';

-- p_start: a new run starts (false: the next case of tasker_bench_run_suite,
-- which commits after each case)
CREATE FUNCTION tasker_bench._enter_run(p_start boolean DEFAULT true) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('tasker_bench.in_run') = 'on' THEN
        RAISE EXCEPTION 'a run cannot start inside another run' USING ERRCODE = '55000',
            DETAIL = 'A case''s statement or params query called tasker_bench_run, tasker_bench_measure, tasker_bench_ab, tasker_bench_scale or tasker_bench_run_suite.',
            HINT = 'Register the inner statement as a case of its own and run it on its own.';
    END IF;
    IF p_start THEN
        PERFORM tasker_bench._run_targets_reset(true);
    END IF;
    PERFORM set_config('tasker_bench.in_run', 'on', true);
END
$$;

CREATE FUNCTION tasker_bench._leave_run() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tasker_bench._run_targets_reset(false);
    PERFORM set_config('tasker_bench.in_run', 'off', true);
END
$$;
