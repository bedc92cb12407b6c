/*
 * notify.h
 *		LISTEN/NOTIFY latency over loopback libpq connections (notify.c).
 */
#ifndef TB_NOTIFY_H
#define TB_NOTIFY_H

/*
 * Defines tasker_bench.loopback_conninfo.  Called from _PG_init, before
 * MarkGUCPrefixReserved("tasker_bench").
 */
extern void tb_notify_define_gucs(void);

/* tasker_bench.loopback_conninfo: the rest of the loopback's connection string */
extern char *tb_loopback_conninfo;

#endif							/* TB_NOTIFY_H */
