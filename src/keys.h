/*
 * keys.h
 *		Keys of the extension's tables come only from their sequences (keys.c).
 */
#ifndef TB_KEYS_H
#define TB_KEYS_H

/* set by the failure recorder's worker while it writes its caller's run */
extern bool tb_trusted_key_insert;

/* whether key is the value this session's last nextval of seq returned */
extern bool tb_key_is_current(Oid seq, int64 key);

/* OID of tasker_bench.runs_id_seq */
extern Oid	tb_runs_sequence(void);

#endif							/* TB_KEYS_H */
