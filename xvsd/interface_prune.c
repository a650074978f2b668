// SPDX-License-Identifier: GPL-2.0-only
/* Undoing: the owned interfaces a configuration dropped (or all of them at
 * stop), addresses xvsd added, MTUs it changed, namespaces it created. */
#include "interface_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "netns.h"

#define LINK_RANK_LAST 6

/* The block of config for the interface name in namespace ("": the daemon's). */
static const struct config_interface *interface_in(const struct config *config,
						   const char *name, const char *namespace_name)
{
	for (size_t i = 0; i < config->interface_count; i++)
		if (!strcmp(config->interfaces[i].name, name) &&
		    !strcmp(config->interfaces[i].namespace_name, namespace_name))
			return &config->interfaces[i];
	return NULL;
}

/* Whether config keeps the owned link: by name, or as the other end of one
 * of its veths (deleted with it). */
static bool link_kept(const struct interfaces *interfaces, const struct config *config,
		      const struct link_info *link)
{
	char peer_alias[LINK_ALIAS_MAX];

	snprintf(peer_alias, sizeof(peer_alias), "%s veth-peer ", interfaces->owner);
	if (!strncmp(link->alias, peer_alias, strlen(peer_alias)))
		return config_interface_find(config, link->alias + strlen(peer_alias)) != NULL;
	return interface_in(config, link->name, "") != NULL;
}

/* Dependents first: a vlan or macvlan before its parent, a master before its
 * members; the other end of a veth last (it normally went with its veth). A
 * lower interface takes its vlans and macvlans with it: deleting those later
 * finds nothing. */
static int link_rank(const struct interfaces *interfaces, const struct link_info *link)
{
	static const char *const ranks[] = { "vlan", "macvlan", "bridge", "bond", "veth" };
	char peer_alias[LINK_ALIAS_MAX];

	snprintf(peer_alias, sizeof(peer_alias), "%s veth-peer ", interfaces->owner);
	if (!strncmp(link->alias, peer_alias, strlen(peer_alias)))
		return LINK_RANK_LAST;
	for (int i = 0; i < LINK_RANK_LAST - 1; i++)
		if (!strcmp(link->kind, ranks[i]))
			return i;
	return LINK_RANK_LAST - 1;
}

/* A bond leaves its members down when it goes: those xvsd does not own
 * (existing interfaces) are brought up again. */
static void members_up(const struct interfaces *interfaces, struct link_socket *socket,
		       const struct link_info *links, size_t count, uint32_t master)
{
	for (size_t i = 0; i < count; i++)
		if (links[i].master == master && !interface_owned(interfaces, &links[i]) &&
		    link_set_up(socket, links[i].ifindex, true))
			log_warnx("interface %s: up: %s", links[i].name, link_socket_error(socket));
}

static void links_prune(struct interfaces *interfaces, struct link_socket *socket,
			const struct config *config)
{
	struct link_info *links = NULL;
	size_t count = 0;

	if (link_list(socket, &links, &count)) {
		log_warn("interfaces: list");
		return;
	}
	for (int rank = 0; rank <= LINK_RANK_LAST; rank++) {
		for (size_t i = 0; i < count; i++) {
			struct link_info *link = &links[i];
			int ret;

			if (link_rank(interfaces, link) != rank || !interface_owned(interfaces, link) ||
			    link_kept(interfaces, config, link))
				continue;
			ret = link_delete(socket, link->ifindex);
			if (!ret)
				members_up(interfaces, socket, links, count, link->ifindex);
			if (ret && ret != -ENODEV)
				log_warnx("interface %s: delete: %s", link->name,
					  link_socket_error(socket)[0] ? link_socket_error(socket)
								       : strerror(-ret));
			else if (!ret)
				log_info("interface %s: deleted", link->name);
		}
	}
	free(links);
}

/* Macvlans running had inside namespaces that config no longer has there. */
static void namespaced_prune(struct interfaces *interfaces, const struct config *running,
			     const struct config *config)
{
	for (size_t i = 0; running && i < running->interface_count; i++) {
		const struct config_interface *old = &running->interfaces[i];
		const struct config_interface *now;
		struct link_socket *socket;
		struct link_info link;
		int fd, ret;

		if (old->type != INTERFACE_MACVLAN || !old->namespace_name[0])
			continue;
		now = interface_in(config, old->name, old->namespace_name);
		if ((now && now->type == INTERFACE_MACVLAN) ||
		    (fd = netns_open(old->namespace_name)) < 0)
			continue;
		ret = link_socket_open(fd, &socket);
		close(fd);
		if (ret)
			continue;
		if (!link_get(socket, old->name, &link) && interface_owned(interfaces, &link)) {
			ret = link_delete(socket, link.ifindex);
			if (ret && ret != -ENODEV)
				log_warnx("interface %s in namespace %s: delete: %s", old->name,
					  old->namespace_name, link_socket_error(socket));
			else if (!ret)
				log_info("interface %s in namespace %s: deleted", old->name,
					 old->namespace_name);
		}
		link_socket_close(socket);
	}
}

/* Interfaces running named that config does not: the addresses xvsd added
 * there go (owned links went with links_prune). */
static void addresses_prune(struct link_socket *socket, const struct config *running,
			    const struct config *config)
{
	for (size_t i = 0; running && i < running->interface_count; i++) {
		const struct config_interface *old = &running->interfaces[i];
		struct link_address *addresses = NULL;
		struct link_info link;
		size_t count = 0;

		if (old->type != INTERFACE_ETHERNET || old->namespace_name[0] ||
		    config_interface_find(config, old->name) ||
		    link_get(socket, old->name, &link) ||
		    link_address_list(socket, link.ifindex, &addresses, &count))
			continue;
		for (size_t a = 0; a < count; a++)
			if (addresses[a].proto == LINK_ADDRESS_PROTO &&
			    link_address_delete(socket, link.ifindex, &addresses[a].prefix))
				log_warnx("interface %s: remove address: %s", link.name,
					  link_socket_error(socket));
		free(addresses);
	}
}

static void mtus_restore(struct interfaces *interfaces, struct link_socket *socket,
			 const struct config *config)
{
	for (size_t i = interfaces->mtu_count; i-- > 0;) {
		struct saved_mtu *saved = &interfaces->mtus[i];
		const struct config_interface *conf = config_interface_find(config, saved->name);
		struct link_info link;
		int ret;

		if (conf && conf->type == INTERFACE_ETHERNET && conf->mtu)
			continue;
		ret = link_get(socket, saved->name, &link);
		if (!ret && link.mtu != saved->mtu)
			ret = link_set_mtu(socket, link.ifindex, saved->mtu);
		if (ret && ret != -ENODEV)
			log_warnx("interface %s: restore mtu %u: %s", saved->name, saved->mtu,
				  strerror(-ret));
		else if (!ret)
			log_info("interface %s: mtu %u restored", saved->name, saved->mtu);
		state_mtu_forget(interfaces, saved);
	}
}

static void namespaces_prune(struct interfaces *interfaces, const struct config *config)
{
	for (size_t i = interfaces->namespace_count; i-- > 0;) {
		const char *name = interfaces->namespaces[i];
		bool used = false;
		int ret;

		for (size_t c = 0; c < config->interface_count; c++)
			used |= !strcmp(config->interfaces[c].namespace_name, name);
		if (used)
			continue;
		ret = netns_delete(name);
		if (ret && ret != -ENOENT)
			log_warnx("namespace %s: delete: %s", name, strerror(-ret));
		else
			log_info("namespace %s: deleted (xvsd created it)", name);
		state_namespace_forget(interfaces, i);
	}
}

void interfaces__prune(struct interfaces *interfaces, const struct config *running,
		       const struct config *config)
{
	struct link_socket *socket;
	int ret = link_socket_open(-1, &socket);

	if (ret) {
		log_warnx("interfaces: netlink: %s", strerror(-ret));
		return;
	}
	links_prune(interfaces, socket, config);
	namespaced_prune(interfaces, running, config);
	addresses_prune(socket, running, config);
	mtus_restore(interfaces, socket, config);
	namespaces_prune(interfaces, config);
	state_save(interfaces);
	link_socket_close(socket);
}

void interfaces__close(struct interfaces *interfaces, const struct config *running)
{
	static const struct config empty;

	if (!interfaces)
		return;
	interfaces__prune(interfaces, running, &empty);
	free(interfaces->mtus);
	free(interfaces->namespaces);
	free(interfaces);
}
