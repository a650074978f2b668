// SPDX-License-Identifier: GPL-2.0-only
/* What a master does to its links: VIPs on their interfaces through rtnetlink, and
 * gratuitous ARP / unsolicited neighbour advertisements so hosts follow it. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netpacket/packet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "netlink.h"
#include "vrrp_internal.h"

int vrrp_address_open(struct vrrp *speaker)
{
	struct icmp6_filter filter;
	int hops = 255;

	speaker->netlink = netlink__open();
	/* Protocol 0: this socket only sends, it receives no frame. */
	speaker->arp_fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	speaker->na_fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
				IPPROTO_ICMPV6);
	if (!speaker->netlink || speaker->arp_fd < 0 || speaker->na_fd < 0) {
		log_warn("vrrp: address sockets");
		return -errno ? -errno : -ENOMEM;
	}
	ICMP6_FILTER_SETBLOCKALL(&filter);
	if (setsockopt(speaker->na_fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter)) ||
	    setsockopt(speaker->na_fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) ||
	    setsockopt(speaker->na_fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops))) {
		log_warn("vrrp: neighbour advertisement socket");
		return -errno;
	}
	return 0;
}

void vrrp_address_close(struct vrrp *speaker)
{
	netlink__close(speaker->netlink);
	speaker->netlink = NULL;
	if (speaker->arp_fd >= 0)
		close(speaker->arp_fd);
	if (speaker->na_fd >= 0)
		close(speaker->na_fd);
	speaker->arp_fd = speaker->na_fd = -1;
}

/* The interface vip i lives on: its index (0: missing) and MAC. */
static unsigned int vip_interface(const struct vrrp_router *router, size_t i,
				  const uint8_t **mac)
{
	const struct vrrp_link *link;

	if (router->vip_links[i] < 0) {
		*mac = router->mac;
		return router->ifindex;
	}
	link = &router->links[router->vip_links[i]];
	*mac = link->mac;
	return link->ifindex;
}

static void vips_change(struct vrrp_router *router, bool add)
{
	char text[INET6_ADDRSTRLEN];

	if (!router->speaker->netlink)
		return;
	for (size_t i = 0; i < router->vip_count; i++) {
		const uint8_t *mac;
		unsigned int ifindex = vip_interface(router, i, &mac);
		int err;

		if (!ifindex)
			continue;
		err = netlink__address(router->speaker->netlink, add, ifindex,
				       &router->vips[i].addr, router->vips[i].prefix_len);
		if (err)
			log_warnx("vrrp %s: %s vip %s: %s", router->instance->conf.name,
				  add ? "adding" : "removing",
				  inet_addr_format(&router->vips[i].addr, text, sizeof(text)),
				  strerror(-err));
	}
	router->vips_added = add;
}

void vrrp_vips_add(struct vrrp_router *router)
{
	vips_change(router, true);
}

/* Also when none were added here: a daemon killed as master left them. */
void vrrp_vips_remove(struct vrrp_router *router)
{
	vips_change(router, false);
}

struct arp_message {
	uint16_t hardware_type, protocol_type;
	uint8_t hardware_length, protocol_length;
	uint16_t operation;
	uint8_t sender_mac[6], sender_ip[4], target_mac[6], target_ip[4];
} __attribute__((packed));

/* A gratuitous ARP request: sender and target are the VIP (RFC 5227 "ARP
 * Announcement"), so every host with the VIP in its cache takes our MAC. */
static int garp_send(struct vrrp_router *router, const struct inet_addr *vip,
		     unsigned int ifindex, const uint8_t *mac)
{
	struct arp_message arp = {
		.hardware_type = htons(ARPHRD_ETHER), .protocol_type = htons(ETH_P_IP),
		.hardware_length = 6, .protocol_length = 4, .operation = htons(ARPOP_REQUEST),
	};
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
		.sll_ifindex = (int)ifindex, .sll_halen = 6,
	};

	memcpy(arp.sender_mac, mac, 6);
	memcpy(arp.sender_ip, &vip->v4, 4);
	memcpy(arp.target_ip, &vip->v4, 4);
	memset(to.sll_addr, 0xff, 6);
	return sendto(router->speaker->arp_fd, &arp, sizeof(arp), 0, (struct sockaddr *)&to,
		      sizeof(to)) < 0 ? -errno : 0;
}

/* An unsolicited neighbour advertisement to all nodes with the override flag
 * (RFC 4861 7.2.6); the kernel fills the ICMPv6 checksum. */
static int unsolicited_na_send(struct vrrp_router *router, const struct inet_addr *vip,
			       unsigned int ifindex, const uint8_t *mac)
{
	struct {
		struct nd_neighbor_advert advert;
		struct nd_opt_hdr option;
		uint8_t mac[6];
	} __attribute__((packed)) message = {
		.advert.nd_na_type = ND_NEIGHBOR_ADVERT,
		.advert.nd_na_flags_reserved = ND_NA_FLAG_OVERRIDE,
		.option = { .nd_opt_type = ND_OPT_TARGET_LINKADDR, .nd_opt_len = 1 },
	};
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_scope_id = ifindex };

	message.advert.nd_na_target = vip->v6;
	memcpy(message.mac, mac, 6);
	inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
	return sendto(router->speaker->na_fd, &message, sizeof(message), 0,
		      (struct sockaddr *)&to, sizeof(to)) < 0 ? -errno : 0;
}

/* Each VIP on its own interface, from that interface's MAC. */
void vrrp_announce(struct vrrp_router *router)
{
	char text[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < router->vip_count; i++) {
		const struct inet_addr *vip = &router->vips[i].addr;
		const uint8_t *mac;
		unsigned int ifindex = vip_interface(router, i, &mac);
		int err;

		if (!ifindex)
			continue;
		err = vip->family == AF_INET ? garp_send(router, vip, ifindex, mac)
					     : unsolicited_na_send(router, vip, ifindex, mac);

		if (err)
			log_warnx("vrrp %s: announcing %s: %s", router->instance->conf.name,
				  inet_addr_format(vip, text, sizeof(text)), strerror(-err));
		else
			router->counters.garps++;
	}
}
