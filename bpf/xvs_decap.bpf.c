// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* xvs_decap, for mode tun backends whose kernel has no ipip/ip6_tunnel: strips
 * the outer IPv4/IPv6 header of IP-in-IP frames and passes the inner packet on. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define IPPROTO_IPIP_INNER_V4 4
#define IPPROTO_IPV6_INNER 41
#define IP_MF_OFFSET 0x3fff
#define VLAN_HEADER 4

/* Finds the outer header's length and the inner packet's ethertype; returns
 * 0 when the frame at l3 is not IP-in-IP the program should strip. */
static __always_inline int outer_find(void *l3, void *data_end, __be16 proto,
				      __u32 *outer_bytes, __be16 *inner_proto)
{
	__u8 next;

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > data_end || ip->version != 4 || ip->ihl < 5)
			return 0;
		if (ip->frag_off & bpf_htons(IP_MF_OFFSET))
			return 0; /* the kernel reassembles; no ipip module to decap then */
		*outer_bytes = ip->ihl * 4;
		next = ip->protocol;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > data_end || ip6->version != 6)
			return 0;
		*outer_bytes = sizeof(*ip6);
		next = ip6->nexthdr;
	} else {
		return 0;
	}
	if (next == IPPROTO_IPIP_INNER_V4)
		*inner_proto = bpf_htons(ETH_P_IP);
	else if (next == IPPROTO_IPV6_INNER)
		*inner_proto = bpf_htons(ETH_P_IPV6);
	else
		return 0;
	return 1;
}

/* Whether a whole inner IP header of the announced version follows. */
static __always_inline int inner_ok(void *inner, void *data_end, __be16 inner_proto)
{
	__u8 *version = inner;

	if (inner_proto == bpf_htons(ETH_P_IP))
		return inner + sizeof(struct iphdr) <= data_end && (*version >> 4) == 4;
	return inner + sizeof(struct ipv6hdr) <= data_end && (*version >> 4) == 6;
}

SEC("xdp")
int xvs_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 l2_bytes = sizeof(*eth), outer_bytes = 0;
	__be16 proto, inner_proto = 0;

	if ((void *)(eth + 1) > data_end || (eth->h_dest[0] & 1))
		return XDP_PASS; /* short, or not a unicast frame for this host */
	proto = eth->h_proto;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		__be16 *encapsulated = (void *)(eth + 1) + 2;

		if ((void *)(encapsulated + 1) > data_end)
			return XDP_PASS;
		proto = *encapsulated;
		l2_bytes += VLAN_HEADER;
	}
	if (!outer_find(data + l2_bytes, data_end, proto, &outer_bytes, &inner_proto))
		return XDP_PASS;
	if (outer_bytes > 60 || !inner_ok(data + l2_bytes + outer_bytes, data_end, inner_proto))
		return XDP_PASS; /* truncated: the kernel decides */
	if (data + outer_bytes + 18 > data_end)
		return XDP_PASS;

	/* The L2 header moves forward over the outer header (no overlap: the
	 * outer header is at least 20 bytes), then the head follows it. */
	if (l2_bytes == 18) {
		__builtin_memcpy(data + outer_bytes, data, 16);
		*(__be16 *)(data + outer_bytes + 16) = inner_proto;
	} else {
		__builtin_memcpy(data + outer_bytes, data, 12);
		*(__be16 *)(data + outer_bytes + 12) = inner_proto;
	}
	if (bpf_xdp_adjust_head(ctx, (int)outer_bytes))
		return XDP_DROP; /* cannot happen: the bytes exist; the frame is mangled */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
