/* SPDX-License-Identifier: GPL-2.0-only */
/* /metrics: every counter and state of the daemon in the Prometheus text
 * exposition format, with the names of SPEC.md (prefix xvs_). */
#ifndef XVSD_METRICS_H
#define XVSD_METRICS_H

#include "daemon.h"

/* Returns the whole page (free() it), or NULL when out of memory. */
char *metrics__render(struct daemon *daemon);

#endif
