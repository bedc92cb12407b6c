-- Security helpers the tables need (see README, Security).  Row level
-- security is forced on every table and internal functions get their
-- privileges and a pinned search_path in 99_privileges.sql.

-- Keys of the tables come only from their sequences (src/keys.c): a BEFORE
-- INSERT OR UPDATE OF key trigger, arguments (column, schema.sequence).
CREATE FUNCTION tasker_bench._key_from_sequence() RETURNS trigger
    AS 'MODULE_PATHNAME', 'tb_key_from_sequence' LANGUAGE C;

-- A run cannot start inside another (a case whose statement or params query
-- starts a run): tasker_bench.in_run is set while a run measures, local to
-- its transaction, so an error or the end of the transaction clears it.
CREATE FUNCTION tasker_bench._enter_run() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('tasker_bench.in_run') = 'on' THEN
        RAISE EXCEPTION 'a run cannot start inside another run' USING ERRCODE = '55000',
            DETAIL = 'A case''s statement or params query called tasker_bench_run, tasker_bench_measure, tasker_bench_ab, tasker_bench_scale or tasker_bench_run_suite.',
            HINT = 'Register the inner statement as a case of its own and run it on its own.';
    END IF;
    PERFORM set_config('tasker_bench.in_run', 'on', true);
END
$$;
CREATE FUNCTION tasker_bench._leave_run() RETURNS void
LANGUAGE sql AS $$
    SELECT set_config('tasker_bench.in_run', 'off', true);
$$;
