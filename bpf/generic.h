/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Mode generic: protocols without ports (ESP, AH, GRE, ICMP, SCTP, any number)
 * go to a backend chosen by an address hash, delivered as in dr or in tun. */
#ifndef XVS_BPF_GENERIC_H
#define XVS_BPF_GENERIC_H

/* Included by forward.h, after forward_dr and forward_tun. */

/* Slots tried after the hashed one when its backend is not READY. */
#define GENERIC_PROBES 8

static __always_inline __u32 generic_addr_hash(const struct xvs_addr *addr)
{
	__u32 hash = 0x811c9dc5;

#pragma unroll
	for (int i = 0; i < 4; i++) {
		hash ^= addr->v6[i];
		hash *= 0x01000193;
		hash ^= hash >> 13;
	}
	return hash;
}

/* The source address picks the slot (the destination with scheduler dh):
 * no connection state, so every packet of a client lands on one backend
 * while the backend set stays the same (mh: mostly also when it changes). */
static __always_inline int generic_pick(const struct xvs_service *service,
					const struct packet *pkt, struct target *target)
{
	__u32 count = service->slot_count, hash, slot, *id;
	struct xvs_backend *backend;

	if (!count)
		return service_no_backend(service);
	if (service->scheduler == XVS_SCHED_DH)
		hash = generic_addr_hash(&pkt->flow.daddr);
	else
		hash = generic_addr_hash(&pkt->flow.saddr);
	for (int i = 0; i < GENERIC_PROBES; i++) {
		slot = service->slot_base + (hash + (__u32)i) % count;
		id = bpf_map_lookup_elem(&service_slots, &slot);
		if (!id)
			break;
		target->backend_id = *id;
		backend = bpf_map_lookup_elem(&backends, &target->backend_id);
		if (backend && (backend->flags & XVS_BACKEND_F_READY)) {
			target->backend = backend;
			return FURTHER_PROCESSING;
		}
	}
	return drop_counted(XVS_DROP_NO_BACKEND);
}

__attribute__((noinline)) int xvs_portless(struct xdp_md *ctx, const struct packet *pkt);

/* A packet of a protocol without ports: for a generic service of its VIP
 * and protocol (port 0), or the kernel's. A global function: the verifier
 * checks it once, apart from the TCP/UDP paths. */
__attribute__((noinline)) int xvs_portless(struct xdp_md *ctx, const struct packet *arg)
{
	struct xvs_service_key key = {};
	struct target target = {};
	struct xvs_service *service;
	const struct packet *pkt;
	struct packet copy;
	int verdict;

	if (!ctx || !arg)
		return XDP_ABORTED;
	copy = *arg; /* on the stack: 6.1 takes no argument memory as a map key */
	pkt = &copy;
	key.addr = pkt->flow.daddr;
	key.proto = pkt->flow.proto;
	key.family = pkt->flow.family;
	key.tenant = pkt->flow.tenant;
	service = bpf_map_lookup_elem(&services, &key);
	if (!service)
		return pass_counted(XVS_PASS_UNSUPPORTED);
	if (service->mode != XVS_MODE_GENERIC)
		return drop_counted(XVS_DROP_NO_BACKEND);
	verdict = generic_pick(service, pkt, &target);
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	if (service->flags & XVS_SERVICE_F_GENERIC_TUN)
		return forward_tun(ctx, service, pkt, &target);
	return forward_dr(ctx, service, pkt, &target);
}

#endif /* XVS_BPF_GENERIC_H */
