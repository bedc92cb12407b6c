# SqlStatements: top-level statements of an SQL script (used by
# tools/build-upgrade-script.pl and tools/check-sql-order.pl).
package SqlStatements;
use strict;
use warnings;
use Exporter 'import';
our @EXPORT_OK = qw(split_sql strip_comments);

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

1;
