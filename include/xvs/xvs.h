/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The ABI shared by the XDP data plane and userspace: map keys, map values and
 * constants. Both sides include this one header; sizes are pinned by asserts. */
#ifndef XVS_XVS_H
#define XVS_XVS_H

#include <linux/types.h>

/* Address families, equal to AF_INET/AF_INET6 so userspace needs no mapping. */
#define XVS_AF_INET  2
#define XVS_AF_INET6 10

/* Forwarding modes (service "mode"). */
enum xvs_mode {
	XVS_MODE_NAT = 0,
	XVS_MODE_SNAT = 1,
	XVS_MODE_DR = 2,
	XVS_MODE_TUN = 3,
	XVS_MODE_GENERIC = 4,
	XVS_MODE__MAX
};

/* Schedulers (service "scheduler"). */
enum xvs_scheduler {
	XVS_SCHED_RR = 0,
	XVS_SCHED_WRR = 1,
	XVS_SCHED_LC = 2,
	XVS_SCHED_WLC = 3,
	XVS_SCHED_SH = 4,
	XVS_SCHED_DH = 5,
	XVS_SCHED_MH = 6,
	XVS_SCHED__MAX
};

/* Connection states; each has its own timeout in struct xvs_settings. */
enum xvs_conn_state {
	XVS_CONN_TCP_SYN = 0,      /* SYN seen, handshake not complete */
	XVS_CONN_TCP_ESTABLISHED = 1,
	XVS_CONN_TCP_FIN = 2,      /* FIN seen */
	XVS_CONN_TCP_CLOSE = 3,    /* RST seen */
	XVS_CONN_UDP = 4,
	XVS_CONN_STATE__MAX
};

/* Why the data plane dropped a packet: index into the drops map. */
enum xvs_drop_reason {
	XVS_DROP_NO_BACKEND = 0,      /* service has no usable backend */
	XVS_DROP_CONN_TABLE_FULL = 1, /* new flow, connection table full */
	XVS_DROP_MALFORMED = 2,       /* a balanced packet failed a header check */
	XVS_DROP_BACKEND_GONE = 3,    /* tracked flow's backend no longer usable */
	XVS_DROP_TOO_BIG = 4,         /* tun: too big for the tunnel MTU (an ICMP
				       * too-big went back when DF or IPv6) */
	XVS_DROP_NAT_NO_PORT = 5,     /* nat/snat: no free reply tuple (snat: every
				       * candidate source port in use) */
	XVS_DROP_NO_ROUTE = 6,        /* nat/snat: the FIB has no usable route */
	XVS_DROP__MAX
};

/* Packets the data plane did not drop and did not forward: index into the
 * passes map (counted so an operator can see what went to the kernel). */
enum xvs_pass_reason {
	XVS_PASS_NOT_IP = 0,        /* not IPv4/IPv6 (ARP, LLDP, ...) */
	XVS_PASS_NO_SERVICE = 1,    /* no service for this address/port/proto */
	XVS_PASS_FRAGMENT = 2,      /* IP fragment: the kernel reassembles */
	XVS_PASS_UNSUPPORTED = 3,   /* IP options, extension headers, other protocols */
	XVS_PASS_NO_NEIGH = 4,      /* nat/snat: next hop MAC unknown; the kernel
				     * resolves it (packet untouched) */
	XVS_PASS_ICMP_NO_FLOW = 5,  /* ICMP error quoting no balanced flow */
	XVS_PASS_NO_BACKEND = 6,    /* new flow of a service without a usable
				     * backend, "no_backend pass" (else a drop) */
	XVS_PASS__MAX
};

/* An IPv4 or IPv6 address; IPv4 lives in the first word, the rest is zero. */
struct xvs_addr {
	union {
		__be32 v4;
		__be32 v6[4];
		__u8 bytes[16];
	};
};

/* Tenants: each network namespace with services is one tenant, served by an
 * instance of xvs_lb of its own that shares every map but tx_ports and knows
 * its tenant id as a constant. Tenant 0 is the daemon's own namespace. The id
 * is part of the service and flow keys, so that tenants with overlapping
 * addresses never meet in a map. */
#define XVS_TENANT_HOST 0
#define XVS_MAX_TENANTS 256
#define XVS_NAMESPACE_NAME_MAX 64

/* services map key: the virtual service a packet is addressed to. */
struct xvs_service_key {
	struct xvs_addr addr;
	__be16 port;    /* network order; 0 for portless protocols */
	__u8 proto;     /* IPPROTO_* */
	__u8 family;    /* XVS_AF_* */
	__u16 tenant;   /* the instance of xvs_lb that received it */
	__u8 pad[2];
};

/* services map value. The backends of a service are the slots
 * [slot_base, slot_base + slot_count) of the service_slots map, each holding a
 * backend id; the scheduler picks a slot. */
struct xvs_service {
	__u32 id;         /* index into service_stats and service_state */
	__u8 mode;        /* enum xvs_mode */
	__u8 scheduler;   /* enum xvs_scheduler */
	__u16 flags;      /* XVS_SERVICE_F_* */
	__u32 slot_base;
	__u32 slot_count; /* 0: no usable backend */
	__u32 persist_timeout_ms; /* persistence: entry lifetime after last use */
	__u8 persist_kind;        /* enum xvs_persist_kind */
	__u8 persist_mask;        /* source: prefix length kept of the address */
	__u8 pad[2];
};

#define XVS_SERVICE_F_GENERIC_TUN 0x0001 /* generic: encapsulate as in tun, not dr */
#define XVS_SERVICE_F_NO_BACKEND_PASS 0x0002 /* no usable backend: new flows go to
					      * the kernel, not dropped */
#define XVS_SERVICE_F_FAMILY_TABLES 0x0004 /* xvsd's bookkeeping, unused by the data
					    * plane: the service has VIPs of both
					    * families and its region two tables,
					    * IPv4's then IPv6's */

/* Persistence (service "persistence"): what keys a client's affinity. */
enum xvs_persist_kind {
	XVS_PERSIST_NONE = 0,
	XVS_PERSIST_SOURCE = 1,  /* the client address under persist_mask */
	XVS_PERSIST_CALLID = 2,  /* UDP SIP: the Call-ID header's value (bpf/sip.h) */
};

/* persist map key: one client (masked address) or one SIP call of a service. */
struct xvs_persist_key {
	__u32 service_id;
	__u8 kind;      /* enum xvs_persist_kind */
	__u8 family;    /* XVS_AF_* for SOURCE; 0 for CALLID */
	__u8 pad[2];
	struct xvs_addr addr; /* SOURCE: masked address; CALLID: v6[0..1] = hash */
};

/* persist map value. No connection count hangs on it, so it may be deleted
 * by anyone at any time: the worst case is one rescheduled client. */
struct xvs_persist {
	__u64 last_seen_ns; /* last new flow (or, once a second, packet) */
	__u32 backend_id;
	__u32 timeout_ms;   /* the service's, copied for the reaper */
};

/* What persistence did, index into the persist_events map (per-CPU
 * counters; neither a drop nor a pass). */
enum xvs_persist_event {
	XVS_PERSIST_HIT = 0,        /* new flow (sip-callid in dr/tun: any packet
				     * naming a call) sent to its remembered backend */
	XVS_PERSIST_NEW = 1,        /* new flow scheduled, affinity recorded */
	XVS_PERSIST_TABLE_FULL = 2, /* scheduled, affinity not recorded */
	XVS_PERSIST_NO_CALLID = 3,  /* sip-callid: no Call-ID, scheduled */
	XVS_PERSIST_EVENT__MAX
};

/* backends map value, indexed by backend id. */
struct xvs_backend {
	struct xvs_addr addr;
	__u8 dmac[6];     /* backend (or next hop) MAC */
	__u8 smac[6];     /* MAC of the interface we send from */
	__u32 ifindex;    /* interface we send from */
	__be16 port;      /* network order; 0 = same as the service port */
	__u8 family;
	__u8 flags;       /* XVS_BACKEND_F_* */
	__u32 service_id;
	struct xvs_addr tunnel_source; /* tun: outer source, backend's family */
	__u16 mtu;        /* tun: egress interface MTU; 0 = not checked */
	__u8 pad[2];
};
#define XVS_BACKEND_F_READY 0x01 /* dmac/ifindex known: packets may be sent */
#define XVS_BACKEND_F_DOWN 0x02  /* failed its health check: no new flows and no
				  * persistence hits; its tracked flows stay
				  * while READY (down_backend keep) */

/* service_state map value: scheduler state the data plane updates. */
struct xvs_service_state {
	__u64 rr_cursor;
};

/* conns map key: one direction of a flow as the balancer sees it arrive. */
struct xvs_conn_key {
	struct xvs_addr saddr;
	struct xvs_addr daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u16 tenant;   /* as in struct xvs_service_key */
};

/* conns map value. */
struct xvs_conn {
	__u64 last_seen_ns;  /* bpf_ktime_get_ns() of the last packet */
	__u32 backend_id;
	__u32 service_id;
	__u8 state;          /* enum xvs_conn_state */
	__u8 nat;            /* nat/snat: XVS_CONN_NAT_* once the flow's nat_flows
			      * entries are known to exist for backend_id; 0 = look */
	__be16 nat_port;     /* snat: the flow's source port toward the backend */
	__u32 account;       /* the backend_conns count this entry holds, see
			      * XVS_ACCOUNT(); 0 = the reaper is deleting it */
};

/* xvs_conn.nat: set by the data plane with one compare-and-swap of state,
 * nat, nat_port and account together (so only while the account token still
 * names backend_id), cleared before backend_id changes (bpf/nat.h). snat adds
 * which of snat_sources' addresses the flow uses and that entry's generation. */
#define XVS_CONN_NAT_KNOWN 0x80
#define XVS_CONN_NAT_ADDR(nat) (((nat) >> 5) & 3)
#define XVS_CONN_NAT_GENERATION(nat) ((nat) & 0x1f)
#define XVS_CONN_NAT(addr, generation) \
	(XVS_CONN_NAT_KNOWN | ((addr) & 3) << 5 | ((generation) & 0x1f))

/* An entry's accounting token: which backend's active or inactive count it
 * holds. Every change of a count is tied to a compare-and-swap of this token
 * in the entry, so each count is changed by exactly one party (bpf/conn.h). */
#define XVS_ACCOUNT(backend_id, active) (((backend_id) << 1 | (active)) + 1)
#define XVS_ACCOUNT_BACKEND(account) (((account) - 1) >> 1)
#define XVS_ACCOUNT_ACTIVE(account) (((account) - 1) & 1)

/* backend_conns value, by backend id: connections in the table now, as IPVS
 * shows them (active = TCP ESTABLISHED; inactive = other TCP states, UDP). */
struct xvs_backend_conns {
	__u32 active;
	__u32 inactive;
};

/* backend_limits value, by backend id: what the schedulers weigh. */
struct xvs_backend_limits {
	__u32 weight;
	__u32 max_conns;     /* 0 = no limit */
};

/* What a pass of the reaper found (xvsd/conntrack.c fills it). */
struct xvs_reap_args {
	__u64 grace_ns;  /* the grace the pass used */
	__u64 live;      /* entries kept */
	__u64 reaped;    /* entries deleted */
	__u64 persist_live;   /* persistence entries kept */
	__u64 persist_reaped; /* persistence entries deleted */
};

/* What the reaper's iterators (bpf/reap.h) write per entry for the daemon. */
#define XVS_REAP_LIVE 'L'    /* one byte: the entry stays */
#define XVS_REAP_CLAIMED 'C' /* then its struct xvs_conn_key: count given back, to delete */
#define XVS_REAP_EXPIRED 'E' /* then its struct xvs_persist_key: to delete */

/* Whether an entry last seen at last_seen_ns is expired for longer than
 * grace_ns at now. Another CPU may have stamped the entry after now. */
static inline int xvs_reap_due(__u64 now, __u64 last_seen_ns, __u64 timeout_ns, __u64 grace_ns)
{
	return now > last_seen_ns && now - last_seen_ns > timeout_ns + grace_ns;
}

/* service_stats and backend_stats value (per-CPU). */
struct xvs_counters {
	__u64 conns;
	__u64 in_packets;
	__u64 in_bytes;
	__u64 out_packets;
	__u64 out_bytes;
};

/* settings map value (one entry); the daemon rewrites it on reload. */
struct xvs_settings {
	__u64 timeout_ns[XVS_CONN_STATE__MAX];
};

_Static_assert(sizeof(struct xvs_addr) == 16, "xvs_addr size");
_Static_assert(sizeof(struct xvs_service_key) == 24, "xvs_service_key size");
_Static_assert(sizeof(struct xvs_service) == 24, "xvs_service size");
_Static_assert(sizeof(struct xvs_persist_key) == 24, "xvs_persist_key size");
_Static_assert(sizeof(struct xvs_persist) == 16, "xvs_persist size");
_Static_assert(sizeof(struct xvs_backend) == 60, "xvs_backend size");
_Static_assert(sizeof(struct xvs_service_state) == 8, "xvs_service_state size");
_Static_assert(sizeof(struct xvs_conn_key) == 40, "xvs_conn_key size");
_Static_assert(sizeof(struct xvs_conn) == 24, "xvs_conn size");
_Static_assert(__builtin_offsetof(struct xvs_conn, state) == 16,
	       "xvs_conn: state, nat, nat_port and account are one aligned 8-byte word");
_Static_assert(sizeof(struct xvs_counters) == 40, "xvs_counters size");
_Static_assert(sizeof(struct xvs_backend_conns) == 8, "xvs_backend_conns size");
_Static_assert(sizeof(struct xvs_backend_limits) == 8, "xvs_backend_limits size");
_Static_assert(sizeof(struct xvs_reap_args) == 40, "xvs_reap_args size");

/* nat_flows map value, keyed by one direction of a nat/snat flow as it
 * arrives (struct xvs_conn_key). Every flow has two entries: the client side
 * (client -> VIP, also the conns key) and the reply side (backend -> client,
 * or backend -> snat address:port). peer is the other entry's key: a packet
 * leaves with its addresses and ports set to peer reversed. */
struct xvs_nat_flow {
	struct xvs_conn_key peer;
	__u32 service_id;
	__u32 backend_id;
	__u8 reply;        /* 1: this entry is the reply side */
	__u8 pad;
	/* Reply side: the next hop toward the client from the last FIB lookup
	 * (bpf/nat.h nat_reply_hop), so that a flow's replies skip
	 * bpf_fib_lookup. Valid while hop_generation equals the tenant's
	 * route_generation (0: never), for XVS_HOP_TTL_TICKS after hop_stamp,
	 * for packets arriving on hop_iif of at most hop_mtu bytes. */
	__u16 hop_mtu;
	__u32 hop_ifindex;
	__u8 hop_dmac[6];
	__u8 hop_smac[6];
	__u32 hop_generation;
	__u32 hop_stamp;   /* bpf_ktime_get_coarse_ns() >> XVS_HOP_TICK_SHIFT */
	__u32 hop_iif;     /* the interface the reply arrived on */
};

/* snat_sources value, by service id: mode snat's source addresses and the
 * source port range allocated from (host order, inclusive). */
#define XVS_SNAT_ADDRS 4
struct xvs_snat {
	struct xvs_addr addrs[XVS_SNAT_ADDRS];
	__u16 port_min;
	__u16 port_max;
	__u8 count;        /* addrs in use */
	__u8 generation;   /* changes with addrs (xvs_conn.nat) */
	__u8 pad[2];
};

/* tenants map value, by tenant id: the network namespace of the tenant (""
 * for none), for the daemon that adopts the pinned maps after a restart.
 * The data plane never reads it. */
struct xvs_tenant {
	char namespace_name[XVS_NAMESPACE_NAME_MAX];
};

_Static_assert(sizeof(struct xvs_nat_flow) == 80, "xvs_nat_flow size");
_Static_assert(sizeof(struct xvs_tenant) == 64, "xvs_tenant size");
_Static_assert(sizeof(struct xvs_snat) == 72, "xvs_snat size");

#define XVS_SNAT_PORT_MIN 1024
#define XVS_SNAT_PORT_MAX 65535

/* Default map sizes; the loader overrides them from the configuration. */
#define XVS_DEFAULT_MAX_SERVICES 1024
#define XVS_DEFAULT_MAX_BACKENDS 8192
#define XVS_DEFAULT_SLOTS 65536
#define XVS_DEFAULT_CONN_TABLE (1024 * 1024)

/* The shortest connection timeout the configuration accepts (1 s): an entry
 * seen more recently cannot have expired, so the data plane skips reading
 * the timeouts. The daemon's parser enforces it. */
#define XVS_TIMEOUT_MIN_NS 1000000000ULL
/* A tracked entry's last_seen_ns is rewritten at most this often: timeouts
 * are whole seconds, and not writing the entry on every packet keeps its
 * cache line shared between CPUs. */
#define XVS_LAST_SEEN_REFRESH_NS 1000000ULL
/* The reply path's next-hop cache (struct xvs_nat_flow hop_*): ticks of
 * 2^20 ns (~1.05 ms); an entry is used for at most 953 ticks (~1 s) after
 * its lookup, a backstop for a change xvsd was not told of (or made while
 * no xvsd ran). xvsd bumps route_generation, by tenant, on every rtnetlink
 * route, rule, link or neighbour change that can change a lookup. */
#define XVS_HOP_TICK_SHIFT 20
#define XVS_HOP_TTL_TICKS 953
#define XVS_DEFAULT_PERSIST_TABLE (XVS_DEFAULT_CONN_TABLE / 4)

/* Slots of one service's region: mh holds a Maglev lookup table (a prime
 * size); rr, lc and wlc a list of the usable backends, once each (so at most
 * XVS_SLOTS_LIST backends per service: also the bound of the lc/wlc loop);
 * wrr, sh and dh the weighted round-robin sequence. */
#define XVS_SLOTS_MH 65537
#define XVS_SLOTS_LIST 1024
#define XVS_SLOTS_WEIGHTED 4096

#endif /* XVS_XVS_H */
