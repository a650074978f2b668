/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Internet checksums for headers the data plane builds (outer IPv4 headers,
 * ICMP errors): sums kept in memory order, folded to 16 bits at the end. */
#ifndef XVS_BPF_CSUM_H
#define XVS_BPF_CSUM_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Folds a 32-bit one's complement sum to the 16-bit checksum field value. */
static __always_inline __u16 csum_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* Adds a 32-bit word (as it lies in memory) to a running sum. */
static __always_inline __u64 csum_add32(__u64 sum, __u32 word)
{
	return sum + (word & 0xffff) + (word >> 16);
}

#endif /* XVS_BPF_CSUM_H */
