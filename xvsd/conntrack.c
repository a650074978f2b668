// SPDX-License-Identifier: GPL-2.0-only
/* Connection table upkeep: runs the data plane's reaper program, which
 * deletes expired entries and gives back their connection counts (and
 * deletes expired persistence entries, which hold no counts). */
#include "dataplane_internal.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <string.h>

#include "log.h"

/* How long past its timeout an entry is left before it is deleted: see
 * reap_due() in bpf/reap.h. */
#define REAP_GRACE_NS 1000000000ULL

/* Why a BPF program and not bpf_map_delete_elem() from here: the data plane
 * may reuse an expired entry in place for a new flow at any moment, moving
 * its count to the new backend. A userspace read-check-delete cannot exclude
 * that (the delete could remove the new flow and count the old one down a
 * second time); the reaper claims each entry with a compare-and-swap of its
 * account token first, which only BPF can do on a hash map value. */
int conntrack_reap(struct xvs_lb *skel, uint64_t grace_ns, struct xvs_reap_args *out)
{
	struct xvs_reap_args args = { .grace_ns = grace_ns };
	/* A syscall program's context is copied back in place (no ctx_out). */
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));
	int ret;

	ret = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xvs_reap), &opts);
	if (ret)
		return ret;
	if (opts.retval)
		return -ENOENT;
	*out = args;
	return 0;
}

void conntrack_scan(struct dataplane *dp)
{
	struct xvs_reap_args args;
	int ret;

	ret = conntrack_reap(dp->skel, REAP_GRACE_NS, &args);
	if (ret) {
		log_warnx("connection table: reaper: %s", strerror(-ret));
		return;
	}
	dp->scan.entries = args.live;
	dp->scan.expired = args.reaped;
	if (args.reaped)
		log_debug("connection table: %lu live, %lu expired deleted",
			  (unsigned long)args.live, (unsigned long)args.reaped);
	if (args.persist_reaped)
		log_debug("persistence table: %lu live, %lu expired deleted",
			  (unsigned long)args.persist_live, (unsigned long)args.persist_reaped);
}
