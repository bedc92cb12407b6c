-- Drivers: the C entry points that measure (src/measure.c, the driver
-- registry in src/driver_list.h; executor, notify and concurrent clients),
-- check a case before it runs, EXPLAIN it, and report on the machine.  A new
-- driver needs no SQL here: _measure_driver dispatches by name.

CREATE FUNCTION tasker_bench._check_budget(iterations bigint, duration interval, warmup interval)
    RETURNS void AS 'MODULE_PATHNAME', 'tb_check_budget' LANGUAGE C;

CREATE FUNCTION tasker_bench._check_syntax(sql text, what text)
    RETURNS void AS 'MODULE_PATHNAME', 'tb_check_syntax' LANGUAGE C STRICT;

CREATE FUNCTION tasker_bench._cpu_count() RETURNS integer
    AS 'MODULE_PATHNAME', 'tb_cpu_count' LANGUAGE C STRICT;

CREATE FUNCTION tasker_bench._clock_read_cost_ns() RETURNS float8
    AS 'MODULE_PATHNAME', 'tb_clock_read_cost' LANGUAGE C STRICT;

CREATE FUNCTION tasker_bench._record_failure(run text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'tb_record_failure' LANGUAGE C;

CREATE FUNCTION tasker_bench._validate(sql text, params text) RETURNS integer
    AS 'MODULE_PATHNAME', 'tb_validate' LANGUAGE C;

COMMENT ON FUNCTION tasker_bench._validate(text, text) IS
    'Prepares a statement and its parameter sets without running it (the executor driver); returns 1';

CREATE FUNCTION tasker_bench._explain(sql text, params text) RETURNS text
    AS 'MODULE_PATHNAME', 'tb_explain' LANGUAGE C;

COMMENT ON FUNCTION tasker_bench._explain(text, text) IS
    'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) with the first parameter set, rolled back, with "Plan Shape" and '
    '"Plan Fingerprint" of every plan it started (with plan_cache_mode auto: custom and generic plans forced in turn)';

CREATE FUNCTION tasker_bench._measure(
    sql text, params text, iterations bigint, duration interval, warmup interval,
    rollback boolean, label text)
    RETURNS tasker_bench.measurement
    AS 'MODULE_PATHNAME', 'tb_measure' LANGUAGE C;

COMMENT ON FUNCTION tasker_bench._measure(text, text, bigint, interval, interval, boolean, text) IS
    'Measures one statement; stores nothing (tasker_bench_run / tasker_bench_measure store)';

-- One measurement by any driver (src/driver_list.h names them); stores nothing.
CREATE FUNCTION tasker_bench._measure_driver(
    driver text, sql text, params text, options jsonb, iterations bigint, duration interval,
    warmup interval, rollback boolean, label text)
    RETURNS tasker_bench.measurement
    AS 'MODULE_PATHNAME', 'tb_measure_driver' LANGUAGE C;

COMMENT ON FUNCTION tasker_bench._measure_driver(text, text, text, jsonb, bigint, interval, interval, boolean, text) IS
    'Measures one case with the named driver; stores nothing (tasker_bench_run and the other runners store)';

CREATE FUNCTION tasker_bench._check_driver(driver text) RETURNS void
    AS 'MODULE_PATHNAME', 'tb_check_driver' LANGUAGE C;

COMMENT ON FUNCTION tasker_bench._check_driver(text) IS
    'Errors (with the list of drivers) unless a driver of that name exists';

CREATE FUNCTION tasker_bench._validate_driver(driver text, sql text, params text, options jsonb)
    RETURNS void AS 'MODULE_PATHNAME', 'tb_validate_driver' LANGUAGE C;

COMMENT ON FUNCTION tasker_bench._validate_driver(text, text, text, jsonb) IS
    'Everything a measurement by the named driver does before its first iteration: bad input fails here';

CREATE FUNCTION tasker_bench.phase(name text) RETURNS void
    AS 'MODULE_PATHNAME', 'tb_phase' LANGUAGE C VOLATILE;

COMMENT ON FUNCTION tasker_bench.phase(text) IS
    'Marks the start of a named phase inside a measured iteration (no-op when nothing is being measured)';

CREATE FUNCTION tasker_bench.count(name text, n bigint DEFAULT 1) RETURNS void
    AS 'MODULE_PATHNAME', 'tb_count' LANGUAGE C VOLATILE;

COMMENT ON FUNCTION tasker_bench.count(text, bigint) IS
    'Adds n to a named counter of the measured iteration (stored per call in results.counters)';

-- The environment a run is measured in.
CREATE FUNCTION tasker_bench._environment() RETURNS jsonb
LANGUAGE sql VOLATILE AS $$
    SELECT jsonb_build_object(
        'server_version', current_setting('server_version'),
        'server_version_num', current_setting('server_version_num')::int,
        'extension_version', (SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'tasker_bench'),
        'cpu_count', tasker_bench._cpu_count(),
        'clock_read_ns', tasker_bench._clock_read_cost_ns(),
        'backend_pid', pg_catalog.pg_backend_pid(),
        'database', pg_catalog.current_database(),
        'settings', (SELECT jsonb_object_agg(name, setting ORDER BY name)
                       FROM pg_catalog.pg_settings
                      WHERE name IN ('shared_buffers', 'work_mem', 'effective_cache_size',
                                     'jit', 'plan_cache_mode', 'max_parallel_workers_per_gather',
                                     'random_page_cost', 'synchronous_commit', 'fsync',
                                     'track_io_timing', 'shared_preload_libraries',
                                     'default_transaction_isolation', 'search_path')))
$$;

CREATE FUNCTION tasker_bench._validate_notify(sql text, params text, options jsonb)
    RETURNS integer AS 'MODULE_PATHNAME', 'tb_validate_notify' LANGUAGE C;

COMMENT ON FUNCTION tasker_bench._validate_notify(text, text, jsonb) IS
    'Checks a notify case: its options, the loopback connection (opened and closed again) and the statement';

CREATE FUNCTION tasker_bench._measure_notify(
    sql text, params text, options jsonb, iterations bigint, duration interval,
    warmup interval, label text)
    RETURNS tasker_bench.measurement
    AS 'MODULE_PATHNAME', 'tb_measure_notify' LANGUAGE C;

COMMENT ON FUNCTION tasker_bench._measure_notify(text, text, jsonb, bigint, interval, interval, text) IS
    'Measures LISTEN/NOTIFY latency: the sender statement sent on a loopback connection -> notification held by a loopback listener (ns); phases statement and notification';

CREATE FUNCTION tasker_bench._measure_clients(
    driver text, sql text, params text, options jsonb, iterations bigint, duration interval,
    warmup interval, rollback boolean, label text, clients integer)
    RETURNS tasker_bench.client_measurement
    AS 'MODULE_PATHNAME', 'tb_measure_clients' LANGUAGE C;

COMMENT ON FUNCTION tasker_bench._measure_clients(text, text, text, jsonb, bigint, interval, interval, boolean, text, integer) IS
    'Measures one case with the named driver in N concurrent background workers; stores nothing';

-- clients => N is a number from 1 to 64.
CREATE FUNCTION tasker_bench._check_clients(p_clients integer) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF p_clients IS NULL OR p_clients < 1 OR p_clients > 64 THEN
        RAISE EXCEPTION 'clients must be between 1 and 64, got %', coalesce(p_clients::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'clients => 4 runs each case in 4 concurrent backends; leave it out for one.';
    END IF;
END
$$;
