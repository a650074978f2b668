/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Every map of the xvs_lb data plane, in one place. Sizes here are defaults:
 * the daemon sets the real ones with bpf_map__set_max_entries() before load. */
#ifndef XVS_BPF_MAPS_H
#define XVS_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xvs/xvs.h"

/* Virtual services by (VIP, port, protocol, family). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XVS_DEFAULT_MAX_SERVICES);
	__type(key, struct xvs_service_key);
	__type(value, struct xvs_service);
} services SEC(".maps");

/* Scheduler slots: each service owns [slot_base, slot_base + slot_count), each
 * slot holding a backend id. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_DEFAULT_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} service_slots SEC(".maps");

/* Scheduler state the data plane updates, by service id. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_DEFAULT_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct xvs_service_state);
} service_state SEC(".maps");

/* Backends by backend id. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_DEFAULT_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xvs_backend);
} backends SEC(".maps");

/* Connections each backend has in the table now, by backend id. Changed
 * atomically by the data plane and by the reaper program, each change tied to
 * a compare-and-swap of the entry's account token (bpf/conn.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_DEFAULT_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xvs_backend_conns);
} backend_conns SEC(".maps");

/* Weight and connection limit of each backend, by backend id (the daemon). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_DEFAULT_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xvs_backend_limits);
} backend_limits SEC(".maps");

/* Connection table. A preallocated plain hash, not LRU: when it is full new
 * flows are refused (and counted) instead of established ones being evicted.
 * The daemon deletes expired entries. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XVS_DEFAULT_CONN_TABLE);
	__type(key, struct xvs_conn_key);
	__type(value, struct xvs_conn);
} conns SEC(".maps");

/* Persistence: a client's (or a SIP call's) backend per service. Plain
 * hash like conns; the reaper deletes expired entries (bpf/reap.h). When it
 * is full the flow is scheduled without affinity (counted). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XVS_DEFAULT_PERSIST_TABLE);
	__type(key, struct xvs_persist_key);
	__type(value, struct xvs_persist);
} persist SEC(".maps");

/* What persistence did, by enum xvs_persist_event. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XVS_PERSIST_EVENT__MAX);
	__type(key, __u32);
	__type(value, __u64);
} persist_events SEC(".maps");

/* Scratch for the SIP scanner: the first SIP_SCAN_BYTES of a UDP payload
 * (bpf/sip.h), one per CPU. */
struct sip_scratch {
	__u8 bytes[2048];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sip_scratch);
} sip_scratch SEC(".maps");

/* What the SIP scanner (bpf/sip.h) has read so far. */
struct sip_scan_state {
	__u64 hash;        /* the Call-ID's FNV-1a; a header name's first letter meanwhile */
	__u32 state;       /* enum sip_state */
	__u32 name_length; /* capped at SIP_NAME_CAP */
	__u32 value_start; /* index of the value's first byte */
	__u8 value_bytes;  /* the value has a non-blank byte */
	__u8 callid_name;  /* the name so far is a prefix of "call-id" */
	__u8 found;
};

/* The best backend lc/wlc (bpf/sched.h) has seen so far. */
struct sched_least_state {
	__u64 overhead;
	__u32 weight;
	__u32 found;
};

/* What the bpf_loop callbacks carry from one step to the next, one per CPU.
 * In map memory, not on the stack: Linux 6.1's verifier checks a callback
 * once, with the caller's stack as it is at the call (scanner at a line
 * start, no backend found yet), takes what it knows there for what every
 * step sees, and rewrites the branches that then look dead (later kernels
 * check a callback until its state converges). A map value is never a known
 * constant to a verifier. */
struct loop_state {
	struct sip_scan_state sip;
	struct sched_least_state least;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct loop_state);
} loop_state SEC(".maps");

/* nat/snat translations, two entries per flow (struct xvs_nat_flow). The
 * reaper deletes both with the flow's conns entry (bpf/reap.h). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * XVS_DEFAULT_CONN_TABLE);
	__type(key, struct xvs_conn_key);
	__type(value, struct xvs_nat_flow);
} nat_flows SEC(".maps");

/* Route generation by tenant id: xvsd bumps a tenant's when a route, rule,
 * link or neighbour of its namespace changes; a reply's cached next hop
 * (struct xvs_nat_flow hop_*) is valid only under the generation it was
 * looked up in. 0: no xvsd keeps it, nothing is cached. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_MAX_TENANTS);
	__type(key, __u32);
	__type(value, __u32);
} route_generation SEC(".maps");

/* Mode snat: source addresses and port range, by service id. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_DEFAULT_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct xvs_snat);
} snat_sources SEC(".maps");

/* nat/snat working memory, one per CPU: keeps the stack of xvs_lb small. */
struct nat_scratch {
	struct bpf_fib_lookup fib;
	struct xvs_conn_key reply;
	struct xvs_conn_key out;
	struct xvs_conn_key flow;        /* the packet's key: 6.1 takes no argument memory as a key */
	struct xvs_nat_flow entry;
	__be32 from[18];                 /* ICMP errors: words before and after */
	__be32 to[18];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nat_scratch);
} nat_scratch SEC(".maps");

/* Per-service counters, by service id. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XVS_DEFAULT_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct xvs_counters);
} service_stats SEC(".maps");

/* Per-backend counters, by backend id. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XVS_DEFAULT_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xvs_counters);
} backend_stats SEC(".maps");

/* Dropped packets, by enum xvs_drop_reason. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XVS_DROP__MAX);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Packets handed to the kernel, by enum xvs_pass_reason. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XVS_PASS__MAX);
	__type(key, __u32);
	__type(value, __u64);
} passes SEC(".maps");

/* Runtime settings (connection timeouts), one entry. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xvs_settings);
} settings SEC(".maps");

/* The namespace of each tenant id (struct xvs_tenant), for the daemon. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_MAX_TENANTS);
	__type(key, __u32);
	__type(value, struct xvs_tenant);
} tenants SEC(".maps");

/* Egress interfaces for bpf_redirect_map: key is a backend's ifindex, value
 * the ifindex to send on (normally the same). A backend reached through an
 * interface other than the ingress one needs its entry here. Ifindexes are
 * per network namespace: each tenant's instance has a tx_ports of its own,
 * filled from inside its namespace. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

#endif /* XVS_BPF_MAPS_H */
