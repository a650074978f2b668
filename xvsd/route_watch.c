// SPDX-License-Identifier: GPL-2.0-only
/* The route generation of each tenant (bpf/maps.h route_generation): bumped on
 * rtnetlink route, rule, link and neighbour changes, so that the next hops the
 * nat/snat reply path caches per flow go stale as soon as the kernel's change. */
#include "dataplane_internal.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

/* Neighbours the daemon has been told of, so that the notifications of a
 * neighbour whose link-layer address stays the same (REACHABLE -> STALE ->
 * DELAY -> REACHABLE, every few seconds for each backend xvsd re-confirms)
 * do not invalidate every cached next hop. Sets of NEIGH_WAYS entries; a
 * neighbour pushed out of its set counts as unknown (its next notification
 * bumps the generation, which is only ever too careful). */
#define NEIGH_SETS 4096
#define NEIGH_WAYS 4
/* Receive calls per readiness, so that a storm cannot hold the event loop. */
#define RECEIVE_BATCHES 64
#define RECEIVE_BUFFER 65536

struct neigh_slot {
	uint8_t used;
	uint8_t valid;        /* the kernel can send to it (NUD_VALID) */
	uint8_t family;
	uint8_t lladdr[6];
	uint16_t tenant;
	uint32_t ifindex;
	uint8_t addr[16];
};

struct route_watch {
	int epoll_fd;
	struct neigh_slot neighbours[NEIGH_SETS * NEIGH_WAYS];
	char buffer[RECEIVE_BUFFER];
};

int route_watch_open(struct dataplane *dp)
{
	struct route_watch *watch = calloc(1, sizeof(*watch));

	if (!watch)
		return -ENOMEM;
	watch->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (watch->epoll_fd < 0) {
		free(watch);
		return -errno;
	}
	dp->route_watch = watch;
	return 0;
}

void route_watch_close(struct dataplane *dp)
{
	if (!dp->route_watch)
		return;
	close(dp->route_watch->epoll_fd);
	free(dp->route_watch);
	dp->route_watch = NULL;
}

int dataplane__route_fd(const struct dataplane *dp)
{
	return dp && dp->route_watch ? dp->route_watch->epoll_fd : -1;
}

/* A new generation for the tenant (never 0, which turns caching off). */
static void generation_bump(struct dataplane *dp, uint16_t tenant)
{
	uint32_t key = tenant, value = 0;

	bpf_map__lookup_elem(dp->skel->maps.route_generation, &key, sizeof(key), &value,
			     sizeof(value), 0);
	value = value + 1 ? value + 1 : 1;
	if (bpf_map__update_elem(dp->skel->maps.route_generation, &key, sizeof(key), &value,
				 sizeof(value), BPF_ANY))
		log_warn("route_generation: tenant %u", tenant);
}

/* Nobody listens for the tenant: no next hop is cached for it. */
static void generation_off(struct dataplane *dp, uint16_t tenant)
{
	uint32_t key = tenant, value = 0;

	bpf_map__update_elem(dp->skel->maps.route_generation, &key, sizeof(key), &value,
			     sizeof(value), BPF_ANY);
}

static uint32_t neigh_hash(const struct neigh_slot *key)
{
	uint32_t hash = 2166136261u ^ key->tenant ^ (uint32_t)key->family << 16;
	uint32_t word;

	hash = (hash ^ key->ifindex) * 16777619u;
	for (size_t i = 0; i < sizeof(key->addr); i += 4) {
		memcpy(&word, key->addr + i, 4);
		hash = (hash ^ word) * 16777619u;
		hash ^= hash >> 15;
	}
	return hash;
}

static bool neigh_same(const struct neigh_slot *a, const struct neigh_slot *b)
{
	return a->used && a->family == b->family && a->tenant == b->tenant &&
	       a->ifindex == b->ifindex && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* Records what a notification says of a neighbour and whether that can
 * change a lookup made before: it became unusable, or its address
 * changed, or the daemon did not know it. */
static bool neigh_record(struct route_watch *watch, const struct neigh_slot *seen)
{
	uint32_t hash = neigh_hash(seen);
	struct neigh_slot *set = &watch->neighbours[(hash % NEIGH_SETS) * NEIGH_WAYS];
	struct neigh_slot *slot = NULL;
	bool changed = true;

	for (int way = 0; way < NEIGH_WAYS && !slot; way++)
		if (neigh_same(&set[way], seen))
			slot = &set[way];
	if (slot)
		changed = slot->valid != seen->valid ||
			  (seen->valid && memcmp(slot->lladdr, seen->lladdr, 6));
	for (int way = 0; way < NEIGH_WAYS && !slot; way++)
		if (!set[way].used)
			slot = &set[way];
	if (!slot)
		slot = &set[(hash >> 24) % NEIGH_WAYS];
	*slot = *seen;
	return changed;
}

static bool neigh_changed(struct route_watch *watch, uint16_t tenant,
			  const struct nlmsghdr *message)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(message);
	struct neigh_slot seen = { .used = 1, .tenant = tenant };
	const struct nlattr *attr;
	bool has_dst = false;

	if (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6)
		return false; /* bridge forwarding entries and the like */
	seen.family = ndm->ndm_family;
	seen.ifindex = (uint32_t)ndm->ndm_ifindex;
	seen.valid = message->nlmsg_type == RTM_NEWNEIGH &&
		     (ndm->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
					NUD_PERMANENT | NUD_NOARP));
	mnl_attr_for_each(attr, message, sizeof(*ndm)) {
		uint16_t length = mnl_attr_get_payload_len(attr);

		if (mnl_attr_get_type(attr) == NDA_DST && length <= sizeof(seen.addr)) {
			memcpy(seen.addr, mnl_attr_get_payload(attr), length);
			has_dst = true;
		} else if (mnl_attr_get_type(attr) == NDA_LLADDR && length == 6) {
			memcpy(seen.lladdr, mnl_attr_get_payload(attr), 6);
		}
	}
	return !has_dst || neigh_record(watch, &seen);
}

/* Whether one notification can change what bpf_fib_lookup answers. */
static bool message_changes(struct route_watch *watch, uint16_t tenant,
			    const struct nlmsghdr *message)
{
	switch (message->nlmsg_type) {
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		if (message->nlmsg_len < NLMSG_LENGTH(sizeof(struct ndmsg)))
			return true;
		return neigh_changed(watch, tenant, message);
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
	case RTM_NEWRULE:
	case RTM_DELRULE:
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return true;
	default:
		return false;
	}
}

/* Reads what is waiting on a tenant's socket; true when the generation must
 * change (a change, or notifications lost to an overrun). */
static bool tenant_receive(struct route_watch *watch, const struct dp_tenant *tenant)
{
	bool changed = false;

	for (int batch = 0; batch < RECEIVE_BATCHES; batch++) {
		ssize_t length = recv(tenant->route_fd, watch->buffer, sizeof(watch->buffer),
				      MSG_DONTWAIT);
		const struct nlmsghdr *message = (const struct nlmsghdr *)watch->buffer;
		int remaining = (int)length;

		if (length < 0 && errno == ENOBUFS) {
			changed = true;
			continue;
		}
		if (length <= 0)
			break;
		for (; mnl_nlmsg_ok(message, remaining);
		     message = mnl_nlmsg_next(message, &remaining))
			if (!changed && message_changes(watch, tenant->id, message))
				changed = true;
	}
	return changed;
}

void dataplane__route_run(struct dataplane *dp)
{
	struct epoll_event events[16];
	int count;

	if (!dp || !dp->route_watch)
		return;
	count = epoll_wait(dp->route_watch->epoll_fd, events, 16, 0);
	for (int i = 0; i < count; i++) {
		struct dp_tenant *tenant = dp->tenants[events[i].data.u32 % XVS_MAX_TENANTS];

		if (tenant && tenant->route_fd >= 0 && tenant_receive(dp->route_watch, tenant))
			generation_bump(dp, tenant->id);
	}
}

/* The notification groups whose messages can change a FIB lookup. */
static int route_socket_bind(int fd)
{
	static const unsigned int groups[] = {
		RTNLGRP_LINK,        RTNLGRP_NEIGH,       RTNLGRP_IPV4_ROUTE,
		RTNLGRP_IPV6_ROUTE,  RTNLGRP_IPV4_RULE,   RTNLGRP_IPV6_RULE,
	};
	struct sockaddr_nl address = { .nl_family = AF_NETLINK };
	int size = 1 << 20;

	if (bind(fd, (struct sockaddr *)&address, sizeof(address)))
		return -errno;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[i],
			       sizeof(groups[i])))
			return -errno;
	/* A bigger buffer makes overruns (and their invalidations) rarer. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return 0;
}

int route_watch_tenant(struct dataplane *dp, struct dp_tenant *tenant)
{
	struct epoll_event event = { .events = EPOLLIN, .data.u32 = tenant->id };
	int fd, ret;

	tenant->route_fd = -1;
	if (!dp->route_watch)
		return 0;
	fd = netns_socket(tenant->netns_fd, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			  NETLINK_ROUTE);
	if (fd < 0) {
		generation_off(dp, tenant->id);
		return fd;
	}
	ret = route_socket_bind(fd);
	if (!ret && epoll_ctl(dp->route_watch->epoll_fd, EPOLL_CTL_ADD, fd, &event))
		ret = -errno;
	if (ret) {
		close(fd);
		generation_off(dp, tenant->id);
		return ret;
	}
	tenant->route_fd = fd;
	/* Whatever changed while nobody listened (a restart) is new. */
	generation_bump(dp, tenant->id);
	return 0;
}

void route_watch_tenant_close(struct dataplane *dp, struct dp_tenant *tenant, bool leaving)
{
	if (tenant->route_fd >= 0)
		close(tenant->route_fd);
	tenant->route_fd = -1;
	if (leaving && dp->skel)
		generation_bump(dp, tenant->id);
}
