/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Packet parsing for xvs_lb: a cursor walks Ethernet, one optional VLAN tag,
 * IPv4 or IPv6 and the TCP/UDP ports, with a bounds check per header. */
#ifndef XVS_BPF_PARSE_H
#define XVS_BPF_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "verdict.h"
#include "xvs/xvs.h"

/* Not in the uapi headers. */
#define XVS_IP_MF 0x2000
#define XVS_IP_OFFSET 0x1fff
#define XVS_IPV6_NEXTHDR_FRAGMENT 44

/* parse_packet: an IPv4/IPv6 packet of a protocol without ports (mode
 * generic, ICMP errors); the flow's ports are 0. */
#define PARSED_PORTLESS (-3)

/* TCP flag bits in byte 13 of the TCP header. */
#define XVS_TCP_FIN 0x01
#define XVS_TCP_SYN 0x02
#define XVS_TCP_RST 0x04
#define XVS_TCP_ACK 0x10

/* The next unread byte and the end of the packet. */
struct cursor {
	void *pos;
	void *end;
};

struct vlan_tag {
	__be16 tci;
	__be16 encapsulated_proto;
};

/* The tenant this instance of xvs_lb serves, set by the loader before load
 * (a constant to the verifier): XVS_TENANT_HOST in the daemon's namespace,
 * another id in a tenant's namespace (struct xvs_service_key). */
const volatile __u16 xvs_tenant = XVS_TENANT_HOST;

/* What the later stages need to know about a packet. */
struct packet {
	struct xvs_conn_key flow; /* as it arrived: client -> VIP */
	__u32 l3_bytes;           /* IP total length, header included */
	__u32 l4_bytes;           /* bytes after the IP header(s) */
	__u32 l4_offset;          /* where the L4 header starts in the frame */
	__u8 tcp_flags;           /* XVS_TCP_*, 0 for UDP */
	__u8 malformed;           /* ports readable, rest of L4 header bad */
	__u32 backend_id;         /* the backend connection tracking chose: carried
				   * here to xvs_forward (a BPF call takes 5 args) */
};

/* Leaves the cursor on the L3 header and *proto set to its ethertype. */
static __always_inline int parse_ethernet(struct cursor *cursor, __be16 *proto)
{
	struct ethhdr *eth = cursor->pos;
	struct vlan_tag *tag;

	if ((void *)(eth + 1) > cursor->end)
		return pass_counted(XVS_PASS_NOT_IP);
	cursor->pos = eth + 1;
	*proto = eth->h_proto;
	if (*proto != bpf_htons(ETH_P_8021Q) && *proto != bpf_htons(ETH_P_8021AD))
		return FURTHER_PROCESSING;

	tag = cursor->pos;
	if ((void *)(tag + 1) > cursor->end)
		return pass_counted(XVS_PASS_NOT_IP);
	cursor->pos = tag + 1;
	*proto = tag->encapsulated_proto;
	/* One tag only: a second one (QinQ) is left to the kernel. */
	if (*proto == bpf_htons(ETH_P_8021Q) || *proto == bpf_htons(ETH_P_8021AD))
		return pass_counted(XVS_PASS_UNSUPPORTED);
	return FURTHER_PROCESSING;
}

/* A 16-bit length field in host order, with bounds that Linux 6.1's verifier
 * keeps: it forgets them after a byte swap, so a mask follows a barrier. */
static __always_inline __u32 length_be16(__be16 value)
{
	__u32 host = bpf_ntohs(value);

	asm volatile("" : "+r"(host));
	return host & 0xffff;
}

static __always_inline int parse_ipv4(struct cursor *cursor, struct packet *pkt)
{
	struct iphdr *ip = cursor->pos;
	__u32 header_bytes, total_bytes;

	if ((void *)(ip + 1) > cursor->end || ip->version != 4)
		return pass_counted(XVS_PASS_UNSUPPORTED);
	header_bytes = ip->ihl * 4;
	total_bytes = length_be16(ip->tot_len);
	if (header_bytes < sizeof(*ip) || total_bytes < header_bytes)
		return pass_counted(XVS_PASS_UNSUPPORTED);
	if (ip->frag_off & bpf_htons(XVS_IP_MF | XVS_IP_OFFSET))
		return pass_counted(XVS_PASS_FRAGMENT);
	if (cursor->pos + total_bytes > cursor->end)
		return pass_counted(XVS_PASS_UNSUPPORTED); /* truncated */
	pkt->flow.saddr.v4 = ip->saddr;
	pkt->flow.daddr.v4 = ip->daddr;
	pkt->flow.proto = ip->protocol;
	pkt->flow.family = XVS_AF_INET;
	pkt->l3_bytes = total_bytes;
	pkt->l4_bytes = total_bytes - header_bytes;
	cursor->pos += header_bytes; /* options are carried, not interpreted */
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return PARSED_PORTLESS;
	return FURTHER_PROCESSING;
}

static __always_inline int parse_ipv6(struct cursor *cursor, struct packet *pkt)
{
	struct ipv6hdr *ip6 = cursor->pos;
	__u32 payload_bytes;

	if ((void *)(ip6 + 1) > cursor->end || ip6->version != 6)
		return pass_counted(XVS_PASS_UNSUPPORTED);
	payload_bytes = length_be16(ip6->payload_len);
	if ((void *)(ip6 + 1) + payload_bytes > cursor->end)
		return pass_counted(XVS_PASS_UNSUPPORTED); /* truncated */
	if (ip6->nexthdr == XVS_IPV6_NEXTHDR_FRAGMENT)
		return pass_counted(XVS_PASS_FRAGMENT);
	__builtin_memcpy(pkt->flow.saddr.bytes, &ip6->saddr, 16);
	__builtin_memcpy(pkt->flow.daddr.bytes, &ip6->daddr, 16);
	pkt->flow.proto = ip6->nexthdr;
	pkt->flow.family = XVS_AF_INET6;
	pkt->l3_bytes = payload_bytes + sizeof(*ip6);
	pkt->l4_bytes = payload_bytes;
	cursor->pos = ip6 + 1;
	/* Extension headers are not walked yet: only TCP/UDP right after the
	 * fixed header is balanced; anything else is portless (mode generic). */
	if (ip6->nexthdr != IPPROTO_TCP && ip6->nexthdr != IPPROTO_UDP)
		return PARSED_PORTLESS;
	return FURTHER_PROCESSING;
}

/* Reads the ports; a header that is bad past the ports only marks the packet
 * malformed, so that the caller can tell whether it was meant for a service. */
static __always_inline int parse_l4(struct cursor *cursor, struct packet *pkt)
{
	__be16 *ports = cursor->pos;
	struct tcphdr *tcp;

	if ((void *)(ports + 2) > cursor->end || pkt->l4_bytes < 4)
		return pass_counted(XVS_PASS_UNSUPPORTED);
	pkt->flow.sport = ports[0];
	pkt->flow.dport = ports[1];

	if (pkt->flow.proto == IPPROTO_UDP) {
		if (cursor->pos + sizeof(struct udphdr) > cursor->end ||
		    pkt->l4_bytes < sizeof(struct udphdr))
			pkt->malformed = 1;
		return FURTHER_PROCESSING;
	}

	tcp = cursor->pos;
	if ((void *)(tcp + 1) > cursor->end || pkt->l4_bytes < sizeof(*tcp) ||
	    tcp->doff < 5 || pkt->l4_bytes < tcp->doff * 4U) {
		pkt->malformed = 1;
		return FURTHER_PROCESSING;
	}
	pkt->tcp_flags = ((__u8 *)tcp)[13];
	return FURTHER_PROCESSING;
}

/* Fills *pkt from the packet; returns FURTHER_PROCESSING for a TCP or UDP
 * packet over IPv4/IPv6, PARSED_PORTLESS for another protocol over them,
 * otherwise XDP_PASS (counted). */
static __always_inline int parse_packet(struct xdp_md *ctx, struct packet *pkt)
{
	struct cursor cursor = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	__be16 proto = 0;
	int verdict;

	pkt->flow.tenant = xvs_tenant;
	verdict = parse_ethernet(&cursor, &proto);
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	if (proto == bpf_htons(ETH_P_IP))
		verdict = parse_ipv4(&cursor, pkt);
	else if (proto == bpf_htons(ETH_P_IPV6))
		verdict = parse_ipv6(&cursor, pkt);
	else
		return pass_counted(XVS_PASS_NOT_IP);
	if (verdict != FURTHER_PROCESSING)
		return verdict;
	pkt->l4_offset = (__u32)(cursor.pos - (void *)(long)ctx->data);
	return parse_l4(&cursor, pkt);
}

#endif /* XVS_BPF_PARSE_H */
