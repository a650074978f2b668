// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* xvs_lb, the XDP load balancer: parse, find the service, find or schedule
 * the flow's backend, forward. Anything not for a service goes to the kernel. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "conn.h"
#include "forward.h"
#include "maps.h"
#include "parse.h"
#include "reap.h"
#include "verdict.h"
#include "xvs/xvs.h"

static __always_inline struct xvs_service *service_find(const struct packet *pkt)
{
	struct xvs_service_key key = {
		.addr = pkt->flow.daddr,
		.port = pkt->flow.dport,
		.proto = pkt->flow.proto,
		.family = pkt->flow.family,
		.tenant = pkt->flow.tenant,
	};

	return bpf_map_lookup_elem(&services, &key);
}

SEC("xdp")
int xvs_lb(struct xdp_md *ctx)
{
	struct packet pkt = {};
	struct target target = {};
	struct xvs_service *service;
	int verdict;

	verdict = parse_packet(ctx, &pkt);
	if (verdict == PARSED_PORTLESS) {
		/* ICMP errors about balanced flows, then mode generic. */
		verdict = xvs_icmp_error(ctx, &pkt);
		if (verdict != PARSED_PORTLESS)
			return verdict;
		return xvs_portless(ctx, &pkt);
	}
	if (verdict != FURTHER_PROCESSING)
		return verdict;

	service = service_find(&pkt);
	if (!service) {
		verdict = xvs_nat_reply(ctx, &pkt);
		if (verdict != FURTHER_PROCESSING)
			return verdict;
		/* Other ports of a VIP may belong to a local proxy. */
		return pass_counted(pkt.malformed ? XVS_PASS_UNSUPPORTED : XVS_PASS_NO_SERVICE);
	}
	if (pkt.malformed)
		return drop_counted(XVS_DROP_MALFORMED);
	if (!mode_supported(service->mode))
		return drop_counted(XVS_DROP_NO_BACKEND);
	if (service->mode == XVS_MODE_GENERIC)
		return drop_counted(XVS_DROP_NO_BACKEND); /* TCP/UDP: never generic */

	verdict = conn_track(ctx, service, &pkt, &target);
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	return forward(ctx, service, &pkt, &target);
}

/* The reaper's programs (xvs_reap_conns, xvs_reap_persist) are in reap.h. */

char LICENSE[] SEC("license") = "Dual BSD/GPL";
