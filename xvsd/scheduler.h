/* SPDX-License-Identifier: GPL-2.0-only */
/* The tables behind the weighted and hashing schedulers, built in userspace
 * and written into a service's slots: pure functions, unit-tested. */
#ifndef XVSD_SCHEDULER_H
#define XVSD_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* A backend as the table builders see it: its identity and weight. */
struct scheduler_backend {
	struct inet_addr addr;
	uint16_t port;
	uint32_t weight;      /* > 0: drained backends are left out by the caller */
};

/* IPVS's weighted round-robin sequence (ip_vs_wrr.c: gcd and maximum weight)
 * as backend indices into out; returns its length. A sequence longer than
 * capacity (its length is the sum of weights over their gcd) is built from
 * weights scaled down to fit, each at least 1. Also the table of sh and dh. */
size_t scheduler_wrr_sequence(const struct scheduler_backend *backends, size_t count,
			      uint32_t *out, size_t capacity);

/* The Maglev lookup table (Eisenbud et al., NSDI 2016) of size entries
 * (prime) as backend indices into table. Each backend's permutation comes
 * from two hashes of its address and port, never its position, so the same
 * backends give the same table on every node and after every restart; a
 * backend of weight w takes w/gcd entries per round. Returns 0 or -EINVAL. */
int scheduler_maglev_table(const struct scheduler_backend *backends, size_t count,
			   uint32_t *table, uint32_t size);

#endif
