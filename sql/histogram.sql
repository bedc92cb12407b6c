-- The histogram type: aggregates, accessors, accuracy, I/O validation.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS tasker_bench;
RESET client_min_messages;

-- exact figures on small data
SELECT tasker_bench.hcount(h), tasker_bench.hmin(h), tasker_bench.hmax(h),
       tasker_bench.hmean(h), round(tasker_bench.hstddev(h)::numeric, 6) AS stddev,
       (SELECT round(stddev_samp(v)::numeric, 6) FROM generate_series(1, 1000) v) AS sql_stddev
  FROM (SELECT tasker_bench.histogram_agg(v) AS h FROM generate_series(1, 1000) v) a;

-- values below 256 are exact, so the text form is readable
SELECT tasker_bench.histogram_agg(v) FROM (VALUES (100), (200), (300), (NULL)) t(v);
SELECT * FROM tasker_bench.hbuckets('n=3;min=100;max=200;sum=450;m2=5000;b=100:1,150:1,200:1');
-- above 255 a bucket is 1/128 of its power of two wide
SELECT b.* FROM (SELECT tasker_bench.histogram_agg(v) AS h FROM (VALUES (300), (301), (1000000)) t(v)) a,
     tasker_bench.hbuckets(a.h) b;

-- percentiles within 1 % of the exact ones, over several shapes of data
CREATE TEMP TABLE dist AS
SELECT 'uniform' AS shape, (1000 + (i * 7919) % 100000)::bigint AS v FROM generate_series(1, 100000) i
UNION ALL
SELECT 'exponential', (500 * exp((i % 1000) / 100.0))::bigint FROM generate_series(1, 100000) i
UNION ALL
SELECT 'bimodal', CASE WHEN i % 10 = 0 THEN 2000000 + i ELSE 400 + i % 300 END FROM generate_series(1, 100000) i
UNION ALL
SELECT 'one ns to one hour', (exp(ln(3.6e12) * (i / 100000.0)))::bigint FROM generate_series(1, 100000) i;

WITH q(q) AS (VALUES (0.0), (0.01), (0.1), (0.25), (0.5), (0.75), (0.9), (0.95), (0.99), (0.999), (1.0)),
     h AS (SELECT shape, tasker_bench.histogram_agg(v) AS h FROM dist GROUP BY shape),
     exact AS (SELECT d.shape, q.q, percentile_disc(q.q) WITHIN GROUP (ORDER BY d.v) AS e
                 FROM dist d, q GROUP BY d.shape, q.q)
SELECT e.shape, count(*) AS quantiles,
       bool_and(abs(tasker_bench.percentile(h.h, e.q) - e.e) <= 0.01 * e.e) AS within_1pct,
       round(max(abs(tasker_bench.percentile(h.h, e.q) - e.e) / e.e)::numeric, 4) AS max_rel_error
  FROM exact e JOIN h USING (shape)
 GROUP BY e.shape ORDER BY e.shape;

-- merging partial histograms gives the histogram of all values
-- (all but m2, the floating-point sum of squared deviations, which may differ
-- in its last digits; compare the standard deviations instead)
WITH m AS (SELECT tasker_bench.histogram_merge(h) AS h
             FROM (SELECT tasker_bench.histogram_agg(v) AS h FROM dist GROUP BY shape) s),
     w AS (SELECT tasker_bench.histogram_agg(v) AS h FROM dist)
SELECT regexp_replace(m.h::text, ';m2=[^;]*', '') = regexp_replace(w.h::text, ';m2=[^;]*', '') AS merge_equals_whole,
       abs(tasker_bench.hstddev(m.h) / tasker_bench.hstddev(w.h) - 1) < 1e-9 AS same_stddev
  FROM m, w;

-- text round trip
SELECT h::text::tasker_bench.histogram::text = h::text AS text_round_trip
  FROM (SELECT tasker_bench.histogram_agg(v) AS h FROM dist) s;

-- percentiles() and the summary (with a clock cost subtracted)
SELECT tasker_bench.percentiles('n=3;min=100;max=200;sum=450;m2=5000;b=100:1,150:1,200:1', '{0,0.5,1}');
SELECT n, min_us, mean_us, p50_us, max_us, outliers_high_severe
  FROM tasker_bench.hsummary('n=3;min=100;max=200;sum=450;m2=5000;b=100:1,150:1,200:1', 50);

-- empty histograms
SELECT tasker_bench.histogram_agg(v) IS NULL AS agg_of_nothing_is_null FROM generate_series(1, 0) v;
SELECT tasker_bench.hcount('n=0'), tasker_bench.percentile('n=0', 0.5), tasker_bench.hmean('n=0');

-- comparison of two histograms: the same data, then a 10 % shift
SELECT verdict FROM tasker_bench.hcompare(
    (SELECT tasker_bench.histogram_agg(v) FROM dist WHERE shape = 'uniform'),
    (SELECT tasker_bench.histogram_agg(v) FROM dist WHERE shape = 'uniform'));
SELECT verdict, change_pct BETWEEN 8 AND 12 AS about_10pct, p_value < 0.001 AS significant
  FROM tasker_bench.hcompare(
    (SELECT tasker_bench.histogram_agg(v) FROM dist WHERE shape = 'uniform'),
    (SELECT tasker_bench.histogram_agg((v * 1.1)::bigint) FROM dist WHERE shape = 'uniform'));

-- growth fit
SELECT complexity FROM tasker_bench.fit_complexity('{1000,5000,10000,100000}', '{10,50,100,1000}');
SELECT complexity FROM tasker_bench.fit_complexity('{1000,5000,10000,100000}', '{10,10.1,9.9,10}');

-- bad input: each is an error that says what is wrong
SELECT 'garbage'::tasker_bench.histogram;
SELECT ''::tasker_bench.histogram;
SELECT 'n=2;min=100;max=200;sum=450;m2=0;b=100:1,150:1,200:1'::tasker_bench.histogram;
SELECT 'n=3;min=100;max=200;sum=450;m2=0;b=150:1,100:1,200:1'::tasker_bench.histogram;
SELECT 'n=3;min=100;max=200;sum=450;m2=-1;b=100:1,150:1,200:1'::tasker_bench.histogram;
SELECT 'n=1;min=5;max=5;sum=5;m2=0;b=999999:1'::tasker_bench.histogram;
SELECT 'n=1;min=5;max=5;sum=5;m2=0;b=5:1 '::tasker_bench.histogram IS NOT NULL AS trailing_space_ok;
SELECT 'n=1;min=5;max=5;sum=5;m2=0;b=5:1;x=1'::tasker_bench.histogram;
SELECT 'n=1;min=5;max=5;sum=6;m2=0;b=5:1'::tasker_bench.histogram;
SELECT 'n=1;min=5;max=5;sum=5;m2=0;b=6:1'::tasker_bench.histogram;
SELECT 'n=-1'::tasker_bench.histogram;
SELECT 'n=99999999999999999999999'::tasker_bench.histogram;
SELECT tasker_bench.percentile('n=0', 1.5);
SELECT tasker_bench.percentile('n=0', -0.1);
SELECT tasker_bench.percentile('n=0', 'NaN');
SELECT tasker_bench.percentiles('n=0', '{0.5,NULL}');
SELECT tasker_bench.histogram_agg(v) FROM (VALUES (1), (-5)) t(v);
SELECT * FROM tasker_bench.hmedian_ci('n=0', 1.5);
SELECT * FROM tasker_bench.fit_complexity('{1}', '{1}');
SELECT * FROM tasker_bench.fit_complexity('{1,2}', '{1}');
SELECT * FROM tasker_bench.hcompare('n=0', 'n=0', -1);
