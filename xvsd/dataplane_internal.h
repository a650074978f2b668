/* SPDX-License-Identifier: GPL-2.0-only */
/* What the data plane's source files share and nothing else sees: the
 * struct behind the opaque handle of dataplane.h. */
#ifndef XVSD_DATAPLANE_INTERNAL_H
#define XVSD_DATAPLANE_INTERNAL_H

#include "dataplane.h"
#include "netlink.h"
#include "xvs_lb.skel.h"

/* Backends one service may have: its share of the service_slots map. */
#define DATAPLANE_SLOTS_PER_SERVICE 256

struct dataplane {
	const struct config *config;
	struct xvs_lb *skel;
	struct netlink *netlink;
	int cpu_count;
	struct dp_interface *interfaces;
	size_t interface_count;
	struct dp_service *services;
	size_t service_count;
	struct dp_backend **backend_index;   /* by backend id */
	struct dp_service **backend_service; /* by backend id */
	uint32_t max_services;
	uint32_t max_backends;
	uint32_t conn_capacity;
	struct dp_conn_scan scan;
	struct timespec next_scan;
};

/* Connection table expiry and accounting (conntrack.c). */
void conntrack_scan(struct dataplane *dp);

#endif
