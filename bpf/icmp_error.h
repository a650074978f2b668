/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* ICMP errors that quote a balanced flow: sent on to the flow's backend (dr,
 * tun), or translated outer and inner (nat, snat) in both directions. */
#ifndef XVS_BPF_ICMP_ERROR_H
#define XVS_BPF_ICMP_ERROR_H

/* Included by forward.h, after forward_dr, forward_tun and nat.h. */

#define XVS_ICMP_TIME_EXCEEDED 11
#define XVS_ICMPV6_DEST_UNREACH 1
#define XVS_ICMPV6_TIME_EXCEEDED 3

/* Where an ICMP error's parts lie; the quoted tuple as it was sent. */
struct icmp_quote {
	void *outer;              /* outer IP header */
	__u16 *icmp_check;
	void *inner;              /* quoted IP header */
	__be32 *ports;            /* quoted L4 ports (its first 8 bytes are there) */
	void *end;                /* the packet's end */
};

static __always_inline bool icmp_is_error(__u8 family, __u8 type)
{
	if (family == XVS_AF_INET)
		return type == XVS_ICMP_DEST_UNREACH || type == XVS_ICMP_TIME_EXCEEDED;
	return type == XVS_ICMPV6_DEST_UNREACH || type == XVS_ICMPV6_PKT_TOOBIG ||
	       type == XVS_ICMPV6_TIME_EXCEEDED;
}

/* Finds the quoted header; *tuple is the quoted flow reversed (the way its
 * own packets arrive here). FURTHER_PROCESSING, or PARSED_PORTLESS for an
 * ICMP message that is not an error about TCP/UDP. */
static __always_inline int icmp_quote_parse(struct xdp_md *ctx, const struct packet *pkt,
					    struct icmp_quote *quote, struct xvs_conn_key *tuple)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 l2 = sizeof(*eth), outer_bytes = sizeof(struct ipv6hdr), inner_bytes;
	__u8 *icmp, *inner, proto;

	if ((void *)(eth + 1) > data_end)
		return PARSED_PORTLESS;
	if (eth->h_proto == bpf_htons(ETH_P_8021Q) || eth->h_proto == bpf_htons(ETH_P_8021AD))
		l2 += sizeof(struct vlan_tag);
	quote->end = data_end;
	quote->outer = data + l2;
	if (quote->outer + sizeof(struct ipv6hdr) > data_end)
		return PARSED_PORTLESS;
	if (pkt->flow.family == XVS_AF_INET)
		outer_bytes = ((struct iphdr *)quote->outer)->ihl * 4;
	icmp = quote->outer + outer_bytes;
	if ((void *)(icmp + 8) > data_end || !icmp_is_error(pkt->flow.family, icmp[0]))
		return PARSED_PORTLESS;
	inner = icmp + 8;
	if ((void *)(inner + sizeof(struct iphdr)) > data_end)
		return PARSED_PORTLESS;
	/* From inner, whose bounds the verifier knows best. */
	quote->icmp_check = (__u16 *)(inner - 6);
	quote->inner = inner;
	__builtin_memset(tuple, 0, sizeof(*tuple));
	tuple->family = pkt->flow.family;
	tuple->tenant = pkt->flow.tenant;
	if (pkt->flow.family == XVS_AF_INET) {
		struct iphdr *ip = quote->inner;

		inner_bytes = ip->ihl * 4;
		proto = ip->protocol;
		tuple->saddr.v4 = ip->daddr;
		tuple->daddr.v4 = ip->saddr;
	} else {
		struct ipv6hdr *ip6 = quote->inner;

		if ((void *)(ip6 + 1) > data_end)
			return PARSED_PORTLESS;
		inner_bytes = sizeof(*ip6);
		proto = ip6->nexthdr;
		__builtin_memcpy(tuple->saddr.v6, &ip6->daddr, 16);
		__builtin_memcpy(tuple->daddr.v6, &ip6->saddr, 16);
	}
	quote->ports = (void *)(inner + inner_bytes);
	if (inner_bytes < sizeof(struct iphdr) || (void *)(quote->ports + 2) > data_end ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return PARSED_PORTLESS;
	tuple->proto = proto;
	tuple->sport = ((__be16 *)quote->ports)[1];
	tuple->dport = ((__be16 *)quote->ports)[0];
	return FURTHER_PROCESSING;
}

/* Rewrites the quoted header to the tuple q (as sent: q.saddr -> q.daddr)
 * and the outer addresses to src -> dst, fixing the quoted IPv4 and UDP
 * checksums and the ICMP checksum (ICMPv6: its pseudo-header too). The
 * quoted TCP checksum lies past the 8 bytes an error must carry: left as is. */
static __always_inline int icmp_quote_rewrite(struct icmp_quote *quote, const struct packet *pkt,
					       const struct xvs_conn_key *q,
					       const struct xvs_addr *src,
					       const struct xvs_addr *dst,
					       struct nat_scratch *scratch)
{
	__be32 *from = scratch->from, *to = scratch->to;
	__u16 *udp_check = (__u16 *)quote->ports + 3;

	if (pkt->flow.family == XVS_AF_INET) {
		struct iphdr *inner = quote->inner, *outer = quote->outer;
		__u16 old_ttl = *(__u16 *)&outer->ttl;

		from[0] = inner->saddr;
		from[1] = inner->daddr;
		from[2] = quote->ports[0];
		from[3] = *((__be32 *)inner + 2);
		from[4] = quote->ports[1];
		to[0] = q->saddr.v4;
		to[1] = q->daddr.v4;
		to[2] = ports_word(q->sport, q->dport);
		if (q->proto == IPPROTO_UDP && *udp_check)
			l4_check_update(udp_check, IPPROTO_UDP, true, from, to, 12);
		inner->check = csum_replace(inner->check, from, to, 8);
		inner->saddr = to[0];
		inner->daddr = to[1];
		quote->ports[0] = to[2];
		to[3] = *((__be32 *)inner + 2);
		to[4] = quote->ports[1];
		*quote->icmp_check = csum_replace(*quote->icmp_check, from, to, 20);
		from[0] = outer->saddr;
		from[1] = outer->daddr;
		outer->ttl--;
		outer->check = csum_replace(outer->check, from, (__be32 *)src, 4);
		outer->check = csum_replace(outer->check, from + 1, (__be32 *)dst, 4);
		outer->check = csum_replace16(outer->check, old_ttl, *(__u16 *)&outer->ttl);
		outer->saddr = src->v4;
		outer->daddr = dst->v4;
		return FURTHER_PROCESSING;
	}
	{
		struct ipv6hdr *inner = quote->inner, *outer = quote->outer;

		/* Checked in icmp_quote_parse, on a path the verifier has
		 * forgotten by now; the barrier keeps clang from dropping the
		 * check as redundant. */
		asm volatile("" : "+r"(inner), "+r"(outer));
		if ((void *)(inner + 1) > quote->end || (void *)(outer + 1) > quote->end)
			return drop_counted(XVS_DROP_MALFORMED);
		__builtin_memcpy(from, &inner->saddr, 32);
		from[8] = quote->ports[0];
		from[9] = quote->ports[1];
		__builtin_memcpy(from + 10, &outer->saddr, 32);
		__builtin_memcpy(to, q->saddr.v6, 16);
		__builtin_memcpy(to + 4, q->daddr.v6, 16);
		to[8] = ports_word(q->sport, q->dport);
		if (q->proto == IPPROTO_UDP)
			l4_check_update(udp_check, IPPROTO_UDP, false, from, to, 36);
		to[9] = quote->ports[1];
		__builtin_memcpy(to + 10, src->v6, 16);
		__builtin_memcpy(to + 14, dst->v6, 16);
		*quote->icmp_check = csum_replace(*quote->icmp_check, from, to, sizeof(scratch->from));
		__builtin_memcpy(&inner->saddr, to, 32);
		quote->ports[0] = to[8];
		__builtin_memcpy(&outer->saddr, to + 10, 32);
		outer->hop_limit--;
	}
	return FURTHER_PROCESSING;
}

/* A nat/snat flow's error: the quoted header becomes the flow's other side
 * (peer, as it was or will be sent); the outer one goes to peer's source. */
static __always_inline int icmp_nat(struct xdp_md *ctx, const struct packet *pkt,
				    struct icmp_quote *quote, const struct xvs_nat_flow *flow,
				    bool snat, struct nat_scratch *scratch)
{
	struct nat_headers headers = {};
	struct xvs_conn_key *out = &scratch->out;
	int verdict;

	*out = pkt->flow;
	out->daddr = flow->peer.saddr;
	/* snat: backends may have no route to the router that wrote the
	 * error, clients none to the balancer's inside: the balancer's own
	 * address on that side instead. */
	if (snat)
		out->saddr = flow->peer.daddr;
	verdict = nat_route(ctx, out, pkt->l3_bytes, &scratch->fib);
	if (verdict == NAT_TOO_BIG)
		return drop_counted(XVS_DROP_TOO_BIG);
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	if (icmp_quote_parse(ctx, pkt, quote, &scratch->reply) != FURTHER_PROCESSING)
		return drop_counted(XVS_DROP_MALFORMED);
	verdict = icmp_quote_rewrite(quote, pkt, &flow->peer, &out->saddr, &out->daddr, scratch);
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	headers.eth = (void *)(long)ctx->data;
	if ((void *)(headers.eth + 1) > (void *)(long)ctx->data_end)
		return drop_counted(XVS_DROP_MALFORMED);
	__builtin_memcpy(headers.eth->h_dest, scratch->fib.dmac, ETH_ALEN);
	__builtin_memcpy(headers.eth->h_source, scratch->fib.smac, ETH_ALEN);
	if (scratch->fib.ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	return bpf_redirect_map(&tx_ports, scratch->fib.ifindex, 0);
}

/* dr/tun: the error goes to the flow's backend as its packets do. */
static __always_inline int icmp_to_backend(struct xdp_md *ctx, const struct packet *pkt,
					   const struct xvs_conn_key *tuple)
{
	struct xvs_service_key key = {};
	struct target target = {};
	struct xvs_service *service;
	struct xvs_conn *conn;

	conn = bpf_map_lookup_elem(&conns, tuple);
	if (!conn)
		return pass_counted(XVS_PASS_ICMP_NO_FLOW);
	key.addr = tuple->daddr;
	key.port = tuple->dport;
	key.proto = tuple->proto;
	key.family = tuple->family;
	key.tenant = tuple->tenant;
	service = bpf_map_lookup_elem(&services, &key);
	target.backend_id = conn->backend_id;
	target.backend = conn_backend(conn);
	if (!service || !target.backend)
		return pass_counted(XVS_PASS_ICMP_NO_FLOW);
	if (service->mode == XVS_MODE_TUN)
		return forward_tun(ctx, service, pkt, &target);
	if (service->mode == XVS_MODE_DR)
		return forward_dr(ctx, service, pkt, &target);
	return pass_counted(XVS_PASS_ICMP_NO_FLOW);
}

__attribute__((noinline)) int xvs_icmp_error(struct xdp_md *ctx, const struct packet *pkt);

/* An ICMP or ICMPv6 message: PARSED_PORTLESS unless it is an error quoting
 * TCP/UDP, which goes to the quoted flow, or to the kernel (counted). A
 * global function: the verifier checks it once. */
__attribute__((noinline)) int xvs_icmp_error(struct xdp_md *ctx, const struct packet *arg)
{
	struct nat_scratch *scratch;
	struct xvs_nat_flow *flow;
	struct icmp_quote quote;
	const struct packet *pkt;
	struct packet copy;
	__u32 zero = 0;
	bool snat;

	if (!ctx || !arg)
		return XDP_ABORTED;
	copy = *arg; /* on the stack: 6.1 takes no argument memory as a map key */
	pkt = &copy;
	if (!(pkt->flow.proto == IPPROTO_ICMP && pkt->flow.family == XVS_AF_INET) &&
	    !(pkt->flow.proto == XVS_IPPROTO_ICMPV6 && pkt->flow.family == XVS_AF_INET6))
		return PARSED_PORTLESS;
	scratch = bpf_map_lookup_elem(&nat_scratch, &zero);
	if (!scratch)
		return PARSED_PORTLESS;
	if (icmp_quote_parse(ctx, pkt, &quote, &scratch->reply) != FURTHER_PROCESSING)
		return PARSED_PORTLESS;
	flow = bpf_map_lookup_elem(&nat_flows, &scratch->reply);
	if (!flow)
		return icmp_to_backend(ctx, pkt, &scratch->reply);
	/* nat: the reply side's destination is the client itself. */
	if (flow->reply)
		snat = !addr_equal(&scratch->reply.daddr, &flow->peer.saddr);
	else
		snat = !addr_equal(&flow->peer.daddr, &scratch->reply.saddr);
	return icmp_nat(ctx, pkt, &quote, flow, snat, scratch);
}

#endif /* XVS_BPF_ICMP_ERROR_H */
