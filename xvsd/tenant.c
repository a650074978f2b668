// SPDX-License-Identifier: GPL-2.0-only
/* Tenants: the network namespaces services run in. Each gets an instance of
 * xvs_lb of its own, sharing the maps and knowing its tenant id, and rtnetlink. */
#include "dataplane_internal.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mapenc.h"

#define TX_PORTS_PIN "tx_ports@"

/* A pinned tx_ports of an earlier run is reused; otherwise libbpf pins the
 * new one at load. */
static int tx_ports_prepare(struct bpf_map *map, const char *path)
{
	int fd = bpf_obj_get(path), ret;

	if (fd < 0)
		return bpf_map__set_pin_path(map, path);
	ret = bpf_map__reuse_fd(map, fd);
	close(fd);
	return ret;
}

int tenant_instance_load(struct xvs_lb *host, uint16_t id, const char *tx_ports_pin,
			 struct xvs_lb **out)
{
	struct xvs_lb *skel = xvs_lb__open();
	struct bpf_map *map;
	int ret;

	if (!skel)
		return -errno;
	skel->rodata->xvs_tenant = id;
	/* The host's instance reaps the shared tables for every tenant. */
	ret = bpf_program__set_autoload(skel->progs.xvs_reap_conns, false);
	if (!ret)
		ret = bpf_program__set_autoload(skel->progs.xvs_reap_persist, false);
	bpf_object__for_each_map(map, skel->obj) {
		struct bpf_map *shared;

		if (ret || bpf_map__is_internal(map))
			continue;
		if (map == skel->maps.tx_ports) {
			ret = tx_ports_pin ? tx_ports_prepare(map, tx_ports_pin) : 0;
			continue;
		}
		shared = bpf_object__find_map_by_name(host->obj, bpf_map__name(map));
		ret = shared ? bpf_map__reuse_fd(map, bpf_map__fd(shared)) : -ENOENT;
	}
	if (!ret)
		ret = xvs_lb__load(skel);
	if (ret) {
		xvs_lb__destroy(skel);
		return ret;
	}
	*out = skel;
	return 0;
}

struct dp_tenant *tenant_find(const struct dataplane *dp, const char *namespace_name)
{
	for (int id = 0; id < XVS_MAX_TENANTS; id++)
		if (dp->tenants[id] && !strcmp(dp->tenants[id]->namespace_name, namespace_name))
			return dp->tenants[id];
	return NULL;
}

int tenant_id(const struct dataplane *dp, const char *namespace_name)
{
	const struct dp_tenant *tenant = tenant_find(dp, namespace_name);

	return tenant ? tenant->id : -ENOENT;
}

int tenant_run(const struct dp_tenant *tenant, int (*fn)(void *arg), void *arg)
{
	return netns_run(tenant->netns_fd, fn, arg);
}

struct ifindex_query {
	const char *name;
	uint32_t ifindex;
};

static int ifindex_lookup(void *arg)
{
	struct ifindex_query *query = arg;

	query->ifindex = if_nametoindex(query->name);
	return 0;
}

uint32_t tenant_ifindex(const struct dp_tenant *tenant, const char *name)
{
	struct ifindex_query query = { name, 0 };

	if (!tenant || tenant_run(tenant, ifindex_lookup, &query))
		return 0;
	return query.ifindex;
}

struct tx_port {
	const struct dp_tenant *tenant;
	uint32_t ifindex;
};

/* A devmap resolves the ifindex in the namespace of whoever writes it. */
static int tx_port_write(void *arg)
{
	const struct tx_port *port = arg;

	if (bpf_map__update_elem(port->tenant->skel->maps.tx_ports, &port->ifindex,
				 sizeof(port->ifindex), &port->ifindex, sizeof(port->ifindex),
				 BPF_ANY))
		return -errno;
	return 0;
}

int tenant_tx_port_add(const struct dp_tenant *tenant, uint32_t ifindex)
{
	struct tx_port port = { tenant, ifindex };

	return tenant_run(tenant, tx_port_write, &port);
}

int tenant_host_init(struct dataplane *dp)
{
	struct dp_tenant *host = calloc(1, sizeof(*host));

	if (!host)
		return -ENOMEM;
	host->id = XVS_TENANT_HOST;
	host->netns_fd = -1;
	host->skel = dp->skel;
	host->netlink = dp->netlink;
	dp->tenants[XVS_TENANT_HOST] = host;
	if (route_watch_tenant(dp, host))
		log_warn("route notifications: nat/snat replies look every route up");
	return 0;
}

static int netlink_open_inside(void *arg)
{
	struct netlink **netlink = arg;

	*netlink = netlink__open();
	return *netlink ? 0 : -ENOMEM;
}

static void tenant_pin_path(const struct dataplane *dp, const char *name, char *path,
			    size_t size)
{
	snprintf(path, size, "%s/" TX_PORTS_PIN "%s", dp->pin_dir, name);
}

static void tenant_record(struct dataplane *dp, uint16_t id, const char *name)
{
	struct xvs_tenant value;
	uint32_t key = id;

	mapenc_tenant(name, &value);
	if (bpf_map__update_elem(dp->skel->maps.tenants, &key, sizeof(key), &value,
				 sizeof(value), BPF_ANY))
		log_warn("tenants map: entry %u", key);
}

/* Frees a tenant; with unpin, what it pinned and its record go too. */
static void tenant_free(struct dataplane *dp, struct dp_tenant *tenant, bool unpin)
{
	char path[PATH_MAX];

	dp->tenants[tenant->id] = NULL;
	route_watch_tenant_close(dp, tenant, unpin);
	if (tenant->id != XVS_TENANT_HOST) {
		if (unpin) {
			tenant_pin_path(dp, tenant->namespace_name, path, sizeof(path));
			unlink(path);
			tenant_record(dp, tenant->id, "");
			log_info("namespace %s: tenant %u removed", tenant->namespace_name,
				 tenant->id);
		}
		xvs_lb__destroy(tenant->skel);
		netlink__close(tenant->netlink);
		if (tenant->netns_fd >= 0)
			close(tenant->netns_fd);
	}
	free(tenant);
}

/* A namespace that does not exist is the operator's to create (or a
 * veth-peer interface's): xvsd never makes one for a service. */
static int tenant_open(struct dataplane *dp, struct dp_tenant *tenant, char *error,
		       size_t error_size)
{
	char path[PATH_MAX];
	int ret;

	tenant->netns_fd = netns_open(tenant->namespace_name);
	if (tenant->netns_fd < 0) {
		snprintf(error, error_size, "namespace %s: %s", tenant->namespace_name,
			 tenant->netns_fd == -ENOENT
				 ? "does not exist (no " NETNS_RUN_DIR " entry; create it with "
				   "\"ip netns add\" or an interface of type veth-peer)"
				 : strerror(-tenant->netns_fd));
		return tenant->netns_fd;
	}
	ret = tenant_run(tenant, netlink_open_inside, &tenant->netlink);
	if (ret) {
		snprintf(error, error_size, "namespace %s: netlink socket: %s",
			 tenant->namespace_name, strerror(-ret));
		return ret;
	}
	tenant_pin_path(dp, tenant->namespace_name, path, sizeof(path));
	ret = tenant_instance_load(dp->skel, tenant->id, path, &tenant->skel);
	if (ret) {
		snprintf(error, error_size, "namespace %s: load BPF programs: %s",
			 tenant->namespace_name, strerror(-ret));
		return ret;
	}
	if (route_watch_tenant(dp, tenant))
		log_warn("namespace %s: route notifications: nat/snat replies look every "
			 "route up", tenant->namespace_name);
	return 0;
}

static int tenant_create(struct dataplane *dp, const char *name, uint16_t id, char *error,
			 size_t error_size)
{
	struct dp_tenant *tenant = calloc(1, sizeof(*tenant));
	int ret;

	if (!tenant) {
		snprintf(error, error_size, "out of memory");
		return -ENOMEM;
	}
	snprintf(tenant->namespace_name, sizeof(tenant->namespace_name), "%s", name);
	tenant->id = id;
	tenant->route_fd = -1;
	dp->tenants[id] = tenant;
	ret = tenant_open(dp, tenant, error, error_size);
	if (ret) {
		tenant_free(dp, tenant, false);
		return ret;
	}
	tenant_record(dp, id, name);
	log_info("namespace %s: tenant %u, its own instance of xvs_lb loaded", name, id);
	return 0;
}

/* Ids are handed out in turn, so that a tenant removed by a reload does not
 * give its id (and its flows still in the tables) to the next one at once. */
static int tenant_id_take(struct dataplane *dp)
{
	for (int i = 0; i < XVS_MAX_TENANTS - 1; i++) {
		int id = 1 + (dp->tenant_next + i) % (XVS_MAX_TENANTS - 1);

		if (!dp->tenants[id]) {
			dp->tenant_next = (uint16_t)id;
			return id;
		}
	}
	return -ENOSPC;
}

static int tenant_want(struct dataplane *dp, const char *name, char *error, size_t error_size)
{
	int id;

	if (!name[0] || tenant_find(dp, name))
		return 0;
	id = tenant_id_take(dp);
	if (id < 0) {
		snprintf(error, error_size, "namespace %s: more than %d namespaces", name,
			 XVS_MAX_TENANTS - 1);
		return id;
	}
	return tenant_create(dp, name, (uint16_t)id, error, error_size);
}

int tenants_prepare(struct dataplane *dp, const struct config *config, char *error,
		    size_t error_size)
{
	int ret = 0;

	for (size_t i = 0; i < config->interface_count && !ret; i++)
		if (config->interfaces[i].xdp != XDP_ATTACH_OFF)
			ret = tenant_want(dp, config->interfaces[i].namespace_name, error,
					  error_size);
	for (size_t i = 0; i < config->service_count && !ret; i++)
		ret = tenant_want(dp, config->services[i].namespace_name, error, error_size);
	return ret;
}

static bool tenant_in_use(const struct dataplane *dp, const struct dp_tenant *tenant)
{
	const struct config *config = dp->config;

	for (size_t i = 0; i < dp->interface_count; i++)
		if (dp->interfaces[i].tenant == tenant->id)
			return true;
	for (size_t i = 0; i < config->interface_count; i++)
		if (config->interfaces[i].xdp != XDP_ATTACH_OFF &&
		    !strcmp(config->interfaces[i].namespace_name, tenant->namespace_name))
			return true;
	for (size_t i = 0; i < config->service_count; i++)
		if (!strcmp(config->services[i].namespace_name, tenant->namespace_name))
			return true;
	return false;
}

void tenants_retire(struct dataplane *dp)
{
	for (int id = 1; id < XVS_MAX_TENANTS; id++)
		if (dp->tenants[id] && !tenant_in_use(dp, dp->tenants[id])) {
			forwarding_restore_namespace(dp, dp->tenants[id]->namespace_name);
			tenant_free(dp, dp->tenants[id], true);
		}
}

void tenants_adopt(struct dataplane *dp)
{
	char error[256];

	for (uint32_t id = 1; id < XVS_MAX_TENANTS; id++) {
		struct xvs_tenant value;

		if (bpf_map__lookup_elem(dp->skel->maps.tenants, &id, sizeof(id), &value,
					 sizeof(value), 0) || !value.namespace_name[0])
			continue;
		value.namespace_name[sizeof(value.namespace_name) - 1] = '\0';
		dp->tenant_next = (uint16_t)id;
		if (tenant_create(dp, value.namespace_name, (uint16_t)id, error, sizeof(error))) {
			log_warnx("%s: its flows are left to expire", error);
			continue;
		}
		log_info("namespace %s: adopted tenant %u", value.namespace_name, id);
	}
}

void tenants_close(struct dataplane *dp, bool unpin)
{
	for (int id = XVS_MAX_TENANTS; id-- > 0;)
		if (dp->tenants[id])
			tenant_free(dp, dp->tenants[id], unpin);
}
