/*
 * clients.h
 *		Concurrent clients: one case run at once by N background workers.
 */
#ifndef TB_CLIENTS_H
#define TB_CLIENTS_H

/* Most clients one case may be given. */
#define TB_MAX_CLIENTS			64

/* How often the leader samples what the clients wait on, in ms. */
#define TB_WAIT_SAMPLE_MS		10

/* Rows per client whose claims are kept for the overlap check. */
#define TB_CLAIMS_PER_CLIENT	65536

#endif							/* TB_CLIENTS_H */
