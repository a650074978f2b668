/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The connection table reaper: map iterators over conns and persist, read by
 * the daemon a few thousand entries at a time. Expired conns entries are
 * claimed the way bpf/conn.h requires, their counts given back, and their
 * keys handed to the daemon, which deletes them; so are expired persistence
 * entries' keys. */
#ifndef XVS_BPF_REAP_H
#define XVS_BPF_REAP_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "conn.h"
#include "maps.h"
#include "nat.h"
#include "xvs/xvs.h"

struct bpf_map;
struct seq_file;

/* The context of a map element iterator, as the kernel lays it out. */
struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
};

struct bpf_iter__bpf_map_elem {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
	void *key;
	void *value;
};

/* How long past its timeout an entry is left: set by the daemon before a
 * pass. The grace keeps the reaper off an entry the data plane found
 * current an instant before it expired and is still refreshing (a program
 * runs for microseconds; the grace is a second): without it counts would
 * still be exact, but that flow would lose its entry. */
__u64 xvs_reap_grace_ns;

static __always_inline bool reap_due(__u64 now, const struct xvs_settings *timeouts,
				     const struct xvs_conn *conn)
{
	__u32 state = conn->state;

	if (state >= XVS_CONN_STATE__MAX)
		state = XVS_CONN_TCP_CLOSE;
	return xvs_reap_due(now, conn->last_seen_ns, timeouts->timeout_ns[state & 7],
			    xvs_reap_grace_ns);
}

/* One conns entry: XVS_REAP_LIVE, or XVS_REAP_CLAIMED and its key once its
 * count is given back (a lost swap means the data plane just reused the
 * entry for a new flow). Shown again after a full buffer, a claimed entry
 * (token 0) is claimed again at no cost: the daemon deletes it once. */
SEC("iter/bpf_map_elem")
int xvs_reap_conns(struct bpf_iter__bpf_map_elem *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct xvs_conn_key *found = ctx->key, key;
	struct xvs_conn *conn = ctx->value;
	const struct xvs_settings *timeouts;
	__u8 record[1 + sizeof(key)];
	__u32 zero = 0, account;

	if (!found || !conn)
		return 0;
	timeouts = bpf_map_lookup_elem(&settings, &zero);
	record[0] = XVS_REAP_LIVE;
	if (timeouts && reap_due(bpf_ktime_get_ns(), timeouts, conn)) {
		account = conn->account;
		if (!account || __sync_val_compare_and_swap(&conn->account, account, 0) == account) {
			account_add(account, -1);
			key = *found;
			/* nat/snat: its translation goes with it (holds no count). */
			nat_forget(&key);
			record[0] = XVS_REAP_CLAIMED;
			__builtin_memcpy(&record[1], &key, sizeof(key));
		}
	}
	bpf_seq_write(seq, record, record[0] == XVS_REAP_LIVE ? 1 : sizeof(record));
	return 0;
}

/* One persist entry: XVS_REAP_LIVE, or XVS_REAP_EXPIRED and its key. It
 * holds no count: the daemon deletes it, and should the data plane refresh
 * it in the same instant, that client is rescheduled once (the grace makes
 * this all but impossible). */
SEC("iter/bpf_map_elem")
int xvs_reap_persist(struct bpf_iter__bpf_map_elem *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct xvs_persist_key *key = ctx->key;
	struct xvs_persist *entry = ctx->value;
	__u8 record[1 + sizeof(*key)];

	if (!key || !entry)
		return 0;
	record[0] = XVS_REAP_LIVE;
	if (xvs_reap_due(bpf_ktime_get_ns(), entry->last_seen_ns,
			 (__u64)entry->timeout_ms * 1000000ULL, xvs_reap_grace_ns)) {
		record[0] = XVS_REAP_EXPIRED;
		__builtin_memcpy(&record[1], key, sizeof(*key));
	}
	bpf_seq_write(seq, record, record[0] == XVS_REAP_LIVE ? 1 : sizeof(record));
	return 0;
}

#endif /* XVS_BPF_REAP_H */
