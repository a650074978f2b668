/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Mode tun (L3 DSR): IPv4-in-IPv4, IPv6-in-IPv6 and IPv4-in-IPv6 toward the
 * backend, and the ICMP "too big" answer for packets the tunnel cannot carry. */
#ifndef XVS_BPF_ENCAP_H
#define XVS_BPF_ENCAP_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "conn.h"
#include "csum.h"
#include "parse.h"
#include "verdict.h"
#include "xvs/xvs.h"

#define XVS_IPPROTO_IPIP 4
#define XVS_IPPROTO_IPV6 41
#define XVS_IPPROTO_ICMPV6 58
#define XVS_IP_DF 0x4000
#define XVS_IPV6_MIN_MTU 1280
#define TUN_TTL 64

/* What the outer header copies from the inner one, read before any change. */
struct inner_info {
	__u32 l2_bytes;    /* 14, or 18 with one VLAN tag */
	__u32 ihl_bytes;   /* IPv4 header length with options; 40 for IPv6 */
	__u8 tos;          /* IPv4 TOS / IPv6 traffic class */
	__u8 df;           /* IPv4 DF; always 1 for IPv6 (routers never fragment) */
	__be16 id;         /* IPv4 identification */
};

static __always_inline int inner_read(struct xdp_md *ctx, const struct packet *pkt,
				      struct inner_info *info)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 *ip;

	if ((void *)(eth + 1) > data_end)
		return drop_counted(XVS_DROP_MALFORMED);
	info->l2_bytes = sizeof(*eth);
	if (eth->h_proto == bpf_htons(ETH_P_8021Q) || eth->h_proto == bpf_htons(ETH_P_8021AD))
		info->l2_bytes += sizeof(struct vlan_tag);
	ip = data + info->l2_bytes;
	if ((void *)(ip + sizeof(struct iphdr)) > data_end)
		return drop_counted(XVS_DROP_MALFORMED);
	if (pkt->flow.family == XVS_AF_INET) {
		struct iphdr *ip4 = (struct iphdr *)ip;

		info->ihl_bytes = ip4->ihl * 4;
		info->tos = ip4->tos;
		info->df = !!(ip4->frag_off & bpf_htons(XVS_IP_DF));
		info->id = ip4->id;
	} else {
		info->ihl_bytes = sizeof(struct ipv6hdr);
		info->tos = (__u8)((ip[0] & 0x0f) << 4 | ip[1] >> 4);
		info->df = 1;
		info->id = 0;
	}
	return FURTHER_PROCESSING;
}

/* Opens a gap of gap bytes between the L2 header and the IP header, sets the
 * ethertype to ethertype; the packet is changed only when this succeeds. */
static __always_inline int gap_open(struct xdp_md *ctx, __u32 l2_bytes, int gap,
				    __be16 ethertype)
{
	void *data, *data_end;

	if (bpf_xdp_adjust_head(ctx, -gap))
		return drop_counted(XVS_DROP_MALFORMED); /* no headroom */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + gap + 18 > data_end)
		return drop_counted(XVS_DROP_MALFORMED);
	if (l2_bytes == 18) {
		__builtin_memcpy(data, data + gap, 18);
		((__be16 *)data)[8] = ethertype;
	} else {
		__builtin_memcpy(data, data + gap, 14);
		((__be16 *)data)[6] = ethertype;
	}
	return FURTHER_PROCESSING;
}

/* Sum of the IPv4 header at ip, as 16-bit words in memory order. */
static __always_inline __u16 ipv4_header_csum(const __u16 *ip)
{
	__u64 sum = 0;

#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += ip[i];
	return csum_fold(sum);
}

static __always_inline int encap_ipv4(struct xdp_md *ctx, const struct packet *pkt,
				      const struct xvs_backend *backend,
				      const struct inner_info *info)
{
	void *data, *data_end;
	struct iphdr *outer;
	int verdict;

	verdict = gap_open(ctx, info->l2_bytes, sizeof(*outer), bpf_htons(ETH_P_IP));
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	outer = data + info->l2_bytes;
	if ((void *)(outer + 1) > data_end)
		return drop_counted(XVS_DROP_MALFORMED);
	*(__u8 *)outer = 0x45; /* version 4, no options */
	outer->tos = info->tos;
	outer->tot_len = bpf_htons((__u16)(pkt->l3_bytes + sizeof(*outer)));
	outer->id = info->id;
	outer->frag_off = info->df ? bpf_htons(XVS_IP_DF) : 0;
	outer->ttl = TUN_TTL;
	outer->protocol = XVS_IPPROTO_IPIP;
	outer->check = 0;
	outer->saddr = backend->tunnel_source.v4;
	outer->daddr = backend->addr.v4;
	outer->check = ipv4_header_csum((const __u16 *)outer);
	return FURTHER_PROCESSING;
}

static __always_inline int encap_ipv6(struct xdp_md *ctx, const struct packet *pkt,
				      const struct xvs_backend *backend,
				      const struct inner_info *info)
{
	void *data, *data_end;
	struct ipv6hdr *outer;
	int verdict;

	verdict = gap_open(ctx, info->l2_bytes, sizeof(*outer), bpf_htons(ETH_P_IPV6));
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	outer = data + info->l2_bytes;
	if ((void *)(outer + 1) > data_end)
		return drop_counted(XVS_DROP_MALFORMED);
	/* Version, traffic class copied, flow label 0. */
	*(__be32 *)outer = bpf_htonl(0x60000000 | (__u32)info->tos << 20);
	outer->payload_len = bpf_htons((__u16)pkt->l3_bytes);
	outer->nexthdr = pkt->flow.family == XVS_AF_INET ? XVS_IPPROTO_IPIP : XVS_IPPROTO_IPV6;
	outer->hop_limit = TUN_TTL;
	__builtin_memcpy(&outer->saddr, backend->tunnel_source.bytes, 16);
	__builtin_memcpy(&outer->daddr, backend->addr.bytes, 16);
	return FURTHER_PROCESSING;
}

/* The next hop: the backend itself when on-link, else the gateway. */
static __always_inline int macs_set(struct xdp_md *ctx, const struct xvs_backend *backend)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;

	if ((void *)(eth + 1) > data_end)
		return drop_counted(XVS_DROP_MALFORMED);
	__builtin_memcpy(eth->h_dest, backend->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, backend->smac, ETH_ALEN);
	return FURTHER_PROCESSING;
}

#include "icmp_too_big.h"

static __always_inline int forward_tun(struct xdp_md *ctx, const struct xvs_service *service,
				       const struct packet *pkt, const struct target *target)
{
	const struct xvs_backend *backend = target->backend;
	bool outer_v6 = backend->family == XVS_AF_INET6;
	__u32 outer_bytes = outer_v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	__u32 ifindex = backend->ifindex;
	bool same_port = ifindex == ctx->ingress_ifindex;
	struct inner_info info = {};
	int verdict;

	if (pkt->flow.family == XVS_AF_INET6 && !outer_v6)
		return drop_counted(XVS_DROP_NO_BACKEND); /* IPv6 in IPv4: not offered */
	verdict = inner_read(ctx, pkt, &info);
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	if (backend->mtu && pkt->l3_bytes + outer_bytes > backend->mtu)
		return too_big(ctx, pkt, &info, backend->mtu - outer_bytes);
	if (!same_port && !bpf_map_lookup_elem(&tx_ports, &ifindex))
		return drop_counted(XVS_DROP_NO_BACKEND);
	if (outer_v6)
		verdict = encap_ipv6(ctx, pkt, backend, &info);
	else
		verdict = encap_ipv4(ctx, pkt, backend, &info);
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	verdict = macs_set(ctx, backend);
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	count_in_packet(service->id, target->backend_id, pkt->l3_bytes);
	if (same_port)
		return XDP_TX;
	return bpf_redirect_map(&tx_ports, ifindex, 0);
}

#endif /* XVS_BPF_ENCAP_H */
