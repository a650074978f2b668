// SPDX-License-Identifier: GPL-2.0-only
/* Connection table upkeep: reads the data plane's reaper iterators, which
 * claim expired entries and give back their connection counts, and deletes
 * what they hand over (and expired persistence entries, which hold no
 * counts), in a thread of its own so that the event loop never waits. */
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
 * xvs_reap_grace_ns in bpf/reap.h. */
#define REAP_GRACE_NS 1000000000ULL
/* Time from the end of one pass to the start of the next. */
#define PASS_INTERVAL_NS 2000000000ULL
/* The reaper thread's nice value: under contention the event loop (health
 * checks, VRRP adverts, the API) and forwarding go first. */
#define REAPER_NICE 10
/* Bytes asked of an iterator per read: a read walks at most that many
 * entries (one byte each, more for an expired one), so the kernel never
 * holds a CPU for long between two returns to this thread. */
#define REAP_READ_BYTES 4096
#define REAP_RECORD_MAX (1 + sizeof(struct xvs_conn_key))
/* Keyed records one read (and the piece of a record before it) can hold. */
#define REAP_KEYS_MAX ((REAP_READ_BYTES + REAP_RECORD_MAX) / (1 + sizeof(struct xvs_persist_key)) + 1)

/* The reaper's iterators: xvs_reap_conns over conns, xvs_reap_persist over
 * persist. Each link holds its program and its map. */
struct reap_links {
	struct bpf_link *conns;
	struct bpf_link *persist;
	int conns_fd;            /* the maps, for the deletes */
	int persist_fd;
};

/* The reaper thread and what it hands back. The event loop asks for a pass
 * through request_fd and learns that it ended through done_fd; args is
 * written by the thread before done_fd and read by the loop after it. */
struct reaper {
	pthread_t thread;
	struct reap_links links; /* the thread's own */
	int request_fd;          /* eventfd: loop -> thread */
	int done_fd;             /* eventfd: thread -> loop */
	atomic_bool stop;
	bool busy;               /* a pass was asked for and has not ended */
	int result;              /* 0 or negative errno of the last pass */
	struct xvs_reap_args args;
	uint64_t started_ns;     /* monotonic, of the running pass */
};

/* Why BPF claims the entries and not a read-check-delete from here: the
 * data plane may reuse an expired entry in place for a new flow at any
 * moment, moving its count to the new backend. A userspace read-check-delete
 * cannot exclude that (the delete could remove the new flow and count the old
 * one down a second time); the iterator claims each entry with a
 * compare-and-swap of its account token first, which only BPF can do on a
 * hash map value. A claimed entry (token 0) is never reused by the data plane
 * and nothing but the reaper deletes entries, so the delete by key from here
 * removes exactly the entry whose count was given back. The iterators are read
 * REAP_READ_BYTES at a time: the kernel walks a few thousand entries per read,
 * never the whole table in one go (docs/performance.md). */
static int iterator_create(struct bpf_program *program, int map_fd, struct bpf_link **out)
{
	union bpf_iter_link_info info = { .map.map_fd = (__u32)map_fd };
	LIBBPF_OPTS(bpf_iter_attach_opts, opts, .link_info = &info,
		    .link_info_len = sizeof(info));

	*out = bpf_program__attach_iter(program, &opts);
	return *out ? 0 : -errno;
}

static void links_close(struct reap_links *links)
{
	bpf_link__destroy(links->conns);
	bpf_link__destroy(links->persist);
	if (links->conns_fd >= 0)
		close(links->conns_fd);
	if (links->persist_fd >= 0)
		close(links->persist_fd);
	links->conns = links->persist = NULL;
	links->conns_fd = links->persist_fd = -1;
}

static int links_open(struct xvs_lb *skel, struct reap_links *links)
{
	int ret;

	links->conns = links->persist = NULL;
	links->conns_fd = fcntl(bpf_map__fd(skel->maps.conns), F_DUPFD_CLOEXEC, 0);
	links->persist_fd = fcntl(bpf_map__fd(skel->maps.persist), F_DUPFD_CLOEXEC, 0);
	if (links->conns_fd < 0 || links->persist_fd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = iterator_create(skel->progs.xvs_reap_conns, links->conns_fd, &links->conns);
	if (!ret)
		ret = iterator_create(skel->progs.xvs_reap_persist, links->persist_fd,
				      &links->persist);
	if (!ret)
		return 0;
fail:
	links_close(links);
	return ret;
}

/* Deletes count keys of key_size from map_fd; returns how many it deleted
 * (a key already gone is skipped). */
static uint64_t keys_delete(int map_fd, uint8_t *keys, size_t key_size, uint32_t count)
{
	uint32_t done = count;
	uint64_t deleted;

	if (!bpf_map_delete_batch(map_fd, keys, &done, NULL))
		return count;
	/* Stopped at a key that is gone: the rest one by one. */
	deleted = done;
	for (uint32_t i = done + 1; i < count; i++)
		if (!bpf_map_delete_elem(map_fd, keys + i * key_size))
			deleted++;
	return deleted;
}

/* Reads an iterator to its end, deleting the keys it hands over. A record
 * may straddle two reads: its start is kept for the next. */
static int iterator_walk(struct bpf_link *link, int map_fd, size_t key_size, __u64 *live,
			 __u64 *deleted)
{
	uint8_t buffer[REAP_READ_BYTES + REAP_RECORD_MAX], keys[REAP_KEYS_MAX * REAP_RECORD_MAX];
	size_t have = 0;
	int fd, ret = 0;

	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t length = read(fd, buffer + have, REAP_READ_BYTES);
		size_t offset = 0;
		uint32_t count = 0;

		if (length < 0 && errno == EINTR)
			continue;
		if (length <= 0) {
			ret = length < 0 ? -errno : 0;
			break;
		}
		have += (size_t)length;
		while (offset < have) {
			if (buffer[offset] == XVS_REAP_LIVE) {
				(*live)++;
				offset++;
				continue;
			}
			if (buffer[offset] != XVS_REAP_CLAIMED && buffer[offset] != XVS_REAP_EXPIRED) {
				ret = -EPROTO;
				goto out;
			}
			if (have - offset < 1 + key_size)
				break;
			memcpy(keys + count++ * key_size, buffer + offset + 1, key_size);
			offset += 1 + key_size;
		}
		memmove(buffer, buffer + offset, have - offset);
		have -= offset;
		if (count)
			*deleted += keys_delete(map_fd, keys, key_size, count);
	}
out:
	close(fd);
	return ret;
}

/* One pass: conns, then persist. */
static int reap_pass(const struct reap_links *links, struct xvs_reap_args *args)
{
	int ret;

	args->live = args->reaped = args->persist_live = args->persist_reaped = 0;
	ret = iterator_walk(links->conns, links->conns_fd, sizeof(struct xvs_conn_key),
			    &args->live, &args->reaped);
	if (!ret)
		ret = iterator_walk(links->persist, links->persist_fd,
				    sizeof(struct xvs_persist_key), &args->persist_live,
				    &args->persist_reaped);
	return ret;
}

int conntrack_reap(struct xvs_lb *skel, uint64_t grace_ns, struct xvs_reap_args *out)
{
	struct reap_links links;
	int ret;

	skel->bss->xvs_reap_grace_ns = grace_ns;
	ret = links_open(skel, &links);
	if (ret)
		return ret;
	ret = reap_pass(&links, out);
	out->grace_ns = grace_ns;
	links_close(&links);
	return ret;
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
		reaper->result = reap_pass(&reaper->links, &reaper->args);
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
	links_close(&reaper->links);
	free(reaper);
}

int conntrack_open(struct dataplane *dp)
{
	struct reaper *reaper = calloc(1, sizeof(*reaper));
	sigset_t all, previous;
	int ret;

	if (!reaper)
		return -ENOMEM;
	reaper->links.conns_fd = reaper->links.persist_fd = -1;
	reaper->request_fd = eventfd(0, EFD_CLOEXEC);
	reaper->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (reaper->request_fd < 0 || reaper->done_fd < 0) {
		ret = -errno;
		reaper_free(reaper);
		return ret;
	}
	dp->skel->bss->xvs_reap_grace_ns = REAP_GRACE_NS;
	ret = links_open(dp->skel, &reaper->links);
	if (ret) {
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
