// SPDX-License-Identifier: GPL-2.0-only
/* Checks across interface blocks, made once the whole file is read: parents,
 * members and veth peers refer to sensible interfaces, no cycles, no clashes. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

#define IPV6_MTU_MIN 1280

bool config_interface_created(const struct config_interface *interface)
{
	return interface->type != INTERFACE_ETHERNET;
}

const struct config_interface *config_interface_find(const struct config *config,
						     const char *name)
{
	const struct config_interface *found = NULL;

	/* The daemon's own namespace first: parents and members live there. */
	for (size_t i = 0; i < config->interface_count; i++) {
		if (strcmp(config->interfaces[i].name, name))
			continue;
		if (!config->interfaces[i].namespace_name[0])
			return &config->interfaces[i];
		if (!found)
			found = &config->interfaces[i];
	}
	return found;
}

static long interface_index(const struct config *config, const char *name)
{
	const struct config_interface *found = config_interface_find(config, name);

	return found ? found - config->interfaces : -1;
}

static const struct interface_parse *parse_of(const struct config_parser *parser, long index)
{
	return &parser->interface_parses[index];
}

/* A parent or member must live in the daemon's namespace. */
static void reference_check(struct config_parser *parser, const struct location *location,
			    const char *what, const char *name)
{
	long index = interface_index(parser->config, name);
	const struct config_interface *target;

	if (index < 0)
		return;
	target = &parser->config->interfaces[index];
	if (target->type == INTERFACE_VETH_PEER)
		config_error(parser, location,
			     "%s \"%s\" is a veth-peer in namespace \"%s\"; it must be in the "
			     "daemon's namespace",
			     what, name, target->namespace_name);
	else if (target->namespace_name[0])
		config_error(parser, location,
			     "%s \"%s\" is in namespace \"%s\"; it must be in the daemon's "
			     "namespace",
			     what, name, target->namespace_name);
}

/* The kernel refuses XDP on an interface when one above it (its vlan, bond
 * or bridge) has a program, and the other way round for bonds. */
static void xdp_stack_check(struct config_parser *parser, const struct location *location,
			    const struct config_interface *upper, const char *lower_name)
{
	const struct config_interface *lower = config_interface_find(parser->config, lower_name);

	if (lower && lower != upper && lower->type != INTERFACE_VETH_PEER &&
	    lower->xdp != XDP_ATTACH_OFF && upper->xdp != XDP_ATTACH_OFF)
		config_error(parser, location,
			     "\"%s\" and \"%s\" both have XDP; the kernel allows it on one of "
			     "them: set \"xdp off\" on the other",
			     upper->name, lower_name);
}

static void vlan_check(struct config_parser *parser, long index)
{
	const struct config *config = parser->config;
	const struct config_interface *vlan = &config->interfaces[index];
	char first[300];

	if (!vlan->parent[0])
		return; /* reported: type vlan needs parent */
	reference_check(parser, &parse_of(parser, index)->parent, "parent", vlan->parent);
	xdp_stack_check(parser, &parse_of(parser, index)->parent, vlan, vlan->parent);
	if (!parse_of(parser, index)->id.file)
		return; /* no id: reported as missing already */
	for (long i = 0; i < index; i++) {
		const struct config_interface *other = &config->interfaces[i];

		if (other->type != INTERFACE_VLAN || !parse_of(parser, i)->id.file ||
		    other->vlan_id != vlan->vlan_id ||
		    strcmp(other->parent, vlan->parent))
			continue;
		location_reference(&parse_of(parser, index)->id, &parse_of(parser, i)->id, first,
				   sizeof(first));
		config_error(parser, &parse_of(parser, index)->id,
			     "vlan id %u on \"%s\" is already interface \"%s\" (at %s)",
			     vlan->vlan_id, vlan->parent, other->name, first);
		return;
	}
}

/* The kernel takes no macvlan on a bridge or bond port (the port's receive
 * hook is the master's), nor such a parent into a bridge or bond. */
static void macvlan_port_check(struct config_parser *parser, long index)
{
	const struct config *config = parser->config;
	const struct config_interface *macvlan = &config->interfaces[index];
	char first[300];

	for (long i = 0; i < (long)config->interface_count; i++) {
		const struct config_interface *master = &config->interfaces[i];

		for (size_t m = 0; m < master->member_count; m++) {
			if (strcmp(master->members[m], macvlan->parent))
				continue;
			location_reference(&parse_of(parser, index)->parent,
					   &parse_of(parser, i)->member_locations[m], first,
					   sizeof(first));
			config_error(parser, &parse_of(parser, index)->parent,
				     "parent \"%s\" is a member of \"%s\" (at %s); the kernel takes "
				     "no macvlan on a bridge or bond port: make \"%s\" the parent",
				     macvlan->parent, master->name, first, master->name);
			return;
		}
	}
}

/* Macvlans on one parent: a passthru one has it alone, fixed MACs differ. */
static void macvlan_siblings_check(struct config_parser *parser, long index)
{
	const struct config *config = parser->config;
	const struct config_interface *macvlan = &config->interfaces[index];
	const struct interface_parse *parse = parse_of(parser, index);
	bool passthru = macvlan->macvlan_mode == CONFIG_MACVLAN_PASSTHRU;
	char first[300];

	for (long i = 0; i < index; i++) {
		const struct config_interface *other = &config->interfaces[i];

		if (other->type != INTERFACE_MACVLAN || strcmp(other->parent, macvlan->parent))
			continue;
		if (passthru || other->macvlan_mode == CONFIG_MACVLAN_PASSTHRU) {
			location_reference(&parse->parent, &parse_of(parser, i)->parent, first,
					   sizeof(first));
			config_error(parser, &parse->parent,
				     "parent \"%s\" has macvlan \"%s\" too (at %s); a passthru "
				     "macvlan needs its parent alone",
				     macvlan->parent, other->name, first);
			return;
		}
		if (macvlan->mac_set && other->mac_set &&
		    !memcmp(macvlan->mac, other->mac, sizeof(macvlan->mac))) {
			location_reference(&parse->mac, &parse_of(parser, i)->mac, first,
					   sizeof(first));
			config_error(parser, &parse->mac,
				     "mac %02x:%02x:%02x:%02x:%02x:%02x is also that of macvlan "
				     "\"%s\" on \"%s\" (at %s)",
				     macvlan->mac[0], macvlan->mac[1], macvlan->mac[2],
				     macvlan->mac[3], macvlan->mac[4], macvlan->mac[5], other->name,
				     macvlan->parent, first);
			return;
		}
	}
}

static void macvlan_check(struct config_parser *parser, long index)
{
	const struct config *config = parser->config;
	const struct config_interface *macvlan = &config->interfaces[index];
	const struct interface_parse *parse = parse_of(parser, index);
	const struct config_interface *parent;

	if (!macvlan->parent[0] || !parse->parent.file)
		return; /* reported: type macvlan needs parent */
	reference_check(parser, &parse->parent, "parent", macvlan->parent);
	xdp_stack_check(parser, &parse->parent, macvlan, macvlan->parent);
	macvlan_port_check(parser, index);
	macvlan_siblings_check(parser, index);
	parent = config_interface_find(config, macvlan->parent);
	if (parent && parent != macvlan && parent->mtu && macvlan->mtu > parent->mtu)
		config_error(parser, &parse->mtu,
			     "mtu %u is above the mtu %u of parent \"%s\"; a macvlan's MTU is at "
			     "most its parent's",
			     macvlan->mtu, parent->mtu, macvlan->parent);
}

/* Whether the member at (index, position) was named by an earlier master or
 * earlier in the same list; reports it. */
static bool member_taken(struct config_parser *parser, long index, size_t position)
{
	const struct config *config = parser->config;
	const char *name = config->interfaces[index].members[position];
	const struct location *here = &parse_of(parser, index)->member_locations[position];
	char first[300];

	for (size_t m = 0; m < position; m++) {
		if (strcmp(config->interfaces[index].members[m], name))
			continue;
		config_error(parser, here, "duplicate member \"%s\"", name);
		return true;
	}
	for (long i = 0; i < index; i++) {
		const struct config_interface *other = &config->interfaces[i];

		for (size_t m = 0; m < other->member_count; m++) {
			if (strcmp(other->members[m], name))
				continue;
			location_reference(here, &parse_of(parser, i)->member_locations[m], first,
					   sizeof(first));
			config_error(parser, here,
				     "interface \"%s\" is already a member of \"%s\" (at %s)", name,
				     other->name, first);
			return true;
		}
	}
	return false;
}

static void members_check(struct config_parser *parser, long index)
{
	const struct config *config = parser->config;
	const struct config_interface *master = &config->interfaces[index];

	for (size_t m = 0; m < master->member_count; m++) {
		const struct location *here = &parse_of(parser, index)->member_locations[m];
		long member = interface_index(config, master->members[m]);

		if (member_taken(parser, index, m))
			continue;
		reference_check(parser, here, "member", master->members[m]);
		xdp_stack_check(parser, here, master, master->members[m]);
		if (member >= 0 && master->type != INTERFACE_BRIDGE &&
		    config->interfaces[member].address_count)
			config_error(parser, here,
				     "member \"%s\" has addresses; those of a bond belong on \"%s\"",
				     master->members[m], master->name);
	}
}

static void veth_check(struct config_parser *parser, long index)
{
	const struct config *config = parser->config;
	const struct config_interface *veth = &config->interfaces[index];
	const struct location *here = &parse_of(parser, index)->peer;
	long peer = interface_index(config, veth->peer);
	char first[300];

	if (!veth->peer[0] || !here->file)
		return; /* no peer: reported as missing already */
	if (!strcmp(veth->peer, veth->name)) {
		config_error(parser, here, "peer \"%s\" is the interface itself", veth->peer);
		return;
	}
	if (peer >= 0 && config->interfaces[peer].type != INTERFACE_VETH_PEER) {
		config_error(parser, here,
			     "peer \"%s\" is an interface of type %s (expected a veth-peer block "
			     "or a name of no other interface)",
			     veth->peer, config_interface_type_names[config->interfaces[peer].type]);
		return;
	}
	for (long i = 0; i < index; i++) {
		const struct config_interface *other = &config->interfaces[i];

		if (other->type != INTERFACE_VETH || !other->peer[0] || strcmp(other->peer, veth->peer))
			continue;
		location_reference(here, &parse_of(parser, i)->peer, first, sizeof(first));
		config_error(parser, here, "peer \"%s\" is already the peer of \"%s\" (at %s)",
			     veth->peer, other->name, first);
		return;
	}
}

static void veth_peer_check(struct config_parser *parser, long index)
{
	const struct config *config = parser->config;
	const struct config_interface *peer = &config->interfaces[index];

	for (size_t i = 0; i < config->interface_count; i++)
		if (config->interfaces[i].type == INTERFACE_VETH &&
		    !strcmp(config->interfaces[i].peer, peer->name))
			return;
	config_error(parser, &parse_of(parser, index)->name,
		     "veth-peer \"%s\": no veth interface has \"peer %s\"", peer->name,
		     peer->name);
}

/* Multicast, unspecified, and the network and broadcast addresses of an IPv4
 * prefix of 30 bits or fewer cannot be an interface's address. */
static const char *address_problem(const struct config_prefix *prefix)
{
	if (prefix->addr.family == AF_INET) {
		uint32_t host = ntohl(prefix->addr.v4.s_addr);
		uint32_t mask = prefix->prefix_len ? ~0u << (32 - prefix->prefix_len) : 0;

		if (host == 0 || (host >> 28) >= 14)
			return "is not a unicast address";
		if (prefix->prefix_len <= 30 && !(host & ~mask))
			return "is the network address of its prefix";
		if (prefix->prefix_len <= 30 && (host & ~mask) == ~mask)
			return "is the broadcast address of its prefix";
		return NULL;
	}
	if (prefix->addr.v6.s6_addr[0] == 0xff || IN6_IS_ADDR_UNSPECIFIED(&prefix->addr.v6))
		return "is not a unicast address";
	return NULL;
}

static bool prefix_same_address(const struct config_prefix *a, const struct config_prefix *b)
{
	return inet_addr_equal(&a->addr, &b->addr);
}

/* The same address twice on one interface, or on two in one namespace. */
static void address_clash_check(struct config_parser *parser, long index, size_t position)
{
	const struct config *config = parser->config;
	const struct config_interface *interface = &config->interfaces[index];
	const struct config_prefix *prefix = &interface->addresses[position];
	const struct location *here = &parse_of(parser, index)->address_locations[position];
	char first[300], text[INET6_ADDRSTRLEN];

	inet_addr_format(&prefix->addr, text, sizeof(text));
	for (long i = 0; i <= index; i++) {
		const struct config_interface *other = &config->interfaces[i];
		size_t end = i == index ? position : other->address_count;

		if (strcmp(other->namespace_name, interface->namespace_name))
			continue;
		for (size_t a = 0; a < end; a++) {
			if (!prefix_same_address(&other->addresses[a], prefix))
				continue;
			location_reference(here, &parse_of(parser, i)->address_locations[a],
					   first, sizeof(first));
			if (i == index)
				config_error(parser, here, "duplicate address %s (first at %s)", text,
					     first);
			else
				config_error(parser, here,
					     "address %s is also on interface \"%s\" (at %s)", text,
					     other->name, first);
			return;
		}
	}
}

static void addresses_check(struct config_parser *parser, long index)
{
	const struct config_interface *interface = &parser->config->interfaces[index];
	const struct interface_parse *parse = parse_of(parser, index);
	bool ipv6 = false;

	for (size_t a = 0; a < interface->address_count; a++) {
		const char *problem = address_problem(&interface->addresses[a]);
		char text[INET6_ADDRSTRLEN];

		ipv6 |= interface->addresses[a].addr.family == AF_INET6;
		if (problem) {
			inet_addr_format(&interface->addresses[a].addr, text, sizeof(text));
			config_error(parser, &parse->address_locations[a], "address %s/%u %s",
				     text, interface->addresses[a].prefix_len, problem);
			continue;
		}
		address_clash_check(parser, index, a);
	}
	if (ipv6 && interface->mtu && interface->mtu < IPV6_MTU_MIN)
		config_error(parser, &parse->mtu,
			     "mtu %u is below %u, the IPv6 minimum, and \"%s\" has IPv6 addresses",
			     interface->mtu, IPV6_MTU_MIN, interface->name);
}

/* Depth-first search along parent and member edges; an edge back to an
 * interface on the current path closes a cycle. */
struct cycle_search {
	struct config_parser *parser;
	uint8_t *color;        /* 0 unseen, 1 on the path, 2 done */
	long *path;
	size_t depth;
};

static void cycle_report(struct cycle_search *search, long from, long to,
			 const struct location *location, const char *what)
{
	const struct config *config = search->parser->config;
	char chain[512] = "";
	size_t used = 0, start = search->depth;

	while (start > 0 && search->path[start - 1] != to)
		start--;
	for (size_t i = start ? start - 1 : 0; i < search->depth && used < sizeof(chain); i++)
		used += (size_t)snprintf(chain + used, sizeof(chain) - used, "%s -> ",
					 config->interfaces[search->path[i]].name);
	if (used < sizeof(chain))
		snprintf(chain + used, sizeof(chain) - used, "%s", config->interfaces[to].name);
	config_error(search->parser, location, "interface \"%s\": %s \"%s\" makes a cycle (%s)",
		     config->interfaces[from].name, what, config->interfaces[to].name, chain);
}

static void cycle_visit(struct cycle_search *search, long index);

static void cycle_edge(struct cycle_search *search, long from, const char *name,
		       const struct location *location, const char *what)
{
	long to = interface_index(search->parser->config, name);

	if (to < 0 || search->color[to] == 2)
		return;
	if (search->color[to] == 1)
		cycle_report(search, from, to, location, what);
	else
		cycle_visit(search, to);
}

static void cycle_visit(struct cycle_search *search, long index)
{
	const struct config_interface *interface = &search->parser->config->interfaces[index];
	const struct interface_parse *parse = parse_of(search->parser, index);

	search->color[index] = 1;
	search->path[search->depth++] = index;
	if (interface->type == INTERFACE_VLAN || interface->type == INTERFACE_MACVLAN)
		cycle_edge(search, index, interface->parent, &parse->parent, "parent");
	for (size_t m = 0; m < interface->member_count; m++)
		cycle_edge(search, index, interface->members[m], &parse->member_locations[m],
			   "member");
	search->depth--;
	search->color[index] = 2;
}

static void cycles_check(struct config_parser *parser)
{
	size_t count = parser->config->interface_count;
	struct cycle_search search = { .parser = parser };

	search.color = calloc(count, sizeof(*search.color));
	search.path = calloc(count, sizeof(*search.path));
	if (search.color && search.path) {
		for (size_t i = 0; i < count; i++)
			if (!search.color[i])
				cycle_visit(&search, (long)i);
	} else {
		struct location start = { parser->config->path, 1, 1 };

		out_of_memory(parser, &start);
	}
	free(search.color);
	free(search.path);
}

void topology_check(struct config_parser *parser)
{
	const struct config *config = parser->config;

	if (!config || !config->interface_count)
		return;
	for (long i = 0; i < (long)config->interface_count; i++) {
		switch (config->interfaces[i].type) {
		case INTERFACE_VLAN:
			vlan_check(parser, i);
			break;
		case INTERFACE_BOND:
		case INTERFACE_LACP:
		case INTERFACE_BRIDGE:
			members_check(parser, i);
			break;
		case INTERFACE_VETH:
			veth_check(parser, i);
			break;
		case INTERFACE_VETH_PEER:
			veth_peer_check(parser, i);
			break;
		case INTERFACE_MACVLAN:
			macvlan_check(parser, i);
			break;
		default:
			break;
		}
		addresses_check(parser, i);
	}
	cycles_check(parser);
}
