/* SPDX-License-Identifier: GPL-2.0-only */
/* rtnetlink queries the data plane needs: the route and interface toward a
 * backend, its neighbour (MAC) entry, and asking the kernel to resolve it;
 * VRRP adds and deletes its VIPs through it. */
#ifndef XVSD_NETLINK_H
#define XVSD_NETLINK_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

struct netlink;

struct route_info {
	uint32_t ifindex;       /* output interface */
	bool has_gateway;       /* next hop is a router, not the address itself */
	struct inet_addr gateway;
	bool has_prefsrc;       /* the source address the kernel would use */
	struct inet_addr prefsrc;
	uint32_t mtu;           /* the route's mtu metric; 0 = none (the interface's) */
};

struct netlink *netlink__open(void);
void netlink__close(struct netlink *nl); /* accepts NULL */
/* Like "ip route get ADDR". Returns 0 or negative errno. */
int netlink__route_get(struct netlink *nl, const struct inet_addr *dst,
		       struct route_info *route);
/* Reads the neighbour entry of addr on ifindex. Returns 0 and fills mac when the
 * entry holds a usable link-layer address (REACHABLE, STALE, DELAY, PROBE,
 * PERMANENT, NOARP); -ENOENT when there is none yet. */
int netlink__neigh_get(struct netlink *nl, uint32_t ifindex, const struct inet_addr *addr,
		       uint8_t mac[6]);
/* Asks the kernel to resolve (or re-confirm) addr on ifindex, as traffic
 * would (NTF_USE). Returns 0 or negative errno. */
int netlink__neigh_resolve(struct netlink *nl, uint32_t ifindex, const struct inet_addr *addr);
/* MAC address of an interface. Returns 0 or negative errno. */
int netlink__link_mac(struct netlink *nl, uint32_t ifindex, uint8_t mac[6]);
/* MTU of an interface. Returns 0 or negative errno. */
int netlink__link_mtu(struct netlink *nl, uint32_t ifindex, uint32_t *mtu);
/* Adds (or replaces) or deletes ADDR/PREFIX_LEN on ifindex, IPv6 without
 * duplicate address detection. Deleting an absent address succeeds.
 * Returns 0 or negative errno. */
int netlink__address(struct netlink *nl, bool add, uint32_t ifindex,
		     const struct inet_addr *addr, uint8_t prefix_len);

#endif
