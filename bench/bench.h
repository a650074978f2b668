/* SPDX-License-Identifier: GPL-2.0-only */
/* Constants shared by the benchmark's BPF programs and its userspace tools:
 * which UDP ports are benchmark load, and the forwarder's map values. */
#ifndef XVS_BENCH_H
#define XVS_BENCH_H

#include <linux/types.h>

/* UDP destination ports of generated load: the sinks count and drop these
 * and pass everything else (latency and TCP tests use other ports). */
#define BENCH_PORT_FIRST 9000
#define BENCH_PORT_LAST 10999

/* Backends the bare forwarder can spread over. */
#define BENCH_FWD_MAX_BACKENDS 4096

/* fwd_backends value: the MACs to write into a frame for one backend. */
struct bench_fwd_backend {
	__u8 dmac[6];
	__u8 smac[6];
};

_Static_assert(sizeof(struct bench_fwd_backend) == 12, "bench_fwd_backend size");

#endif
