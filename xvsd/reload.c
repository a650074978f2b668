// SPDX-License-Identifier: GPL-2.0-only
/* Reload and adoption: turns a configuration into the difference against the
 * running data plane (or the maps a previous daemon left pinned), keeping ids. */
#include "dataplane_internal.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mapenc.h"

struct region {
	uint32_t base, size;
};

struct retire {
	uint32_t id;
	bool reschedule;
};

/* Everything a reload will do, computed before any map is touched. */
struct plan {
	const struct config *config;
	struct dp_service *services;
	size_t service_count;
	uint8_t *service_used, *backend_used; /* after the reload */
	uint8_t *matched;                     /* running backend ids kept */
	struct region *regions;               /* reserved while planning */
	size_t region_count;
	struct xvs_service_key *stale;        /* keys to delete */
	size_t stale_count;
	struct retire *retire;
	size_t retire_count;
	char *error;
	size_t error_size;
};

/* Room for one more item; the capacity is the next power of two. */
static void *grow(void *array, size_t count, size_t size)
{
	if (count & (count - 1))
		return array;
	return realloc(array, (count ? count * 2 : 1) * size);
}

static int plan_fail(struct plan *plan, int ret, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
static int plan_fail(struct plan *plan, int ret, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	vsnprintf(plan->error, plan->error_size, format, ap);
	va_end(ap);
	return ret;
}

static int id_take(uint8_t *used, uint32_t max, uint32_t *id)
{
	for (uint32_t i = 0; i < max; i++) {
		if (!used[i]) {
			used[i] = 1;
			*id = i;
			return 0;
		}
	}
	return -ENOSPC;
}

static int region_compare(const void *a, const void *b)
{
	const struct region *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

static int region_reserve(struct plan *plan, uint32_t base, uint32_t size)
{
	struct region *regions = grow(plan->regions, plan->region_count, sizeof(*regions));

	if (!regions)
		return -ENOMEM;
	plan->regions = regions;
	regions[plan->region_count++] = (struct region){ base, size };
	return 0;
}

/* First fit among the regions reserved so far (the old ones included, so a
 * region still in use is never rewritten for another service). */
static int region_take(struct plan *plan, uint32_t capacity, uint32_t size, uint32_t *base)
{
	uint32_t start = 0;

	if (plan->region_count)
		qsort(plan->regions, plan->region_count, sizeof(*plan->regions),
		      region_compare);
	for (size_t i = 0; i <= plan->region_count; i++) {
		uint32_t end = i < plan->region_count ? plan->regions[i].base : capacity;

		if (end >= start && end - start >= size) {
			*base = start;
			return region_reserve(plan, start, size);
		}
		if (i < plan->region_count &&
		    plan->regions[i].base + plan->regions[i].size > start)
			start = plan->regions[i].base + plan->regions[i].size;
	}
	return -ENOSPC;
}

static int key_add(struct xvs_service_key **keys, size_t *count,
		   const struct xvs_service_key *key)
{
	struct xvs_service_key *grown = grow(*keys, *count, sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	*keys = grown;
	grown[(*count)++] = *key;
	return 0;
}

static int retire_add(struct plan *plan, uint32_t id, bool reschedule)
{
	struct retire *grown = grow(plan->retire, plan->retire_count, sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	plan->retire = grown;
	grown[plan->retire_count++] = (struct retire){ id, reschedule };
	return 0;
}

static void plan_free(struct plan *plan, bool services_too)
{
	if (services_too && plan->services) {
		for (size_t s = 0; s < plan->service_count; s++)
			free(plan->services[s].backends);
		free(plan->services);
	}
	free(plan->matched);
	free(plan->service_used);
	free(plan->backend_used);
	free(plan->regions);
	free(plan->stale);
	free(plan->retire);
}

static int plan_init(struct dataplane *dp, const struct config *config, struct plan *plan,
		     char *error, size_t error_size)
{
	memset(plan, 0, sizeof(*plan));
	plan->config = config;
	plan->error = error;
	plan->error_size = error_size;
	plan->services = calloc(config->service_count + 1, sizeof(*plan->services));
	plan->service_used = malloc(dp->max_services);
	plan->backend_used = malloc(dp->max_backends);
	plan->matched = calloc(dp->max_backends, 1);
	if (!plan->services || !plan->service_used || !plan->backend_used || !plan->matched)
		return -ENOMEM;
	memcpy(plan->service_used, dp->service_used, dp->max_services);
	memcpy(plan->backend_used, dp->backend_used, dp->max_backends);
	return 0;
}

/* What a reload cannot change while the daemon runs. */
static int plan_check_global(struct dataplane *dp, struct plan *plan)
{
	const struct config_global *old = &dp->config->global, *new = &plan->config->global;

	if (old->conn_table != new->conn_table)
		return plan_fail(plan, -EINVAL,
				 "conn_table cannot change on reload (running %u, file %u): "
				 "restart xvsd to apply it", old->conn_table, new->conn_table);
	if (strcmp(old->run_dir, new->run_dir) || strcmp(old->api_unix, new->api_unix) ||
	    old->api_http_set != new->api_http_set ||
	    (new->api_http_set && (old->api_http_port != new->api_http_port ||
				   !inet_addr_equal(&old->api_http_addr, &new->api_http_addr))))
		return plan_fail(plan, -EINVAL,
				 "run_dir and api cannot change on reload: restart xvsd to apply them");
	for (size_t i = 0; i < plan->config->interface_count; i++) {
		const struct config_interface *iface = &plan->config->interfaces[i];

		if (iface->xdp != XDP_ATTACH_OFF &&
		    !tenant_ifindex(tenant_find(dp, iface->namespace_name), iface->name))
			return plan_fail(plan, -ENODEV, "interface %s%s%s: does not exist",
					 iface->name, iface->namespace_name[0] ? " in namespace " : "",
					 iface->namespace_name);
	}
	return 0;
}

/* The running service of that name in that tenant: a service that moves to
 * another namespace starts anew there. */
static struct dp_service *running_service(struct dataplane *dp, const char *name,
					  uint16_t tenant)
{
	for (size_t i = 0; i < dp->service_count; i++)
		if (!strcmp(dp->services[i].conf->name, name) && dp->services[i].tenant == tenant)
			return &dp->services[i];
	return NULL;
}

static struct dp_backend *running_backend(struct dp_service *service,
					  const struct config_backend *conf)
{
	for (size_t i = 0; service && i < service->backend_count; i++) {
		struct dp_backend *backend = &service->backends[i];

		if (inet_addr_equal(&backend->conf->addr, &conf->addr) &&
		    backend->conf->port == conf->port)
			return backend;
	}
	return NULL;
}

static int plan_backends(struct dataplane *dp, struct plan *plan, struct dp_service *service,
			 struct dp_service *old)
{
	const struct config_service *conf = service->conf;

	service->backends = calloc(conf->backend_count + 1, sizeof(*service->backends));
	if (!service->backends)
		return -ENOMEM;
	service->backend_count = conf->backend_count;
	for (size_t b = 0; b < conf->backend_count; b++) {
		struct dp_backend *backend = &service->backends[b];
		struct dp_backend *previous = running_backend(old, &conf->backends[b]);

		if (previous) {
			*backend = *previous;
			/* The file wins over a runtime override when it changes
			 * this backend's line. */
			if (previous->conf->weight != conf->backends[b].weight ||
			    previous->conf->max_conns != conf->backends[b].max_conns) {
				backend->admin = BACKEND_ENABLED;
				backend->weight_set = false;
			}
			plan->matched[previous->id] = 1;
		} else {
			memset(backend, 0, sizeof(*backend));
			if (id_take(plan->backend_used, dp->max_backends, &backend->id))
				return plan_fail(plan, -ENOSPC, "more than %u backends",
						 dp->max_backends);
			snprintf(backend->problem, sizeof(backend->problem),
				 "neighbour not resolved yet");
			backend->since = time(NULL);
		}
		backend->conf = &conf->backends[b];
	}
	return 0;
}

static int plan_service(struct dataplane *dp, struct plan *plan, size_t index)
{
	const struct config_service *conf = &plan->config->services[index];
	struct dp_service *service = &plan->services[index];
	int tenant = tenant_id(dp, conf->namespace_name);
	struct dp_service *old;
	uint32_t size = dataplane_service_region(conf);

	if (tenant < 0)
		return plan_fail(plan, -ENOENT, "service %s: namespace %s is not open", conf->name,
				 conf->namespace_name);
	old = running_service(dp, conf->name, (uint16_t)tenant);
	if (conf->backend_count > XVS_SLOTS_LIST)
		return plan_fail(plan, -E2BIG, "service %s: %zu backends, at most %d are supported",
				 conf->name, conf->backend_count, XVS_SLOTS_LIST);
	if (old) {
		*service = *old;
		service->backends = NULL;
	} else {
		memset(service, 0, sizeof(*service));
		if (id_take(plan->service_used, dp->max_services, &service->id))
			return plan_fail(plan, -ENOSPC, "more than %u services", dp->max_services);
		service->since = time(NULL);
	}
	service->conf = conf;
	service->tenant = (uint16_t)tenant;
	if ((!old || dataplane_service_region(old->conf) != size ||
	     old->conf->scheduler != conf->scheduler) &&
	    region_take(plan, dp->slot_capacity, size, &service->slot_base))
		return plan_fail(plan, -ENOSPC,
				 "service %s: no room left in the scheduler slots (%u): "
				 "restart xvsd to apply this configuration", conf->name,
				 dp->slot_capacity);
	return plan_backends(dp, plan, service, old);
}

/* The retired ids and stale keys of what the new configuration drops. */
static int plan_leftovers(struct dataplane *dp, struct plan *plan)
{
	struct xvs_service_key key;

	for (size_t s = 0; s < dp->service_count; s++) {
		const struct dp_service *old = &dp->services[s];
		const struct config_service *now = NULL;

		for (size_t i = 0; i < plan->service_count; i++)
			if (!strcmp(plan->services[i].conf->name, old->conf->name) &&
			    plan->services[i].tenant == old->tenant)
				now = plan->services[i].conf;
		for (size_t v = 0; v < old->conf->vip_count; v++) {
			mapenc_service_key(&old->conf->vips[v], old->conf->port,
					   old->conf->proto, &key);
			mapenc_service_key_tenant(old->tenant, &key);
			if (!config_service_of_key(dp, plan->config, &key) &&
			    key_add(&plan->stale, &plan->stale_count, &key))
				return -ENOMEM;
		}
		if (!now)
			plan->service_used[old->id] = 0;
		for (size_t b = 0; b < old->backend_count; b++) {
			if (!plan->matched[old->backends[b].id] &&
			    retire_add(plan, old->backends[b].id,
				       (now ? now : old->conf)->removed_backend ==
					       REMOVED_RESCHEDULE))
				return -ENOMEM;
		}
	}
	return 0;
}

static int plan_from_running(struct dataplane *dp, struct plan *plan)
{
	int ret;

	for (size_t s = 0; s < dp->service_count; s++) {
		const struct dp_service *old = &dp->services[s];

		ret = region_reserve(plan, old->slot_base, dataplane_service_region(old->conf));
		if (ret)
			return ret;
	}
	for (size_t s = 0; s < plan->config->service_count; s++) {
		ret = plan_service(dp, plan, s);
		plan->service_count = s + 1;
		if (ret)
			return ret;
	}
	return plan_leftovers(dp, plan);
}

static void percpu_zero(struct dataplane *dp, struct bpf_map *map, uint32_t id,
			size_t value_size)
{
	size_t size = value_size * (size_t)dp->cpu_count;
	void *zero = calloc(1, size);

	if (zero)
		bpf_map__update_elem(map, &id, sizeof(id), zero, size, BPF_ANY);
	free(zero);
}

static void retire_apply(struct dataplane *dp, const struct retire *retire)
{
	struct xvs_backend value;
	uint32_t *grown;

	if (retire->reschedule &&
	    !bpf_map__lookup_elem(dp->skel->maps.backends, &retire->id, sizeof(retire->id),
				  &value, sizeof(value), 0)) {
		value.flags &= (uint8_t)~XVS_BACKEND_F_READY;
		bpf_map__update_elem(dp->skel->maps.backends, &retire->id, sizeof(retire->id),
				     &value, sizeof(value), BPF_ANY);
	}
	grown = grow(dp->retired, dp->retired_count, sizeof(*grown));
	if (!grown) {
		log_warnx("backend id %u: out of memory, the id is lost", retire->id);
		return;
	}
	dp->retired = grown;
	grown[dp->retired_count++] = retire->id;
}

static void services_write(struct dataplane *dp, struct plan *plan)
{
	for (size_t s = 0; s < plan->service_count; s++) {
		struct dp_service *service = &plan->services[s];
		struct xvs_service_state state = { 0 };

		if (!dp->service_used[service->id]) {
			percpu_zero(dp, dp->skel->maps.service_stats, service->id,
				    sizeof(struct xvs_counters));
			bpf_map__update_elem(dp->skel->maps.service_state, &service->id,
					     sizeof(service->id), &state, sizeof(state), BPF_ANY);
		}
		for (size_t b = 0; b < service->backend_count; b++) {
			struct dp_backend *backend = &service->backends[b];

			if (!dp->backend_used[backend->id])
				percpu_zero(dp, dp->skel->maps.backend_stats, backend->id,
					    sizeof(struct xvs_counters));
			if (dataplane_backend_write(dp, service, backend))
				log_warn("service %s: backend id %u", service->conf->name,
					 backend->id);
		}
		if (dataplane_snat_write(dp, service))
			log_warn("service %s: snat sources", service->conf->name);
		if (dataplane_service_slots_write(dp, service))
			log_warn("service %s: slots", service->conf->name);
	}
}

/* Writes the plan: new entries first, then the switch of each service's
 * value, then what is gone; the running state then becomes the plan's. */
static void plan_apply(struct dataplane *dp, struct plan *plan)
{
	dp->config = plan->config;
	if (dataplane_settings_write(dp))
		log_warn("settings");
	services_write(dp, plan);
	for (size_t i = 0; i < plan->stale_count; i++)
		bpf_map__delete_elem(dp->skel->maps.services, &plan->stale[i],
				     sizeof(plan->stale[i]), 0);
	for (size_t i = 0; i < plan->retire_count; i++)
		retire_apply(dp, &plan->retire[i]);
	for (size_t s = 0; s < dp->service_count; s++)
		free(dp->services[s].backends);
	free(dp->services);
	dp->services = plan->services;
	dp->service_count = plan->service_count;
	plan->services = NULL;
	memcpy(dp->service_used, plan->service_used, dp->max_services);
	memcpy(dp->backend_used, plan->backend_used, dp->max_backends);
	memset(dp->backend_index, 0, dp->max_backends * sizeof(*dp->backend_index));
	for (size_t s = 0; s < dp->service_count; s++) {
		for (size_t b = 0; b < dp->services[s].backend_count; b++) {
			uint32_t id = dp->services[s].backends[b].id;

			dp->backend_index[id] = &dp->services[s].backends[b];
			dp->backend_service[id] = &dp->services[s];
		}
	}
}

/* Whether an attached interface is the interface a block names: same name
 * in the same namespace. */
static bool interface_is(const struct dataplane *dp, const struct dp_interface *iface,
			 const struct config_interface *conf)
{
	const struct dp_tenant *tenant = dp->tenants[iface->tenant];

	return !strcmp(conf->name, iface->name) && tenant &&
	       !strcmp(conf->namespace_name, tenant->namespace_name);
}

/* Kept: still configured with the same XDP mode, and the same interface (one
 * created anew under its name, such as a macvlan moved to another parent,
 * needs the program attached again). */
static bool interface_wanted(const struct dataplane *dp, const struct config *config,
			     const struct dp_interface *iface)
{
	for (size_t i = 0; i < config->interface_count; i++)
		if (interface_is(dp, iface, &config->interfaces[i]))
			return config->interfaces[i].xdp != XDP_ATTACH_OFF &&
			       config->interfaces[i].xdp == iface->mode &&
			       tenant_ifindex(dp->tenants[iface->tenant], iface->name) ==
				       iface->ifindex;
	return false;
}

/* Detaches what the configuration dropped, attaches what it added. An
 * interface with a namespace (ethernet, or a veth-peer moved there) is
 * attached inside that namespace by its tenant's instance of xvs_lb
 * (tenant.c, docs/tenants.md): it carries the namespace's services. */
static int interfaces_apply(struct dataplane *dp, const struct config *config)
{
	int ret = 0;

	for (size_t i = dp->interface_count; i-- > 0;)
		if (!interface_wanted(dp, config, &dp->interfaces[i]))
			pin_interface_detach(dp, i);
	for (size_t i = 0; i < config->interface_count; i++) {
		const struct config_interface *conf = &config->interfaces[i];
		bool attached = false;

		for (size_t j = 0; j < dp->interface_count; j++)
			attached |= interface_is(dp, &dp->interfaces[j], conf);
		if (!attached && conf->xdp != XDP_ATTACH_OFF && !ret)
			ret = pin_interface_attach(dp, conf);
	}
	return ret;
}

int dataplane__reload(struct dataplane *dp, const struct config *config, char *error,
		      size_t error_size)
{
	struct plan plan;
	int ret;

	/* The namespaces first: the services' keys carry their tenant ids. */
	ret = tenants_prepare(dp, config, error, error_size);
	if (ret) {
		tenants_retire(dp);
		return ret;
	}
	ret = plan_init(dp, config, &plan, error, error_size);
	if (!ret)
		ret = plan_check_global(dp, &plan);
	if (!ret)
		ret = plan_from_running(dp, &plan);
	if (ret) {
		if (ret == -ENOMEM && !error[0])
			snprintf(error, error_size, "out of memory");
		plan_free(&plan, true);
		tenants_retire(dp);
		return ret;
	}
	plan_apply(dp, &plan);
	plan_free(&plan, true);
	dataplane_neighbours_refresh(dp, true);
	/* The services are in place now: an interface that cannot be attached
	 * (its error is logged) does not undo them. */
	interfaces_apply(dp, config);
	tenants_retire(dp);
	/* nat/snat: forwarding on the attached interfaces of namespaces that
	 * need it (restored at a clean stop). */
	if (forwarding_enable(dp))
		log_warnx("forwarding sysctls: out of memory");
	return 0;
}

void reload_retired_reap(struct dataplane *dp)
{
	struct xvs_backend empty = { 0 };

	for (size_t i = dp->retired_count; i-- > 0;) {
		uint32_t id = dp->retired[i];
		struct xvs_backend_conns conns;

		if (bpf_map__lookup_elem(dp->skel->maps.backend_conns, &id, sizeof(id), &conns,
					 sizeof(conns), 0) ||
		    conns.active + conns.inactive)
			continue;
		bpf_map__update_elem(dp->skel->maps.backends, &id, sizeof(id), &empty,
				     sizeof(empty), BPF_ANY);
		dp->backend_used[id] = 0;
		dp->retired[i] = dp->retired[--dp->retired_count];
		log_debug("backend id %u: last connection gone, id freed", id);
	}
}
