#!/usr/bin/perl
# Builds an upgrade script of tasker_bench (e.g. tasker_bench--0.1--0.2.sql)
# from the NEW version's install script and the hand-written migrations:
#
#   perl tools/build-upgrade-script.pl FROM TO INSTALL_SCRIPT MIGRATIONS_DIR > tasker_bench--FROM--TO.sql
#
# The upgrade script, in this order:
#   0. the DO blocks of the install script's preamble (before its first
#      CREATE of a function, type, table or view), once;
#   1. drops every view, function, procedure, aggregate and composite type of
#      the extension that nothing else depends on (repeated until nothing
#      more can go); the support functions of base types (the histogram's I/O)
#      are never dropped, nor anything a table, a policy or a user's object
#      depends on: those stay and are replaced in step 3;
#   2. the migrations MIGRATIONS_DIR/*.sql, in name order, verbatim (tables,
#      columns, indexes, constraints, policies, RLS, sequences, data);
#   3. from the install script, in its order, every statement of these kinds:
#        CREATE FUNCTION / PROCEDURE / AGGREGATE / VIEW  (as CREATE OR REPLACE)
#        CREATE TYPE ... AS (...) / AS ENUM              (only if missing)
#        COMMENT ON ..., GRANT ..., REVOKE ...
#        ALTER FUNCTION / PROCEDURE / AGGREGATE / ROUTINE
#        DO blocks, and SELECT statements other than pg_extension_config_dump
#        INSERT INTO a table of the extension that has a builtin column: its
#          built-in rows are deleted at the start of this part, then
#          inserted again; into a table without one that is not a
#          configuration table (pg_extension_config_dump): all its rows are
#          deleted first (the table holds only the extension's own data)
#   So a migration runs while the functions of the old version are (mostly)
#   dropped and those of the new one do not exist yet: it must not call the
#   extension's functions.  What needs them belongs in sql_src as a top-level
#   statement (a SELECT or DO block), which this part runs again.
#   Everything else of the install script (CREATE TABLE / INDEX / SEQUENCE /
#   POLICY / SCHEMA / TRIGGER / EVENT TRIGGER, ALTER TABLE, base and shell types,
#   pg_extension_config_dump, INSERT into configuration tables without a
#   builtin column) is left to the migrations.  An unknown kind of statement
#   is an error, so it is noticed rather than silently left out.
use strict;
use warnings;

die "usage: $0 FROM TO INSTALL_SCRIPT MIGRATIONS_DIR\n" unless @ARGV == 4;
my ($from, $to, $install, $migdir) = @ARGV;

sub slurp
{
	my ($f) = @_;
	open(my $fh, '<', $f) or die "$f: $!\n";
	local $/;
	my $s = <$fh>;
	close($fh);
	return $s;
}

# Split SQL text into top-level statements (each without its ';'), honouring
# quotes, dollar quotes and comments.  psql meta-command lines are dropped.
sub split_sql
{
	my ($sql) = @_;
	my @stmts;
	my $cur = '';
	my $i = 0;
	my $n = length($sql);
	while ($i < $n)
	{
		my $c = substr($sql, $i, 1);
		my $rest = substr($sql, $i, 2);
		if ($c eq '\\' && strip_comments($cur) eq '')
		{
			# psql meta-command: to the end of the line
			my $e = index($sql, "\n", $i);
			$e = $n if $e < 0;
			$i = $e;
			next;
		}
		if ($rest eq '--')
		{
			my $e = index($sql, "\n", $i);
			$e = $n if $e < 0;
			$cur .= substr($sql, $i, $e - $i);
			$i = $e;
			next;
		}
		if ($rest eq '/*')
		{
			my $depth = 0;
			my $j = $i;
			while ($j < $n)
			{
				if (substr($sql, $j, 2) eq '/*') { $depth++; $j += 2; next; }
				if (substr($sql, $j, 2) eq '*/') { $depth--; $j += 2; last if $depth == 0; next; }
				$j++;
			}
			$cur .= substr($sql, $i, $j - $i);
			$i = $j;
			next;
		}
		if ($c eq "'" || $c eq '"')
		{
			my $j = $i + 1;
			while ($j < $n)
			{
				if (substr($sql, $j, 1) eq $c)
				{
					if (substr($sql, $j + 1, 1) eq $c) { $j += 2; next; }
					last;
				}
				$j++;
			}
			$cur .= substr($sql, $i, $j + 1 - $i);
			$i = $j + 1;
			next;
		}
		pos($sql) = $i;
		if ($c eq '$' && ($i == 0 || substr($sql, $i - 1, 1) !~ /[A-Za-z_0-9]/)
			&& $sql =~ /\G(\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$)/gc)
		{
			my $tag = $1;
			my $e = index($sql, $tag, $i + length($tag));
			die "unterminated dollar quote $tag\n" if $e < 0;
			$cur .= substr($sql, $i, $e + length($tag) - $i);
			$i = $e + length($tag);
			next;
		}
		if ($c eq ';')
		{
			push @stmts, $cur;
			$cur = '';
			$i++;
			next;
		}
		$cur .= $c;
		$i++;
	}
	die "text after the last ';': $cur\n" if $cur =~ /\S/ && strip_comments($cur) =~ /\S/;
	return @stmts;
}

# The statement without leading comments and blank space.
sub strip_comments
{
	my ($s) = @_;
	while (1)
	{
		$s =~ s/^\s+//;
		if ($s =~ s/^--[^\n]*//) { next; }
		if ($s =~ /^\/\*/)
		{
			my $depth = 0;
			my $j = 0;
			while ($j < length($s))
			{
				if (substr($s, $j, 2) eq '/*') { $depth++; $j += 2; next; }
				if (substr($s, $j, 2) eq '*/') { $depth--; $j += 2; last if $depth == 0; next; }
				$j++;
			}
			$s = substr($s, $j);
			next;
		}
		last;
	}
	return $s;
}

my @stmts = map { strip_comments($_) } split_sql(slurp($install));
@stmts = grep { /\S/ } @stmts;

# tables with a builtin column, and configuration tables
my (%has_builtin, %config);
for my $s (@stmts)
{
	if ($s =~ /^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w."]+)\s*\((.*)\)/is)
	{
		my ($t, $body) = (lc($1), $2);
		$has_builtin{$t} = 1 if $body =~ /(?:^|[(,\n])\s*builtin\s+boolean\b/i;
	}
	if ($s =~ /pg_extension_config_dump\s*\(\s*'([^']+)'/i)
	{
		$config{lc($1)} = 1;
	}
}

my @out;
push @out, "-- Generated by tools/build-upgrade-script.pl from the $to install script and";
push @out, "-- upgrade/$from--$to/*.sql; edit those.";
push @out, "\\echo Use \"ALTER EXTENSION tasker_bench UPDATE TO '$to'\" to load this file. \\quit";
push @out, '';
# The install script's preamble (the statements before its first CREATE of a
# function, type, table or view): its DO blocks set up the script's
# environment (e.g. the schema of the user-facing functions, found from the
# functions already there), so they run first, before anything is dropped,
# and not again.
my %preamble;
for my $i (0 .. $#stmts)
{
	last if $stmts[$i] =~ /^CREATE\s+(?:OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE|AGGREGATE|TYPE|TABLE|VIEW)\b/is;
	next unless $stmts[$i] =~ /^DO\b/is;
	push @out, "-- 0. The install script's preamble.";
	push @out, "$stmts[$i];";
	$preamble{$i} = 1;
}

push @out, <<'EOF';
-- 1. Drop what the new version re-creates: views, functions, procedures,
--    aggregates and composite types of the extension, except what a base
--    type, a table, a policy or any other object still depends on (those
--    are replaced below).
DO $tb_upgrade$
DECLARE
    v_ext oid := (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'tasker_bench');
    v_progress boolean := true;
    r record;
BEGIN
    WHILE v_progress LOOP
        v_progress := false;
        FOR r IN
            SELECT 'VIEW' AS kind, c.oid::regclass::text AS ident
              FROM pg_catalog.pg_depend d
              JOIN pg_catalog.pg_class c ON c.oid = d.objid
             WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refobjid = v_ext
               AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e'
               AND c.relkind IN ('v', 'm')
            UNION ALL
            SELECT CASE p.prokind WHEN 'a' THEN 'AGGREGATE' WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
                   p.oid::regprocedure::text
              FROM pg_catalog.pg_depend d
              JOIN pg_catalog.pg_proc p ON p.oid = d.objid
             WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.refobjid = v_ext
               AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e'
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type t
                                WHERE p.oid IN (t.typinput, t.typoutput, t.typreceive, t.typsend,
                                                t.typmodin, t.typmodout, t.typanalyze))
            UNION ALL
            SELECT 'TYPE', t.oid::regtype::text
              FROM pg_catalog.pg_depend d
              JOIN pg_catalog.pg_type t ON t.oid = d.objid
             WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.refobjid = v_ext
               AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e'
               AND (t.typtype = 'e'
                    OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_catalog.pg_class c
                                              WHERE c.oid = t.typrelid) = 'c'))
        LOOP
            BEGIN
                EXECUTE format('DROP %s %s', r.kind, r.ident);
                v_progress := true;
            EXCEPTION WHEN dependent_objects_still_exist THEN
                NULL;           -- kept; replaced below
            END;
        END LOOP;
    END LOOP;
END
$tb_upgrade$;
EOF

push @out, "-- 2. Migrations of tables, columns, indexes, constraints, policies and data.";
opendir(my $dh, $migdir) or die "$migdir: $!\n";
for my $f (sort grep { /\.sql$/ } readdir($dh))
{
	push @out, "-- ---- upgrade/$from--$to/$f ----";
	my $m = slurp("$migdir/$f");
	$m .= "\n" unless $m =~ /\n$/;
	push @out, $m;
}
closedir($dh);

push @out, "-- 3. The functions, types, views, comments, privileges and built-in rows of $to.";
my %refreshed;
@stmts = map { $preamble{$_} ? () : $stmts[$_] } 0 .. $#stmts;
# the rows the install script inserts are deleted first, then inserted again
# below (also by the functions a re-run statement calls)
for my $s (@stmts)
{
	next unless $s =~ /^INSERT\s+INTO\s+([\w."]+)/is;
	my $t = lc($1);
	next if $refreshed{$t}++;
	if ($has_builtin{$t})
	{
		push @out, "DELETE FROM $t WHERE builtin;";
	}
	elsif (!$config{$t})
	{
		push @out, "DELETE FROM $t;";
	}
}
for my $s (@stmts)
{
	my $emit;
	if ($s =~ /^CREATE\s+(?:OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE|AGGREGATE)\b(.*)$/is)
	{
		$emit = "CREATE OR REPLACE " . uc($1) . $2;
	}
	elsif ($s =~ /^CREATE\s+(?:OR\s+REPLACE\s+)?(?:(TEMP|TEMPORARY|RECURSIVE)\s+)?VIEW\b(.*)$/is)
	{
		die "unexpected view kind: $s\n" if defined $1;
		$emit = "CREATE OR REPLACE VIEW" . $2;
	}
	elsif ($s =~ /^CREATE\s+TYPE\s+([\w."]+)\s+AS\s*(\(|ENUM\b)/is)
	{
		my $name = $1;
		die "a type definition may not contain \$tb_type\$\n" if $s =~ /\$tb_type\$/;
		$emit = "DO \$tb_upgrade\$ BEGIN\n    IF pg_catalog.to_regtype('$name') IS NULL THEN\n"
		  . "        EXECUTE \$tb_type\$$s\$tb_type\$;\n    END IF;\nEND \$tb_upgrade\$";
	}
	elsif ($s =~ /^CREATE\s+TYPE\b/is)
	{
		next;					# base and shell types stay
	}
	elsif ($s =~ /^(COMMENT\s+ON|GRANT|REVOKE|DO)\b/is
		   || $s =~ /^ALTER\s+(FUNCTION|PROCEDURE|AGGREGATE|ROUTINE)\b/is)
	{
		$emit = $s;
	}
	elsif ($s =~ /^SELECT\b/is)
	{
		next if $s =~ /pg_extension_config_dump/i;
		$emit = $s;
	}
	elsif ($s =~ /^INSERT\s+INTO\s+([\w."]+)/is)
	{
		my $t = lc($1);
		next if !$has_builtin{$t} && $config{$t};	# a configuration table's rows: a migration's job
		$emit = $s;
	}
	elsif ($s =~ /^(CREATE\s+(TABLE|(UNIQUE\s+)?INDEX|SEQUENCE|POLICY|SCHEMA|(EVENT\s+)?TRIGGER)|ALTER\s+(TABLE|SEQUENCE|INDEX|POLICY))\b/is)
	{
		next;					# a migration's job
	}
	else
	{
		my ($head) = $s =~ /^(.{0,80})/s;
		die "build-upgrade-script: a statement of a kind the generator does not know: $head\n"
		  . "Teach tools/build-upgrade-script.pl whether the upgrade re-runs it or a migration does it.\n";
	}
	push @out, "$emit;";
}

print join("\n", @out), "\n";
