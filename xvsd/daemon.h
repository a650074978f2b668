/* SPDX-License-Identifier: GPL-2.0-only */
/* The daemon's top-level state, shared by its roles (API, statistics). */
#ifndef XVSD_DAEMON_H
#define XVSD_DAEMON_H

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "dataplane.h"
#include "vrrp.h"

struct health;

/* How long the event loop's turns take (handling what one epoll_wait
 * returned): the longest time health checks, VRRP adverts and the API may
 * have waited. Buckets as health_lateness_bounds (health.h). */
#define LOOP_TURN_BUCKETS 12
struct loop_stats {
	uint64_t turns;
	uint64_t buckets[LOOP_TURN_BUCKETS + 1]; /* last: +Inf */
	uint64_t sum_us;
	uint64_t longest_us;
};

struct daemon {
	const char *config_path;
	struct config *config;
	struct dataplane *dataplane;
	struct health *health;           /* the checks (health.c); NULL before start */
	struct vrrp *vrrp;               /* the VRRP speaker (vrrp.h) */
	struct interfaces *interfaces;   /* created and owned (interface.h) */
	time_t started;           /* wall clock */
	struct timespec started_monotonic;
	struct timespec last_estimate;   /* monotonic time of the last rate sample */
	time_t last_reload;              /* wall clock; 0: never reloaded */
	bool last_reload_ok;
	char *last_reload_errors;        /* its error lines, one per line, or NULL */
	struct loop_stats loop;          /* main.c */
};

/* Reloads the configuration file: on errors the running configuration stays
 * (the errors are in daemon->last_reload_errors). Returns 0 or -1 (daemon.c). */
int daemon__reload(struct daemon *daemon);

#endif
