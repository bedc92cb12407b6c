/*
 * clients.h
 *		Concurrent clients: one case run at once by N background workers.
 */
#ifndef TB_CLIENTS_H
#define TB_CLIENTS_H

#include "postgres.h"

/* Most clients one case may be given. */
#define TB_MAX_CLIENTS			64

/* How often the leader samples what the clients wait on, in ms. */
#define TB_WAIT_SAMPLE_MS		10

/* Rows per client whose claims are kept for the overlap check. */
#define TB_CLAIMS_PER_CLIENT	65536

/* Room for one client's detail (tasker_bench._client_detail as text). */
#define TB_CLIENT_DETAIL_LEN	32768

/*
 * For another backend that runs SQL as the caller would (the clients, the
 * steps of a sweep): the caller's settings that are not at their default,
 * as "name\0value\0...\0" (len: its size), to restore there; and the role
 * that backend logs in as (the current role when it may log in, else the
 * session's).
 */
extern char *tb_clients_settings(Size *len);
extern void tb_clients_restore_settings(const char *settings);
extern Oid	tb_clients_login_role(void);

#endif							/* TB_CLIENTS_H */
