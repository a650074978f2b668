// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* bench_sink: counts and drops benchmark load (UDP to BENCH_PORT_*, bare or
 * inside IPIP) on a backend veth; passes the rest so real servers still work. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bench.h"

/* Packets counted and dropped (one slot, per CPU). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sink_counts SEC(".maps");

/* The IPv4 header at ip if it is whole and without options. */
static __always_inline struct iphdr *ipv4_at(void *ip, void *data_end)
{
	struct iphdr *iph = ip;

	if ((void *)(iph + 1) > data_end || iph->ihl != 5)
		return 0;
	return iph;
}

SEC("xdp")
int bench_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph;
	struct udphdr *udp;
	__u32 zero = 0;
	__u64 *count;
	__u16 port;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = ipv4_at(eth + 1, data_end);
	if (iph && iph->protocol == IPPROTO_IPIP)
		iph = ipv4_at(iph + 1, data_end);
	if (!iph || iph->protocol != IPPROTO_UDP)
		return XDP_PASS;
	udp = (void *)(iph + 1);
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	port = bpf_ntohs(udp->dest);
	if (port < BENCH_PORT_FIRST || port > BENCH_PORT_LAST)
		return XDP_PASS;
	count = bpf_map_lookup_elem(&sink_counts, &zero);
	if (count)
		*count += 1;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
