/* SPDX-License-Identifier: GPL-2.0-only */
/* The VRRP speaker: one virtual router per vrrp block and address family, run
 * from the daemon's event loop through one file descriptor. */
#ifndef XVSD_VRRP_H
#define XVSD_VRRP_H

#include <json-c/json.h>
#include <stdio.h>

#include "config.h"

struct vrrp;

/* Starts an instance for every vrrp block of config (none: an idle speaker).
 * Returns 0 or negative errno. */
int vrrp__open(const struct config *config, struct vrrp **vrrp);
/* Leaves every interface as found: a master says priority 0 (so its backup takes
 * over at once) and every VIP goes. Accepts NULL. */
void vrrp__close(struct vrrp *vrrp);
/* Readable when vrrp__run has work: packets, links, timers. */
int vrrp__fd(const struct vrrp *vrrp);
void vrrp__run(struct vrrp *vrrp);
/* Applies config: instances that are gone stop, new ones start, changed ones
 * restart, unchanged ones keep their state. */
void vrrp__reload(struct vrrp *vrrp, const struct config *config);
/* GET /api/v1/vrrp: {"instances": [...]} (see docs/vrrp.md). */
struct json_object *vrrp__json(const struct vrrp *vrrp);
/* Counts of routers by state, for GET /api/v1/status. */
struct json_object *vrrp__summary_json(const struct vrrp *vrrp);
/* The xvs_vrrp_* families of /metrics. */
void vrrp__metrics(FILE *out, const struct vrrp *vrrp);

#endif
