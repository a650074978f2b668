/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Internet checksums for headers the data plane builds (outer IPv4 headers,
 * ICMP errors) or rewrites (nat): sums kept in memory order, folded at the end. */
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

/* RFC 1624 incremental update of a checksum field (memory order) for words
 * from[] replaced by to[], size bytes each (a multiple of 4, at most 512). */
static __always_inline __u16 csum_replace(__u16 check, __be32 *from, __be32 *to, __u32 size)
{
	__s64 sum = bpf_csum_diff(from, size, to, size, (__u16)~check);

	return csum_fold((__u32)sum);
}

/* The same for one 16-bit word (memory order). */
static __always_inline __u16 csum_replace16(__u16 check, __u16 from, __u16 to)
{
	__u32 sum = (__u16)~check + (__u16)~from + (__u32)to;

	return csum_fold(sum);
}

#endif /* XVS_BPF_CSUM_H */
