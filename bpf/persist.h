/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Persistence: a new flow of a client (masked source address) or of a SIP
 * call (Call-ID) goes to the backend its earlier flows went to, as in IPVS. */
#ifndef XVS_BPF_PERSIST_H
#define XVS_BPF_PERSIST_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "maps.h"
#include "parse.h"
#include "sched.h"
#include "sip.h"
#include "verdict.h"
#include "xvs/xvs.h"

/* Packets of tracked flows refresh an entry at most this often. */
#define PERSIST_REFRESH_NS 1000000000ULL

static __always_inline void persist_count(__u32 event)
{
	__u64 *count = bpf_map_lookup_elem(&persist_events, &event);

	if (count)
		*count += 1;
}

/* Word (0..3) of a netmask of prefix bits, network order. */
static __always_inline __be32 persist_mask_word(__u32 prefix, __u32 word)
{
	__u32 bits;

	if (prefix <= word * 32)
		return 0;
	bits = prefix - word * 32;
	if (bits >= 32)
		return 0xffffffff;
	return bpf_htonl(~0u << (32 - bits));
}

/* The persist key of a packet; false when it has none (SIP without a
 * Call-ID, or a non-UDP packet on a sip-callid service). */
static __always_inline bool persist_key(struct xdp_md *ctx, const struct xvs_service *service,
					const struct packet *pkt, struct xvs_persist_key *key)
{
	__u32 prefix = service->persist_mask;
	__u64 hash;

	key->service_id = service->id;
	key->kind = service->persist_kind;
	if (service->persist_kind == XVS_PERSIST_CALLID) {
		if (pkt->flow.proto != IPPROTO_UDP || !sip_callid_hash(ctx, pkt, &hash))
			return false;
		key->addr.v6[0] = (__u32)hash;
		key->addr.v6[1] = (__u32)(hash >> 32);
		return true;
	}
	key->family = pkt->flow.family;
	for (__u32 word = 0; word < 4; word++)
		key->addr.v6[word] = pkt->flow.saddr.v6[word] & persist_mask_word(prefix, word);
	return true;
}

/* The remembered backend if it may still take this client: READY, not
 * failed its health check, and of this service. Weight 0 (drain) and max_conns do not end affinity, as in
 * IPVS (expire_quiescent_template=0): a persistent client finishes its
 * session on a draining backend. */
static __always_inline struct xvs_backend *persist_backend(const struct xvs_service *service,
							   __u32 backend_id)
{
	struct xvs_backend *backend = bpf_map_lookup_elem(&backends, &backend_id);

	if (!backend || !(backend->flags & XVS_BACKEND_F_READY) ||
	    (backend->flags & XVS_BACKEND_F_DOWN) || backend->service_id != service->id)
		return 0;
	return backend;
}

/* The remembered entry of key if it has not expired. */
static __always_inline struct xvs_persist *persist_live(const struct xvs_service *service,
							const struct xvs_persist_key *key,
							__u64 now)
{
	struct xvs_persist *entry = bpf_map_lookup_elem(&persist, key);
	__u64 last_seen;

	if (!entry)
		return 0;
	last_seen = entry->last_seen_ns;
	if (now > last_seen && now - last_seen > (__u64)service->persist_timeout_ms * 1000000ULL)
		return 0;
	return entry;
}

/* The backend of a keyed client or call: its live entry's when usable, else
 * a scheduled one that is then recorded; key 0 (a packet without one):
 * scheduled only. A live entry is refreshed when at least min_age_ns old:
 * 0 for a new flow, PERSIST_REFRESH_NS for a sip-callid packet routed by
 * its call (one write a second per call, not one per packet). */
static __always_inline int persist_choose(const struct xvs_service *service,
					  const struct packet *pkt,
					  const struct xvs_persist_key *key, __u64 now,
					  __u64 min_age_ns, __u32 *backend_id,
					  struct xvs_backend **backend)
{
	struct xvs_persist fresh = {}, *entry = 0;
	__u64 last_seen;
	int verdict;

	if (key)
		entry = persist_live(service, key, now);
	if (entry) {
		*backend_id = entry->backend_id;
		*backend = persist_backend(service, *backend_id);
		if (*backend) {
			last_seen = entry->last_seen_ns;
			if (!min_age_ns || (now > last_seen && now - last_seen >= min_age_ns))
				entry->last_seen_ns = now;
			persist_count(XVS_PERSIST_HIT);
			return FURTHER_PROCESSING;
		}
	}
	verdict = schedule(service, pkt, backend_id, backend);
	if (verdict != FURTHER_PROCESSING || !key)
		return verdict;
	fresh.last_seen_ns = now;
	fresh.backend_id = *backend_id;
	fresh.timeout_ms = service->persist_timeout_ms;
	if (bpf_map_update_elem(&persist, key, &fresh, BPF_ANY))
		persist_count(XVS_PERSIST_TABLE_FULL);
	else
		persist_count(XVS_PERSIST_NEW);
	return FURTHER_PROCESSING;
}

/* schedule() for a new flow, through the service's persistence: the
 * remembered backend when there is a usable one, else a scheduled one that
 * is then remembered. */
static __always_inline int persist_schedule(struct xdp_md *ctx, const struct xvs_service *service,
					    const struct packet *pkt, __u64 now,
					    __u32 *backend_id, struct xvs_backend **backend)
{
	struct xvs_persist_key key = {};
	bool keyed = false;

	if (service->persist_kind != XVS_PERSIST_NONE) {
		keyed = persist_key(ctx, service, pkt, &key);
		if (!keyed)
			persist_count(XVS_PERSIST_NO_CALLID);
	}
	return persist_choose(service, pkt, keyed ? &key : 0, now, 0, backend_id, backend);
}

/* A packet of a tracked flow keeps its affinity alive: at most once a
 * second per entry, and for sip-callid (a payload scan) only on a flow idle
 * for a second or more. conn_last_seen is the flow's previous packet. */
static __always_inline void persist_touch(struct xdp_md *ctx, const struct xvs_service *service,
					  const struct packet *pkt, __u32 backend_id,
					  __u64 conn_last_seen, __u64 now)
{
	struct xvs_persist_key key = {};
	struct xvs_persist *entry;

	if (service->persist_kind == XVS_PERSIST_NONE)
		return;
	if (service->persist_kind == XVS_PERSIST_CALLID &&
	    now - conn_last_seen < PERSIST_REFRESH_NS)
		return;
	if (!persist_key(ctx, service, pkt, &key))
		return;
	entry = bpf_map_lookup_elem(&persist, &key);
	if (entry && entry->backend_id == backend_id &&
	    now - entry->last_seen_ns >= PERSIST_REFRESH_NS && now > entry->last_seen_ns)
		entry->last_seen_ns = now;
}

#endif /* XVS_BPF_PERSIST_H */
