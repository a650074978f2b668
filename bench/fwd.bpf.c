// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* bench_fwd, the ceiling: the least an XDP balancer must do. Parse to the
 * ports, hash the flow onto a backend, rewrite the MACs, redirect. No state. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bench.h"

/* Set by the loader before load. */
const volatile __be32 fwd_vip = 0;
const volatile __u32 fwd_backend_count = 1;

/* Backend MACs by backend index. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BENCH_FWD_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct bench_fwd_backend);
} fwd_backends SEC(".maps");

/* The egress interface, at key 0. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} fwd_tx_port SEC(".maps");

SEC("xdp")
int bench_fwd(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct bench_fwd_backend *backend;
	struct ethhdr *eth = data;
	struct iphdr *iph;
	struct udphdr *ports; /* TCP starts with the same two ports */
	__u32 hash, index;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || iph->ihl != 5 || iph->daddr != fwd_vip)
		return XDP_PASS;
	if (iph->protocol != IPPROTO_UDP && iph->protocol != IPPROTO_TCP)
		return XDP_PASS;
	ports = (void *)(iph + 1);
	if ((void *)(ports + 1) > data_end)
		return XDP_PASS;
	hash = (iph->saddr ^ ((__u32)ports->source << 16 | ports->dest)) * 0x9e3779b1;
	index = (hash >> 8) % fwd_backend_count;
	backend = bpf_map_lookup_elem(&fwd_backends, &index);
	if (!backend)
		return XDP_DROP;
	__builtin_memcpy(eth->h_dest, backend->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, backend->smac, ETH_ALEN);
	return bpf_redirect_map(&fwd_tx_port, 0, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
