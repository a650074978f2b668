/* SPDX-License-Identifier: GPL-2.0-only */
/* rtnetlink for the interfaces the daemon creates: links (vlan, bond, bridge,
 * veth, macvlan), their MTU, master, alias and state, and interface addresses. */
#ifndef XVSD_LINK_H
#define XVSD_LINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"

/* IFA_PROTO of the addresses xvsd adds: what it may remove again. */
#define LINK_ADDRESS_PROTO 0x78
#define LINK_ALIAS_MAX 256

struct link_socket;

struct link_info {
	char name[IFNAMSIZ];
	uint32_t ifindex;
	uint32_t master;                  /* 0: none */
	uint32_t mtu;
	bool up;                          /* IFF_UP */
	char kind[16];                    /* IFLA_INFO_KIND, "" for none */
	char alias[LINK_ALIAS_MAX];       /* IFLA_IFALIAS, "" for none */
	uint8_t mac[6];                   /* IFLA_ADDRESS of an Ethernet link */
	uint32_t macvlan_mode;            /* kind macvlan: IFLA_MACVLAN_MODE */
};

struct link_address {
	uint32_t ifindex;
	struct config_prefix prefix;
	uint8_t proto;                    /* IFA_PROTO, 0 when absent */
};

/* What link_create makes. */
struct link_spec {
	const char *name;
	const char *kind;                 /* "vlan", "bond", "bridge", "veth", "macvlan" */
	const char *alias;
	uint32_t mtu;                     /* 0: the kernel's default */
	uint32_t parent;                  /* vlan, macvlan: ifindex of the parent */
	uint16_t vlan_id;
	uint8_t bond_mode, xmit_hash_policy;
	bool lacp_rate_fast;
	const char *peer;                 /* veth: the other end's name */
	int peer_netns_fd;                /* veth: where the other end goes, -1 here */
	uint32_t macvlan_mode;            /* macvlan: IFLA_MACVLAN_MODE */
	const uint8_t *mac;               /* NULL: the kernel picks one */
	int netns_fd;                     /* where the link goes (macvlan), -1 here */
};

/* A netlink socket in the namespace netns_fd (-1: the daemon's own). Returns 0
 * or negative errno. */
int link_socket_open(int netns_fd, struct link_socket **out);
void link_socket_close(struct link_socket *socket); /* accepts NULL */
/* The kernel's message for the last failed request ("" if it gave none). */
const char *link_socket_error(const struct link_socket *socket);

/* Every link of the namespace; *links is malloc'd. Returns 0 or negative errno. */
int link_list(struct link_socket *socket, struct link_info **links, size_t *count);
/* One link by name: 0, -ENODEV or negative errno. */
int link_get(struct link_socket *socket, const char *name, struct link_info *info);
int link_create(struct link_socket *socket, const struct link_spec *spec);
int link_delete(struct link_socket *socket, uint32_t ifindex);
int link_set_mtu(struct link_socket *socket, uint32_t ifindex, uint32_t mtu);
int link_set_up(struct link_socket *socket, uint32_t ifindex, bool up);
/* master 0 releases the link from its master. */
int link_set_master(struct link_socket *socket, uint32_t ifindex, uint32_t master);
int link_set_alias(struct link_socket *socket, uint32_t ifindex, const char *alias);
int link_set_mac(struct link_socket *socket, uint32_t ifindex, const uint8_t mac[6]);
/* The kernel changes a macvlan's mode in place, but not to or from passthru. */
int link_set_macvlan_mode(struct link_socket *socket, uint32_t ifindex, uint32_t mode);
/* IFLA_MACVLAN_MODE of a config mode. */
uint32_t link_macvlan_mode(enum config_macvlan_mode mode);

/* The addresses of ifindex (0: of every link); *addresses is malloc'd. */
int link_address_list(struct link_socket *socket, uint32_t ifindex,
		      struct link_address **addresses, size_t *count);
/* Adds with IFA_PROTO LINK_ADDRESS_PROTO; IPv6 without duplicate address
 * detection (usable at once). */
int link_address_add(struct link_socket *socket, uint32_t ifindex,
		     const struct config_prefix *prefix);
int link_address_delete(struct link_socket *socket, uint32_t ifindex,
			const struct config_prefix *prefix);

#endif
