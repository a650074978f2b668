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
};

/* Reloads the configuration file: on errors the running configuration stays
 * (the errors are in daemon->last_reload_errors). Returns 0 or -1 (daemon.c). */
int daemon__reload(struct daemon *daemon);

#endif
