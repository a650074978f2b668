/* SPDX-License-Identifier: GPL-2.0-only */
/* The JSON documents of the API (and so of `xvsctl --json`): services with
 * their backends and counters, connections, daemon status. */
#ifndef XVSD_STATS_H
#define XVSD_STATS_H

#include <json-c/json.h>

#include "daemon.h"

struct json_object *stats__services(struct daemon *daemon);
/* NULL when there is no service of that name. */
struct json_object *stats__service(struct daemon *daemon, const char *name);
struct json_object *stats__status(struct daemon *daemon);
/* Reason names as the API and /metrics show them ("other" if unnamed). */
const char *stats__drop_name(int reason);
const char *stats__pass_name(int reason);
const char *stats__persist_event_name(int event);
/* Samples every counter for the rate estimator; call every
 * ESTIMATOR_INTERVAL_MS. */
void stats__estimate(struct daemon *daemon);

#endif
