#!/usr/bin/env bash
# Per-iteration memory is reset: while a case runs for seconds (hundreds of
# thousands of iterations), the backend's private memory does not grow with
# the iterations (buffers the loop sizes once, e.g. for a block's samples,
# may grow in the first blocks; a leak of even one palloc chunk an iteration
# would be 16 bytes or more an iteration).  The
# writing path (subtransaction per iteration, parameterised plan) and the
# reading path are both watched from outside, through /proc.
source "$(dirname "$0")/../lib.sh"
psql -X -q -c "CREATE DATABASE tb_memory" >/dev/null
export PGDATABASE=tb_memory
q "SET client_min_messages = warning; CREATE EXTENSION tasker_bench;
   CREATE TABLE m (id int PRIMARY KEY, v int);
   INSERT INTO m SELECT g, 0 FROM generate_series(1, 100) g" >/dev/null

rss_anon() { awk '/^RssAnon:/ {print $2}' "/proc/$1/status" 2>/dev/null; }

watch_case() {	# label, statement -> prints "first max iterations"
	# uncapped: the writing path must run for its whole budget
	psql -X -At -c "SET client_min_messages = warning" -c "SET tasker_bench.max_write_iterations = 0" \
		-c "SELECT n FROM tasker_bench_measure('$2', params => 'SELECT g FROM generate_series(1, 100) g', duration => '4 s', warmup => '0', name => '$1')" \
		>"$TB_DIR/mem.out" 2>&1 &
	local bg=$! pid= first= max=0 v t
	for _ in $(seq 1 50); do
		pid=$(q "SELECT pid FROM pg_stat_activity WHERE query LIKE 'tasker_bench: $1%measuring%'")
		[ -n "$pid" ] && break
		sleep 0.1
	done
	sleep 0.5
	for t in $(seq 1 30); do
		# only while the loop measures (storing the result afterwards may allocate)
		q "SELECT 1 FROM pg_stat_activity WHERE pid = $pid AND query LIKE '%: measuring%'" | grep -q 1 || break
		v=$(rss_anon "$pid")
		[ -z "$v" ] && break
		[ -z "$first" ] && first=$v
		[ "$v" -gt "$max" ] && max=$v
		sleep 0.1
	done
	wait $bg
	echo "$first $max $(tail -1 "$TB_DIR/mem.out")"
}

read -r first max n < <(watch_case write 'UPDATE m SET v = v + 1 WHERE id = $1')
echo "# writing path: $n iterations, private memory ${first} kB after 0.5 s, at most ${max} kB later"
check "writing path ran many iterations ($n)" test "${n:-0}" -gt 10000
check "writing path: no per-iteration growth ($((max - first)) kB over $n iterations: under 2 bytes an iteration; a leaked palloc chunk is 16 or more)" \
	test "$(((max - first) * 1024))" -lt "$((${n:-0} * 2))"

read -r first max n < <(watch_case read 'SELECT * FROM m WHERE id = $1')
echo "# reading path: $n iterations, private memory ${first} kB after 0.5 s, at most ${max} kB later"
check "reading path ran many iterations ($n)" test "${n:-0}" -gt 100000
check "reading path: no per-iteration growth ($((max - first)) kB over $n iterations: under 2 bytes an iteration; a leaked palloc chunk is 16 or more)" \
	test "$(((max - first) * 1024))" -lt "$((${n:-0} * 2))"

export PGDATABASE=postgres
psql -X -q -c "DROP DATABASE tb_memory" >/dev/null
finish
