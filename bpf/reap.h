/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The connection table reaper: deletes expired entries and gives their
 * connection counts back, claiming each entry the way bpf/conn.h requires;
 * also deletes expired persistence entries. */
#ifndef XVS_BPF_REAP_H
#define XVS_BPF_REAP_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "conn.h"
#include "maps.h"
#include "nat.h"
#include "xvs/xvs.h"

struct bpf_map;

struct reap_state {
	__u64 now;
	__u64 grace_ns;
	__u64 live;
	__u64 reaped;
	__u64 persist_live;
	__u64 persist_reaped;
	const struct xvs_settings *settings;
};

/* Whether an entry is expired for longer than the grace period. The grace
 * keeps the reaper off an entry the data plane found current an instant
 * before it expired and is still refreshing (a program runs for
 * microseconds; the grace is a second): without it counts would still be
 * exact, but that flow would lose its entry. */
static __always_inline bool reap_due(const struct reap_state *reap,
				     const struct xvs_conn *conn)
{
	__u64 last_seen = conn->last_seen_ns, timeout;
	__u32 state = conn->state;

	if (state >= XVS_CONN_STATE__MAX)
		state = XVS_CONN_TCP_CLOSE;
	timeout = reap->settings->timeout_ns[state & 7];
	return reap->now > last_seen && reap->now - last_seen > timeout + reap->grace_ns;
}

static long reap_entry(struct bpf_map *map, struct xvs_conn_key *key, struct xvs_conn *conn,
		       struct reap_state *reap)
{
	__u32 account = conn->account;

	if (!reap_due(reap, conn)) {
		reap->live++;
		return 0;
	}
	/* Claim the entry's count; a lost swap means the data plane just
	 * reused the entry for a new flow. */
	if (account && __sync_val_compare_and_swap(&conn->account, account, 0) != account) {
		reap->live++;
		return 0;
	}
	account_add(account, -1);
	if (bpf_map_delete_elem(&conns, key) == 0)
		reap->reaped++;
	/* nat/snat: its translation goes with it (holds no count). */
	nat_forget(key);
	return 0;
}

/* A persistence entry holds no count: a plain delete does. Should the data
 * plane refresh it in the same instant, that client is rescheduled once;
 * the grace makes this all but impossible. */
static long reap_persist_entry(struct bpf_map *map, struct xvs_persist_key *key,
			       struct xvs_persist *entry, struct reap_state *reap)
{
	__u64 last_seen = entry->last_seen_ns;
	__u64 timeout = (__u64)entry->timeout_ms * 1000000ULL;

	if (reap->now > last_seen && reap->now - last_seen > timeout + reap->grace_ns &&
	    bpf_map_delete_elem(&persist, key) == 0)
		reap->persist_reaped++;
	else
		reap->persist_live++;
	return 0;
}

static __always_inline int reap_run(struct xvs_reap_args *args)
{
	struct reap_state reap = { .now = bpf_ktime_get_ns(), .grace_ns = args->grace_ns };
	__u32 zero = 0;

	reap.settings = bpf_map_lookup_elem(&settings, &zero);
	if (!reap.settings)
		return 1;
	bpf_for_each_map_elem(&conns, reap_entry, &reap, 0);
	bpf_for_each_map_elem(&persist, reap_persist_entry, &reap, 0);
	args->live = reap.live;
	args->reaped = reap.reaped;
	args->persist_live = reap.persist_live;
	args->persist_reaped = reap.persist_reaped;
	return 0;
}

#endif /* XVS_BPF_REAP_H */
