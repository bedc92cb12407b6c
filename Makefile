# tasker_bench: benchmarks SQL inside PostgreSQL.
#
#   make demo          install what is missing, run the default suite on a throwaway cluster
#   make test          every test: pg_regress, C unit tests under sanitizers, integration tests
#   make test-matrix   the tests on PostgreSQL 17 and 18 (fetched into a cache outside the repo)
#   make bench         figures: tasker_bench vs pgbench vs a PL/pgSQL loop, memory, fixture speed
#   make bench-versions SELECT 1 and get_step_readiness_status p50 on PostgreSQL 15, 17, 18
#   make installcheck  pg_regress against your own running server (PGHOST/PGPORT/PGUSER)
#
# The Makefile parses on a machine without PGXS yet: demo/test/bench install the
# Debian packages they need first (tools/ensure-deps.sh) and then build.

EXTENSION  = tasker_bench
EXTVERSION = 0.2
# the version before this one: its install script is kept as shipped
# (upgrade/), and the upgrade script from it is generated
PREVVERSION = 0.1

MODULE_big = tasker_bench
# every C file under src/ is part of the module (a new driver is one new file)
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

DATA_built = $(EXTENSION)--$(EXTVERSION).sql $(EXTENSION)--$(PREVVERSION)--$(EXTVERSION).sql
DATA = upgrade/$(EXTENSION)--$(PREVVERSION).sql
PGFILEDESC = "tasker_bench - benchmarks SQL inside the server"

# pg_regress tests, in order (one a line, so branches adding tests merge cleanly)
REGRESS =
REGRESS += histogram
REGRESS += measure
REGRESS += run
REGRESS += bad_input
REGRESS += security
REGRESS += model
REGRESS += fixture
REGRESS += scale
REGRESS += notify
REGRESS += compare
REGRESS += verdicts
REGRESS += plan_shape
REGRESS += lifecycle
REGRESS += lifecycle_pgmq
REGRESS += profile
REGRESS += report_views
REGRESS += tasker_coverage
REGRESS += export
REGRESS += clients
REGRESS += write_cap
REGRESS += prepare_once

PG_CPPFLAGS = -I$(srcdir)/src
# notify.c: loopback libpq connections (as contrib/dblink)
PG_CPPFLAGS += -I$(libpq_srcdir)
SHLIB_LINK_INTERNAL = $(libpq)
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare

EXTRA_CLEAN = $(DATA_built) regression.diffs regression.out results

# No LLVM bitcode: nothing here gains from JIT inlining, and it would need a
# clang matching the server's build.
override with_llvm := no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
else
all install installcheck:
	@echo "PostgreSQL's PGXS was not found (package postgresql-server-dev-15)."
	@echo "'make demo' and 'make test' install it; or run: apt-get install postgresql-server-dev-15"
	@exit 1
endif

# The command-line client tasker-bench (client/, libpq): its own Makefile,
# since PGXS builds one module per Makefile; make and make install build
# and install it next to psql.
ifneq ($(wildcard $(PGXS)),)
all: tasker-bench-client
install: install-client
uninstall: uninstall-client
clean: clean-client
endif

tasker-bench-client:
	$(MAKE) -C client PG_CONFIG=$(PG_CONFIG) VERSION=$(EXTVERSION)

install-client: tasker-bench-client
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) client/tasker-bench '$(DESTDIR)$(bindir)/tasker-bench'

uninstall-client:
	rm -f '$(DESTDIR)$(bindir)/tasker-bench'

clean-client:
	$(MAKE) -C client clean

.PHONY: tasker-bench-client install-client uninstall-client clean-client

# headers are few: rebuild every object when any changes
$(OBJS): $(wildcard src/*.h)

SQL_SOURCES = $(sort $(wildcard sql_src/*.sql))
MODEL_SOURCES = model/tasker_model.sql

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_SOURCES) $(MODEL_SOURCES) tools/build-install-script.sh
	sh tools/build-install-script.sh $(SQL_SOURCES) > $@.tmp && mv $@.tmp $@

# The upgrade script: the new version's functions, types, views, comments,
# privileges and built-in rows, plus the hand-written migrations of
# upgrade/<from>--<to>/ (see tools/build-upgrade-script.pl and the README).
MIGRATIONS = $(sort $(wildcard upgrade/$(PREVVERSION)--$(EXTVERSION)/*.sql))
$(EXTENSION)--$(PREVVERSION)--$(EXTVERSION).sql: $(EXTENSION)--$(EXTVERSION).sql $(MIGRATIONS) tools/build-upgrade-script.pl tools/SqlStatements.pm
	perl tools/build-upgrade-script.pl $(PREVVERSION) $(EXTVERSION) $< upgrade/$(PREVVERSION)--$(EXTVERSION) > $@.tmp && mv $@.tmp $@

demo:
	bash tools/demo.sh

test:
	bash tests/run-all.sh

test-matrix:
	bash tests/run-matrix.sh

bench:
	bash tools/bench.sh

bench-versions:
	bash tools/bench-versions.sh

unit:
	$(MAKE) -C tests/unit check

.PHONY: demo test test-matrix bench bench-versions unit
