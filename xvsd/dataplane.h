/* SPDX-License-Identifier: GPL-2.0-only */
/* The data plane as the daemon sees it: loads the XDP skeleton, attaches it,
 * turns the configuration into map entries and keeps backend neighbours. */
#ifndef XVSD_DATAPLANE_H
#define XVSD_DATAPLANE_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "estimator.h"
#include "health_state.h"
#include "xvs/xvs.h"

/* A runtime override of a backend (xvsctl backend, PATCH .../backends/...). */
enum backend_admin {
	BACKEND_ENABLED = 0,               /* as configured */
	BACKEND_DRAIN,                     /* weight 0: no new flows */
	BACKEND_DISABLED,                  /* out of scheduling, its flows rescheduled */
};

struct dp_backend {
	const struct config_backend *conf; /* points into the running config */
	enum backend_admin admin;          /* runtime override of the state */
	bool weight_set;                   /* runtime weight instead of conf->weight */
	uint32_t weight;                   /* the runtime weight when weight_set */
	uint32_t id;                       /* backends map index */
	bool ready;                        /* neighbour known: packets may be sent */
	uint8_t mac[6];
	uint8_t source_mac[6];
	uint32_t ifindex;
	struct inet_addr tunnel_source;    /* tun: outer source address */
	uint32_t mtu;                      /* tun: egress interface MTU */
	char problem[128];                 /* why not ready, for the operator */
	struct timespec next_resolve;      /* next neighbour check */
	struct estimator estimator;
	struct backend_health health;      /* what its checks found (health.c) */
	time_t since;                      /* last change of its state (wall clock) */
};

struct dp_service {
	const struct config_service *conf;
	uint32_t id;                       /* service_stats/service_state index */
	uint16_t tenant;                   /* its namespace's tenant id (0: none) */
	uint32_t slot_base;
	uint32_t slot_count;               /* backends in scheduling */
	struct dp_backend *backends;
	size_t backend_count;
	bool up;
	time_t since;                      /* last change of up (wall clock) */
	struct estimator estimator;
};

struct dp_interface {
	char name[IFNAMSIZ];
	uint16_t tenant;                   /* its namespace's tenant id (0: none) */
	uint32_t ifindex;
	uint32_t xdp_flags;                /* mode the program was attached in */
	enum xdp_attach_mode mode;         /* as configured */
	int link_fd;                       /* the bpf_link holding the attachment */
};

/* The connection table upkeep: passes of the reaper program, run in a
 * thread of its own (conntrack.c). */
struct dp_conn_scan {
	uint64_t entries;                  /* live entries at the last pass */
	uint64_t expired;                  /* deleted by the last pass */
	uint64_t passes;                   /* passes completed */
	bool running;                      /* a pass is under way */
	uint64_t last_pass_us;             /* how long the last pass took */
};

struct dataplane;

/* Loads and attaches the data plane for config. Returns 0 or negative errno
 * (the reason is logged). */
int dataplane__open(const struct config *config, struct dataplane **out);
/* Detaches everything this data plane attached and frees it. Accepts NULL. */
void dataplane__close(struct dataplane *dp);
/* Periodic work: neighbour resolution, and asking the reaper thread for a
 * pass of connection table expiry (2 s after the last one ended). */
void dataplane__tick(struct dataplane *dp);
/* An eventfd that becomes readable when a reaper pass has ended. */
int dataplane__upkeep_fd(const struct dataplane *dp);
/* Takes the result of the pass that ended (when dataplane__upkeep_fd is
 * readable): counts for the API, ids of retired backends freed. */
void dataplane__upkeep(struct dataplane *dp);
/* A descriptor that is readable when rtnetlink reported route, rule, link
 * or neighbour changes (-1: none); dataplane__route_run then reads them and
 * invalidates the next hops the data plane cached (route_watch.c). */
int dataplane__route_fd(const struct dataplane *dp);
void dataplane__route_run(struct dataplane *dp);

size_t dataplane__service_count(const struct dataplane *dp);
struct dp_service *dataplane__service(struct dataplane *dp, size_t index);
struct dp_service *dataplane__service_by_name(struct dataplane *dp, const char *name);
void dataplane__service_counters(struct dataplane *dp, const struct dp_service *service,
				 struct xvs_counters *out);
void dataplane__backend_counters(struct dataplane *dp, const struct dp_backend *backend,
				 struct xvs_counters *out);
/* A backend's connections in the table now (live, from backend_conns). */
void dataplane__backend_conns(struct dataplane *dp, const struct dp_backend *backend,
			      struct xvs_backend_conns *out);
uint64_t dataplane__drops(struct dataplane *dp, enum xvs_drop_reason reason);
uint64_t dataplane__passes(struct dataplane *dp, enum xvs_pass_reason reason);
uint64_t dataplane__persist_events(struct dataplane *dp, enum xvs_persist_event event);
const struct dp_conn_scan *dataplane__conn_scan(const struct dataplane *dp);
uint32_t dataplane__conn_capacity(const struct dataplane *dp);
/* The index-th interface the data plane is attached to: its name and network
 * namespace ("" for the daemon's own). Returns false past the last one. */
bool dataplane__attachment(const struct dataplane *dp, size_t index, const char **name,
			   const char **namespace_name);
int dataplane__conns_fd(const struct dataplane *dp);
/* The service and backend that own a backend id, or NULL. */
const struct dp_backend *dataplane__backend_by_id(struct dataplane *dp, uint32_t id,
						  const struct dp_service **service);

/* disabled > down (neighbour unknown or failed its check) > drain > up. */
const char *dataplane__backend_state(const struct dp_backend *backend);
/* The backend of an id and its service, for changes (health.c), or NULL. */
struct dp_backend *dataplane__backend_of(struct dataplane *dp, uint32_t id,
					 struct dp_service **service);
/* Writes a backend whose health changed and its service's scheduling:
 * down leaves the slots (its flows move with down_backend reschedule). */
int dataplane__backend_health_apply(struct dataplane *dp, struct dp_service *service,
				    struct dp_backend *backend);
/* The weight the schedulers use: the runtime weight or the configured one,
 * 0 while drained. */
uint32_t dataplane__backend_weight(const struct dp_backend *backend);

/* Applies the difference between the running configuration and config
 * (reload.c). On success the data plane points into config (the caller frees
 * the old one) and returns 0; otherwise nothing changed, error says why and a
 * negative errno is returned. */
int dataplane__reload(struct dataplane *dp, const struct config *config, char *error,
		      size_t error_size);
/* A runtime override: weight >= 0 sets the weight, admin the state. Returns 0,
 * or -ENOENT when there is no such service or backend. */
struct dp_backend *dataplane__backend_find(struct dataplane *dp, const char *service,
					   const struct inet_addr *addr, uint16_t port,
					   struct dp_service **owner);
int dataplane__backend_override(struct dataplane *dp, struct dp_service *service,
				struct dp_backend *backend, int64_t weight, int admin);
/* Stops without undoing anything: for a restart that adopts the pinned state. */
void dataplane__abandon(struct dataplane *dp);

#endif
