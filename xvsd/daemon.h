/* SPDX-License-Identifier: GPL-2.0-only */
/* The daemon's top-level state, shared by its roles (API, statistics). */
#ifndef XVSD_DAEMON_H
#define XVSD_DAEMON_H

#include <time.h>

#include "config.h"
#include "dataplane.h"

struct daemon {
	const char *config_path;
	struct config *config;
	struct dataplane *dataplane;
	time_t started;           /* wall clock */
	struct timespec started_monotonic;
	struct timespec last_estimate;   /* monotonic time of the last rate sample */
};

#endif
