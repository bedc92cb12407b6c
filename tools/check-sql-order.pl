#!/usr/bin/perl
# Checks that the SQL half is in dependency order: no statement of
# sql_src/*.sql (taken in name order, as the install script is assembled)
# names a function, procedure, aggregate, view, table or type of the
# extension that is created only by a later statement.  PL/pgSQL resolves
# names late, so a forward reference would install fine and hide the real
# order; this makes it visible.  A routine may name itself (recursion).
#
#   perl tools/check-sql-order.pl sql_src/*.sql
#
# Prints each forward reference and exits 1 if there is any.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use SqlStatements qw(split_sql strip_comments);

my @stmts;    # [file, text without comments]
for my $f (sort @ARGV)
{
	open(my $fh, '<', $f) or die "$f: $!\n";
	local $/;
	my $sql = <$fh>;
	close($fh);
	for my $s (split_sql($sql))
	{
		$s = strip_comments($s);
		next unless $s =~ /\S/;
		# comments and string literals (messages, hints, COMMENTs) inside
		# bodies name things without using them; so SQL built as a string
		# for EXECUTE is not checked
		$s =~ s/'(?:[^']|'')*'/''/g;
		$s =~ s/--[^\n]*//g;
		push @stmts, [ $f, $s ];
	}
}

# where each object is created
my %created;
for my $i (0 .. $#stmts)
{
	my $s = $stmts[$i][1];
	if ($s =~ /^CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE|AGGREGATE|VIEW|TABLE|TYPE)\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w.]+)/i)
	{
		my $name = lc($1);
		$created{$name} //= $i;
	}
}

my $bad = 0;
for my $i (0 .. $#stmts)
{
	my ($f, $s) = @{ $stmts[$i] };
	my ($self) = $s =~ /^CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE|AGGREGATE|VIEW|TABLE|TYPE)\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w.]+)/i;
	$self = lc($self // '');
	my %seen;
	while ($s =~ /\b(tasker_bench\.\w+|tasker_bench_\w+)/gi)
	{
		my $name = lc($1);
		next if $seen{$name}++ || $name eq $self;
		my $at = $created{$name};
		next unless defined $at && $at > $i;
		my ($what) = $s =~ /^(\S+\s+(?:OR\s+REPLACE\s+)?\S+\s+[\w.]+)/i;
		printf "%s: %s refers to %s, created later in %s\n", $f, $what // substr($s, 0, 40), $name, $stmts[$at][0];
		$bad++;
	}
}
print "$bad forward reference(s)\n" if $bad;
exit($bad ? 1 : 0);
