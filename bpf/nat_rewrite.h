/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Modes nat and snat, the packet side: the FIB lookup for the next hop, and
 * the rewrite of addresses and ports with incremental checksum updates. */
#ifndef XVS_BPF_NAT_REWRITE_H
#define XVS_BPF_NAT_REWRITE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "csum.h"
#include "maps.h"
#include "parse.h"
#include "verdict.h"
#include "xvs/xvs.h"

/* nat_route: the packet needs fragmenting toward the next hop (fib's
 * mtu_result holds its MTU); the caller decides, nothing was counted. */
#define NAT_TOO_BIG (-2)
/* nat_backend_hop: the backend entry cannot tell the next hop for this
 * packet; route it with nat_route. */
#define NAT_LOOKUP (-4)

/* Where the headers of a parsed TCP/UDP packet lie; set by nat_headers. */
struct nat_headers {
	struct ethhdr *eth;
	void *ip;
	__be32 *ports;     /* source and destination port, one word */
	__u16 *l4_check;
};

static __always_inline int nat_headers(struct xdp_md *ctx, const struct packet *pkt,
				       struct nat_headers *headers)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 l2 = sizeof(*eth), ihl = sizeof(struct ipv6hdr);
	void *l4;

	if ((void *)(eth + 1) > data_end)
		return drop_counted(XVS_DROP_MALFORMED);
	if (eth->h_proto == bpf_htons(ETH_P_8021Q) || eth->h_proto == bpf_htons(ETH_P_8021AD))
		l2 += sizeof(struct vlan_tag);
	headers->eth = eth;
	headers->ip = data + l2;
	if (headers->ip + sizeof(struct ipv6hdr) > data_end)
		return drop_counted(XVS_DROP_MALFORMED);
	if (pkt->flow.family == XVS_AF_INET)
		ihl = ((struct iphdr *)headers->ip)->ihl * 4;
	l4 = headers->ip + ihl;
	if (l4 + sizeof(struct udphdr) > data_end)
		return drop_counted(XVS_DROP_MALFORMED);
	headers->ports = l4;
	if (pkt->flow.proto == IPPROTO_UDP) {
		headers->l4_check = l4 + 6;
		return FURTHER_PROCESSING;
	}
	if (l4 + sizeof(struct tcphdr) > data_end)
		return drop_counted(XVS_DROP_MALFORMED);
	headers->l4_check = l4 + 16;
	return FURTHER_PROCESSING;
}

/* The next hop toward out's destination. A next hop whose MAC the kernel does
 * not know yet: the untouched packet goes to the kernel, which resolves it. */
static __always_inline int nat_route(struct xdp_md *ctx, const struct xvs_conn_key *out,
				     __u32 l3_bytes, struct bpf_fib_lookup *fib)
{
	long ret;

	__builtin_memset(fib, 0, sizeof(*fib));
	fib->family = out->family;
	fib->l4_protocol = out->proto;
	fib->sport = out->sport;
	fib->dport = out->dport;
	fib->tot_len = (__u16)l3_bytes;
	fib->ifindex = ctx->ingress_ifindex;
	if (out->family == XVS_AF_INET) {
		fib->ipv4_src = out->saddr.v4;
		fib->ipv4_dst = out->daddr.v4;
	} else {
		__builtin_memcpy(fib->ipv6_src, out->saddr.v6, 16);
		__builtin_memcpy(fib->ipv6_dst, out->daddr.v6, 16);
	}
	ret = bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);
	if (ret == BPF_FIB_LKUP_RET_SUCCESS) {
		if (fib->ifindex != ctx->ingress_ifindex &&
		    !bpf_map_lookup_elem(&tx_ports, &fib->ifindex))
			return drop_counted(XVS_DROP_NO_ROUTE);
		return FURTHER_PROCESSING;
	}
	if (ret == BPF_FIB_LKUP_RET_NO_NEIGH)
		return pass_counted(XVS_PASS_NO_NEIGH);
	if (ret == BPF_FIB_LKUP_RET_FRAG_NEEDED)
		return NAT_TOO_BIG;
	return drop_counted(XVS_DROP_NO_ROUTE);
}

/* Toward a backend: the next hop the daemon resolved for it (its route's
 * gateway or the backend itself, and the interface), as for dr and tun, so
 * that a packet of a tracked flow needs no bpf_fib_lookup (~300 ns of the
 * nat path under load). The daemon re-resolves every backend at least every
 * 10 s and also gives the route's MTU; an entry without one (mtu 0: not
 * resolved for routing, or written by an older xvsd) or a packet bigger than
 * it goes through nat_route, which then decides about fragmentation. */
static __always_inline int nat_backend_hop(struct xdp_md *ctx, const struct xvs_backend *backend,
					   __u32 l3_bytes, struct bpf_fib_lookup *fib)
{
	__u32 ifindex = backend->ifindex;

	if (!backend->mtu || l3_bytes > backend->mtu)
		return NAT_LOOKUP;
	if (ifindex != ctx->ingress_ifindex && !bpf_map_lookup_elem(&tx_ports, &ifindex))
		return drop_counted(XVS_DROP_NO_ROUTE);
	__builtin_memcpy(fib->dmac, backend->dmac, ETH_ALEN);
	__builtin_memcpy(fib->smac, backend->smac, ETH_ALEN);
	fib->ifindex = ifindex;
	return FURTHER_PROCESSING;
}

/* The generation a reply's cached next hop must carry: the tenant's
 * route_generation (0: nothing is cached). */
static __always_inline __u32 nat_route_generation(__u16 tenant)
{
	__u32 key = tenant, *generation = bpf_map_lookup_elem(&route_generation, &key);

	return generation ? *(volatile __u32 *)generation : 0;
}

static __always_inline __u32 nat_hop_now(void)
{
	return (__u32)(bpf_ktime_get_coarse_ns() >> XVS_HOP_TICK_SHIFT);
}

/* Toward a client: the next hop the flow's last FIB lookup found (struct
 * xvs_nat_flow hop_*), while it is valid: same route generation (xvsd
 * bumps it on route, rule, link and neighbour changes), younger than the
 * TTL, the packet arrived where the lookup was made for and fits the MTU.
 * NAT_LOOKUP otherwise: nat_route decides, as without a cache. The
 * generation is read again after the copy: a CPU rewriting the entry sets
 * it to 0 first. */
static __always_inline int nat_reply_hop(struct xdp_md *ctx, const struct xvs_nat_flow *flow,
					 __u32 generation, __u32 now, __u32 l3_bytes,
					 struct bpf_fib_lookup *fib)
{
	__u32 ifindex = flow->hop_ifindex;

	if (!generation || *(volatile __u32 *)&flow->hop_generation != generation)
		return NAT_LOOKUP;
	if (now - flow->hop_stamp > XVS_HOP_TTL_TICKS || flow->hop_iif != ctx->ingress_ifindex ||
	    l3_bytes > flow->hop_mtu)
		return NAT_LOOKUP;
	__builtin_memcpy(fib->dmac, flow->hop_dmac, ETH_ALEN);
	__builtin_memcpy(fib->smac, flow->hop_smac, ETH_ALEN);
	fib->ifindex = ifindex;
	if (*(volatile __u32 *)&flow->hop_generation != generation)
		return NAT_LOOKUP;
	if (ifindex != ctx->ingress_ifindex && !bpf_map_lookup_elem(&tx_ports, &ifindex))
		return drop_counted(XVS_DROP_NO_ROUTE);
	return FURTHER_PROCESSING;
}

/* Records a successful nat_route result in the flow's reply entry, under
 * the generation read before the lookup (a change during the lookup makes
 * it stale at once). On success bpf_fib_lookup leaves the route's MTU in
 * mtu_result (Linux 5.12+; else tot_len stays: the packet's size, a
 * smaller MTU than the route's, which only sends bigger packets to
 * nat_route). */
static __always_inline void nat_reply_hop_remember(struct xdp_md *ctx, struct xvs_nat_flow *flow,
						   __u32 generation, __u32 now,
						   const struct bpf_fib_lookup *fib)
{
	if (!generation)
		return;
	*(volatile __u32 *)&flow->hop_generation = 0;
	__builtin_memcpy(flow->hop_dmac, fib->dmac, ETH_ALEN);
	__builtin_memcpy(flow->hop_smac, fib->smac, ETH_ALEN);
	flow->hop_ifindex = fib->ifindex;
	flow->hop_mtu = fib->mtu_result;
	flow->hop_iif = ctx->ingress_ifindex;
	flow->hop_stamp = now;
	*(volatile __u32 *)&flow->hop_generation = generation;
}

/* Source and destination port as they lie in memory, as one word. */
static __always_inline __be32 ports_word(__be16 sport, __be16 dport)
{
	__be32 word;

	__builtin_memcpy(&word, &sport, 2);
	__builtin_memcpy((__u8 *)&word + 2, &dport, 2);
	return word;
}

/* A UDP checksum of 0 means "none" over IPv4 and stays so; a computed 0 is
 * sent as 0xffff. */
static __always_inline void l4_check_update(__u16 *check, __u8 proto, bool v4, __be32 *from,
					    __be32 *to, __u32 size)
{
	__u16 value;

	if (proto == IPPROTO_UDP && v4 && *check == 0)
		return;
	value = csum_replace(*check, from, to, size);
	if (proto == IPPROTO_UDP && value == 0)
		value = 0xffff;
	*check = value;
}

static __always_inline void nat_rewrite_ipv4(struct nat_headers *headers, __u8 proto,
					     const struct xvs_conn_key *out)
{
	struct iphdr *ip = headers->ip;
	__be32 from[3] = { ip->saddr, ip->daddr, *headers->ports };
	__be32 to[3] = { out->saddr.v4, out->daddr.v4, ports_word(out->sport, out->dport) };
	__u16 old_ttl = *(__u16 *)&ip->ttl, new_ttl;

	l4_check_update(headers->l4_check, proto, true, from, to, sizeof(from));
	ip->ttl--;
	new_ttl = *(__u16 *)&ip->ttl;
	ip->check = csum_replace(ip->check, from, to, 8);
	ip->check = csum_replace16(ip->check, old_ttl, new_ttl);
	ip->saddr = to[0];
	ip->daddr = to[1];
	*headers->ports = to[2];
}

static __always_inline void nat_rewrite_ipv6(struct nat_headers *headers, __u8 proto,
					     const struct xvs_conn_key *out)
{
	struct ipv6hdr *ip6 = headers->ip;
	__be32 from[9], to[9];

	__builtin_memcpy(from, &ip6->saddr, 32);
	from[8] = *headers->ports;
	__builtin_memcpy(to, out->saddr.v6, 16);
	__builtin_memcpy(to + 4, out->daddr.v6, 16);
	to[8] = ports_word(out->sport, out->dport);
	l4_check_update(headers->l4_check, proto, false, from, to, sizeof(from));
	ip6->hop_limit--;
	__builtin_memcpy(&ip6->saddr, to, 32);
	*headers->ports = to[8];
}

/* Whether the packet may be forwarded one more hop; one that may not goes
 * to the kernel untouched, which answers with ICMP time exceeded. */
static __always_inline bool nat_hop_left(const struct nat_headers *headers, __u8 family)
{
	if (family == XVS_AF_INET)
		return ((struct iphdr *)headers->ip)->ttl > 1;
	return ((struct ipv6hdr *)headers->ip)->hop_limit > 1;
}

/* Rewrites the packet to out and sends it to the next hop fib found. */
static __always_inline int nat_send(struct xdp_md *ctx, const struct packet *pkt,
				    struct nat_headers *headers, const struct xvs_conn_key *out,
				    const struct bpf_fib_lookup *fib)
{
	if (pkt->flow.family == XVS_AF_INET)
		nat_rewrite_ipv4(headers, pkt->flow.proto, out);
	else
		nat_rewrite_ipv6(headers, pkt->flow.proto, out);
	__builtin_memcpy(headers->eth->h_dest, fib->dmac, ETH_ALEN);
	__builtin_memcpy(headers->eth->h_source, fib->smac, ETH_ALEN);
	if (fib->ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	return bpf_redirect_map(&tx_ports, fib->ifindex, 0);
}

#endif /* XVS_BPF_NAT_REWRITE_H */
