/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Forwarding: sends a scheduled packet to its backend by the service's mode.
 * A packet is only rewritten once it is certain to be sent. */
#ifndef XVS_BPF_FORWARD_H
#define XVS_BPF_FORWARD_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

#include "conn.h"
#include "encap.h"
#include "nat.h"
#include "parse.h"
#include "verdict.h"
#include "xvs/xvs.h"

/* Whether this program can forward in mode (checked before any state is
 * created for the flow). */
static __always_inline bool mode_supported(__u8 mode)
{
	return mode < XVS_MODE__MAX;
}

/* Direct routing: only the MACs change; back out of the ingress interface
 * with XDP_TX, or to another one through tx_ports. */
static __always_inline int forward_dr(struct xdp_md *ctx, const struct xvs_service *service,
				      const struct packet *pkt, const struct target *target)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	const struct xvs_backend *backend = target->backend;
	struct ethhdr *eth = data;
	__u32 ifindex = backend->ifindex;
	bool same_port = ifindex == ctx->ingress_ifindex;

	if ((void *)(eth + 1) > data_end)
		return drop_counted(XVS_DROP_MALFORMED); /* parse_packet saw it */
	/* Without a tx_ports entry bpf_redirect_map would fail after the
	 * rewrite; find out first so the drop is counted and the packet whole. */
	if (!same_port && !bpf_map_lookup_elem(&tx_ports, &ifindex))
		return drop_counted(XVS_DROP_NO_BACKEND);

	count_in_packet(service->id, target->backend_id, pkt->l3_bytes);
	__builtin_memcpy(eth->h_dest, backend->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, backend->smac, ETH_ALEN);
	if (same_port)
		return XDP_TX;
	return bpf_redirect_map(&tx_ports, ifindex, 0);
}

__attribute__((noinline)) int xvs_forward(struct xdp_md *ctx, const struct xvs_service *service,
					  const struct packet *pkt, struct xvs_backend *backend,
					  struct xvs_conn *conn);

/* A global function, so that the verifier checks the modes' paths once
 * rather than once for every path through connection tracking. It takes the
 * backend entry connection tracking found (a map value pointer is a valid
 * argument; its id is pkt->backend_id), so the backend is not looked up a
 * second time per packet, and the flow's conns entry when there was one
 * (nat/snat, bpf/nat.h). */
__attribute__((noinline)) int xvs_forward(struct xdp_md *ctx, const struct xvs_service *service,
					  const struct packet *pkt, struct xvs_backend *backend,
					  struct xvs_conn *conn)
{
	struct target target = { .backend = backend, .conn = conn };

	if (!ctx || !service || !pkt)
		return XDP_ABORTED;
	target.backend_id = pkt->backend_id;
	if (!backend)
		return drop_counted(XVS_DROP_NO_BACKEND);
	switch (service->mode) {
	case XVS_MODE_DR:
		return forward_dr(ctx, service, pkt, &target);
	case XVS_MODE_TUN:
		return forward_tun(ctx, service, pkt, &target);
	case XVS_MODE_NAT:
	case XVS_MODE_SNAT:
		return forward_nat(ctx, service, pkt, &target);
	default: /* generic: xvs_generic_forward, without conn_track */
		return drop_counted(XVS_DROP_NO_BACKEND);
	}
}

static __always_inline int forward(struct xdp_md *ctx, const struct xvs_service *service,
				   struct packet *pkt, const struct target *target)
{
	pkt->backend_id = target->backend_id;
	return xvs_forward(ctx, service, pkt, target->backend, target->conn);
}

#include "icmp_error.h"
#include "generic.h"

#endif /* XVS_BPF_FORWARD_H */
