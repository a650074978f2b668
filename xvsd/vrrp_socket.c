// SPDX-License-Identifier: GPL-2.0-only
/* VRRP on the wire: a raw socket (protocol 112) per router, bound to its interface,
 * joined to 224.0.0.18 or ff02::12 unless it talks to unicast peers. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "vrrp_internal.h"

static const char *name_of(const struct vrrp_router *router)
{
	return router->instance->conf.name;
}

static bool is_vip(const struct vrrp *speaker, const struct inet_addr *address)
{
	for (size_t i = 0; i < speaker->instance_count; i++) {
		const struct config_vrrp *conf = &speaker->instances[i]->conf;

		for (size_t v = 0; v < conf->vip_count; v++)
			if (inet_addr_equal(&conf->vips[v].addr, address))
				return true;
	}
	return false;
}

static bool usable_primary(const struct vrrp_router *router, const struct sockaddr *sa,
			   struct inet_addr *address)
{
	memset(address, 0, sizeof(*address));
	address->family = sa->sa_family;
	if (sa->sa_family == AF_INET) {
		address->v4 = ((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	} else {
		address->v6 = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		/* RFC 5798 5.1.2.1: IPv6 adverts come from the link-local address. */
		if (!IN6_IS_ADDR_LINKLOCAL(&address->v6))
			return false;
	}
	return !is_vip(router->speaker, address);
}

/* Interface index, MAC and the first address of the family that is not a VIP.
 * Returns 0, or -ENODEV when the interface is missing. */
int vrrp_interface_lookup(struct vrrp_router *router)
{
	const char *ifname = router->instance->conf.interface;
	struct ifaddrs *list = NULL, *entry;
	struct inet_addr address;

	router->ifindex = if_nametoindex(ifname);
	router->primary.family = router->global.family = 0;
	if (!router->ifindex || getifaddrs(&list) < 0)
		return -ENODEV;
	for (entry = list; entry; entry = entry->ifa_next) {
		if (!entry->ifa_addr || strcmp(entry->ifa_name, ifname))
			continue;
		if (entry->ifa_addr->sa_family == AF_PACKET) {
			const struct sockaddr_ll *link = (const void *)entry->ifa_addr;

			if (link->sll_halen == 6)
				memcpy(router->mac, link->sll_addr, 6);
		} else if (entry->ifa_addr->sa_family == router->family &&
			   !router->primary.family &&
			   usable_primary(router, entry->ifa_addr, &address)) {
			router->primary = address;
		} else if (entry->ifa_addr->sa_family == AF_INET6 && router->family == AF_INET6 &&
			   !router->global.family &&
			   !IN6_IS_ADDR_LINKLOCAL(
				   &((struct sockaddr_in6 *)(void *)entry->ifa_addr)->sin6_addr)) {
			address.family = AF_INET6;
			address.v6 = ((struct sockaddr_in6 *)(void *)entry->ifa_addr)->sin6_addr;
			if (!is_vip(router->speaker, &address))
				router->global = address;
		}
	}
	freeifaddrs(list);
	return 0;
}

static int option(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

static int join_ipv4(struct vrrp_router *router, int fd)
{
	struct ip_mreqn request = { .imr_ifindex = (int)router->ifindex };

	inet_pton(AF_INET, "224.0.0.18", &request.imr_multiaddr);
	if (option(fd, IPPROTO_IP, IP_HDRINCL, 1) || option(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0) ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &request, sizeof(request)))
		return -errno;
	if (router->instance->conf.unicast_peer_count)
		return 0;
	return setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &request, sizeof(request)) ? -errno
										       : 0;
}

static int join_ipv6(struct vrrp_router *router, int fd)
{
	struct ipv6_mreq request = { .ipv6mr_interface = router->ifindex };
	int ifindex = (int)router->ifindex;

	inet_pton(AF_INET6, "ff02::12", &request.ipv6mr_multiaddr);
	if (option(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, VRRP_TTL) ||
	    option(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, VRRP_TTL) ||
	    option(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0) ||
	    option(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) ||
	    option(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)))
		return -errno;
	if (router->instance->conf.unicast_peer_count)
		return 0;
	return setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &request, sizeof(request))
		       ? -errno : 0;
}

int vrrp_socket_open(struct vrrp_router *router)
{
	const char *ifname = router->instance->conf.interface;
	int fd, err;

	fd = socket(router->family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, VRRP_PROTOCOL);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname))) {
		err = -errno;
		goto fail;
	}
	err = router->family == AF_INET ? join_ipv4(router, fd) : join_ipv6(router, fd);
	if (err)
		goto fail;
	router->socket_watch.kind = VRRP_WATCH_ADVERTS;
	router->socket_watch.router = router;
	err = vrrp_watch_add(router->speaker, fd, &router->socket_watch);
	if (err)
		goto fail;
	router->socket_fd = fd;
	return 0;
fail:
	log_warnx("vrrp %s: socket on %s: %s", name_of(router), ifname, strerror(-err));
	if (fd >= 0)
		close(fd);
	return err;
}

void vrrp_socket_close(struct vrrp_router *router)
{
	if (router->socket_fd >= 0)
		close(router->socket_fd); /* leaves the epoll set and the group */
	router->socket_fd = -1;
}

static void advert_fill(const struct vrrp_router *router, uint8_t priority,
			struct vrrp_advert *advert)
{
	const struct config_vrrp *conf = &router->instance->conf;

	memset(advert, 0, sizeof(*advert));
	advert->version = conf->version;
	advert->vrid = conf->vrid;
	advert->priority = priority;
	advert->interval_cs = (uint16_t)(conf->advert_ms / 10);
	advert->source = router->primary;
	advert->address_count = (uint8_t)router->vip_count;
	for (size_t i = 0; i < router->vip_count; i++)
		advert->addresses[i] = router->vips[i].addr;
}

static int send_to(struct vrrp_router *router, struct vrrp_advert *advert,
		   const struct inet_addr *destination)
{
	uint8_t packet[VRRP_PACKET_MAX];
	struct sockaddr_storage to = { 0 };
	union {
		struct cmsghdr header;
		uint8_t space[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} control = { 0 };
	struct iovec iov = { packet, 0 };
	struct msghdr message = { &to, 0, &iov, 1, NULL, 0, 0 };
	int length;

	advert->destination = *destination;
	if (router->family == AF_INET) {
		struct sockaddr_in *sin = (void *)&to;

		length = vrrp_packet__encode_ipv4(advert, packet, sizeof(packet));
		sin->sin_family = AF_INET;
		sin->sin_addr = destination->v4;
		message.msg_namelen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (void *)&to;
		struct in6_pktinfo *info;

		/* Multicast and link-local peers hear us from the link-local address
		 * (RFC 5798 5.1.2.1); a global unicast peer from our global address,
		 * which is what its unicast_peer line names. */
		if (!IN6_IS_ADDR_MULTICAST(&destination->v6) &&
		    !IN6_IS_ADDR_LINKLOCAL(&destination->v6) && router->global.family)
			advert->source = router->global;
		else
			advert->source = router->primary;
		length = vrrp_packet__encode(advert, packet, sizeof(packet));
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = destination->v6;
		sin6->sin6_scope_id = router->ifindex;
		message.msg_namelen = sizeof(*sin6);
		message.msg_control = &control;
		message.msg_controllen = sizeof(control.space);
		control.header.cmsg_level = IPPROTO_IPV6;
		control.header.cmsg_type = IPV6_PKTINFO;
		control.header.cmsg_len = CMSG_LEN(sizeof(*info));
		info = (void *)CMSG_DATA(&control.header);
		info->ipi6_addr = advert->source.v6;
		info->ipi6_ifindex = router->ifindex;
	}
	if (length < 0)
		return length;
	iov.iov_len = (size_t)length;
	return sendmsg(router->socket_fd, &message, 0) < 0 ? -errno : 0;
}

int vrrp_socket_send(struct vrrp_router *router, uint8_t priority)
{
	const struct config_vrrp *conf = &router->instance->conf;
	struct vrrp_advert advert;
	struct inet_addr group = { .family = router->family };
	int err = 0;

	if (router->socket_fd < 0 || !router->primary.family)
		return -ENOTCONN;
	advert_fill(router, priority, &advert);
	if (!conf->unicast_peer_count) {
		if (router->family == AF_INET)
			inet_pton(AF_INET, "224.0.0.18", &group.v4);
		else
			inet_pton(AF_INET6, "ff02::12", &group.v6);
		err = send_to(router, &advert, &group);
	}
	for (size_t i = 0; i < conf->unicast_peer_count; i++) {
		int ret;

		if (conf->unicast_peers[i].family != router->family)
			continue;
		ret = send_to(router, &advert, &conf->unicast_peers[i]);
		err = err ? err : ret;
	}
	if (err) {
		router->counters.send_errors++;
		if (router->counters.send_errors < 10 || router->counters.send_errors % 1000 == 0)
			log_warnx("vrrp %s %s: sending an advert: %s", conf->name,
				  vrrp_family_name(router->family), strerror(-err));
	} else {
		router->counters.sent++;
	}
	return err;
}

/* Another router of this speaker on the same link and family has vrid: its
 * own socket sees the packet too, so it is not a stranger's here. */
static bool vrid_local(const struct vrrp_router *router, uint8_t vrid)
{
	const struct vrrp *speaker = router->speaker;

	for (size_t i = 0; i < speaker->instance_count; i++) {
		const struct vrrp_instance *instance = speaker->instances[i];
		const struct vrrp_router *other = instance->routers[router->family == AF_INET6];

		if (other && other != router && other->ifindex == router->ifindex &&
		    instance->conf.vrid == vrid)
			return true;
	}
	return false;
}

static bool peer_known(const struct config_vrrp *conf, const struct inet_addr *source)
{
	for (size_t i = 0; i < conf->unicast_peer_count; i++)
		if (inet_addr_equal(&conf->unicast_peers[i], source))
			return true;
	return false;
}

/* The checks of RFC 5798 7.1 that need the instance. */
static enum vrrp_drop advert_check(const struct vrrp_router *router,
				   const struct vrrp_advert *advert)
{
	const struct config_vrrp *conf = &router->instance->conf;

	if (advert->vrid != conf->vrid)
		return VRRP_DROP_VRID;
	if (conf->unicast_peer_count && !peer_known(conf, &advert->source))
		return VRRP_DROP_PEER;
	if (advert->version != conf->version)
		return VRRP_DROP_VERSION;
	if (advert->address_count != router->vip_count)
		return VRRP_DROP_ADDRESS_COUNT;
	if (conf->version == 2 && advert->interval_cs != conf->advert_ms / 10)
		return VRRP_DROP_INTERVAL;
	return VRRP_ACCEPT;
}

static void ipv6_control(struct msghdr *message, struct vrrp_advert *advert)
{
	struct cmsghdr *control;

	for (control = CMSG_FIRSTHDR(message); control; control = CMSG_NXTHDR(message, control)) {
		if (control->cmsg_level != IPPROTO_IPV6)
			continue;
		if (control->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo info;

			memcpy(&info, CMSG_DATA(control), sizeof(info));
			advert->destination.v6 = info.ipi6_addr;
		} else if (control->cmsg_type == IPV6_HOPLIMIT) {
			int hops;

			memcpy(&hops, CMSG_DATA(control), sizeof(hops));
			advert->ttl = (uint8_t)hops;
		}
	}
}

/* Reads one packet; returns false when there is none. */
static bool receive_one(struct vrrp_router *router)
{
	uint8_t packet[VRRP_PACKET_MAX + 64];
	uint8_t control[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
	struct sockaddr_in6 from = { 0 };
	struct iovec iov = { packet, sizeof(packet) };
	struct msghdr message = { &from, sizeof(from), &iov, 1, control, sizeof(control), 0 };
	struct vrrp_advert advert;
	enum vrrp_drop verdict;
	size_t vrid_offset = 1;
	ssize_t length = recvmsg(router->socket_fd, &message, MSG_DONTWAIT);

	if (length < 0)
		return false;
	memset(&advert, 0, sizeof(advert));
	if (router->family == AF_INET) {
		verdict = vrrp_packet__decode_ipv4(packet, (size_t)length, &advert);
		if (length > 0)
			vrid_offset += (size_t)(packet[0] & 0x0f) * 4;
	} else {
		advert.source.family = advert.destination.family = AF_INET6;
		advert.source.v6 = from.sin6_addr;
		ipv6_control(&message, &advert);
		verdict = vrrp_packet__decode(packet, (size_t)length, &advert);
	}
	if (verdict == VRRP_ACCEPT && (inet_addr_equal(&advert.source, &router->primary) ||
				       inet_addr_equal(&advert.source, &router->global)))
		return true; /* our own */
	if (verdict == VRRP_ACCEPT)
		verdict = advert_check(router, &advert);
	if (verdict != VRRP_ACCEPT && (size_t)length > vrid_offset &&
	    vrid_local(router, packet[vrid_offset]))
		return true;
	if (verdict != VRRP_ACCEPT) {
		router->counters.dropped[verdict]++;
		return true;
	}
	router->counters.received++;
	vrrp_router_advert(router, &advert);
	return true;
}

void vrrp_socket_receive(struct vrrp_router *router)
{
	/* Bounded: a flood cannot hold the event loop. */
	for (int i = 0; i < 64 && router->socket_fd >= 0; i++)
		if (!receive_one(router))
			break;
}
