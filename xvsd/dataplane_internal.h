/* SPDX-License-Identifier: GPL-2.0-only */
/* What the data plane's source files share and nothing else sees: the
 * struct behind the opaque handle of dataplane.h. */
#ifndef XVSD_DATAPLANE_INTERNAL_H
#define XVSD_DATAPLANE_INTERNAL_H

#include "dataplane.h"
#include "netlink.h"
#include "netns.h"
#include "xvs_lb.skel.h"

/* A network namespace the data plane serves (tenant.c). Tenant 0 is the
 * daemon's own namespace: skel and netlink are then the data plane's. */
struct dp_tenant {
	char namespace_name[CONFIG_NAME_MAX]; /* "" for the daemon's own */
	uint16_t id;                          /* the keys' tenant (xvs.h) */
	int netns_fd;                         /* -1 for the daemon's own */
	struct xvs_lb *skel;                  /* its instance of xvs_lb */
	struct netlink *netlink;              /* rtnetlink inside the namespace */
	int route_fd;                         /* its notifications (route_watch.c); -1 */
};

struct dataplane {
	const struct config *config;
	struct xvs_lb *skel;
	struct netlink *netlink;
	struct dp_tenant *tenants[XVS_MAX_TENANTS]; /* by id; [0] the host */
	uint16_t tenant_next;                /* where the search for a free id starts */
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
	struct reaper *reaper;               /* the reaper thread (conntrack.c) */
	uint64_t next_pass_ns;               /* monotonic: no reaper pass before */
	struct forwarding_change *forwarding; /* sysctls set for nat (forwarding.c) */
	size_t forwarding_count;
	uint32_t slot_capacity;              /* entries of service_slots */
	uint8_t *service_used;               /* by service id */
	uint8_t *backend_used;               /* by backend id: in use or retired */
	uint32_t *retired;                   /* removed backends with flows left */
	size_t retired_count;
	char pin_dir[300];                   /* RUN_DIR/bpf: pinned maps and links */
	bool bpffs_mounted;                  /* pin_dir is a bpffs this daemon owns */
	bool adopted;                        /* maps came from a previous daemon */
	struct route_watch *route_watch;     /* route_generation's keeper (route_watch.c) */
};

/* nat/snat: IP forwarding on the attached interfaces, set while xvsd runs and
 * restored by forwarding_restore (forwarding.c). */
int forwarding_enable(struct dataplane *dp);
void forwarding_restore(struct dataplane *dp);
/* Restores the sysctls set in one namespace (its tenant is going away). */
void forwarding_restore_namespace(struct dataplane *dp, const char *namespace_name);

/* Connection table expiry and accounting (conntrack.c): the reaper's
 * iterators are read by a thread of its own. conntrack_open starts the
 * thread; conntrack_close (accepts a data plane without one) waits for a
 * pass under way and ends it. */
int conntrack_open(struct dataplane *dp);
void conntrack_close(struct dataplane *dp);
/* Asks the thread for a pass when none runs and 2 s have passed since the
 * last one ended; dataplane__upkeep takes the result. */
void conntrack_start(struct dataplane *dp);
/* One pass over skel's tables, in the calling thread: deletes entries
 * expired for longer than grace_ns and gives back their counts. Returns 0
 * or negative errno. */
int conntrack_reap(struct xvs_lb *skel, uint64_t grace_ns, struct xvs_reap_args *out);

/* The size of a scheduler's table in service_slots. */
uint32_t dataplane_region_size(uint8_t scheduler);
/* The size of a service's region of service_slots: each service owns
 * [slot_base, slot_base + region): one table for its scheduler, or two (IPv4's
 * then IPv6's) when it has VIPs of both families. */
uint32_t dataplane_service_region(const struct config_service *conf);
/* Where the table for VIPs of family (AF_INET, AF_INET6) starts in the region. */
uint32_t dataplane_table_offset(const struct config_service *conf, int family);
/* Fills slots (capacity = one table) with backend ids for the service's
 * scheduler, from its usable backends that serve VIPs of family: READY and of
 * non-zero weight. Returns the number of slots used (0: none usable). */
uint32_t dataplane_service_table(const struct dp_service *service, int family,
				 uint32_t *slots, uint32_t capacity);

/* dataplane.c, for reload.c and pin.c */
int dataplane_settings_write(struct dataplane *dp);
int dataplane_backend_write(struct dataplane *dp, const struct dp_service *service,
			    const struct dp_backend *backend);
int dataplane_service_slots_write(struct dataplane *dp, struct dp_service *service);
void dataplane_neighbours_refresh(struct dataplane *dp, bool force);
int dataplane_snat_write(struct dataplane *dp, const struct dp_service *service);

/* reload.c */
/* Frees the ids of removed backends whose last connection ended. */
void reload_retired_reap(struct dataplane *dp);
/* Backends and services found in adopted maps, matched by identity. */
int reload_adopt(struct dataplane *dp, const struct config *config);

/* pin.c: pinned maps and XDP links under RUN_DIR/bpf */
int pin_prepare(struct dataplane *dp, const char *run_dir);
void pin_remove(struct dataplane *dp);
int pin_interface_attach(struct dataplane *dp, const struct config_interface *conf);
void pin_interface_detach(struct dataplane *dp, size_t index);
void pin_interfaces_adopt(struct dataplane *dp);

/* The configuration's service that owns a services map key, or NULL
 * (adopt.c; reload.c uses it to find stale VIP keys). */
const struct config_service *config_service_of_key(const struct dataplane *dp,
						    const struct config *config,
						    const struct xvs_service_key *key);

/* route_watch.c: route_generation, bumped on rtnetlink changes per tenant */
int route_watch_open(struct dataplane *dp);
void route_watch_close(struct dataplane *dp);
/* Listens to the tenant's namespace and starts a new generation for it.
 * Returns 0 or negative errno (the tenant then has route_fd -1). */
int route_watch_tenant(struct dataplane *dp, struct dp_tenant *tenant);
/* Stops listening; leaving: the tenant goes away, its caches with it. */
void route_watch_tenant_close(struct dataplane *dp, struct dp_tenant *tenant, bool leaving);

/* tenant.c: one instance of xvs_lb per network namespace */
/* Loads an instance of xvs_lb for tenant id that shares every map of host
 * except tx_ports, which is pinned at (or reused from) tx_ports_pin unless
 * that is NULL. Returns 0 or negative errno. */
int tenant_instance_load(struct xvs_lb *host, uint16_t id, const char *tx_ports_pin,
			 struct xvs_lb **out);
/* The tenant of a namespace name ("" for the daemon's own), or NULL. */
struct dp_tenant *tenant_find(const struct dataplane *dp, const char *namespace_name);
/* The tenant id of a namespace, or -ENOENT when it has no tenant (yet). */
int tenant_id(const struct dataplane *dp, const char *namespace_name);
/* Tenant 0: the daemon's own namespace, with the data plane's skeleton. */
int tenant_host_init(struct dataplane *dp);
/* Makes a tenant for every namespace config names that has none yet. On
 * failure error says why (a namespace that does not exist, ...). */
int tenants_prepare(struct dataplane *dp, const struct config *config, char *error,
		    size_t error_size);
/* Removes the tenants the running configuration does not name and that
 * have no interface attached any more. */
void tenants_retire(struct dataplane *dp);
/* Tenants recorded in the adopted tenants map, with their old ids. */
void tenants_adopt(struct dataplane *dp);
/* Frees every tenant; with unpin, also its pinned tx_ports and its entry
 * in the tenants map (a clean stop). */
void tenants_close(struct dataplane *dp, bool unpin);
/* Runs fn(arg) inside the tenant's namespace. */
int tenant_run(const struct dp_tenant *tenant, int (*fn)(void *arg), void *arg);
/* The ifindex of an interface in a tenant's namespace, 0 when none. */
uint32_t tenant_ifindex(const struct dp_tenant *tenant, const char *name);
/* Lets the tenant's instance redirect to ifindex. Returns 0 or negative errno. */
int tenant_tx_port_add(const struct dp_tenant *tenant, uint32_t ifindex);

#endif
