/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Path MTU for mode tun: a packet too big for the tunnel becomes an ICMP
 * "fragmentation needed" / ICMPv6 "packet too big" sent back with XDP_TX. */
#ifndef XVS_BPF_ICMP_TOO_BIG_H
#define XVS_BPF_ICMP_TOO_BIG_H

/* Included by encap.h, after struct inner_info and gap_open. */

#define XVS_ICMP_DEST_UNREACH 3
#define XVS_ICMP_FRAG_NEEDED 4
#define XVS_ICMPV6_PKT_TOOBIG 2
/* ICMPv6 error: as much of the packet as fits in the minimum IPv6 MTU. */
#define ICMPV6_QUOTED (XVS_IPV6_MIN_MTU - sizeof(struct ipv6hdr) - 8)
/* IPv4 header with the longest options, plus 8 bytes, plus the ICMP header. */
#define ICMP4_MAX_WORDS ((60 + 8 + 8) / 2)

struct icmp_error {
	__u8 type;
	__u8 code;
	__u16 check;
	__be32 rest; /* IPv4: unused(16) + next-hop MTU(16); IPv6: MTU(32) */
};

/* Cuts the packet to length bytes. */
static __always_inline int packet_trim(struct xdp_md *ctx, __u32 length)
{
	__u32 now = ctx->data_end - ctx->data;

	if (length > now)
		return -1;
	return bpf_xdp_adjust_tail(ctx, -(int)(now - length));
}

static __always_inline void macs_swap(struct ethhdr *eth)
{
	__u8 mac[ETH_ALEN];

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
}

static __always_inline __u16 icmp4_csum(const __u16 *icmp, __u32 bytes, void *data_end)
{
	__u64 sum = 0;

	for (int i = 0; i < ICMP4_MAX_WORDS; i++) {
		if (i * 2 >= bytes || (void *)(icmp + i + 1) > data_end)
			break;
		sum += icmp[i];
	}
	return csum_fold(sum);
}

/* Answers the client: its IP header and 8 bytes quoted, from the VIP. */
static __always_inline int icmp4_too_big(struct xdp_md *ctx, const struct packet *pkt,
					 const struct inner_info *info, __u32 mtu)
{
	const int gap = sizeof(struct iphdr) + sizeof(struct icmp_error);
	__u32 quoted = info->ihl_bytes + 8;
	void *data, *data_end;
	struct icmp_error *icmp;
	struct iphdr *ip;
	int verdict;

	if (info->ihl_bytes < sizeof(*ip) || info->ihl_bytes > 60 || pkt->l3_bytes < quoted)
		return drop_counted(XVS_DROP_TOO_BIG);
	verdict = gap_open(ctx, info->l2_bytes, gap, bpf_htons(ETH_P_IP));
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	if (packet_trim(ctx, info->l2_bytes + gap + quoted))
		return drop_counted(XVS_DROP_TOO_BIG);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip = data + info->l2_bytes;
	icmp = (void *)(ip + 1);
	if ((void *)(icmp + 1) > data_end)
		return drop_counted(XVS_DROP_TOO_BIG);
	macs_swap(data);
	*(__u8 *)ip = 0x45;
	ip->tos = 0;
	ip->tot_len = bpf_htons((__u16)(gap + quoted));
	ip->id = 0;
	ip->frag_off = 0;
	ip->ttl = TUN_TTL;
	ip->protocol = IPPROTO_ICMP;
	ip->check = 0;
	ip->saddr = pkt->flow.daddr.v4;
	ip->daddr = pkt->flow.saddr.v4;
	ip->check = ipv4_header_csum((const __u16 *)ip);
	icmp->type = XVS_ICMP_DEST_UNREACH;
	icmp->code = XVS_ICMP_FRAG_NEEDED;
	icmp->check = 0;
	icmp->rest = bpf_htonl(mtu & 0xffff);
	icmp->check = icmp4_csum((const __u16 *)icmp, sizeof(*icmp) + quoted, data_end);
	drop_counted(XVS_DROP_TOO_BIG);
	return XDP_TX;
}

static __always_inline __u16 icmp6_csum(const struct ipv6hdr *ip6, const void *icmp)
{
	__s64 sum;

	sum = bpf_csum_diff(NULL, 0, (__be32 *)&ip6->saddr, 32, 0);
	sum = bpf_csum_diff(NULL, 0, (__be32 *)icmp, 512, (__u32)sum);
	sum = bpf_csum_diff(NULL, 0, (__be32 *)(icmp + 512), 512, (__u32)sum);
	sum = bpf_csum_diff(NULL, 0, (__be32 *)(icmp + 1024), ICMPV6_QUOTED + 8 - 1024,
			    (__u32)sum);
	return csum_fold(csum_add32(csum_add32((__u32)sum, bpf_htonl(ICMPV6_QUOTED + 8)),
				    bpf_htonl(XVS_IPPROTO_ICMPV6)));
}

/* Answers the client with the first 1232 bytes of its packet, from the VIP. */
static __always_inline int icmp6_too_big(struct xdp_md *ctx, const struct packet *pkt,
					 const struct inner_info *info, __u32 mtu)
{
	const int gap = sizeof(struct ipv6hdr) + sizeof(struct icmp_error);
	void *data, *data_end;
	struct icmp_error *icmp;
	struct ipv6hdr *ip6;
	int verdict;

	if (pkt->l3_bytes < ICMPV6_QUOTED)
		return drop_counted(XVS_DROP_TOO_BIG);
	verdict = gap_open(ctx, info->l2_bytes, gap, bpf_htons(ETH_P_IPV6));
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	if (packet_trim(ctx, info->l2_bytes + gap + ICMPV6_QUOTED))
		return drop_counted(XVS_DROP_TOO_BIG);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	ip6 = data + info->l2_bytes;
	icmp = (void *)(ip6 + 1);
	if ((void *)icmp + sizeof(*icmp) + ICMPV6_QUOTED > data_end)
		return drop_counted(XVS_DROP_TOO_BIG);
	macs_swap(data);
	*(__be32 *)ip6 = bpf_htonl(0x60000000);
	ip6->payload_len = bpf_htons(sizeof(*icmp) + ICMPV6_QUOTED);
	ip6->nexthdr = XVS_IPPROTO_ICMPV6;
	ip6->hop_limit = TUN_TTL;
	__builtin_memcpy(&ip6->saddr, pkt->flow.daddr.bytes, 16);
	__builtin_memcpy(&ip6->daddr, pkt->flow.saddr.bytes, 16);
	icmp->type = XVS_ICMPV6_PKT_TOOBIG;
	icmp->code = 0;
	icmp->check = 0;
	icmp->rest = bpf_htonl(mtu);
	icmp->check = icmp6_csum(ip6, icmp);
	drop_counted(XVS_DROP_TOO_BIG);
	return XDP_TX;
}

/* A packet the tunnel cannot carry in one piece. XDP cannot fragment, so an
 * IPv4 packet without DF is dropped (counted) rather than sent oversized. */
static __always_inline int too_big(struct xdp_md *ctx, const struct packet *pkt,
				   const struct inner_info *info, __u32 mtu)
{
	if (pkt->flow.family == XVS_AF_INET6)
		return icmp6_too_big(ctx, pkt, info, mtu);
	if (!info->df)
		return drop_counted(XVS_DROP_TOO_BIG);
	return icmp4_too_big(ctx, pkt, info, mtu);
}

#endif /* XVS_BPF_ICMP_TOO_BIG_H */
