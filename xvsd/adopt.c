// SPDX-License-Identifier: GPL-2.0-only
/* Adoption: the running state rebuilt from the maps a previous daemon left
 * pinned, matched to the configuration by identity (VIPs, backend addresses). */
#include "dataplane_internal.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mapenc.h"

const struct config_service *config_service_of_key(const struct dataplane *dp,
						    const struct config *config,
						    const struct xvs_service_key *key)
{
	struct xvs_service_key other;

	for (size_t s = 0; s < config->service_count; s++) {
		const struct config_service *service = &config->services[s];
		int tenant = tenant_id(dp, service->namespace_name);

		for (size_t v = 0; tenant >= 0 && v < service->vip_count; v++) {
			mapenc_service_key(&service->vips[v], service->port, service->proto,
					   &other);
			mapenc_service_key_tenant((uint16_t)tenant, &other);
			if (!memcmp(&other, key, sizeof(other)))
				return service;
		}
	}
	return NULL;
}

/* The size of the region a pinned service entry's service owns. */
static uint32_t pinned_region(const struct xvs_service *value)
{
	return dataplane_region_size(value->scheduler) *
	       (value->flags & XVS_SERVICE_F_FAMILY_TABLES ? 2 : 1);
}

/* Where that region starts: an IPv6 VIP's entry of a service with both
 * families points at the second table. */
static uint32_t pinned_base(const struct xvs_service_key *key, const struct xvs_service *value)
{
	if ((value->flags & XVS_SERVICE_F_FAMILY_TABLES) && key->family == XVS_AF_INET6)
		return value->slot_base - dataplane_region_size(value->scheduler);
	return value->slot_base;
}

/* Walks the services map: each configured service whose VIP is there takes
 * the id and region it had (a region of the same size and layout); the rest
 * is deleted. */
static int services_adopt(struct dataplane *dp, const struct config *config,
			  struct xvs_service *values)
{
	int fd = bpf_map__fd(dp->skel->maps.services);
	struct xvs_service_key key, next, *stale = NULL;
	size_t stale_count = 0;
	void *previous = NULL;
	struct xvs_service value;

	while (bpf_map_get_next_key(fd, previous, &next) == 0) {
		const struct config_service *conf;
		size_t index;

		key = next;
		previous = &key;
		if (bpf_map_lookup_elem(fd, &key, &value))
			continue;
		conf = config_service_of_key(dp, config, &key);
		index = conf ? (size_t)(conf - config->services) : 0;
		if (conf && !values[index].slot_count && value.id < dp->max_services &&
		    !dp->service_used[value.id] && pinned_region(&value) ==
		    dataplane_service_region(conf)) {
			values[index] = value;
			values[index].slot_base = pinned_base(&key, &value);
			values[index].slot_count = 1; /* taken */
			dp->service_used[value.id] = 1;
			continue;
		}
		if (conf && values[index].slot_count && values[index].id == value.id)
			continue;
		stale = realloc(stale, (stale_count + 1) * sizeof(*stale));
		if (!stale)
			return -ENOMEM;
		stale[stale_count++] = key;
	}
	for (size_t i = 0; i < stale_count; i++)
		bpf_map_delete_elem(fd, &stale[i]);
	free(stale);
	return 0;
}

static void backend_from_map(struct dp_backend *backend, uint32_t id,
			     const struct xvs_backend *value)
{
	backend->id = id;
	backend->ready = value->flags & XVS_BACKEND_F_READY;
	/* The previous daemon's verdict stands until the first check decides. */
	backend->health.down = value->flags & XVS_BACKEND_F_DOWN;
	backend->since = time(NULL);
	memcpy(backend->mac, value->dmac, 6);
	memcpy(backend->source_mac, value->smac, 6);
	backend->ifindex = value->ifindex;
	backend->mtu = value->mtu;
	if (value->tunnel_source.v6[0] || value->tunnel_source.v6[1] ||
	    value->tunnel_source.v6[2] || value->tunnel_source.v6[3])
		inet_addr_from_xvs(&value->tunnel_source, value->family,
				   &backend->tunnel_source);
	if (!backend->ready)
		snprintf(backend->problem, sizeof(backend->problem),
			 "neighbour not resolved yet");
}

/* The configured backend of service that value is, or NULL. */
static struct dp_backend *backend_match(struct dp_service *service,
					const struct xvs_backend *value)
{
	struct inet_addr addr;

	inet_addr_from_xvs(&value->addr, value->family, &addr);
	for (size_t b = 0; b < service->backend_count; b++) {
		struct dp_backend *backend = &service->backends[b];

		if (!backend->conf && inet_addr_equal(&service->conf->backends[b].addr, &addr) &&
		    htons(service->conf->backends[b].port) == value->port)
			return backend;
	}
	return NULL;
}

static int backends_adopt(struct dataplane *dp)
{
	struct xvs_backend value;
	uint32_t *retired;

	for (uint32_t id = 0; id < dp->max_backends; id++) {
		struct dp_service *service = NULL;
		struct dp_backend *backend = NULL;

		if (bpf_map__lookup_elem(dp->skel->maps.backends, &id, sizeof(id), &value,
					 sizeof(value), 0) || !value.family)
			continue;
		dp->backend_used[id] = 1;
		for (size_t s = 0; s < dp->service_count && !backend; s++) {
			if (dp->services[s].id != value.service_id)
				continue;
			service = &dp->services[s];
			backend = backend_match(service, &value);
		}
		if (backend) {
			backend_from_map(backend, id, &value);
			backend->conf = &service->conf->backends[backend - service->backends];
			continue;
		}
		/* Not in the file: kept until its flows end, as by a reload. */
		retired = realloc(dp->retired, (dp->retired_count + 1) * sizeof(*retired));
		if (!retired)
			return -ENOMEM;
		dp->retired = retired;
		dp->retired[dp->retired_count++] = id;
	}
	return 0;
}

/* The running state as the previous daemon left it, for those services of
 * config that were there: dataplane__reload() then applies the rest. */
int reload_adopt(struct dataplane *dp, const struct config *config)
{
	struct xvs_service *values = calloc(config->service_count + 1, sizeof(*values));
	int ret = -ENOMEM;

	dp->services = calloc(config->service_count + 1, sizeof(*dp->services));
	if (!values || !dp->services)
		goto out;
	ret = services_adopt(dp, config, values);
	if (ret)
		goto out;
	for (size_t s = 0; s < config->service_count; s++) {
		struct dp_service *service = &dp->services[dp->service_count];

		if (!values[s].slot_count)
			continue;
		service->conf = &config->services[s];
		service->id = values[s].id;
		service->tenant = (uint16_t)tenant_id(dp, service->conf->namespace_name);
		service->slot_base = values[s].slot_base;
		service->since = time(NULL);
		service->backends = calloc(service->conf->backend_count + 1,
					   sizeof(*service->backends));
		if (!service->backends)
			goto out;
		service->backend_count = service->conf->backend_count;
		dp->service_count++;
	}
	ret = backends_adopt(dp);
	/* Configured backends not found are dropped here: the reload adds them. */
	for (size_t s = 0; s < dp->service_count; s++) {
		struct dp_service *service = &dp->services[s];
		size_t kept = 0;

		for (size_t b = 0; b < service->backend_count; b++)
			if (service->backends[b].conf)
				service->backends[kept++] = service->backends[b];
		service->backend_count = kept;
	}
	log_info("adopted %zu services and their backends from the pinned maps",
		 dp->service_count);
out:
	free(values);
	return ret;
}
