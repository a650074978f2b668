/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Connection tracking: keeps a flow on its backend, follows the TCP state of
 * the client side (DR never sees replies) and schedules new or stale flows. */
#ifndef XVS_BPF_CONN_H
#define XVS_BPF_CONN_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "parse.h"
#include "persist.h"
#include "sched.h"
#include "verdict.h"
#include "xvs/xvs.h"

#ifndef EEXIST
#define EEXIST 17
#endif

/* The backend a packet goes to. */
struct target {
	__u32 backend_id;
	struct xvs_backend *backend;
	struct xvs_conn *conn; /* the flow's entry when it was found in the table */
};

/* State of a flow that starts with this packet. A mid-flow TCP packet
 * (no SYN) also starts one, as in Katran: after a table flush or a failover
 * the flow is rescheduled rather than reset. */
static __always_inline __u8 conn_initial_state(const struct packet *pkt)
{
	__u8 flags = pkt->tcp_flags;

	if (pkt->flow.proto == IPPROTO_UDP)
		return XVS_CONN_UDP;
	if (flags & XVS_TCP_RST)
		return XVS_CONN_TCP_CLOSE;
	if (flags & XVS_TCP_FIN)
		return XVS_CONN_TCP_FIN;
	if ((flags & (XVS_TCP_SYN | XVS_TCP_ACK)) == XVS_TCP_SYN)
		return XVS_CONN_TCP_SYN;
	return XVS_CONN_TCP_ESTABLISHED;
}

/* State after a client packet of a tracked flow. */
static __always_inline __u8 conn_next_state(__u8 state, const struct packet *pkt)
{
	__u8 flags = pkt->tcp_flags;

	if (pkt->flow.proto == IPPROTO_UDP)
		return XVS_CONN_UDP;
	if (flags & XVS_TCP_RST)
		return XVS_CONN_TCP_CLOSE;
	if (flags & XVS_TCP_FIN)
		return state == XVS_CONN_TCP_CLOSE ? XVS_CONN_TCP_CLOSE : XVS_CONN_TCP_FIN;
	if (state == XVS_CONN_TCP_SYN && (flags & XVS_TCP_ACK))
		return XVS_CONN_TCP_ESTABLISHED;
	return state;
}

/* Whether a tracked entry still holds this packet's flow: not timed out,
 * same service, and not a fresh SYN reusing the ports of a closed flow. */
static __always_inline bool conn_is_current(const struct xvs_conn *conn,
					    const struct xvs_service *service,
					    const struct packet *pkt, __u64 now)
{
	__u32 zero = 0, state = conn->state;
	__u64 last_seen = conn->last_seen_ns;
	/* Another CPU may have stamped the entry after this packet's now. */
	__u64 idle = now > last_seen ? now - last_seen : 0;
	struct xvs_settings *config;

	if (conn->service_id != service->id || state >= XVS_CONN_STATE__MAX)
		return false;
	if (idle > XVS_TIMEOUT_MIN_NS) {
		config = bpf_map_lookup_elem(&settings, &zero);
		if (!config || idle > config->timeout_ns[state])
			return false;
	}
	if ((pkt->tcp_flags & (XVS_TCP_SYN | XVS_TCP_ACK)) == XVS_TCP_SYN &&
	    (state == XVS_CONN_TCP_FIN || state == XVS_CONN_TCP_CLOSE))
		return false;
	return true;
}

/* The backend of a tracked flow, if it can still be sent to. */
static __always_inline struct xvs_backend *conn_backend(const struct xvs_conn *conn)
{
	__u32 backend_id = conn->backend_id;
	struct xvs_backend *backend = bpf_map_lookup_elem(&backends, &backend_id);

	if (!backend || !(backend->flags & XVS_BACKEND_F_READY))
		return 0;
	return backend;
}

/* How connection counts stay exact. Each entry holds one count in
 * backend_conns, named by its account token (XVS_ACCOUNT: backend, active or
 * not). A count changes only together with a successful compare-and-swap of
 * the token, done by the party making the change: the data plane on a state
 * change or when it reuses an expired entry for a new flow (old token to new:
 * old count down, new count up), and the reaper's iterator (xvs_reap_conns,
 * bpf/reap.h) before the daemon deletes an expired entry (token to 0: count
 * down). Two parties racing on an entry cannot both win the swap, so no count
 * moves twice. A token of 0 means the reaper owns the entry and is deleting
 * it: the data plane never swaps from 0. Only the reaper deletes entries, so
 * its delete by key removes the entry whose token it zeroed. Insertion counts
 * after a successful insert. */
static __always_inline void account_add(__u32 account, int delta)
{
	__u32 backend_id = XVS_ACCOUNT_BACKEND(account);
	struct xvs_backend_conns *conns;

	if (!account)
		return;
	conns = bpf_map_lookup_elem(&backend_conns, &backend_id);
	if (!conns)
		return;
	if (XVS_ACCOUNT_ACTIVE(account))
		__sync_fetch_and_add(&conns->active, delta);
	else
		__sync_fetch_and_add(&conns->inactive, delta);
}

static __always_inline __u32 conn_account(__u32 backend_id, __u8 state)
{
	return XVS_ACCOUNT(backend_id, state == XVS_CONN_TCP_ESTABLISHED ? 1u : 0u);
}

/* Moves an entry's count from token from to token to; false when another
 * party changed the token first (or it is 0: the reaper owns the entry). */
static __always_inline bool account_move(struct xvs_conn *conn, __u32 from, __u32 to)
{
	if (!from)
		return false;
	if (from == to)
		return true;
	if (__sync_val_compare_and_swap(&conn->account, from, to) != from)
		return false;
	account_add(from, -1);
	account_add(to, 1);
	return true;
}

/* Whether every packet of the service is routed by its SIP call, not only
 * a new flow's first (conn_follow_call). nat and snat keep the flow's
 * backend: their reply translation (nat_flows) holds one backend per flow,
 * so a trunk moving between backends would lose the replies of the others. */
static __always_inline bool conn_by_call(const struct xvs_service *service)
{
	return service->persist_kind == XVS_PERSIST_CALLID &&
	       (service->mode == XVS_MODE_DR || service->mode == XVS_MODE_TUN);
}

/* The backend of a flow that needs one. no_callid: a sip-callid packet that
 * conn_track scanned already and found without a Call-ID; it is scheduled
 * plainly rather than scanned again. */
static __always_inline int conn_schedule(struct xdp_md *ctx, const struct xvs_service *service,
					 const struct packet *pkt, __u64 now, bool no_callid,
					 struct target *target)
{
	if (no_callid) {
		persist_count(XVS_PERSIST_NO_CALLID);
		return schedule(service, pkt, &target->backend_id, &target->backend);
	}
	return persist_schedule(ctx, service, pkt, now, &target->backend_id, &target->backend);
}

/* Inserts the entry of a flow that has none, for the backend in *target.
 * The table never evicts: when it is full the new flow is dropped and
 * counted. */
static __always_inline int conn_insert(const struct xvs_service *service,
				       const struct packet *pkt, __u64 now,
				       struct target *target)
{
	struct xvs_conn entry = {}, *winner;
	int err;

	entry.last_seen_ns = now;
	entry.backend_id = target->backend_id;
	entry.service_id = service->id;
	entry.state = conn_initial_state(pkt);
	entry.account = conn_account(entry.backend_id, entry.state);
	err = bpf_map_update_elem(&conns, &pkt->flow, &entry, BPF_NOEXIST);
	if (err == -EEXIST) {
		/* Another CPU inserted this flow first: follow its choice
		 * (a packet routed by its call keeps its call's backend). */
		winner = bpf_map_lookup_elem(&conns, &pkt->flow);
		if (!winner)
			return drop_counted(XVS_DROP_CONN_TABLE_FULL);
		if (conn_by_call(service))
			return FURTHER_PROCESSING;
		target->backend_id = winner->backend_id;
		target->backend = conn_backend(winner);
		if (!target->backend)
			return drop_counted(XVS_DROP_NO_BACKEND);
		return FURTHER_PROCESSING;
	}
	if (err)
		return drop_counted(XVS_DROP_CONN_TABLE_FULL);
	account_add(entry.account, 1);
	count_new_conn(service->id, target->backend_id);
	return FURTHER_PROCESSING;
}

/* Makes an expired, closed and reopened, or orphaned entry a new connection
 * to the backend in *target, rewritten in place so that it needs no free
 * slot in a full table. */
static __always_inline int conn_renew(const struct xvs_service *service,
				      const struct packet *pkt, __u64 now,
				      struct xvs_conn *conn, struct target *target)
{
	__u8 state = conn_initial_state(pkt);

	/* Lost to the reaper (deleting the entry now) or to another CPU
	 * reusing it: rare, and the next packet finds a settled entry. */
	if (!account_move(conn, conn->account, conn_account(target->backend_id, state)))
		return drop_counted(XVS_DROP_CONN_TABLE_FULL);
	/* Before backend_id changes: a translation is of the old backend. */
	conn->nat = 0;
	conn->backend_id = target->backend_id;
	conn->service_id = service->id;
	conn->state = state;
	conn->last_seen_ns = now;
	count_new_conn(service->id, target->backend_id);
	target->conn = conn;
	return FURTHER_PROCESSING;
}

/* sip-callid (dr, tun): a packet that names a call goes to its call's
 * backend, whatever its flow's entry says, so that calls multiplexed on one
 * 5-tuple (a trunk between two proxies) spread like calls on their own.
 * The flow's entry stays the unit of accounting: when the call's backend
 * differs from the entry's, the entry moves there by the same swap of its
 * account token as a reused entry (old backend's count down, new one up,
 * once), and the move counts as a new connection of the new backend, so a
 * backend's conns are the entries created on or moved to it. A lost swap
 * (another CPU moved the entry first) leaves the entry to the winner; this
 * packet still goes to its call's backend. backend_id may then trail the
 * token for an instant: counts follow the token only; backend_id routes
 * the flow's packets without a Call-ID (keep-alives), which follow it. */
static __always_inline int conn_follow_call(const struct xvs_service *service,
					    const struct packet *pkt,
					    const struct xvs_persist_key *key, __u64 now,
					    struct xvs_conn *conn, struct target *target)
{
	int verdict;

	verdict = persist_choose(service, pkt, key, now, PERSIST_REFRESH_NS,
				 &target->backend_id, &target->backend);
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	if (!conn)
		return conn_insert(service, pkt, now, target);
	if (!conn_is_current(conn, service, pkt, now))
		return conn_renew(service, pkt, now, conn, target);
	if (conn->backend_id != target->backend_id &&
	    account_move(conn, conn->account, conn_account(target->backend_id, conn->state))) {
		conn->nat = 0;
		conn->backend_id = target->backend_id;
		count_new_conn(service->id, target->backend_id);
	}
	conn->last_seen_ns = now;
	return FURTHER_PROCESSING;
}

/* Finds or makes the flow's entry and sets *target to its backend. */
static __always_inline int conn_track(struct xdp_md *ctx, const struct xvs_service *service,
				      const struct packet *pkt, struct target *target)
{
	__u64 now = bpf_ktime_get_ns();
	struct xvs_persist_key key = {};
	bool no_callid = false;
	struct xvs_conn *conn;
	__u8 state;
	int verdict;

	conn = bpf_map_lookup_elem(&conns, &pkt->flow);
	/* The payload scan on every packet, of these services only. */
	if (conn_by_call(service)) {
		if (persist_key(ctx, service, pkt, &key))
			return conn_follow_call(service, pkt, &key, now, conn, target);
		no_callid = true;
	}
	if (!conn) {
		verdict = conn_schedule(ctx, service, pkt, now, no_callid, target);
		if (verdict != FURTHER_PROCESSING)
			return verdict;
		return conn_insert(service, pkt, now, target);
	}

	if (conn_is_current(conn, service, pkt, now)) {
		target->backend = conn_backend(conn);
		if (target->backend) {
			target->backend_id = conn->backend_id;
			target->conn = conn;
			state = conn_next_state(conn->state, pkt);
			/* A lost swap: another CPU moved the count already. */
			account_move(conn, conn->account, conn_account(conn->backend_id, state));
			if (!no_callid)
				persist_touch(ctx, service, pkt, conn->backend_id,
					      conn->last_seen_ns, now);
			/* Write the entry only when something changed. */
			if (conn->state != state)
				conn->state = state;
			if (now > conn->last_seen_ns + XVS_LAST_SEEN_REFRESH_NS)
				conn->last_seen_ns = now;
			return FURTHER_PROCESSING;
		}
	}

	/* Expired, closed and reopened, or its backend is gone. */
	verdict = conn_schedule(ctx, service, pkt, now, no_callid, target);
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	return conn_renew(service, pkt, now, conn, target);
}

#endif /* XVS_BPF_CONN_H */
