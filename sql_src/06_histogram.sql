-- tasker_bench.histogram: an HDR-style latency histogram (values in ns), its
-- accessors and aggregates (src/histogram.c through src/histogram_type.c).

CREATE TYPE tasker_bench.histogram;

CREATE FUNCTION tasker_bench.histogram_in(cstring) RETURNS tasker_bench.histogram
    AS 'MODULE_PATHNAME', 'tb_histogram_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION tasker_bench.histogram_out(tasker_bench.histogram) RETURNS cstring
    AS 'MODULE_PATHNAME', 'tb_histogram_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION tasker_bench.histogram_recv(internal) RETURNS tasker_bench.histogram
    AS 'MODULE_PATHNAME', 'tb_histogram_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION tasker_bench.histogram_send(tasker_bench.histogram) RETURNS bytea
    AS 'MODULE_PATHNAME', 'tb_histogram_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.histogram_in(cstring) IS 'Input of the histogram type (internal: type support)';

COMMENT ON FUNCTION tasker_bench.histogram_out(tasker_bench.histogram) IS 'Output of the histogram type (internal: type support)';

COMMENT ON FUNCTION tasker_bench.histogram_recv(internal) IS 'Binary input of the histogram type (internal: type support)';

COMMENT ON FUNCTION tasker_bench.histogram_send(tasker_bench.histogram) IS 'Binary output of the histogram type (internal: type support)';

CREATE TYPE tasker_bench.histogram (
    INPUT = tasker_bench.histogram_in,
    OUTPUT = tasker_bench.histogram_out,
    RECEIVE = tasker_bench.histogram_recv,
    SEND = tasker_bench.histogram_send,
    INTERNALLENGTH = VARIABLE,
    STORAGE = extended
);

COMMENT ON TYPE tasker_bench.histogram IS
    'Latency histogram (ns): log-linear buckets, <= 0.4 % relative error, exact count/min/max/mean/stddev, mergeable';

CREATE FUNCTION tasker_bench.percentile(h tasker_bench.histogram, q float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'tb_histogram_percentile' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.percentile(tasker_bench.histogram, float8) IS
    'Value (ns) at quantile q in [0, 1]; NULL for an empty histogram';

CREATE FUNCTION tasker_bench.percentiles(h tasker_bench.histogram, qs float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME', 'tb_histogram_percentiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION tasker_bench.hcount(h tasker_bench.histogram) RETURNS bigint
    AS 'MODULE_PATHNAME', 'tb_histogram_count' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION tasker_bench.hmean(h tasker_bench.histogram) RETURNS float8
    AS 'MODULE_PATHNAME', 'tb_histogram_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION tasker_bench.hstddev(h tasker_bench.histogram) RETURNS float8
    AS 'MODULE_PATHNAME', 'tb_histogram_stddev' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION tasker_bench.hmin(h tasker_bench.histogram) RETURNS bigint
    AS 'MODULE_PATHNAME', 'tb_histogram_min' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION tasker_bench.hmax(h tasker_bench.histogram) RETURNS bigint
    AS 'MODULE_PATHNAME', 'tb_histogram_max' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION tasker_bench.hbuckets(h tasker_bench.histogram,
                                      OUT low_ns bigint, OUT high_ns bigint, OUT count bigint)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'tb_histogram_buckets' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.percentiles(tasker_bench.histogram, float8[]) IS
    'Values (ns) at each quantile of qs, in the order given; NULLs for an empty histogram';

COMMENT ON FUNCTION tasker_bench.hcount(tasker_bench.histogram) IS 'Number of recorded values';

COMMENT ON FUNCTION tasker_bench.hmean(tasker_bench.histogram) IS 'Exact mean of the recorded values (ns)';

COMMENT ON FUNCTION tasker_bench.hstddev(tasker_bench.histogram) IS 'Exact standard deviation of the recorded values (ns)';

COMMENT ON FUNCTION tasker_bench.hmin(tasker_bench.histogram) IS 'Exact minimum (ns)';

COMMENT ON FUNCTION tasker_bench.hmax(tasker_bench.histogram) IS 'Exact maximum (ns)';

COMMENT ON FUNCTION tasker_bench.hbuckets(tasker_bench.histogram) IS
    'The non-empty buckets: value range [low_ns, high_ns] and count';

-- Aggregates.  The transition state is the dense in-memory histogram.
CREATE FUNCTION tasker_bench.histogram_agg_trans(internal, bigint) RETURNS internal
    AS 'MODULE_PATHNAME', 'tb_histogram_agg_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION tasker_bench.histogram_merge_trans(internal, tasker_bench.histogram) RETURNS internal
    AS 'MODULE_PATHNAME', 'tb_histogram_merge_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION tasker_bench.histogram_agg_final(internal) RETURNS tasker_bench.histogram
    AS 'MODULE_PATHNAME', 'tb_histogram_agg_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION tasker_bench.histogram_agg_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'tb_histogram_agg_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION tasker_bench.histogram_agg_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'tb_histogram_agg_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION tasker_bench.histogram_agg_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'tb_histogram_agg_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION tasker_bench.histogram_agg_trans(internal, bigint) IS 'Transition of histogram_agg (internal: aggregate support)';

COMMENT ON FUNCTION tasker_bench.histogram_merge_trans(internal, tasker_bench.histogram) IS 'Transition of histogram_merge (internal: aggregate support)';

COMMENT ON FUNCTION tasker_bench.histogram_agg_final(internal) IS 'Final function of histogram_agg and histogram_merge (internal: aggregate support)';

COMMENT ON FUNCTION tasker_bench.histogram_agg_combine(internal, internal) IS 'Combine function of the histogram aggregates (internal: aggregate support)';

COMMENT ON FUNCTION tasker_bench.histogram_agg_serialize(internal) IS 'Serialize function of the histogram aggregates (internal: aggregate support)';

COMMENT ON FUNCTION tasker_bench.histogram_agg_deserialize(bytea, internal) IS 'Deserialize function of the histogram aggregates (internal: aggregate support)';

CREATE AGGREGATE tasker_bench.histogram_agg(bigint) (
    SFUNC = tasker_bench.histogram_agg_trans,
    STYPE = internal,
    SSPACE = 58500,
    FINALFUNC = tasker_bench.histogram_agg_final,
    COMBINEFUNC = tasker_bench.histogram_agg_combine,
    SERIALFUNC = tasker_bench.histogram_agg_serialize,
    DESERIALFUNC = tasker_bench.histogram_agg_deserialize,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE tasker_bench.histogram_agg(bigint) IS
    'Histogram of durations in nanoseconds (NULLs ignored, negatives rejected)';

CREATE AGGREGATE tasker_bench.histogram_merge(tasker_bench.histogram) (
    SFUNC = tasker_bench.histogram_merge_trans,
    STYPE = internal,
    SSPACE = 58500,
    FINALFUNC = tasker_bench.histogram_agg_final,
    COMBINEFUNC = tasker_bench.histogram_agg_combine,
    SERIALFUNC = tasker_bench.histogram_agg_serialize,
    DESERIALFUNC = tasker_bench.histogram_agg_deserialize,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE tasker_bench.histogram_merge(tasker_bench.histogram) IS
    'Merge of histograms: the histogram of all their values';
