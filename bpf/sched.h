/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Schedulers: pick a slot of a service for a new flow, then the backend in
 * that slot. One function per scheduler, dispatched on service->scheduler. */
#ifndef XVS_BPF_SCHED_H
#define XVS_BPF_SCHED_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "parse.h"
#include "verdict.h"
#include "xvs/xvs.h"

/* Round robin over the slots, shared by all CPUs through one atomic cursor. */
static __always_inline int schedule_rr(const struct xvs_service *service, __u32 *slot)
{
	__u32 service_id = service->id;
	struct xvs_service_state *state;
	__u64 cursor;

	state = bpf_map_lookup_elem(&service_state, &service_id);
	if (!state)
		return drop_counted(XVS_DROP_NO_BACKEND);
	cursor = __sync_fetch_and_add(&state->rr_cursor, 1);
	*slot = cursor % service->slot_count;
	return FURTHER_PROCESSING;
}

/* Picks a READY backend for a new flow; on success *backend_id and *backend
 * are set and FURTHER_PROCESSING is returned, otherwise a counted drop. */
static __always_inline int schedule(const struct xvs_service *service,
				    const struct packet *pkt, __u32 *backend_id,
				    struct xvs_backend **backend)
{
	__u32 slot = 0, *slot_backend;
	struct xvs_backend *chosen;
	int verdict;

	if (service->slot_count == 0)
		return drop_counted(XVS_DROP_NO_BACKEND);

	switch (service->scheduler) {
	case XVS_SCHED_RR:
	default: /* schedulers not built yet behave as rr */
		verdict = schedule_rr(service, &slot);
		break;
	}
	if (verdict != FURTHER_PROCESSING)
		return verdict;

	slot += service->slot_base;
	slot_backend = bpf_map_lookup_elem(&service_slots, &slot);
	if (!slot_backend)
		return drop_counted(XVS_DROP_NO_BACKEND);
	chosen = bpf_map_lookup_elem(&backends, slot_backend);
	if (!chosen || !(chosen->flags & XVS_BACKEND_F_READY))
		return drop_counted(XVS_DROP_NO_BACKEND);
	*backend_id = *slot_backend;
	*backend = chosen;
	return FURTHER_PROCESSING;
}

#endif /* XVS_BPF_SCHED_H */
