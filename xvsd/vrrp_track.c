// SPDX-License-Identifier: GPL-2.0-only
/* What puts a router in FAULT: the carrier of its interfaces (its own and those its
 * VIPs live on) and its addresses, watched through rtnetlink notifications, and its
 * gateway, probed by ICMP echo every advert interval. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <net/if.h> /* before linux/icmp.h, which brings linux/if.h */
#include <linux/icmp.h>
#include <linux/rtnetlink.h>
#include <netinet/icmp6.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "vrrp_internal.h"

static bool watches_link(const struct vrrp_router *router)
{
	enum vrrp_method method = router->instance->conf.method;

	return method == VRRP_METHOD_LINK || method == VRRP_METHOD_LINK_GW;
}

static bool probes_gateway(const struct vrrp_router *router)
{
	enum vrrp_method method = router->instance->conf.method;

	return method == VRRP_METHOD_GW || method == VRRP_METHOD_LINK_GW;
}

static const struct inet_addr *gateway_of(const struct vrrp_router *router)
{
	const struct config_vrrp *conf = &router->instance->conf;

	return router->family == AF_INET ? &conf->gateway_v4 : &conf->gateway_v6;
}

/* Up and with carrier; -errno when the interface cannot be read. */
int vrrp_carrier(unsigned int ifindex)
{
	struct ifreq request = { 0 };
	int fd, ret;

	if (!if_indextoname(ifindex, request.ifr_name))
		return -ENODEV;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = ioctl(fd, SIOCGIFFLAGS, &request) < 0 ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	return (request.ifr_flags & IFF_UP) && (request.ifr_flags & IFF_RUNNING);
}

/* The interfaces of VIPs that live elsewhere than the own interface: index, MAC
 * and carrier, by name (an interface may come, go and come back with a new index). */
void vrrp_links_lookup(struct vrrp_router *router)
{
	for (size_t i = 0; i < router->link_count; i++) {
		struct vrrp_link *link = &router->links[i];
		struct ifreq request = { 0 };
		int fd;

		link->ifindex = if_nametoindex(link->name);
		link->carrier = link->ifindex && vrrp_carrier(link->ifindex) > 0;
		if (!link->ifindex)
			continue;
		snprintf(request.ifr_name, sizeof(request.ifr_name), "%s", link->name);
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && ioctl(fd, SIOCGIFHWADDR, &request) == 0)
			memcpy(link->mac, request.ifr_hwaddr.sa_data, 6);
		if (fd >= 0)
			close(fd);
	}
}

unsigned int vrrp_track_faults(const struct vrrp_router *router)
{
	unsigned int faults = 0;

	if (!router->ifindex)
		return VRRP_FAULT_INTERFACE;
	if (!router->primary.family)
		faults |= VRRP_FAULT_ADDRESS;
	if (router->socket_fd < 0)
		faults |= VRRP_FAULT_SOCKET;
	if (watches_link(router) && !router->carrier)
		faults |= VRRP_FAULT_LINK;
	for (size_t i = 0; i < router->link_count; i++) {
		if (!router->links[i].ifindex)
			faults |= VRRP_FAULT_INTERFACE;
		else if (watches_link(router) && !router->links[i].carrier)
			faults |= VRRP_FAULT_LINK;
	}
	if (probes_gateway(router) && router->gateway_down)
		faults |= VRRP_FAULT_GATEWAY;
	return faults;
}

int vrrp_links_open(struct vrrp *speaker)
{
	speaker->links = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!speaker->links ||
	    mnl_socket_bind(speaker->links, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR,
			    MNL_SOCKET_AUTOPID)) {
		log_warn("vrrp: link notifications");
		return -errno;
	}
	speaker->links_watch.kind = VRRP_WATCH_LINKS;
	return vrrp_watch_add(speaker, mnl_socket_get_fd(speaker->links), &speaker->links_watch);
}

/* A VIP interface's carrier changed, or it went (its index is then forgotten and
 * looked up again by name every second). Returns whether the router must look. */
static bool vip_link_changed(struct vrrp_router *router, unsigned int ifindex, bool carrier,
			     bool gone)
{
	bool changed = false;

	for (size_t i = 0; i < router->link_count; i++) {
		struct vrrp_link *link = &router->links[i];

		if (!link->ifindex || link->ifindex != ifindex ||
		    (link->carrier == carrier && !gone))
			continue;
		log_info("vrrp %s %s: vip interface %s %s", router->instance->conf.name,
			 vrrp_family_name(router->family), link->name,
			 gone ? "gone" : carrier ? "carrier up" : "carrier down");
		link->carrier = carrier;
		if (gone) {
			link->ifindex = 0;
			router->retry_due = vrrp_now() + VRRP_RETRY_NS;
		}
		changed = true;
	}
	return changed;
}

static void link_changed(struct vrrp *speaker, unsigned int ifindex, bool carrier, bool gone)
{
	for (size_t i = 0; i < speaker->instance_count; i++) {
		for (int f = 0; f < 2; f++) {
			struct vrrp_router *router = speaker->instances[i]->routers[f];
			bool changed;

			if (!router)
				continue;
			changed = vip_link_changed(router, ifindex, carrier, gone);
			if (router->ifindex == ifindex && router->carrier != carrier) {
				log_info("vrrp %s %s: %s carrier %s",
					 speaker->instances[i]->conf.name,
					 vrrp_family_name(router->family),
					 speaker->instances[i]->conf.interface,
					 carrier ? "up" : "down");
				router->carrier = carrier;
				changed = true;
			}
			if (changed)
				vrrp_router_faults(router, vrrp_track_faults(router));
		}
	}
}

/* An address came or went: the address adverts leave from may have changed. */
static void address_changed(struct vrrp *speaker, unsigned int ifindex)
{
	for (size_t i = 0; i < speaker->instance_count; i++) {
		for (int f = 0; f < 2; f++) {
			struct vrrp_router *router = speaker->instances[i]->routers[f];

			if (!router || router->ifindex != ifindex)
				continue;
			vrrp_interface_lookup(router);
			vrrp_router_faults(router, vrrp_track_faults(router));
		}
	}
}

static int link_message(const struct nlmsghdr *message, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(message);
	bool carrier;

	if (message->nlmsg_type == RTM_NEWADDR || message->nlmsg_type == RTM_DELADDR) {
		const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(message);

		address_changed(data, ifa->ifa_index);
		return MNL_CB_OK;
	}
	if (message->nlmsg_type != RTM_NEWLINK && message->nlmsg_type != RTM_DELLINK)
		return MNL_CB_OK;
	carrier = message->nlmsg_type == RTM_NEWLINK && (ifi->ifi_flags & IFF_UP) &&
		  (ifi->ifi_flags & IFF_LOWER_UP);
	link_changed(data, (unsigned int)ifi->ifi_index, carrier,
		     message->nlmsg_type == RTM_DELLINK);
	return MNL_CB_OK;
}

void vrrp_links_receive(struct vrrp *speaker)
{
	char buffer[16384];

	for (int i = 0; i < 64; i++) {
		ssize_t length = mnl_socket_recvfrom(speaker->links, buffer, sizeof(buffer));

		if (length <= 0) {
			if (length < 0 && errno == ENOBUFS)
				continue; /* lost notifications: the next ones still count */
			return;
		}
		mnl_cb_run(buffer, (size_t)length, 0, 0, link_message, speaker);
	}
}

/* Probes leave from an address of the node, never from a VIP: a VIP moves, and
 * the gateway's answer must reach this node whoever is master. */
static int probe_bind(const struct vrrp_router *router, int fd)
{
	const struct inet_addr *gateway = gateway_of(router);
	struct sockaddr_storage local = { 0 };
	socklen_t length;

	if (router->family == AF_INET) {
		struct sockaddr_in *sin = (void *)&local;

		sin->sin_family = AF_INET;
		sin->sin_addr = router->primary.v4;
		length = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (void *)&local;
		bool link_local = IN6_IS_ADDR_LINKLOCAL(&gateway->v6) || !router->global.family;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = link_local ? router->primary.v6 : router->global.v6;
		sin6->sin6_scope_id = link_local ? router->ifindex : 0;
		length = sizeof(*sin6);
	}
	return bind(fd, (struct sockaddr *)&local, length) ? -errno : 0;
}

int vrrp_probe_open(struct vrrp_router *router)
{
	const char *ifname = router->instance->conf.interface;
	int protocol = router->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	int fd, err;

	router->carrier = vrrp_carrier(router->ifindex) > 0;
	if (!probes_gateway(router))
		return 0;
	fd = socket(router->family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
				 (socklen_t)strlen(ifname))) {
		err = -errno;
		goto fail;
	}
	if (router->family == AF_INET) {
		struct icmp_filter filter = { ~(1u << ICMP_ECHOREPLY) };

		err = setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof(filter)) ? -errno : 0;
	} else {
		struct icmp6_filter filter;

		ICMP6_FILTER_SETBLOCKALL(&filter);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
		err = setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter))
			      ? -errno : 0;
	}
	router->probe_watch.kind = VRRP_WATCH_PROBES;
	router->probe_watch.router = router;
	if (!err)
		err = probe_bind(router, fd);
	if (!err)
		err = vrrp_watch_add(router->speaker, fd, &router->probe_watch);
	if (err)
		goto fail;
	router->probe_fd = fd;
	router->probe_due = vrrp_now();
	router->probe_answered = true; /* nothing sent yet */
	return 0;
fail:
	log_warnx("vrrp %s: gateway probe socket: %s", router->instance->conf.name,
		  strerror(-err));
	if (fd >= 0)
		close(fd);
	return err;
}

void vrrp_probe_close(struct vrrp_router *router)
{
	if (router->probe_fd >= 0)
		close(router->probe_fd);
	router->probe_fd = -1;
	router->probe_due = 0;
}

static void gateway_set(struct vrrp_router *router, bool down)
{
	char text[INET6_ADDRSTRLEN];

	if (router->gateway_down == down)
		return;
	router->gateway_down = down;
	log_info("vrrp %s %s: gateway %s %s", router->instance->conf.name,
		 vrrp_family_name(router->family),
		 inet_addr_format(gateway_of(router), text, sizeof(text)),
		 down ? "not answering" : "answers again");
}

/* Counts the previous probe's answer, then sends the next echo request. */
void vrrp_probe_send(struct vrrp_router *router)
{
	const struct inet_addr *gateway = gateway_of(router);
	struct sockaddr_storage to = { 0 };
	uint8_t message[16] = { 0 };
	socklen_t to_length;

	if (router->probe_fd < 0)
		return;
	router->probe_misses = router->probe_answered ? 0 : router->probe_misses + 1;
	gateway_set(router, router->probe_misses >= VRRP_PROBE_MISSES);
	message[0] = router->family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	message[4] = (uint8_t)(router->probe_id >> 8);
	message[5] = (uint8_t)router->probe_id;
	router->probe_seq++;
	message[6] = (uint8_t)(router->probe_seq >> 8);
	message[7] = (uint8_t)router->probe_seq;
	memcpy(message + 8, "xvs-vrrp", 8);
	if (router->family == AF_INET) {
		struct sockaddr_in *sin = (void *)&to;
		uint16_t sum = vrrp_packet__checksum(message, sizeof(message), 0);

		message[2] = (uint8_t)(sum >> 8);
		message[3] = (uint8_t)sum;
		sin->sin_family = AF_INET;
		sin->sin_addr = gateway->v4;
		to_length = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (void *)&to;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = gateway->v6;
		sin6->sin6_scope_id = router->ifindex;
		to_length = sizeof(*sin6);
	}
	router->probe_answered = false;
	if (sendto(router->probe_fd, message, sizeof(message), 0, (struct sockaddr *)&to,
		   to_length) >= 0)
		router->counters.probes_sent++;
}

void vrrp_probe_receive(struct vrrp_router *router)
{
	const struct inet_addr *gateway = gateway_of(router);
	uint8_t packet[256];
	struct sockaddr_storage from;

	for (int i = 0; i < 64; i++) {
		socklen_t from_length = sizeof(from);
		ssize_t length = recvfrom(router->probe_fd, packet, sizeof(packet), MSG_DONTWAIT,
					  (struct sockaddr *)&from, &from_length);
		const uint8_t *icmp = packet;
		bool from_gateway;

		if (length < 0)
			return;
		if (router->family == AF_INET) {
			size_t header = (size_t)(packet[0] & 0x0f) * 4;

			if ((size_t)length < header + 8)
				continue;
			icmp = packet + header;
			length -= (ssize_t)header;
			from_gateway = ((struct sockaddr_in *)&from)->sin_addr.s_addr ==
				       gateway->v4.s_addr;
		} else {
			from_gateway = !memcmp(&((struct sockaddr_in6 *)&from)->sin6_addr,
					       &gateway->v6, sizeof(gateway->v6));
		}
		if (length < 8 || !from_gateway ||
		    (icmp[4] << 8 | icmp[5]) != router->probe_id ||
		    (icmp[6] << 8 | icmp[7]) != router->probe_seq)
			continue;
		router->probe_answered = true;
		router->counters.probes_answered++;
		router->probe_misses = 0;
		if (router->gateway_down) {
			gateway_set(router, false);
			vrrp_router_faults(router, vrrp_track_faults(router));
		}
	}
}
