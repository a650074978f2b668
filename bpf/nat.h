/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Modes nat and snat: the two nat_flows entries of a flow (snat allocates a
 * source port without collisions), and forwarding in both directions. */
#ifndef XVS_BPF_NAT_H
#define XVS_BPF_NAT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "conn.h"
#include "encap.h"
#include "maps.h"
#include "nat_rewrite.h"
#include "parse.h"
#include "verdict.h"
#include "xvs/xvs.h"

/* Source ports tried for a new snat flow before it is refused (counted). */
#define SNAT_TRIES 8

static __always_inline void count_out_packet(__u32 service_id, __u32 backend_id,
					     __u32 l3_bytes)
{
	struct xvs_counters *counters;

	counters = bpf_map_lookup_elem(&service_stats, &service_id);
	if (counters) {
		counters->out_packets += 1;
		counters->out_bytes += l3_bytes;
	}
	counters = bpf_map_lookup_elem(&backend_stats, &backend_id);
	if (counters) {
		counters->out_packets += 1;
		counters->out_bytes += l3_bytes;
	}
}

static __always_inline bool conn_key_equal(const struct xvs_conn_key *a,
					   const struct xvs_conn_key *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;
	__u32 diff = 0;

#pragma unroll
	for (int i = 0; i < (int)(sizeof(*a) / 4); i++)
		diff |= x[i] ^ y[i];
	return !diff;
}

static __always_inline bool addr_equal(const struct xvs_addr *a, const struct xvs_addr *b)
{
	return !((a->v6[0] ^ b->v6[0]) | (a->v6[1] ^ b->v6[1]) | (a->v6[2] ^ b->v6[2]) |
		 (a->v6[3] ^ b->v6[3]));
}

/* A mix of the flow's words: where a snat flow's port search starts. */
static __always_inline __u32 nat_hash(const struct xvs_conn_key *key)
{
	const __u32 *word = (const __u32 *)key;
	__u32 hash = 0x9e3779b9;

#pragma unroll
	for (int i = 0; i < (int)(sizeof(*key) / 4); i++) {
		hash ^= word[i];
		hash *= 0x01000193;
		hash ^= hash >> 15;
	}
	return hash;
}

/* Inserts the reply entry of a snat flow at the first free candidate
 * (address, port); the reply key's daddr and dport are set to it. */
static __always_inline int snat_insert(const struct xvs_service *service,
				       struct xvs_conn_key *reply, struct xvs_nat_flow *entry)
{
	__u32 id = service->id, hash = nat_hash(&entry->peer), range, count;
	struct xvs_snat *snat = bpf_map_lookup_elem(&snat_sources, &id);

	if (!snat || !snat->count || snat->port_max < snat->port_min)
		return drop_counted(XVS_DROP_NAT_NO_PORT);
	range = (__u32)snat->port_max - snat->port_min + 1;
	count = snat->count;
#pragma unroll
	for (int i = 0; i < SNAT_TRIES; i++) {
		__u32 candidate = hash + (__u32)i * 0x9e37u;

		reply->daddr = snat->addrs[(candidate >> 16) % count & (XVS_SNAT_ADDRS - 1)];
		reply->dport = bpf_htons((__u16)(snat->port_min + candidate % range));
		if (!bpf_map_update_elem(&nat_flows, reply, entry, BPF_NOEXIST))
			return FURTHER_PROCESSING;
	}
	return drop_counted(XVS_DROP_NAT_NO_PORT);
}

/* Inserts the reply entry of a nat flow: backend -> client. Taken by another
 * flow (one client port to two VIPs on one backend) refuses this one. */
static __always_inline int nat_insert(struct xvs_conn_key *reply, struct xvs_nat_flow *entry)
{
	struct xvs_nat_flow *found;

	reply->daddr = entry->peer.saddr;
	reply->dport = entry->peer.sport;
	if (!bpf_map_update_elem(&nat_flows, reply, entry, BPF_NOEXIST))
		return FURTHER_PROCESSING;
	found = bpf_map_lookup_elem(&nat_flows, reply);
	if (found && conn_key_equal(&found->peer, &entry->peer)) {
		found->backend_id = entry->backend_id;
		return FURTHER_PROCESSING; /* this flow's own, inserted by another CPU */
	}
	return drop_counted(XVS_DROP_NAT_NO_PORT);
}

/* Makes both entries of a flow; *reply is set to the reply side's key. */
static __always_inline int nat_flow_create(const struct xvs_service *service,
					   const struct packet *pkt, const struct target *target,
					   const struct xvs_conn_key *flow_key,
					   struct xvs_conn_key *reply, struct xvs_nat_flow *entry)
{
	const struct xvs_backend *backend = target->backend;
	int verdict;

	__builtin_memset(entry, 0, sizeof(*entry));
	entry->peer = pkt->flow;
	entry->service_id = service->id;
	entry->backend_id = target->backend_id;
	entry->reply = 1;

	__builtin_memset(reply, 0, sizeof(*reply));
	reply->saddr = backend->addr;
	reply->sport = backend->port ? backend->port : pkt->flow.dport;
	reply->proto = pkt->flow.proto;
	reply->family = pkt->flow.family;
	reply->tenant = pkt->flow.tenant;
	if (service->mode == XVS_MODE_SNAT)
		verdict = snat_insert(service, reply, entry);
	else
		verdict = nat_insert(reply, entry);
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	entry->peer = *reply;
	entry->reply = 0;
	if (bpf_map_update_elem(&nat_flows, flow_key, entry, BPF_ANY)) {
		bpf_map_delete_elem(&nat_flows, reply);
		return drop_counted(XVS_DROP_CONN_TABLE_FULL);
	}
	return FURTHER_PROCESSING;
}

/* The reply-side key of the flow's translation: the one it has, or a new
 * one when it has none or its backend changed (the flow was rescheduled). */
static __always_inline int nat_flow_get(const struct xvs_service *service,
					const struct packet *pkt, const struct target *target,
					const struct xvs_conn_key *flow_key,
					struct xvs_conn_key *reply, struct xvs_nat_flow *entry)
{
	const struct xvs_backend *backend = target->backend;
	__be16 port = backend->port ? backend->port : pkt->flow.dport;
	struct xvs_nat_flow *flow, *old;

	flow = bpf_map_lookup_elem(&nat_flows, flow_key);
	if (flow && !flow->reply) {
		*reply = flow->peer;
		if (flow->backend_id == target->backend_id && reply->sport == port &&
		    addr_equal(&reply->saddr, &backend->addr))
			return FURTHER_PROCESSING;
		old = bpf_map_lookup_elem(&nat_flows, reply);
		if (old && conn_key_equal(&old->peer, &pkt->flow))
			bpf_map_delete_elem(&nat_flows, reply);
	}
	return nat_flow_create(service, pkt, target, flow_key, reply, entry);
}

/* The key a packet leaves with: the other side's key, reversed. */
static __always_inline void nat_out_key(const struct xvs_conn_key *peer,
					struct xvs_conn_key *out)
{
	*out = *peer;
	out->saddr = peer->daddr;
	out->daddr = peer->saddr;
	out->sport = peer->dport;
	out->dport = peer->sport;
}

/* The bytes 16..23 of a conns entry as one word (xvs.h asserts the offset):
 * nat and nat_port are set together with a compare-and-swap of this word. */
union conn_tail {
	__u64 word;
	struct {
		__u8 state;
		__u8 nat;
		__be16 nat_port;
		__u32 account;
	};
};

/* The key a tracked flow's packet leaves with, from its conns entry alone
 * (no nat_flows lookup: with a large table that lookup misses the caches,
 * ~500 ns under load): nat: client -> backend:port; snat: the snat address
 * and port the entry names -> backend:port. NAT_LOOKUP when the entry does
 * not say (new flow, translation not confirmed yet, snat addresses changed
 * since). backend_id is read before nat: a flow moved to another backend
 * clears nat before its backend_id changes (bpf/conn.h). */
static __always_inline int nat_known_out(const struct xvs_service *service,
					 const struct packet *pkt, const struct target *target,
					 struct xvs_conn_key *out)
{
	const struct xvs_backend *backend = target->backend;
	struct xvs_conn *conn = target->conn;
	__u32 id = service->id, index;
	struct xvs_snat *snat;
	__u8 nat;

	if (!conn || *(volatile __u32 *)&conn->backend_id != target->backend_id)
		return NAT_LOOKUP;
	nat = *(volatile __u8 *)&conn->nat;
	if (!(nat & XVS_CONN_NAT_KNOWN))
		return NAT_LOOKUP;
	*out = pkt->flow;
	out->daddr = backend->addr;
	out->dport = backend->port ? backend->port : pkt->flow.dport;
	if (service->mode != XVS_MODE_SNAT)
		return FURTHER_PROCESSING;
	snat = bpf_map_lookup_elem(&snat_sources, &id);
	index = XVS_CONN_NAT_ADDR(nat);
	if (!snat || index >= snat->count ||
	    XVS_CONN_NAT_GENERATION(nat) != XVS_CONN_NAT_GENERATION(snat->generation))
		return NAT_LOOKUP;
	out->saddr = snat->addrs[index & (XVS_SNAT_ADDRS - 1)];
	out->sport = conn->nat_port;
	return FURTHER_PROCESSING;
}

/* Records in the flow's conns entry that its translation (out, the key the
 * packet leaves with) exists for target's backend, so that its next packets
 * skip the nat_flows lookup. Only while the entry's account token still
 * names that backend: a swap of the whole word, lost to any change. */
static __always_inline void nat_remember(const struct xvs_service *service,
					 const struct target *target,
					 const struct xvs_conn_key *out)
{
	struct xvs_conn *conn = target->conn;
	__u32 id = service->id, index = 0;
	union conn_tail old, new;
	struct xvs_snat *snat;
	__u8 generation = 0;

	if (!conn)
		return;
	if (service->mode == XVS_MODE_SNAT) {
		snat = bpf_map_lookup_elem(&snat_sources, &id);
		if (!snat)
			return;
		for (index = 0; index < XVS_SNAT_ADDRS; index++)
			if (index < snat->count && addr_equal(&snat->addrs[index], &out->saddr))
				break;
		generation = snat->generation;
	}
	old.word = *(volatile __u64 *)&conn->state;
	if (!old.account || XVS_ACCOUNT_BACKEND(old.account) != target->backend_id)
		return;
	new = old;
	new.nat = XVS_CONN_NAT(index, generation);
	new.nat_port = service->mode == XVS_MODE_SNAT ? out->sport : 0;
	/* An address the service no longer has: every packet looks it up. */
	if (index >= XVS_SNAT_ADDRS) {
		new.nat = 0;
		new.nat_port = 0;
	}
	if (new.word != old.word)
		__sync_val_compare_and_swap((__u64 *)&conn->state, old.word, new.word);
}

/* Client to backend. Nothing is rewritten before the next hop is known. */
static __always_inline int forward_nat(struct xdp_md *ctx, const struct xvs_service *service,
				       const struct packet *pkt, const struct target *target)
{
	struct nat_scratch *scratch;
	struct nat_headers headers;
	struct inner_info info = {};
	__u32 zero = 0;
	int verdict;

	scratch = bpf_map_lookup_elem(&nat_scratch, &zero);
	if (!scratch)
		return drop_counted(XVS_DROP_NO_ROUTE);
	verdict = nat_headers(ctx, pkt, &headers);
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	if (!nat_hop_left(&headers, pkt->flow.family))
		return pass_counted(XVS_PASS_UNSUPPORTED);
	verdict = nat_known_out(service, pkt, target, &scratch->out);
	if (verdict == NAT_LOOKUP) {
		scratch->flow = pkt->flow; /* a map value: a key every kernel takes */
		verdict = nat_flow_get(service, pkt, target, &scratch->flow, &scratch->reply,
				       &scratch->entry);
		if (verdict != FURTHER_PROCESSING)
			return verdict;
		nat_out_key(&scratch->reply, &scratch->out);
		nat_remember(service, target, &scratch->out);
	}
	verdict = nat_backend_hop(ctx, target->backend, pkt->l3_bytes, &scratch->fib);
	if (verdict == NAT_LOOKUP)
		verdict = nat_route(ctx, &scratch->out, pkt->l3_bytes, &scratch->fib);
	if (verdict == NAT_TOO_BIG) {
		/* ICMP too big to the client, from the VIP. */
		verdict = inner_read(ctx, pkt, &info);
		if (verdict != FURTHER_PROCESSING)
			return verdict;
		return too_big(ctx, pkt, &info, scratch->fib.mtu_result);
	}
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	verdict = nat_headers(ctx, pkt, &headers);
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	count_in_packet(service->id, target->backend_id, pkt->l3_bytes);
	return nat_send(ctx, pkt, &headers, &scratch->out, &scratch->fib);
}

/* Backend to client: a packet that matches no service may be the reply of a
 * nat/snat flow. FURTHER_PROCESSING when it is not. */
static __always_inline int nat_reply(struct xdp_md *ctx, const struct packet *pkt)
{
	struct xvs_nat_flow *flow = bpf_map_lookup_elem(&nat_flows, &pkt->flow);
	__u32 service_id, backend_id, zero = 0, generation, now;
	struct nat_scratch *scratch;
	struct nat_headers headers;
	int verdict;

	if (!flow || !flow->reply || pkt->malformed)
		return FURTHER_PROCESSING;
	scratch = bpf_map_lookup_elem(&nat_scratch, &zero);
	if (!scratch)
		return drop_counted(XVS_DROP_NO_ROUTE);
	nat_out_key(&flow->peer, &scratch->out);
	service_id = flow->service_id;
	backend_id = flow->backend_id;
	verdict = nat_headers(ctx, pkt, &headers);
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	if (!nat_hop_left(&headers, pkt->flow.family))
		return pass_counted(XVS_PASS_UNSUPPORTED);
	generation = nat_route_generation(pkt->flow.tenant);
	now = nat_hop_now();
	verdict = nat_reply_hop(ctx, flow, generation, now, pkt->l3_bytes, &scratch->fib);
	if (verdict == NAT_LOOKUP) {
		verdict = nat_route(ctx, &scratch->out, pkt->l3_bytes, &scratch->fib);
		if (verdict == FURTHER_PROCESSING)
			nat_reply_hop_remember(ctx, flow, generation, now, &scratch->fib);
	}
	if (verdict == NAT_TOO_BIG)
		return drop_counted(XVS_DROP_TOO_BIG);
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	verdict = nat_headers(ctx, pkt, &headers);
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	count_out_packet(service_id, backend_id, pkt->l3_bytes);
	return nat_send(ctx, pkt, &headers, &scratch->out, &scratch->fib);
}

/* The reply path's entry point is a global function, so that the verifier
 * checks it once rather than on every path that leads here. */
__attribute__((noinline)) int xvs_nat_reply(struct xdp_md *ctx, const struct packet *pkt);

__attribute__((noinline)) int xvs_nat_reply(struct xdp_md *ctx, const struct packet *arg)
{
	struct packet pkt;

	if (!ctx || !arg)
		return XDP_ABORTED;
	/* On the stack: an argument's memory is no map key before Linux 6.4ish
	 * (6.1 refuses it). */
	pkt = *arg;
	return nat_reply(ctx, &pkt);
}

/* Deletes the translation of a flow whose conns entry is being deleted
 * (the reaper, bpf/reap.h). */
static __always_inline void nat_forget(const struct xvs_conn_key *key)
{
	struct xvs_nat_flow *flow = bpf_map_lookup_elem(&nat_flows, key), *peer;
	struct xvs_conn_key reply;

	if (!flow || flow->reply)
		return;
	reply = flow->peer;
	peer = bpf_map_lookup_elem(&nat_flows, &reply);
	if (peer && conn_key_equal(&peer->peer, key))
		bpf_map_delete_elem(&nat_flows, &reply);
	bpf_map_delete_elem(&nat_flows, key);
}

#endif /* XVS_BPF_NAT_H */
