// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* xvs_pass: passes every packet. Labs attach it to the namespace end of a
 * veth pair, since frames sent by XDP_TX/XDP_REDIRECT into a veth are only
 * delivered when the peer has an XDP program. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xvs_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
