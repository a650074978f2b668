/* SPDX-License-Identifier: GPL-2.0-only */
/* The health-check engine: runs every backend's check concurrently in the
 * daemon's event loop (non-blocking sockets, TLS, child processes). */
#ifndef XVSD_HEALTH_H
#define XVSD_HEALTH_H

#include <stddef.h>
#include <stdint.h>

struct daemon;
struct health;

/* Upper bounds (seconds) of xvs_health_check_lateness_seconds' buckets. */
#define HEALTH_LATENESS_BUCKETS 12
extern const double health_lateness_bounds[HEALTH_LATENESS_BUCKETS];

/* How well the engine keeps its schedule: a check's lateness is its actual
 * start minus its scheduled start. */
struct health_stats {
	size_t checkers;                  /* backends with a check */
	size_t running;                   /* checks in flight */
	uint64_t started;                 /* checks started */
	uint64_t skipped;                 /* starts skipped: more than an interval late */
	uint64_t lateness_buckets[HEALTH_LATENESS_BUCKETS + 1]; /* last: +Inf */
	uint64_t lateness_sum_us;
	uint64_t lateness_max_us;
};

/* Starts checking the backends of daemon->dataplane. Returns 0 or negative
 * errno. */
int health__open(struct daemon *daemon, struct health **out);
/* Stops every check (child processes are killed). Accepts NULL. */
void health__close(struct health *health);
/* One descriptor to watch for reading; then call health__run. */
int health__fd(const struct health *health);
void health__run(struct health *health);
/* After a reload: checks of backends that stay go on (restarted when their
 * check changed), new backends get theirs, removed ones stop. */
void health__sync(struct health *health);
const struct health_stats *health__stats(const struct health *health);

#endif
