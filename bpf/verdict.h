/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* How the stages of xvs_lb hand over: each returns an XDP verdict (already
 * counted) or FURTHER_PROCESSING, and the counting helpers behind that. */
#ifndef XVS_BPF_VERDICT_H
#define XVS_BPF_VERDICT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "maps.h"

/* Not an XDP action: the stage is done and the next one should run. */
#define FURTHER_PROCESSING (-1)

/* Hands the packet to the kernel untouched, counted under reason. */
static __always_inline int pass_counted(__u32 reason)
{
	__u64 *count = bpf_map_lookup_elem(&passes, &reason);

	if (count)
		*count += 1;
	return XDP_PASS;
}

/* Drops the packet, counted under reason. */
static __always_inline int drop_counted(__u32 reason)
{
	__u64 *count = bpf_map_lookup_elem(&drops, &reason);

	if (count)
		*count += 1;
	return XDP_DROP;
}

/* A new connection went to backend_id of service_id. */
static __always_inline void count_new_conn(__u32 service_id, __u32 backend_id)
{
	struct xvs_counters *counters;

	counters = bpf_map_lookup_elem(&service_stats, &service_id);
	if (counters)
		counters->conns += 1;
	counters = bpf_map_lookup_elem(&backend_stats, &backend_id);
	if (counters)
		counters->conns += 1;
}

/* A packet of l3_bytes (IP header included, like IPVS) was forwarded. */
static __always_inline void count_in_packet(__u32 service_id, __u32 backend_id,
					    __u32 l3_bytes)
{
	struct xvs_counters *counters;

	counters = bpf_map_lookup_elem(&service_stats, &service_id);
	if (counters) {
		counters->in_packets += 1;
		counters->in_bytes += l3_bytes;
	}
	counters = bpf_map_lookup_elem(&backend_stats, &backend_id);
	if (counters) {
		counters->in_packets += 1;
		counters->in_bytes += l3_bytes;
	}
}

#endif /* XVS_BPF_VERDICT_H */
