// SPDX-License-Identifier: GPL-2.0-only
/* Connection table upkeep: runs the data plane's reaper program, which
 * deletes expired entries and gives back their connection counts (and
 * deletes expired persistence entries, which hold no counts), in a thread
 * of its own so that the event loop never waits for it. */
#include "dataplane_internal.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* How long past its timeout an entry is left before it is deleted: see
 * reap_due() in bpf/reap.h. */
#define REAP_GRACE_NS 1000000000ULL
/* Time from the end of one pass to the start of the next. */
#define PASS_INTERVAL_NS 2000000000ULL
/* The reaper thread's nice value: under contention the event loop (health
 * checks, VRRP adverts, the API) and forwarding go first. */
#define REAPER_NICE 10

/* The reaper thread and what it hands back. The event loop asks for a pass
 * through request_fd and learns that it ended through done_fd; args is
 * written by the thread before done_fd and read by the loop after it. */
struct reaper {
	pthread_t thread;
	int program_fd;          /* a dup of xvs_reap's fd: the thread's own */
	int request_fd;          /* eventfd: loop -> thread */
	int done_fd;             /* eventfd: thread -> loop */
	atomic_bool stop;
	bool busy;               /* a pass was asked for and has not ended */
	int result;              /* 0 or negative errno of the last pass */
	struct xvs_reap_args args;
	uint64_t started_ns;     /* monotonic, of the running pass */
};

/* Why a BPF program and not bpf_map_delete_elem() from here: the data plane
 * may reuse an expired entry in place for a new flow at any moment, moving
 * its count to the new backend. A userspace read-check-delete cannot exclude
 * that (the delete could remove the new flow and count the old one down a
 * second time); the reaper claims each entry with a compare-and-swap of its
 * account token first, which only BPF can do on a hash map value. The
 * program walks the whole table in one system call (0.1-0.7 s at conn_table
 * 1m, docs/performance.md), hence the thread. */
static int reap_run(int program_fd, uint64_t grace_ns, struct xvs_reap_args *out)
{
	struct xvs_reap_args args = { .grace_ns = grace_ns };
	/* A syscall program's context is copied back in place (no ctx_out). */
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));
	int ret;

	ret = bpf_prog_test_run_opts(program_fd, &opts);
	if (ret)
		return ret;
	if (opts.retval)
		return -ENOENT;
	*out = args;
	return 0;
}

int conntrack_reap(struct xvs_lb *skel, uint64_t grace_ns, struct xvs_reap_args *out)
{
	return reap_run(bpf_program__fd(skel->progs.xvs_reap), grace_ns, out);
}

static uint64_t monotonic_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
}

static void *reaper_main(void *arg)
{
	struct reaper *reaper = arg;
	eventfd_t requests;

	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), REAPER_NICE);
	for (;;) {
		/* A blocking read: the thread sleeps until the loop asks. */
		if (eventfd_read(reaper->request_fd, &requests)) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (atomic_load(&reaper->stop))
			break;
		reaper->result = reap_run(reaper->program_fd, REAP_GRACE_NS, &reaper->args);
		eventfd_write(reaper->done_fd, 1);
	}
	return NULL;
}

static void reaper_free(struct reaper *reaper)
{
	if (reaper->request_fd >= 0)
		close(reaper->request_fd);
	if (reaper->done_fd >= 0)
		close(reaper->done_fd);
	if (reaper->program_fd >= 0)
		close(reaper->program_fd);
	free(reaper);
}

int conntrack_open(struct dataplane *dp)
{
	struct reaper *reaper = calloc(1, sizeof(*reaper));
	sigset_t all, previous;
	int ret;

	if (!reaper)
		return -ENOMEM;
	reaper->program_fd = fcntl(bpf_program__fd(dp->skel->progs.xvs_reap), F_DUPFD_CLOEXEC, 0);
	reaper->request_fd = eventfd(0, EFD_CLOEXEC);
	reaper->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (reaper->program_fd < 0 || reaper->request_fd < 0 || reaper->done_fd < 0) {
		ret = -errno;
		reaper_free(reaper);
		return ret;
	}
	/* Signals are the loop's (signalfd): none may land in this thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &previous);
	ret = -pthread_create(&reaper->thread, NULL, reaper_main, reaper);
	pthread_sigmask(SIG_SETMASK, &previous, NULL);
	if (ret) {
		reaper_free(reaper);
		return ret;
	}
	dp->reaper = reaper;
	return 0;
}

/* Waits for a pass under way to end (at most one walk of the table). */
void conntrack_close(struct dataplane *dp)
{
	struct reaper *reaper = dp->reaper;

	if (!reaper)
		return;
	atomic_store(&reaper->stop, true);
	eventfd_write(reaper->request_fd, 1);
	pthread_join(reaper->thread, NULL);
	reaper_free(reaper);
	dp->reaper = NULL;
}

void conntrack_start(struct dataplane *dp)
{
	struct reaper *reaper = dp->reaper;

	if (!reaper || reaper->busy || monotonic_ns() < dp->next_pass_ns)
		return;
	reaper->busy = true;
	reaper->started_ns = monotonic_ns();
	dp->scan.running = true;
	eventfd_write(reaper->request_fd, 1);
}

void dataplane__upkeep(struct dataplane *dp)
{
	struct reaper *reaper = dp->reaper;
	struct dp_conn_scan *scan = &dp->scan;
	const struct xvs_reap_args *args;
	eventfd_t done;

	if (!reaper || eventfd_read(reaper->done_fd, &done) || !reaper->busy)
		return;
	reaper->busy = false;
	scan->running = false;
	scan->last_pass_us = (monotonic_ns() - reaper->started_ns) / 1000;
	dp->next_pass_ns = monotonic_ns() + PASS_INTERVAL_NS;
	if (reaper->result) {
		log_warnx("connection table: reaper: %s", strerror(-reaper->result));
		return;
	}
	args = &reaper->args;
	scan->passes++;
	scan->entries = args->live;
	scan->expired = args->reaped;
	if (args->reaped)
		log_debug("connection table: %lu live, %lu expired deleted",
			  (unsigned long)args->live, (unsigned long)args->reaped);
	if (args->persist_reaped)
		log_debug("persistence table: %lu live, %lu expired deleted",
			  (unsigned long)args->persist_live, (unsigned long)args->persist_reaped);
	reload_retired_reap(dp);
}

int dataplane__upkeep_fd(const struct dataplane *dp)
{
	return dp->reaper ? dp->reaper->done_fd : -1;
}
