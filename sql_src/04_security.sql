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
-- The parameter sets of the run in progress (src/target.c): emptied when a
-- run starts, so a params query runs once per run.
CREATE FUNCTION tasker_bench._params_cache_reset() RETURNS void
    AS 'MODULE_PATHNAME', 'tb_params_cache_reset' LANGUAGE C;

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
        PERFORM tasker_bench._params_cache_reset();
    END IF;
    PERFORM set_config('tasker_bench.in_run', 'on', true);
END
$$;

CREATE FUNCTION tasker_bench._leave_run() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tasker_bench._params_cache_reset();
    PERFORM set_config('tasker_bench.in_run', 'off', true);
END
$$;
