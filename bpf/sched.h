/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Schedulers: pick a backend of a service for a new flow, dispatched on
 * service->scheduler. Integer maths only; the daemon fills the slots. */
#ifndef XVS_BPF_SCHED_H
#define XVS_BPF_SCHED_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "parse.h"
#include "verdict.h"
#include "xvs/xvs.h"

/* Slots tried after the first when a backend is at max_conns (rr, wrr and
 * the hashes take the next slot): bounded, so with more full backends in a
 * row than this a new flow is dropped although a later one has room. */
#define SCHED_PROBES 32

/* IPVS's overhead of a backend (ip_vs_dest_conn_overhead): an active
 * connection costs 256 inactive ones. */
#define SCHED_ACTIVE_COST 256

/* The backend in a service's slot if it can take a new flow: READY and
 * below its connection limit. *overhead is set for lc/wlc. */
static __always_inline struct xvs_backend *sched_slot(const struct xvs_service *service,
						      __u32 slot, __u32 *backend_id,
						      __u32 *weight, __u64 *overhead)
{
	struct xvs_backend_limits *limits;
	struct xvs_backend_conns *conns;
	struct xvs_backend *backend;
	__u32 *slot_backend, id, total;

	slot += service->slot_base;
	slot_backend = bpf_map_lookup_elem(&service_slots, &slot);
	if (!slot_backend)
		return 0;
	id = *slot_backend;
	backend = bpf_map_lookup_elem(&backends, &id);
	limits = bpf_map_lookup_elem(&backend_limits, &id);
	conns = bpf_map_lookup_elem(&backend_conns, &id);
	if (!backend || !(backend->flags & XVS_BACKEND_F_READY) ||
	    (backend->flags & XVS_BACKEND_F_DOWN) || !limits || !conns)
		return 0;
	total = conns->active + conns->inactive;
	if (limits->max_conns && total >= limits->max_conns)
		return 0;
	*backend_id = id;
	*weight = limits->weight;
	*overhead = (__u64)conns->active * SCHED_ACTIVE_COST + conns->inactive;
	return backend;
}

/* A new flow of a service without a usable backend: dropped, or handed to
 * the kernel with "no_backend pass" (a local server on the VIP may answer). */
static __always_inline int service_no_backend(const struct xvs_service *service)
{
	if (service->flags & XVS_SERVICE_F_NO_BACKEND_PASS)
		return pass_counted(XVS_PASS_NO_BACKEND);
	return drop_counted(XVS_DROP_NO_BACKEND);
}

/* The first usable backend from slot start on, wrapping, SCHED_PROBES at most. */
static __always_inline int sched_probe(const struct xvs_service *service, __u32 start,
				       __u32 *backend_id, struct xvs_backend **backend)
{
	__u32 count = service->slot_count, weight;
	__u64 overhead;

	for (__u32 i = 0; i < SCHED_PROBES && i < count; i++) {
		*backend = sched_slot(service, (start + i) % count, backend_id, &weight,
				      &overhead);
		if (*backend)
			return FURTHER_PROCESSING;
	}
	return drop_counted(XVS_DROP_NO_BACKEND);
}

/* rr and wrr: the next slot, through one cursor shared by all CPUs. For wrr
 * the daemon wrote IPVS's weighted sequence into the slots. */
static __always_inline int schedule_rr(const struct xvs_service *service,
				       __u32 *backend_id, struct xvs_backend **backend)
{
	__u32 service_id = service->id;
	struct xvs_service_state *state;
	__u64 cursor;

	state = bpf_map_lookup_elem(&service_state, &service_id);
	if (!state)
		return drop_counted(XVS_DROP_NO_BACKEND);
	cursor = __sync_fetch_and_add(&state->rr_cursor, 1);
	return sched_probe(service, (__u32)(cursor % service->slot_count), backend_id, backend);
}

/* lc and wlc: the bpf_loop context, on the stack. The best backend's load
 * is in loop_state (map memory, see bpf/maps.h: 6.1 would take "none found
 * yet" for what every step sees); the pointer to it, which no step reads,
 * stays here. */
struct sched_least {
	const struct xvs_service *service;
	struct sched_least_state *best;
	struct xvs_backend *backend;
	__u32 backend_id;
	bool weighted;
};

static long sched_least_step(__u32 index, struct sched_least *least)
{
	struct sched_least_state *best = least->best;
	struct xvs_backend *candidate;
	__u32 id, weight;
	__u64 overhead;

	if (index >= least->service->slot_count)
		return 1;
	candidate = sched_slot(least->service, index, &id, &weight, &overhead);
	if (!candidate || weight == 0)
		return 0;
	if (!least->weighted)
		weight = 1;
	if (best->found && overhead * best->weight >= best->overhead * weight)
		return 0;
	best->found = 1;
	best->weight = weight;
	best->overhead = overhead;
	least->backend = candidate;
	least->backend_id = id;
	return 0;
}

/* lc and wlc: the least loaded backend (IPVS ip_vs_lc.c, ip_vs_wlc.c); wlc
 * compares overhead/weight by cross-multiplying. The slots hold each usable
 * backend once, so bpf_loop visits XVS_SLOTS_LIST at most. Ties go to the
 * first, as in IPVS. */
static __always_inline int schedule_lc(const struct xvs_service *service, bool weighted,
				       __u32 *backend_id, struct xvs_backend **backend)
{
	struct sched_least least = { .service = service, .weighted = weighted };
	struct loop_state *state;
	__u32 zero = 0;

	state = bpf_map_lookup_elem(&loop_state, &zero);
	if (!state)
		return drop_counted(XVS_DROP_NO_BACKEND);
	state->least.found = 0;
	least.best = &state->least;
	bpf_loop(XVS_SLOTS_LIST, sched_least_step, &least, 0);
	if (!least.backend)
		return drop_counted(XVS_DROP_NO_BACKEND);
	*backend_id = least.backend_id;
	*backend = least.backend;
	return FURTHER_PROCESSING;
}

/* A 32-bit word into a running hash (MurmurHash3's round). */
static __always_inline __u32 hash_word(__u32 hash, __u32 word)
{
	word *= 0xcc9e2d51;
	word = (word << 15) | (word >> 17);
	word *= 0x1b873593;
	hash ^= word;
	hash = (hash << 13) | (hash >> 19);
	return hash * 5 + 0xe6546b64;
}

/* MurmurHash3's finaliser: every input bit reaches every output bit. */
static __always_inline __u32 hash_final(__u32 hash)
{
	hash ^= hash >> 16;
	hash *= 0x85ebca6b;
	hash ^= hash >> 13;
	hash *= 0xc2b2ae35;
	hash ^= hash >> 16;
	return hash;
}

/* Hash of an address and a port: a fixed function of the packet alone, so
 * every balancer computes the same one. */
static __always_inline __u32 hash_address(const struct xvs_addr *addr, __u16 port)
{
	__u32 hash = 0x9e3779b9;

	hash = hash_word(hash, addr->v6[0]);
	hash = hash_word(hash, addr->v6[1]);
	hash = hash_word(hash, addr->v6[2]);
	hash = hash_word(hash, addr->v6[3]);
	hash = hash_word(hash, port);
	return hash_final(hash);
}

/* sh, dh and mh: a hash indexes the slots; sh and dh over the weighted
 * sequence (source or destination address, like IPVS), mh over the Maglev
 * table (source address and port, so flows of one client spread and every
 * balancer with the same backends agrees). */
static __always_inline int schedule_hash(const struct xvs_service *service,
					 const struct packet *pkt, __u32 *backend_id,
					 struct xvs_backend **backend)
{
	__u32 hash;

	if (service->scheduler == XVS_SCHED_DH)
		hash = hash_address(&pkt->flow.daddr, 0);
	else if (service->scheduler == XVS_SCHED_SH)
		hash = hash_address(&pkt->flow.saddr, 0);
	else
		hash = hash_address(&pkt->flow.saddr, pkt->flow.sport);
	return sched_probe(service, hash % service->slot_count, backend_id, backend);
}

/* Picks a READY backend below its limit for a new flow; on success
 * *backend_id and *backend are set and FURTHER_PROCESSING is returned,
 * otherwise a counted drop. */
static __always_inline int schedule(const struct xvs_service *service,
				    const struct packet *pkt, __u32 *backend_id,
				    struct xvs_backend **backend)
{
	if (service->slot_count == 0)
		return service_no_backend(service);

	switch (service->scheduler) {
	case XVS_SCHED_LC:
		return schedule_lc(service, false, backend_id, backend);
	case XVS_SCHED_WLC:
		return schedule_lc(service, true, backend_id, backend);
	case XVS_SCHED_SH:
	case XVS_SCHED_DH:
	case XVS_SCHED_MH:
		return schedule_hash(service, pkt, backend_id, backend);
	case XVS_SCHED_RR:
	case XVS_SCHED_WRR:
	default:
		return schedule_rr(service, backend_id, backend);
	}
}

#endif /* XVS_BPF_SCHED_H */
