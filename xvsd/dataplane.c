// SPDX-License-Identifier: GPL-2.0-only
/* The data plane as the daemon sees it: loads the XDP skeleton, attaches it,
 * turns the configuration into map entries and keeps backend neighbours. */
#include "dataplane_internal.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mapenc.h"
#include "scheduler.h"

/* How often a backend's neighbour entry is checked: quickly while unknown,
 * slowly once known (re-confirming keeps the kernel's entry fresh). */
#define RESOLVE_RETRY_MS 200
#define RESOLVE_REFRESH_MS 10000

static void timespec_after(struct timespec *ts, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static bool timespec_passed(const struct timespec *ts)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > ts->tv_sec || (now.tv_sec == ts->tv_sec && now.tv_nsec >= ts->tv_nsec);
}

static int settings_write(struct dataplane *dp)
{
	const struct config_global *global = &dp->config->global;
	uint32_t timeout_ms[XVS_CONN_STATE__MAX] = {
		[XVS_CONN_TCP_SYN] = global->timeout_tcp_syn_ms,
		[XVS_CONN_TCP_ESTABLISHED] = global->timeout_tcp_ms,
		[XVS_CONN_TCP_FIN] = global->timeout_tcp_fin_ms,
		[XVS_CONN_TCP_CLOSE] = 10000, /* IPVS's CLOSE timeout */
		[XVS_CONN_UDP] = global->timeout_udp_ms,
	};
	struct xvs_settings settings;
	uint32_t key = 0;

	mapenc_settings(timeout_ms, &settings);
	if (bpf_map__update_elem(dp->skel->maps.settings, &key, sizeof(key), &settings,
				 sizeof(settings), BPF_ANY))
		return -errno;
	return 0;
}

static int tx_port_add(const struct dp_tenant *tenant, uint32_t ifindex)
{
	int ret = tenant_tx_port_add(tenant, ifindex);

	if (ret)
		log_warnx("interface %u cannot be a redirect target: %s", ifindex, strerror(-ret));
	return ret;
}

/* Whether new flows may go to a backend: neighbour known, not failed its
 * check, not disabled, weight above 0 (drain has weight 0 here). */
static bool backend_usable(const struct dp_backend *backend)
{
	return backend->ready && !backend->health.down && backend->admin != BACKEND_DISABLED &&
	       dataplane__backend_weight(backend) > 0;
}

/* A service is up while every VIP has a usable backend. */
static void service_up_update(struct dp_service *service, bool up)
{
	size_t usable = 0;

	if (service->up == up)
		return;
	for (size_t i = 0; i < service->backend_count; i++)
		usable += backend_usable(&service->backends[i]);
	service->up = up;
	service->since = time(NULL);
	log_info("service %s: %s (%zu of %zu backends usable)", service->conf->name,
		 service->up ? "up" : "down", usable, service->backend_count);
}

/* Slots of a service's region for its scheduler (see XVS_SLOTS_*). */
uint32_t dataplane_region_size(uint8_t scheduler)
{
	switch (scheduler) {
	case XVS_SCHED_MH:
		return XVS_SLOTS_MH;
	case XVS_SCHED_WRR:
	case XVS_SCHED_SH:
	case XVS_SCHED_DH:
		return XVS_SLOTS_WEIGHTED;
	default:
		return XVS_SLOTS_LIST;
	}
}

static bool service_two_families(const struct config_service *conf)
{
	return config_service_families(conf) == (CONFIG_FAMILY_V4 | CONFIG_FAMILY_V6);
}

uint32_t dataplane_service_region(const struct config_service *conf)
{
	return dataplane_region_size(conf->scheduler) * (service_two_families(conf) ? 2 : 1);
}

uint32_t dataplane_table_offset(const struct config_service *conf, int family)
{
	return service_two_families(conf) && family == AF_INET6
		       ? dataplane_region_size(conf->scheduler) : 0;
}

/* Weight and max_conns of every backend of a service, for the schedulers. */
static int service_limits_write(struct dataplane *dp, const struct dp_service *service)
{
	for (size_t i = 0; i < service->backend_count; i++) {
		const struct dp_backend *backend = &service->backends[i];
		struct xvs_backend_limits limits = {
			.weight = dataplane__backend_weight(backend),
			.max_conns = backend->conf->max_conns,
		};

		if (bpf_map__update_elem(dp->skel->maps.backend_limits, &backend->id,
					 sizeof(backend->id), &limits, sizeof(limits), BPF_ANY))
			return -errno;
	}
	return 0;
}

uint32_t dataplane_service_table(const struct dp_service *service, int family,
				 uint32_t *slots, uint32_t capacity)
{
	struct scheduler_backend usable[XVS_SLOTS_LIST];
	uint32_t ids[XVS_SLOTS_LIST], count = 0, length;

	for (size_t i = 0; i < service->backend_count && count < XVS_SLOTS_LIST; i++) {
		const struct dp_backend *backend = &service->backends[i];

		if (!backend_usable(backend) ||
		    !config_backend_serves(service->conf, backend->conf->addr.family, family))
			continue;
		usable[count].addr = backend->conf->addr;
		usable[count].port = backend->conf->port;
		usable[count].weight = dataplane__backend_weight(backend);
		ids[count++] = backend->id;
	}
	if (count == 0)
		return 0;
	switch (service->conf->scheduler) {
	case XVS_SCHED_MH:
		if (scheduler_maglev_table(usable, count, slots, capacity))
			return 0;
		length = capacity;
		break;
	case XVS_SCHED_WRR:
	case XVS_SCHED_SH:
	case XVS_SCHED_DH:
		length = (uint32_t)scheduler_wrr_sequence(usable, count, slots, capacity);
		break;
	default:
		for (uint32_t i = 0; i < count; i++)
			slots[i] = i;
		length = count;
		break;
	}
	for (uint32_t i = 0; i < length; i++)
		slots[i] = ids[slots[i]];
	return length;
}

/* Writes slots [base, base + count) in one batch (an mh table is 65537). */
static int slots_store(struct dataplane *dp, uint32_t base, const uint32_t *slots,
		       uint32_t count)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t *keys;
	int ret = 0;

	if (count == 0)
		return 0;
	keys = calloc(count, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (uint32_t i = 0; i < count; i++)
		keys[i] = base + i;
	if (bpf_map_update_batch(bpf_map__fd(dp->skel->maps.service_slots), keys, slots,
				 &count, &opts))
		ret = -errno;
	free(keys);
	return ret;
}

static uint8_t persist_kind(enum persistence_type type)
{
	switch (type) {
	case PERSIST_SOURCE_IP:
		return XVS_PERSIST_SOURCE;
	case PERSIST_SIP_CALLID:
		return XVS_PERSIST_CALLID;
	default:
		return XVS_PERSIST_NONE;
	}
}

/* Writes the table for the service's VIPs of family; *count its length. */
static int service_family_write(struct dataplane *dp, const struct dp_service *service,
				int family, uint32_t *slots, uint32_t *count)
{
	uint32_t capacity = dataplane_region_size(service->conf->scheduler);

	memset(slots, 0, capacity * sizeof(*slots));
	*count = dataplane_service_table(service, family, slots, capacity);
	return slots_store(dp, service->slot_base + dataplane_table_offset(service->conf, family),
			   slots, *count);
}

/* Rewrites a service's slots for its scheduler from its usable backends: one
 * table per family of its VIPs, each VIP's entry pointing at its family's. */
static int service_slots_write(struct dataplane *dp, struct dp_service *service)
{
	const struct config_service *conf = service->conf;
	uint32_t *slots, count[2] = { 0, 0 };
	unsigned int families = config_service_families(conf);
	struct xvs_service value;
	struct xvs_service_key key;
	int ret;

	slots = calloc(dataplane_region_size(conf->scheduler), sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	ret = service_limits_write(dp, service);
	if (!ret && (families & CONFIG_FAMILY_V4))
		ret = service_family_write(dp, service, AF_INET, slots, &count[0]);
	if (!ret && (families & CONFIG_FAMILY_V6))
		ret = service_family_write(dp, service, AF_INET6, slots, &count[1]);
	free(slots);
	if (ret)
		return ret;
	service->slot_count = count[0] + count[1];
	for (size_t i = 0; i < conf->vip_count; i++) {
		int family = conf->vips[i].family;
		bool v6 = family == AF_INET6;

		mapenc_service(service->id, conf->mode, conf->scheduler,
			       service->slot_base + dataplane_table_offset(conf, family),
			       count[v6], &value);
		if (conf->mode == XVS_MODE_GENERIC && conf->generic_tun)
			value.flags |= XVS_SERVICE_F_GENERIC_TUN;
		if (conf->no_backend_pass)
			value.flags |= XVS_SERVICE_F_NO_BACKEND_PASS;
		if (service_two_families(conf))
			value.flags |= XVS_SERVICE_F_FAMILY_TABLES;
		mapenc_service_persistence(persist_kind(conf->persistence), conf->persistence_ms,
					   service_two_families(conf) ? (v6 ? 128 : 32)
								      : conf->persistence_mask,
					   &value);
		mapenc_service_key(&conf->vips[i], conf->port, conf->proto, &key);
		mapenc_service_key_tenant(service->tenant, &key);
		if (bpf_map__update_elem(dp->skel->maps.services, &key, sizeof(key), &value,
					 sizeof(value), BPF_ANY))
			return -errno;
	}
	service_up_update(service, (!(families & CONFIG_FAMILY_V4) || count[0]) &&
					   (!(families & CONFIG_FAMILY_V6) || count[1]));
	return 0;
}

/* Whether packets reach the service's backends through a tunnel. */
static bool service_tunnels(const struct config_service *conf)
{
	return conf->mode == XVS_MODE_TUN || (conf->mode == XVS_MODE_GENERIC && conf->generic_tun);
}

/* Whether packets reach the service's backends through the FIB's next hop
 * (nat, snat) rather than on-link (dr) or through a tunnel. */
static bool service_routed(const struct config_service *conf)
{
	return conf->mode == XVS_MODE_NAT || conf->mode == XVS_MODE_SNAT;
}

static int backend_write(struct dataplane *dp, const struct dp_service *service,
			 const struct dp_backend *backend)
{
	/* Disabled, or down with down_backend reschedule: not READY, so the
	 * data plane reschedules its flows. Down with keep: READY for its
	 * flows, DOWN for new ones. */
	bool down = backend->health.down;
	bool ready = backend->ready && backend->admin != BACKEND_DISABLED &&
		     !(down && service->conf->down_backend == DOWN_RESCHEDULE);
	struct xvs_backend value;

	mapenc_backend(&backend->conf->addr, backend->conf->port, service->id,
		       ready ? backend->mac : NULL, ready ? backend->source_mac : NULL,
		       backend->ifindex, &value);
	if (down)
		value.flags |= XVS_BACKEND_F_DOWN;
	if (service_tunnels(service->conf) && ready)
		mapenc_backend_tunnel(&backend->tunnel_source,
				      backend->mtu > UINT16_MAX ? UINT16_MAX : (uint16_t)backend->mtu,
				      &value);
	else if (service_routed(service->conf) && ready)
		/* nat/snat: the egress MTU only, so that the data plane may
		 * send to the resolved next hop without a FIB lookup. */
		mapenc_backend_tunnel(NULL,
				      backend->mtu > UINT16_MAX ? UINT16_MAX : (uint16_t)backend->mtu,
				      &value);
	if (bpf_map__update_elem(dp->skel->maps.backends, &backend->id, sizeof(backend->id),
				 &value, sizeof(value), BPF_ANY))
		return -errno;
	return 0;
}

/* The MTU toward a backend as the kernel's FIB sees it: the route's own mtu
 * when it has one below the interface's, else the interface's. */
static int route_mtu(struct netlink *netlink, const struct route_info *route, uint32_t *mtu)
{
	int ret = netlink__link_mtu(netlink, route->ifindex, mtu);

	if (ret)
		return ret;
	if (route->mtu && route->mtu < *mtu)
		*mtu = route->mtu;
	return 0;
}

/* Mode tun: the outer source (configured, else the route's preferred source)
 * and the egress MTU. Returns false with backend->problem set when unknown. */
static bool backend_tunnel(struct netlink *netlink, const struct dp_service *service,
			   struct dp_backend *backend, const struct route_info *route,
			   struct inet_addr *source, uint32_t *mtu)
{
	const struct inet_addr *configured = backend->conf->addr.family == AF_INET
						     ? &service->conf->tunnel_source_v4
						     : &service->conf->tunnel_source_v6;
	int ret;

	if (configured->family) {
		*source = *configured;
	} else if (route->has_prefsrc) {
		*source = route->prefsrc;
	} else {
		snprintf(backend->problem, sizeof(backend->problem),
			 "no source address toward the backend (set tunnel_source)");
		return false;
	}
	ret = route_mtu(netlink, route, mtu);
	if (ret) {
		snprintf(backend->problem, sizeof(backend->problem), "interface MTU: %s",
			 strerror(-ret));
		return false;
	}
	return true;
}

/* Finds the interface and next-hop MAC toward a backend: the backend itself
 * (dr: it must be on-link), or for tun also the gateway of its route; all in
 * the service's namespace. Returns true when the backend's entry changed. */
static bool backend_resolve(struct dataplane *dp, const struct dp_service *service,
			    struct dp_backend *backend)
{
	const struct dp_tenant *tenant = dp->tenants[service->tenant];
	struct netlink *netlink = tenant ? tenant->netlink : NULL;
	bool tun = service_tunnels(service->conf);
	/* nat and snat are routed (bpf_fib_lookup): a gateway is fine. */
	bool routed = tun || service_routed(service->conf);
	const struct inet_addr *next_hop = &backend->conf->addr;
	struct inet_addr source = { 0 };
	char text[INET6_ADDRSTRLEN];
	struct route_info route;
	uint8_t mac[6], source_mac[6];
	uint32_t mtu = 0;
	int ret;

	/* Refreshes spread over 2 s by id: backends resolved together (at start)
	 * do not all come due in one tick, which would stall the event loop
	 * (500 backends: ~100 ms of netlink round trips, seen as late checks). */
	timespec_after(&backend->next_resolve,
		       backend->ready ? RESOLVE_REFRESH_MS - (backend->id % 100) * 20
				      : RESOLVE_RETRY_MS);
	if (!netlink) {
		snprintf(backend->problem, sizeof(backend->problem), "namespace %s is not open",
			 service->conf->namespace_name);
		return false;
	}
	ret = netlink__route_get(netlink, &backend->conf->addr, &route);
	if (ret) {
		snprintf(backend->problem, sizeof(backend->problem), "no route: %s",
			 strerror(-ret));
		return false;
	}
	if (route.has_gateway && !routed) {
		/* Direct routing rewrites only MACs: the backend must be on a
		 * directly connected network. */
		snprintf(backend->problem, sizeof(backend->problem),
			 "not on a directly connected network (route via a gateway)");
		return false;
	}
	if (route.has_gateway)
		next_hop = &route.gateway;
	if (tun && !backend_tunnel(netlink, service, backend, &route, &source, &mtu))
		return false;
	/* nat/snat without a known MTU (0) still work: each packet is then
	 * routed with bpf_fib_lookup. */
	if (service_routed(service->conf) && route_mtu(netlink, &route, &mtu))
		mtu = 0;
	inet_addr_format(next_hop, text, sizeof(text));
	ret = netlink__neigh_get(netlink, route.ifindex, next_hop, mac);
	/* Ask the kernel to (re)confirm: resolves an unknown entry, and keeps a
	 * known one fresh although XDP traffic never touches it. */
	netlink__neigh_resolve(netlink, route.ifindex, next_hop);
	if (ret) {
		/* The route moved to another interface (one created anew on reload,
		 * say): the entry for the old one is of no use, look again soon. */
		if (backend->ready && backend->ifindex != route.ifindex)
			timespec_after(&backend->next_resolve, RESOLVE_RETRY_MS);
		snprintf(backend->problem, sizeof(backend->problem),
			 "neighbour %s not resolved yet", text);
		return false;
	}
	if (netlink__link_mac(netlink, route.ifindex, source_mac))
		return false;
	if (backend->ready && backend->ifindex == route.ifindex &&
	    !memcmp(backend->mac, mac, 6) && !memcmp(backend->source_mac, source_mac, 6) &&
	    backend->mtu == mtu && inet_addr_equal(&backend->tunnel_source, &source))
		return false;
	if (tx_port_add(tenant, route.ifindex))
		return false;
	memcpy(backend->mac, mac, 6);
	memcpy(backend->source_mac, source_mac, 6);
	backend->ifindex = route.ifindex;
	backend->tunnel_source = source;
	backend->mtu = mtu;
	backend->ready = true;
	backend->problem[0] = '\0';
	log_info("service %s: backend %s: next hop %s at %02x:%02x:%02x:%02x:%02x:%02x",
		 service->conf->name, inet_addr_format(&backend->conf->addr,
						       (char[INET6_ADDRSTRLEN]){ 0 },
						       INET6_ADDRSTRLEN),
		 text, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return true;
}

static void neighbours_refresh(struct dataplane *dp, bool force)
{
	for (size_t s = 0; s < dp->service_count; s++) {
		struct dp_service *service = &dp->services[s];
		bool changed = false;

		for (size_t b = 0; b < service->backend_count; b++) {
			struct dp_backend *backend = &service->backends[b];

			if (!force && !timespec_passed(&backend->next_resolve))
				continue;
			if (backend_resolve(dp, service, backend)) {
				backend_write(dp, service, backend);
				changed = true;
			}
		}
		if (changed || force)
			service_slots_write(dp, service);
	}
}

/* Mode snat: the service's source addresses and port range. */
static int snat_write(struct dataplane *dp, const struct dp_service *service)
{
	struct xvs_snat value, old;

	if (service->conf->mode != XVS_MODE_SNAT)
		return 0;
	mapenc_snat(service->conf->snat_addrs, service->conf->snat_count, XVS_SNAT_PORT_MIN,
		    XVS_SNAT_PORT_MAX, &value);
	/* Flows remember which of the addresses they use by index, valid for
	 * one generation (xvs_conn.nat): a changed list is a new generation. */
	if (!bpf_map__lookup_elem(dp->skel->maps.snat_sources, &service->id,
				  sizeof(service->id), &old, sizeof(old), 0)) {
		value.generation = old.generation;
		if (memcmp(old.addrs, value.addrs, sizeof(value.addrs)) || old.count != value.count)
			value.generation = (uint8_t)(old.generation + 1);
	}
	if (bpf_map__update_elem(dp->skel->maps.snat_sources, &service->id, sizeof(service->id),
				 &value, sizeof(value), BPF_ANY))
		return -errno;
	return 0;
}

/* Slots of all services: each has a region sized for its scheduler. Twice
 * that and room for a few more, so that a reload can add services and
 * write a changed service's new region while the old one is in use. */
static uint32_t slot_total(const struct config *config)
{
	uint32_t total = 0;

	for (size_t s = 0; s < config->service_count; s++)
		total += dataplane_service_region(&config->services[s]);
	return 2 * total + 2 * XVS_SLOTS_MH + 16 * XVS_SLOTS_WEIGHTED;
}

static uint32_t backend_total(const struct config *config)
{
	uint32_t total = 0;

	for (size_t s = 0; s < config->service_count; s++)
		total += (uint32_t)config->services[s].backend_count;
	return total;
}

static int skeleton_load(struct dataplane *dp)
{
	struct xvs_lb *skel;
	uint32_t backends = backend_total(dp->config);
	int ret;

	dp->max_services = XVS_DEFAULT_MAX_SERVICES;
	while (dp->max_services < dp->config->service_count)
		dp->max_services *= 2;
	dp->max_backends = XVS_DEFAULT_MAX_BACKENDS;
	while (dp->max_backends < backends)
		dp->max_backends *= 2;
	dp->conn_capacity = dp->config->global.conn_table;
	skel = xvs_lb__open();
	if (!skel) {
		log_warn("open BPF skeleton");
		return -errno;
	}
	dp->skel = skel;
	bpf_map__set_max_entries(skel->maps.services, dp->max_services * 4);
	bpf_map__set_max_entries(skel->maps.service_state, dp->max_services);
	bpf_map__set_max_entries(skel->maps.service_stats, dp->max_services);
	bpf_map__set_max_entries(skel->maps.service_slots, slot_total(dp->config));
	bpf_map__set_max_entries(skel->maps.backends, dp->max_backends);
	bpf_map__set_max_entries(skel->maps.backend_conns, dp->max_backends);
	bpf_map__set_max_entries(skel->maps.backend_limits, dp->max_backends);
	bpf_map__set_max_entries(skel->maps.backend_stats, dp->max_backends);
	bpf_map__set_max_entries(skel->maps.conns, dp->conn_capacity);
	/* Affinity entries: one per client (or call), fewer than flows. */
	bpf_map__set_max_entries(skel->maps.persist,
				 dp->conn_capacity / 4 ? dp->conn_capacity / 4 : 1);
	bpf_map__set_max_entries(skel->maps.nat_flows, 2 * dp->conn_capacity);
	bpf_map__set_max_entries(skel->maps.snat_sources, dp->max_services);
	ret = pin_prepare(dp, dp->config->global.run_dir);
	if (ret)
		return ret;
	ret = xvs_lb__load(skel);
	if (ret) {
		log_error("load BPF programs: %s", strerror(-ret));
		return ret;
	}
	dp->slot_capacity = bpf_map__max_entries(skel->maps.service_slots);
	dp->max_services = bpf_map__max_entries(skel->maps.service_state);
	dp->max_backends = bpf_map__max_entries(skel->maps.backends);
	dp->conn_capacity = bpf_map__max_entries(skel->maps.conns);
	if (tenant_host_init(dp))
		return -ENOMEM;
	dp->service_used = calloc(dp->max_services, 1);
	dp->backend_used = calloc(dp->max_backends, 1);
	dp->backend_index = calloc(dp->max_backends, sizeof(*dp->backend_index));
	dp->backend_service = calloc(dp->max_backends, sizeof(*dp->backend_service));
	if (!dp->service_used || !dp->backend_used || !dp->backend_index || !dp->backend_service)
		return -ENOMEM;
	return 0;
}

int dataplane__open(const struct config *config, struct dataplane **out)
{
	struct dataplane *dp;
	char error[512] = "";
	int ret;

	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	dp->config = config;
	dp->cpu_count = libbpf_num_possible_cpus();
	dp->netlink = netlink__open();
	if (dp->cpu_count <= 0 || !dp->netlink) {
		ret = -ENOMEM;
		goto fail;
	}
	if (route_watch_open(dp))
		log_warn("route notifications: nat/snat replies look every route up");
	ret = skeleton_load(dp);
	if (ret)
		goto fail;
	ret = conntrack_open(dp);
	if (ret) {
		log_error("connection table reaper thread: %s", strerror(-ret));
		goto fail;
	}
	if (dp->adopted) {
		/* What the previous daemon left: a reload against that state. */
		tenants_adopt(dp);
		ret = reload_adopt(dp, config);
		if (ret)
			goto fail;
		pin_interfaces_adopt(dp);
	}
	ret = dataplane__reload(dp, config, error, sizeof(error));
	if (ret) {
		log_error("%s", error);
		goto fail;
	}
	*out = dp;
	return 0;
fail:
	if (dp->adopted) {
		/* The previous daemon's data plane keeps forwarding. */
		log_error("leaving the pinned data plane in %s in place", dp->pin_dir);
		dataplane__abandon(dp);
	} else {
		dataplane__close(dp);
	}
	return ret;
}

void dataplane__close(struct dataplane *dp)
{
	if (!dp)
		return;
	for (size_t i = dp->interface_count; i-- > 0;)
		pin_interface_detach(dp, i);
	forwarding_restore(dp);
	tenants_close(dp, true);
	pin_remove(dp);
	dataplane__abandon(dp);
}

/* After a crash the sysctls stay set: the next xvsd finds them at 1 and so
 * does not restore them at its exit (they are left on). */
void dataplane__abandon(struct dataplane *dp)
{
	if (!dp)
		return;
	for (size_t i = 0; i < dp->interface_count; i++)
		close(dp->interfaces[i].link_fd);
	conntrack_close(dp); /* before the maps it walks go */
	free(dp->forwarding);
	tenants_close(dp, false);
	route_watch_close(dp);
	xvs_lb__destroy(dp->skel);
	for (size_t s = 0; s < dp->service_count; s++)
		free(dp->services[s].backends);
	free(dp->services);
	free(dp->backend_index);
	free(dp->backend_service);
	free(dp->service_used);
	free(dp->backend_used);
	free(dp->retired);
	free(dp->interfaces);
	netlink__close(dp->netlink);
	free(dp);
}

void dataplane__tick(struct dataplane *dp)
{
	neighbours_refresh(dp, false);
	conntrack_start(dp);
}

size_t dataplane__service_count(const struct dataplane *dp)
{
	return dp->service_count;
}

struct dp_service *dataplane__service(struct dataplane *dp, size_t index)
{
	return index < dp->service_count ? &dp->services[index] : NULL;
}

struct dp_service *dataplane__service_by_name(struct dataplane *dp, const char *name)
{
	for (size_t i = 0; i < dp->service_count; i++)
		if (!strcmp(dp->services[i].conf->name, name))
			return &dp->services[i];
	return NULL;
}

static void counters_read(struct dataplane *dp, struct bpf_map *map, uint32_t key,
			  struct xvs_counters *out)
{
	struct xvs_counters percpu[dp->cpu_count];

	memset(out, 0, sizeof(*out));
	if (bpf_map__lookup_elem(map, &key, sizeof(key), percpu, sizeof(percpu), 0))
		return;
	mapenc_counters_sum(percpu, dp->cpu_count, out);
}

void dataplane__service_counters(struct dataplane *dp, const struct dp_service *service,
				 struct xvs_counters *out)
{
	counters_read(dp, dp->skel->maps.service_stats, service->id, out);
}

void dataplane__backend_counters(struct dataplane *dp, const struct dp_backend *backend,
				 struct xvs_counters *out)
{
	counters_read(dp, dp->skel->maps.backend_stats, backend->id, out);
}

void dataplane__backend_conns(struct dataplane *dp, const struct dp_backend *backend,
			      struct xvs_backend_conns *out)
{
	memset(out, 0, sizeof(*out));
	bpf_map__lookup_elem(dp->skel->maps.backend_conns, &backend->id, sizeof(backend->id), out,
			     sizeof(*out), 0);
}

static uint64_t percpu_u64_sum(struct dataplane *dp, struct bpf_map *map, uint32_t key)
{
	uint64_t values[dp->cpu_count], total = 0;

	if (bpf_map__lookup_elem(map, &key, sizeof(key), values, sizeof(values), 0))
		return 0;
	for (int i = 0; i < dp->cpu_count; i++)
		total += values[i];
	return total;
}

uint64_t dataplane__drops(struct dataplane *dp, enum xvs_drop_reason reason)
{
	return percpu_u64_sum(dp, dp->skel->maps.drops, reason);
}

uint64_t dataplane__passes(struct dataplane *dp, enum xvs_pass_reason reason)
{
	return percpu_u64_sum(dp, dp->skel->maps.passes, reason);
}

uint64_t dataplane__persist_events(struct dataplane *dp, enum xvs_persist_event event)
{
	return percpu_u64_sum(dp, dp->skel->maps.persist_events, event);
}

const struct dp_conn_scan *dataplane__conn_scan(const struct dataplane *dp)
{
	return &dp->scan;
}

bool dataplane__attachment(const struct dataplane *dp, size_t index, const char **name,
			   const char **namespace_name)
{
	const struct dp_tenant *tenant;

	if (index >= dp->interface_count)
		return false;
	tenant = dp->tenants[dp->interfaces[index].tenant];
	*name = dp->interfaces[index].name;
	*namespace_name = tenant ? tenant->namespace_name : "";
	return true;
}

uint32_t dataplane__conn_capacity(const struct dataplane *dp)
{
	return dp->conn_capacity;
}

int dataplane__conns_fd(const struct dataplane *dp)
{
	return bpf_map__fd(dp->skel->maps.conns);
}

const struct dp_backend *dataplane__backend_by_id(struct dataplane *dp, uint32_t id,
						  const struct dp_service **service)
{
	if (id >= dp->max_backends || !dp->backend_index[id])
		return NULL;
	if (service)
		*service = dp->backend_service[id];
	return dp->backend_index[id];
}

const char *dataplane__backend_state(const struct dp_backend *backend)
{
	if (backend->admin == BACKEND_DISABLED)
		return "disabled";
	if (!backend->ready || backend->health.down)
		return "down";
	if (dataplane__backend_weight(backend) == 0)
		return "drain";
	return "up";
}

uint32_t dataplane__backend_weight(const struct dp_backend *backend)
{
	if (backend->admin == BACKEND_DRAIN)
		return 0;
	return backend->weight_set ? backend->weight : backend->conf->weight;
}

int dataplane_settings_write(struct dataplane *dp)
{
	return settings_write(dp);
}

int dataplane_backend_write(struct dataplane *dp, const struct dp_service *service,
			    const struct dp_backend *backend)
{
	return backend_write(dp, service, backend);
}

int dataplane_service_slots_write(struct dataplane *dp, struct dp_service *service)
{
	return service_slots_write(dp, service);
}

void dataplane_neighbours_refresh(struct dataplane *dp, bool force)
{
	neighbours_refresh(dp, force);
}

int dataplane_snat_write(struct dataplane *dp, const struct dp_service *service)
{
	return snat_write(dp, service);
}

struct dp_backend *dataplane__backend_find(struct dataplane *dp, const char *service,
					   const struct inet_addr *addr, uint16_t port,
					   struct dp_service **owner)
{
	struct dp_service *found = dataplane__service_by_name(dp, service);

	for (size_t i = 0; found && i < found->backend_count; i++) {
		struct dp_backend *backend = &found->backends[i];
		uint16_t backend_port = backend->conf->port ? backend->conf->port
							    : found->conf->port;

		if (inet_addr_equal(&backend->conf->addr, addr) &&
		    (port == 0 || port == backend_port)) {
			*owner = found;
			return backend;
		}
	}
	return NULL;
}

struct dp_backend *dataplane__backend_of(struct dataplane *dp, uint32_t id,
					 struct dp_service **service)
{
	if (id >= dp->max_backends || !dp->backend_index[id])
		return NULL;
	*service = dp->backend_service[id];
	return dp->backend_index[id];
}

int dataplane__backend_health_apply(struct dataplane *dp, struct dp_service *service,
				    struct dp_backend *backend)
{
	int ret = backend_write(dp, service, backend);

	if (!ret)
		ret = service_slots_write(dp, service);
	return ret;
}

int dataplane__backend_override(struct dataplane *dp, struct dp_service *service,
				struct dp_backend *backend, int64_t weight, int admin)
{
	const char *before = dataplane__backend_state(backend);
	int ret;

	if (weight >= 0) {
		backend->weight = (uint32_t)weight;
		backend->weight_set = true;
	}
	if (admin >= 0) {
		backend->admin = (enum backend_admin)admin;
		if (admin == BACKEND_ENABLED)
			backend->weight_set = false;
	}
	ret = backend_write(dp, service, backend);
	if (!ret)
		ret = service_slots_write(dp, service);
	if (strcmp(before, dataplane__backend_state(backend)))
		backend->since = time(NULL);
	log_info("service %s: backend %s: %s, weight %u", service->conf->name,
		 inet_addr_format(&backend->conf->addr, (char[INET6_ADDRSTRLEN]){ 0 },
				  INET6_ADDRSTRLEN),
		 dataplane__backend_state(backend), dataplane__backend_weight(backend));
	return ret;
}
