// SPDX-License-Identifier: GPL-2.0-only
/* The interfaces of the configuration as the kernel should have them: created,
 * changed and deleted by the daemon, which only ever touches what it owns. */
#include "interface_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "netns.h"

/* One convergence run: the links as they were when it started. */
struct converge {
	struct interfaces *interfaces;
	const struct config *config;
	struct link_socket *socket;       /* the daemon's namespace */
	struct link_socket *home;         /* where the interface in hand lives */
	int home_netns_fd;                /* its namespace, -1: the daemon's */
	struct link_info *links;
	size_t link_count;
	char *error;
	size_t error_size;
};

static int converge_fail(struct converge *converge, int ret, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
static int converge_fail(struct converge *converge, int ret, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	vsnprintf(converge->error, converge->error_size, format, ap);
	va_end(ap);
	return ret;
}

static const char *kernel_reason(struct link_socket *socket, int ret)
{
	const char *reason = link_socket_error(socket);

	return reason[0] ? reason : strerror(-ret);
}

bool interface_owned(const struct interfaces *interfaces, const struct link_info *link)
{
	size_t length = strlen(interfaces->owner);

	return !strncmp(link->alias, interfaces->owner, length) &&
	       (link->alias[length] == '\0' || link->alias[length] == ' ');
}

static const struct link_info *link_find(const struct converge *converge, const char *name)
{
	for (size_t i = 0; i < converge->link_count; i++)
		if (!strcmp(converge->links[i].name, name))
			return &converge->links[i];
	return NULL;
}

/* The alias of a created interface: the owner and what it was created as, so
 * that a change of kind, parent, id, mode or peer is seen as one. */
static void signature(const struct interfaces *interfaces, const struct config *config,
		      const struct config_interface *conf, char *alias, size_t size)
{
	const struct config_interface *peer;

	switch (conf->type) {
	case INTERFACE_VLAN:
		snprintf(alias, size, "%s vlan %s %u", interfaces->owner, conf->parent,
			 conf->vlan_id);
		break;
	case INTERFACE_BOND:
	case INTERFACE_LACP:
		snprintf(alias, size, "%s bond %s %s%s", interfaces->owner,
			 config_bond_mode_names[conf->bond_mode],
			 config_bond_hash_names[conf->xmit_hash_policy],
			 conf->lacp_rate_slow ? " slow" : "");
		break;
	case INTERFACE_VETH:
		peer = config_interface_find(config, conf->peer);
		snprintf(alias, size, "%s veth %s%s%s", interfaces->owner, conf->peer,
			 peer ? " netns " : "", peer ? peer->namespace_name : "");
		break;
	case INTERFACE_VETH_PEER:
		snprintf(alias, size, "%s veth-peer", interfaces->owner);
		break;
	case INTERFACE_MACVLAN:
		/* The kernel changes other modes in place, not to or from passthru. */
		snprintf(alias, size, "%s macvlan %s%s", interfaces->owner, conf->parent,
			 conf->macvlan_mode == CONFIG_MACVLAN_PASSTHRU ? " passthru" : "");
		break;
	default:
		snprintf(alias, size, "%s bridge", interfaces->owner);
		break;
	}
}

static bool implicit_peer(const struct config *config, const char *name)
{
	for (size_t i = 0; i < config->interface_count; i++)
		if (config->interfaces[i].type == INTERFACE_VETH &&
		    !strcmp(config->interfaces[i].peer, name))
			return true;
	return false;
}

/* A name the configuration refers to that must exist before xvsd starts. */
static int reference_check(struct converge *converge, const struct config_interface *conf,
			   const char *what, const char *name)
{
	if (config_interface_find(converge->config, name) ||
	    implicit_peer(converge->config, name) || link_find(converge, name))
		return 0;
	return converge_fail(converge, -ENODEV, "interface %s: %s %s does not exist", conf->name,
			     what, name);
}

static int name_check(struct converge *converge, const char *name, const char *what)
{
	const struct link_info *link = link_find(converge, name);

	if (!link || interface_owned(converge->interfaces, link))
		return 0;
	return converge_fail(converge, -EEXIST,
			     "%s %s exists and xvsd did not create it (alias \"%s\", expected "
			     "\"%s ...\"); xvsd does not take over interfaces",
			     what, name, link->alias, converge->interfaces->owner);
}

/* A macvlan's MTU is at most its parent's: checked here against a parent the
 * file gives no MTU (the parser compared those it does). */
static int macvlan_mtu_check(struct converge *converge, const struct config_interface *conf)
{
	const struct config_interface *parent_conf = config_interface_find(converge->config,
									    conf->parent);
	const struct link_info *parent = link_find(converge, conf->parent);

	if (!conf->mtu || !parent || (parent_conf && parent_conf->mtu) || conf->mtu <= parent->mtu)
		return 0;
	return converge_fail(converge, -EINVAL,
			     "interface %s: mtu %u is above the mtu %u of parent %s (a macvlan's "
			     "MTU is at most its parent's)",
			     conf->name, conf->mtu, parent->mtu, conf->parent);
}

/* A macvlan inside a namespace: its name there (a namespace that does not
 * exist yet has none taken). */
static int namespace_name_check(struct converge *converge, const struct config_interface *conf)
{
	struct link_socket *socket;
	struct link_info link;
	int fd = netns_open(conf->namespace_name), ret;

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return converge_fail(converge, fd, "namespace %s: %s", conf->namespace_name,
				     strerror(-fd));
	ret = link_socket_open(fd, &socket);
	close(fd);
	if (ret)
		return converge_fail(converge, ret, "namespace %s: %s", conf->namespace_name,
				     strerror(-ret));
	ret = link_get(socket, conf->name, &link);
	link_socket_close(socket);
	if (ret == -ENODEV || (!ret && interface_owned(converge->interfaces, &link)))
		return 0;
	if (ret)
		return converge_fail(converge, ret, "namespace %s: interface %s: %s",
				     conf->namespace_name, conf->name, strerror(-ret));
	return converge_fail(converge, -EEXIST,
			     "interface %s exists in namespace %s and xvsd did not create it "
			     "(alias \"%s\", expected \"%s ...\"); xvsd does not take over "
			     "interfaces",
			     conf->name, conf->namespace_name, link.alias,
			     converge->interfaces->owner);
}

/* Before anything changes: names that are taken, references that dangle. */
static int interface_check(struct converge *converge, const struct config_interface *conf)
{
	int ret = 0;

	switch (conf->type) {
	case INTERFACE_ETHERNET:
		if (conf->namespace_name[0])
			return 0; /* a tenant's: xvsd only attaches there (docs/tenants.md) */
		if (!link_find(converge, conf->name) && (conf->mtu || conf->address_count))
			ret = converge_fail(converge, -ENODEV,
					    "interface %s does not exist (type ethernet: xvsd "
					    "only sets its MTU and addresses)",
					    conf->name);
		break;
	case INTERFACE_VLAN:
		ret = reference_check(converge, conf, "parent", conf->parent);
		break;
	case INTERFACE_MACVLAN:
		ret = reference_check(converge, conf, "parent", conf->parent);
		if (!ret)
			ret = macvlan_mtu_check(converge, conf);
		break;
	case INTERFACE_VETH:
		if (!config_interface_find(converge->config, conf->peer))
			ret = name_check(converge, conf->peer, "veth peer");
		break;
	case INTERFACE_VETH_PEER:
		return 0; /* lives in its namespace, checked when created */
	default:
		for (size_t m = 0; m < conf->member_count && !ret; m++)
			ret = reference_check(converge, conf, "member", conf->members[m]);
		break;
	}
	if (!ret && conf->type == INTERFACE_MACVLAN && conf->namespace_name[0])
		ret = namespace_name_check(converge, conf);
	else if (!ret && config_interface_created(conf))
		ret = name_check(converge, conf->name, "interface");
	return ret;
}

/* Parents and members before what contains them (the graph has no cycles:
 * the parser checked). */
static void order_visit(const struct config *config, size_t index, uint8_t *seen,
			size_t *order, size_t *count)
{
	const struct config_interface *conf = &config->interfaces[index];
	const struct config_interface *next;

	if (seen[index])
		return;
	seen[index] = 1;
	if ((conf->type == INTERFACE_VLAN || conf->type == INTERFACE_MACVLAN) &&
	    (next = config_interface_find(config, conf->parent)))
		order_visit(config, (size_t)(next - config->interfaces), seen, order, count);
	for (size_t m = 0; m < conf->member_count; m++)
		if ((next = config_interface_find(config, conf->members[m])))
			order_visit(config, (size_t)(next - config->interfaces), seen, order,
				    count);
	order[(*count)++] = index;
}

static size_t *creation_order(const struct config *config)
{
	size_t *order = calloc(config->interface_count + 1, sizeof(*order)), count = 0;
	uint8_t *seen = calloc(config->interface_count + 1, 1);

	if (order && seen)
		for (size_t i = 0; i < config->interface_count; i++)
			order_visit(config, i, seen, order, &count);
	free(seen);
	if (!seen) {
		free(order);
		return NULL;
	}
	return order;
}

static bool prefix_equal(const struct config_prefix *a, const struct config_prefix *b)
{
	return a->prefix_len == b->prefix_len && inet_addr_equal(&a->addr, &b->addr);
}

/* Adds the configured addresses that are missing and removes those xvsd added
 * that the configuration no longer has; others' addresses stay. */
static int addresses_converge(struct link_socket *socket, const struct link_info *link,
			      const struct config_interface *conf, char *error, size_t size)
{
	struct link_address *present = NULL;
	size_t count = 0;
	int ret = link_address_list(socket, link->ifindex, &present, &count);

	for (size_t i = 0; !ret && i < count; i++) {
		bool wanted = false;

		for (size_t a = 0; a < conf->address_count; a++)
			wanted |= prefix_equal(&present[i].prefix, &conf->addresses[a]);
		if (wanted || present[i].proto != LINK_ADDRESS_PROTO)
			continue;
		ret = link_address_delete(socket, link->ifindex, &present[i].prefix);
		if (ret == -EADDRNOTAVAIL)
			ret = 0;
	}
	for (size_t a = 0; !ret && a < conf->address_count; a++) {
		bool there = false;

		for (size_t i = 0; i < count; i++)
			there |= prefix_equal(&present[i].prefix, &conf->addresses[a]);
		if (!there)
			ret = link_address_add(socket, link->ifindex, &conf->addresses[a]);
	}
	if (ret)
		snprintf(error, size, "interface %s: addresses: %s", link->name,
			 kernel_reason(socket, ret));
	free(present);
	return ret;
}

/* MTU, addresses and admin state of a link xvsd owns. */
static int owned_converge(struct link_socket *socket, const char *name,
			  const struct config_interface *conf, char *error, size_t size)
{
	struct link_info link;
	int ret = link_get(socket, name, &link);

	if (!ret && conf->mtu && link.mtu != conf->mtu && (ret = link_set_mtu(socket, link.ifindex,
									     conf->mtu)))
		snprintf(error, size, "interface %s: mtu %u: %s", name, conf->mtu,
			 kernel_reason(socket, ret));
	else if (!ret && !link.up && (ret = link_set_up(socket, link.ifindex, true)))
		snprintf(error, size, "interface %s: up: %s", name, kernel_reason(socket, ret));
	else if (ret && !error[0])
		snprintf(error, size, "interface %s: %s", name, strerror(-ret));
	return ret ? ret : addresses_converge(socket, &link, conf, error, size);
}

/* Bond members go down to be enslaved (the bond brings them up); bridge
 * ports are brought up here. */
static int members_enslave(struct converge *converge, const struct config_interface *conf,
			   const struct link_info *master)
{
	struct link_socket *socket = converge->socket;

	for (size_t m = 0; m < conf->member_count; m++) {
		struct link_info member;
		int ret = link_get(socket, conf->members[m], &member);

		if (!ret && member.master == master->ifindex)
			continue;
		if (!ret && conf->type != INTERFACE_BRIDGE && member.up)
			ret = link_set_up(socket, member.ifindex, false);
		if (!ret)
			ret = link_set_master(socket, member.ifindex, master->ifindex);
		if (!ret && conf->type == INTERFACE_BRIDGE)
			ret = link_set_up(socket, member.ifindex, true);
		if (ret)
			return converge_fail(converge, ret, "interface %s: member %s: %s",
					     conf->name, conf->members[m],
					     kernel_reason(socket, ret));
		log_info("interface %s: member %s added", conf->name, conf->members[m]);
	}
	return 0;
}

/* The namespace of a veth-peer, created (and remembered) when missing. */
static int peer_namespace_open(struct converge *converge, const char *name)
{
	int fd = netns_open(name), ret;

	if (fd != -ENOENT)
		return fd;
	fd = netns_create(name);
	if (fd < 0)
		return fd;
	ret = state_namespace_add(converge->interfaces, name);
	state_save(converge->interfaces);
	log_info("namespace %s: created", name);
	return ret ? ret : fd;
}

static int veth_spec_fill(struct converge *converge, const struct config_interface *conf,
			  struct link_spec *spec, const struct config_interface **peer)
{
	*peer = config_interface_find(converge->config, conf->peer);
	spec->peer = conf->peer;
	spec->peer_netns_fd = -1;
	if (*peer) {
		spec->peer_netns_fd = peer_namespace_open(converge, (*peer)->namespace_name);
		if (spec->peer_netns_fd < 0)
			return converge_fail(converge, spec->peer_netns_fd, "namespace %s: %s",
					     (*peer)->namespace_name,
					     strerror(-spec->peer_netns_fd));
	}
	return 0;
}

/* The veth's other end: marked as owned in its namespace, and configured as
 * its veth-peer block says. */
static int veth_peer_converge(struct converge *converge, const struct config_interface *conf,
			      const struct config_interface *peer, int netns_fd)
{
	char alias[LINK_ALIAS_MAX];
	struct link_socket *socket = converge->socket;
	struct link_info link;
	int ret = 0;

	if (netns_fd >= 0)
		ret = link_socket_open(netns_fd, &socket);
	if (ret)
		return converge_fail(converge, ret, "namespace %s: %s", peer->namespace_name,
				     strerror(-ret));
	snprintf(alias, sizeof(alias), "%s veth-peer %s", converge->interfaces->owner,
		 conf->name);
	ret = link_get(socket, conf->peer, &link);
	if (!ret && strcmp(link.alias, alias))
		ret = link_set_alias(socket, link.ifindex, alias);
	if (!ret && peer)
		ret = owned_converge(socket, conf->peer, peer, converge->error,
				     converge->error_size);
	else if (!ret && !link.up)
		ret = link_set_up(socket, link.ifindex, true);
	if (!ret && netns_fd >= 0 && state_namespace_created(converge->interfaces,
							     peer->namespace_name) &&
	    !link_get(socket, "lo", &link) && !link.up)
		ret = link_set_up(socket, link.ifindex, true);
	if (ret && !converge->error[0])
		converge_fail(converge, ret, "interface %s: %s", conf->peer,
			      kernel_reason(socket, ret));
	if (socket != converge->socket)
		link_socket_close(socket);
	return ret;
}

static int veth_end_converge(struct converge *converge, const struct config_interface *conf)
{
	const struct config_interface *peer = config_interface_find(converge->config,
								    conf->peer);
	int fd = peer ? peer_namespace_open(converge, peer->namespace_name) : -1, ret;

	if (peer && fd < 0)
		return converge_fail(converge, fd, "namespace %s: %s", peer->namespace_name,
				     strerror(-fd));
	ret = veth_peer_converge(converge, conf, peer, fd);
	if (fd >= 0)
		close(fd);
	return ret;
}

static int link_make(struct converge *converge, const struct config_interface *conf,
		     const char *alias)
{
	static const char *const kinds[] = {
		[INTERFACE_VLAN] = "vlan", [INTERFACE_BOND] = "bond", [INTERFACE_LACP] = "bond",
		[INTERFACE_VETH] = "veth", [INTERFACE_BRIDGE] = "bridge",
		[INTERFACE_MACVLAN] = "macvlan",
	};
	struct link_spec spec = {
		.name = conf->name, .kind = kinds[conf->type], .alias = alias,
		.mtu = conf->mtu, .vlan_id = conf->vlan_id, .bond_mode = conf->bond_mode,
		.xmit_hash_policy = conf->xmit_hash_policy,
		.lacp_rate_fast = !conf->lacp_rate_slow, .peer_netns_fd = -1,
		.macvlan_mode = link_macvlan_mode(conf->macvlan_mode),
		.mac = conf->mac_set ? conf->mac : NULL, .netns_fd = converge->home_netns_fd,
	};
	bool has_parent = conf->type == INTERFACE_VLAN || conf->type == INTERFACE_MACVLAN;
	const struct config_interface *peer = NULL;
	struct link_info parent, link;
	int ret = 0;

	if (!spec.kind)
		return converge_fail(converge, -EINVAL, "interface %s: not a type xvsd creates",
				     conf->name);
	if (has_parent && (ret = link_get(converge->socket, conf->parent, &parent)))
		return converge_fail(converge, ret, "interface %s: parent %s: %s", conf->name,
				     conf->parent, strerror(-ret));
	spec.parent = has_parent ? parent.ifindex : 0;
	if (conf->type == INTERFACE_VETH && (ret = veth_spec_fill(converge, conf, &spec, &peer)))
		return ret;
	ret = link_create(converge->socket, &spec);
	if (!ret)
		ret = link_get(converge->home, conf->name, &link);
	if (!ret)
		ret = link_set_alias(converge->home, link.ifindex, alias);
	if (ret)
		converge_fail(converge, ret, "interface %s: create %s: %s", conf->name, spec.kind,
			      kernel_reason(converge->socket, ret));
	else
		log_info("interface %s: created (%s)", conf->name, alias);
	if (spec.peer_netns_fd >= 0)
		close(spec.peer_netns_fd);
	return ret;
}

static void mac_format(const uint8_t mac[6], char *text, size_t size)
{
	snprintf(text, size, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

/* Mode and MAC of an owned macvlan, changed in place (to or from passthru is
 * in the signature: created anew). A MAC the file stops setting stays. */
static int macvlan_converge(struct converge *converge, const struct config_interface *conf,
			    const struct link_info *link)
{
	const char *mode_name = config_macvlan_mode_names[conf->macvlan_mode];
	uint32_t mode = link_macvlan_mode(conf->macvlan_mode);
	char text[24];
	int ret;

	if (link->macvlan_mode != mode) {
		ret = link_set_macvlan_mode(converge->home, link->ifindex, mode);
		if (ret)
			return converge_fail(converge, ret, "interface %s: mode %s: %s", conf->name,
					     mode_name, kernel_reason(converge->home, ret));
		log_info("interface %s: mode %s", conf->name, mode_name);
	}
	if (conf->mac_set && memcmp(link->mac, conf->mac, sizeof(conf->mac))) {
		mac_format(conf->mac, text, sizeof(text));
		ret = link_set_mac(converge->home, link->ifindex, conf->mac);
		if (ret)
			return converge_fail(converge, ret, "interface %s: mac %s: %s", conf->name,
					     text, kernel_reason(converge->home, ret));
		log_info("interface %s: mac %s", conf->name, text);
	}
	return 0;
}

/* A passthru macvlan has its parent alone: owned macvlans on the parent that
 * the file dropped go before one is created next to them (the rest of what
 * the file dropped goes in interfaces__prune). */
static void macvlan_make_room(struct converge *converge, const struct config_interface *conf)
{
	char prefix[LINK_ALIAS_MAX];
	size_t length;

	snprintf(prefix, sizeof(prefix), "%s macvlan %s", converge->interfaces->owner,
		 conf->parent);
	length = strlen(prefix);
	for (size_t i = 0; i < converge->link_count; i++) {
		const struct link_info *link = &converge->links[i];
		const char *rest = link->alias + length;
		int ret;

		if (strncmp(link->alias, prefix, length) || (*rest && strcmp(rest, " passthru")) ||
		    (conf->macvlan_mode != CONFIG_MACVLAN_PASSTHRU && !*rest) ||
		    config_interface_find(converge->config, link->name))
			continue;
		ret = link_delete(converge->socket, link->ifindex);
		if (ret && ret != -ENODEV)
			log_warnx("interface %s: delete: %s", link->name,
				  kernel_reason(converge->socket, ret));
		else if (!ret)
			log_info("interface %s: deleted (a passthru macvlan has %s alone)",
				 link->name, conf->parent);
	}
}

/* A created interface: made when missing, re-made when its signature changed,
 * then its members, MTU, addresses and state. */
static int created_converge(struct converge *converge, const struct config_interface *conf)
{
	char alias[LINK_ALIAS_MAX];
	struct link_info link;
	int ret;

	signature(converge->interfaces, converge->config, conf, alias, sizeof(alias));
	if (!link_get(converge->home, conf->name, &link) && strcmp(link.alias, alias)) {
		ret = link_delete(converge->home, link.ifindex);
		if (ret && ret != -ENODEV)
			return converge_fail(converge, ret, "interface %s: delete: %s",
					     conf->name, kernel_reason(converge->home, ret));
		log_info("interface %s: deleted to be created anew (was \"%s\")", conf->name,
			 link.alias);
	}
	if (link_get(converge->home, conf->name, &link) == -ENODEV) {
		if (conf->type == INTERFACE_MACVLAN && !conf->namespace_name[0])
			macvlan_make_room(converge, conf);
		ret = link_make(converge, conf, alias);
		if (ret)
			return ret;
	}
	ret = link_get(converge->home, conf->name, &link);
	if (ret)
		return converge_fail(converge, ret, "interface %s: %s", conf->name, strerror(-ret));
	if (conf->type == INTERFACE_MACVLAN && (ret = macvlan_converge(converge, conf, &link)))
		return ret;
	ret = members_enslave(converge, conf, &link);
	if (!ret)
		ret = owned_converge(converge->home, conf->name, conf, converge->error,
				     converge->error_size);
	if (!ret && conf->type == INTERFACE_VETH)
		ret = veth_end_converge(converge, conf);
	return ret;
}

/* A macvlan with a namespace is created from here (its parent is here) into
 * that namespace (created when missing, as for a veth-peer) and configured
 * there. */
static int namespaced_converge(struct converge *converge, const struct config_interface *conf)
{
	const char *name = conf->namespace_name;
	struct link_info loopback;
	int fd = peer_namespace_open(converge, name), ret;

	if (fd < 0)
		return converge_fail(converge, fd, "namespace %s: %s", name, strerror(-fd));
	ret = link_socket_open(fd, &converge->home);
	if (ret) {
		close(fd);
		converge->home = converge->socket;
		return converge_fail(converge, ret, "namespace %s: %s", name, strerror(-ret));
	}
	converge->home_netns_fd = fd;
	ret = created_converge(converge, conf);
	if (!ret && state_namespace_created(converge->interfaces, name) &&
	    !link_get(converge->home, "lo", &loopback) && !loopback.up)
		ret = link_set_up(converge->home, loopback.ifindex, true);
	if (ret && !converge->error[0])
		converge_fail(converge, ret, "namespace %s: lo: %s", name,
			      kernel_reason(converge->home, ret));
	link_socket_close(converge->home);
	close(fd);
	converge->home = converge->socket;
	converge->home_netns_fd = -1;
	return ret;
}

/* An interface xvsd does not own: its MTU (the original saved first, restored
 * when the configuration stops setting one) and the addresses xvsd added. */
static int ethernet_converge(struct converge *converge, const struct config_interface *conf)
{
	struct interfaces *interfaces = converge->interfaces;
	struct saved_mtu *saved = state_mtu_find(interfaces, conf->name);
	uint32_t mtu = conf->mtu ? conf->mtu : saved ? saved->mtu : 0;
	struct link_info link;
	int ret = link_get(converge->socket, conf->name, &link);

	if (ret == -ENODEV && !conf->mtu && !conf->address_count)
		return 0; /* the data plane says it is missing */
	if (ret)
		return converge_fail(converge, ret, "interface %s: %s", conf->name, strerror(-ret));
	if (mtu && link.mtu != mtu) {
		if (conf->mtu && (ret = state_mtu_save(interfaces, conf->name, link.mtu)))
			return converge_fail(converge, ret, "out of memory");
		ret = link_set_mtu(converge->socket, link.ifindex, mtu);
		if (ret)
			return converge_fail(converge, ret, "interface %s: mtu %u: %s", conf->name,
					     mtu, kernel_reason(converge->socket, ret));
		log_info("interface %s: mtu %u (was %u)", conf->name, mtu, link.mtu);
	}
	if (!conf->mtu && saved)
		state_mtu_forget(interfaces, saved);
	state_save(interfaces);
	return addresses_converge(converge->socket, &link, conf, converge->error,
				  converge->error_size);
}

/* Members a master had in the running configuration and has no more. */
static void members_release(struct converge *converge, const struct config *running)
{
	for (size_t i = 0; running && i < running->interface_count; i++) {
		const struct config_interface *old = &running->interfaces[i];
		const struct config_interface *now = config_interface_find(converge->config,
									    old->name);
		struct link_info master, member;

		if (!old->member_count || link_get(converge->socket, old->name, &master))
			continue;
		for (size_t m = 0; m < old->member_count; m++) {
			bool kept = false;

			for (size_t n = 0; now && n < now->member_count; n++)
				kept |= !strcmp(now->members[n], old->members[m]);
			if (kept || link_get(converge->socket, old->members[m], &member) ||
			    member.master != master.ifindex)
				continue;
			if (link_set_master(converge->socket, member.ifindex, 0))
				log_warnx("interface %s: release %s: %s", old->name, member.name,
					  link_socket_error(converge->socket));
			else
				log_info("interface %s: member %s released", old->name,
					 member.name);
			link_set_up(converge->socket, member.ifindex, true);
		}
	}
}

static int converge_run(struct converge *converge, const struct config *running)
{
	const struct config *config = converge->config;
	size_t *order = NULL;
	int ret;

	ret = link_list(converge->socket, &converge->links, &converge->link_count);
	if (ret)
		return converge_fail(converge, ret, "interfaces: list: %s", strerror(-ret));
	for (size_t i = 0; i < config->interface_count && !ret; i++)
		ret = interface_check(converge, &config->interfaces[i]);
	if (ret)
		return ret;
	members_release(converge, running);
	order = creation_order(config);
	if (!order)
		return converge_fail(converge, -ENOMEM, "out of memory");
	for (size_t i = 0; i < config->interface_count && !ret; i++) {
		const struct config_interface *conf = &config->interfaces[order[i]];

		if (conf->type == INTERFACE_ETHERNET && !conf->namespace_name[0])
			ret = ethernet_converge(converge, conf);
		else if (conf->type == INTERFACE_MACVLAN && conf->namespace_name[0])
			ret = namespaced_converge(converge, conf);
		else if (config_interface_created(conf) && conf->type != INTERFACE_VETH_PEER)
			ret = created_converge(converge, conf);
	}
	free(order);
	return ret;
}

int interfaces__apply(struct interfaces *interfaces, const struct config *running,
		      const struct config *config, char *error, size_t error_size)
{
	struct converge converge = {
		.interfaces = interfaces, .config = config, .error = error,
		.error_size = error_size,
	};
	int ret;

	error[0] = '\0';
	ret = link_socket_open(-1, &converge.socket);
	if (ret)
		return converge_fail(&converge, ret, "interfaces: netlink: %s", strerror(-ret));
	converge.home = converge.socket;
	converge.home_netns_fd = -1;
	ret = converge_run(&converge, running);
	free(converge.links);
	link_socket_close(converge.socket);
	return ret;
}

int interfaces__open(const struct config *config, struct interfaces **out, char *error,
		     size_t error_size)
{
	struct interfaces *interfaces = calloc(1, sizeof(*interfaces));
	int ret;

	if (!interfaces)
		return -ENOMEM;
	/* Two daemons on one host (each has its own run_dir) own apart. */
	if (!strcmp(config->global.run_dir, CONFIG_DEFAULT_RUN_DIR))
		snprintf(interfaces->owner, sizeof(interfaces->owner), "xvs:%s",
			 config->global.node);
	else
		snprintf(interfaces->owner, sizeof(interfaces->owner), "xvs:%s:%.90s",
			 config->global.node, config->global.run_dir);
	snprintf(interfaces->state_path, sizeof(interfaces->state_path),
		 "%s/interfaces.state", config->global.run_dir);
	ret = state_load(interfaces);
	if (ret) {
		snprintf(error, error_size, "%s: %s", interfaces->state_path, strerror(-ret));
		interfaces__close(interfaces, NULL);
		return ret;
	}
	ret = interfaces__apply(interfaces, NULL, config, error, error_size);
	if (ret) {
		interfaces__close(interfaces, config);
		return ret;
	}
	*out = interfaces;
	return 0;
}
