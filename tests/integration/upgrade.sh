#!/usr/bin/env bash
# ALTER EXTENSION tasker_bench UPDATE from 0.1 (the install script as
# shipped) to this version gives the same catalog as a fresh install:
# member objects, functions (signature, definition, settings, privileges),
# tables, columns in order with types and defaults, constraints, indexes,
# policies, RLS flags, views, composite types, comments, configuration
# tables and built-in rows.  The differences are printed when not.  Data
# of 0.1 survives the update, and the updated extension runs cases.
source "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d -t tb_upgrade.XXXXXX)
export PGOPTIONS="-c client_min_messages=warning"
new=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$(dirname "$0")/../../tasker_bench.control")

for db in tb_up_fresh tb_up_old; do
	psql -X -q -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	psql -X -q -c "CREATE DATABASE $db" >/dev/null
done
PGDATABASE=tb_up_fresh q "CREATE EXTENSION tasker_bench" >"$tmp/fresh.out"
check "a fresh install is version $new" \
	test "$(PGDATABASE=tb_up_fresh q "SELECT extversion FROM pg_extension WHERE extname = 'tasker_bench'")" = "$new"

export PGDATABASE=tb_up_old
q "CREATE EXTENSION tasker_bench VERSION '0.1'" >"$tmp/old.out"
check "version 0.1 installs from its script as shipped" \
	test "$(q "SELECT extversion FROM pg_extension WHERE extname = 'tasker_bench'")" = 0.1
q "SELECT tasker_bench_register('up/mine', 'SELECT 1', suite => 'up')" >/dev/null
q "SELECT count(*) FROM tasker_bench_run('up/mine', iterations => 200)" >/dev/null
before=$(q "SELECT count(*) FROM tasker_bench.runs WHERE status = 'completed'")
check "0.1's functions run a case with this version's library before the update" test "$before" = 1

out=$(q "ALTER EXTENSION tasker_bench UPDATE")
check "ALTER EXTENSION tasker_bench UPDATE from 0.1 succeeds" test "$out" = "ALTER EXTENSION"
[ "$out" = "ALTER EXTENSION" ] || echo "$out" | head -20 | sed 's/^/#   /'
check "... to version $new" \
	test "$(q "SELECT extversion FROM pg_extension WHERE extname = 'tasker_bench'")" = "$new"

# the catalog of the extension, one line per fact, sorted
cat >"$tmp/snapshot.sql" <<'SQL'
WITH ext AS (SELECT oid, extnamespace FROM pg_extension WHERE extname = 'tasker_bench'),
mem AS (
    SELECT d.classid, d.objid FROM pg_depend d, ext
     WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
rels AS (
    SELECT c.oid, c.oid::regclass::text AS name FROM pg_class c JOIN mem ON mem.classid = 'pg_class'::regclass
       AND mem.objid = c.oid)
SELECT line FROM (
    SELECT 'member ' || (pg_identify_object(m.classid, m.objid, 0)).type || ' '
           || (pg_identify_object(m.classid, m.objid, 0)).identity AS line
      FROM mem m
    UNION ALL
    SELECT 'function ' || p.oid::regprocedure || ' kind=' || p.prokind::text || ' returns='
           || format_type(p.prorettype, NULL) || ' lang=' || l.lanname || ' vol=' || p.provolatile::text
           || ' strict=' || p.proisstrict || ' secdef=' || p.prosecdef || ' parallel=' || p.proparallel::text
           || ' config=' || coalesce(p.proconfig::text, '-') || ' acl=' || coalesce(p.proacl::text, '-')
           || ' args=' || pg_get_function_arguments(p.oid)
           || ' src=' || md5(coalesce(p.prosrc, '') || coalesce(p.probin, '')
                             || coalesce(pg_get_function_sqlbody(p.oid), ''))
           || ' comment=' || coalesce(md5(obj_description(p.oid, 'pg_proc')), '-')
      FROM pg_proc p JOIN mem ON mem.classid = 'pg_proc'::regclass AND mem.objid = p.oid
      JOIN pg_language l ON l.oid = p.prolang
    UNION ALL
    SELECT 'relation ' || r.name || ' kind=' || c.relkind::text || ' rls=' || c.relrowsecurity
           || ' force=' || c.relforcerowsecurity || ' acl=' || coalesce(c.relacl::text, '-')
           || ' options=' || coalesce(c.reloptions::text, '-')
           || ' comment=' || coalesce(md5(obj_description(c.oid, 'pg_class')), '-')
           || CASE WHEN c.relkind IN ('v', 'm') THEN ' view=' || md5(pg_get_viewdef(c.oid)) ELSE '' END
      FROM rels r JOIN pg_class c ON c.oid = r.oid
    UNION ALL
    SELECT 'column ' || r.name || ' #' || row_number() OVER (PARTITION BY r.name ORDER BY a.attnum)
           || ' ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
           || ' notnull=' || a.attnotnull || ' default=' || coalesce(pg_get_expr(ad.adbin, ad.adrelid), '-')
           || ' comment=' || coalesce(md5(col_description(r.oid, a.attnum)), '-')
      FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_attrdef ad ON ad.adrelid = r.oid AND ad.adnum = a.attnum
    UNION ALL
    SELECT 'constraint ' || r.name || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
      FROM rels r JOIN pg_constraint co ON co.conrelid = r.oid
    UNION ALL
    SELECT 'index ' || pg_get_indexdef(i.indexrelid)
      FROM rels r JOIN pg_index i ON i.indrelid = r.oid
    UNION ALL
    SELECT 'policy ' || r.name || ' ' || po.polname || ' cmd=' || po.polcmd::text || ' permissive=' || po.polpermissive
           || ' roles=' || po.polroles::regrole[]::text
           || ' using=' || coalesce(pg_get_expr(po.polqual, po.polrelid), '-')
           || ' check=' || coalesce(pg_get_expr(po.polwithcheck, po.polrelid), '-')
      FROM rels r JOIN pg_policy po ON po.polrelid = r.oid
    UNION ALL
    SELECT 'trigger ' || pg_get_triggerdef(t.oid)
      FROM rels r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
    UNION ALL
    SELECT 'type ' || t.oid::regtype || ' typtype=' || t.typtype::text
           || ' comment=' || coalesce(md5(obj_description(t.oid, 'pg_type')), '-')
      FROM pg_type t JOIN mem ON mem.classid = 'pg_type'::regclass AND mem.objid = t.oid
    UNION ALL
    SELECT 'config ' || c::regclass || ' ' || coalesce(w, '')
      FROM ext e JOIN pg_extension x ON x.oid = e.oid,
           unnest(x.extconfig, x.extcondition) AS u(c, w)
    UNION ALL
    SELECT 'builtin case ' || name || ' ' || md5(row(suite, sql, params, search_path, rollback, category,
                                                     tolerance_pct, driver, options, description)::text)
      FROM tasker_bench.cases WHERE builtin
    UNION ALL
    SELECT 'builtin queue ' || queue_name FROM tasker_bench.queues WHERE builtin
    UNION ALL
    SELECT 'template ' || shape || ' ' || md5(row(step_names, edge_from, edge_to, created_after, branch_group)::text)
      FROM tasker_bench.lifecycle_templates
) facts
ORDER BY line COLLATE "C";
SQL
PGDATABASE=tb_up_fresh psql -X -At -v ON_ERROR_STOP=1 -f "$tmp/snapshot.sql" >"$tmp/fresh.txt" 2>&1
psql -X -At -v ON_ERROR_STOP=1 -f "$tmp/snapshot.sql" >"$tmp/updated.txt" 2>&1
check "the catalog snapshot has the extension's objects ($(wc -l <"$tmp/fresh.txt") facts)" \
	test "$(grep -c '^function ' "$tmp/fresh.txt")" -gt 50
grep -q '^function ' "$tmp/fresh.txt" || head -5 "$tmp/fresh.txt" | sed 's/^/#   /'
if diff -u "$tmp/fresh.txt" "$tmp/updated.txt" >"$tmp/diff.txt"; then
	ok "the updated catalog equals a fresh install of $new"
else
	not_ok "the updated catalog equals a fresh install of $new"
	echo "# differences (- fresh $new, + updated from 0.1):"
	grep -E '^[-+][^-+]' "$tmp/diff.txt" | head -60 | sed 's/^/#   /'
fi

check "the runs of 0.1 are kept" \
	test "$(q "SELECT count(*) FROM tasker_bench.runs WHERE status = 'completed'")" = "$before"
check "the user's case of 0.1 is kept" \
	test "$(q "SELECT count(*) FROM tasker_bench.cases WHERE name = 'up/mine' AND NOT builtin")" = 1
out=$(q "SELECT n FROM tasker_bench_run('up/mine', iterations => 300)")
check "the updated extension runs the case (n = 300)" test "$out" = 300
[ "$out" = 300 ] || echo "$out" | head -20 | sed 's/^/#   /'
n=$(q "SELECT count(*) FROM tasker_bench.results WHERE case_name = 'up/mine'")
check "... beside its run of 0.1 (got $n results)" test "$n" = 2

for db in tb_up_fresh tb_up_old; do
	PGDATABASE=postgres psql -X -q -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
done
rm -rf "$tmp"
finish
