// SPDX-License-Identifier: GPL-2.0-only
/* Checks of the vrrp blocks: settings that conflict within one block, and across
 * blocks (names, VIPs, vrids per interface); automatic vrids are chosen here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static bool has_family(const struct config_vrrp *vrrp, int family)
{
	for (size_t i = 0; i < vrrp->vip_count; i++)
		if (vrrp->vips[i].addr.family == family)
			return true;
	return false;
}

static size_t family_count(const struct config_vrrp *vrrp, int family)
{
	size_t count = 0;

	for (size_t i = 0; i < vrrp->vip_count; i++)
		count += vrrp->vips[i].addr.family == family;
	return count;
}

static void check_vips(struct config_parser *parser, const struct vrrp_parse *parse)
{
	const struct config_vrrp *vrrp = &parse->vrrp;
	char text[INET6_ADDRSTRLEN], first[300];

	for (size_t i = 0; i < vrrp->vip_count; i++) {
		const struct inet_addr *vip = &vrrp->vips[i].addr;

		inet_addr_format(vip, text, sizeof(text));
		if (vrrp->version == 2 && vip->family == AF_INET6)
			config_error(parser, &parse->vips[i],
				     "vip %s: VRRPv2 is IPv4 only (use version 3 for IPv6)", text);
		for (size_t j = 0; j < i; j++) {
			if (!inet_addr_equal(vip, &vrrp->vips[j].addr))
				continue;
			location_reference(&parse->vips[i], &parse->vips[j], first, sizeof(first));
			config_error(parser, &parse->vips[i], "duplicate vip %s (first at %s)", text,
				     first);
			break;
		}
	}
	for (int family = AF_INET; family <= AF_INET6; family += AF_INET6 - AF_INET)
		if (family_count(vrrp, family) > CONFIG_VRRP_VIPS_MAX)
			config_error(parser, &parse->source.block,
				     "vrrp \"%s\": more than %d %s vips", vrrp->name,
				     CONFIG_VRRP_VIPS_MAX, family_name(family));
}

static void check_peers(struct config_parser *parser, const struct vrrp_parse *parse)
{
	const struct config_vrrp *vrrp = &parse->vrrp;
	char text[INET6_ADDRSTRLEN];

	if (vrrp->unicast_peer_count > CONFIG_VRRP_PEERS_MAX)
		config_error(parser, &parse->peers[CONFIG_VRRP_PEERS_MAX],
			     "more than %d unicast_peer addresses", CONFIG_VRRP_PEERS_MAX);
	for (size_t i = 0; i < vrrp->unicast_peer_count; i++) {
		const struct inet_addr *peer = &vrrp->unicast_peers[i];

		if (has_family(vrrp, peer->family))
			continue;
		config_error(parser, &parse->peers[i], "unicast_peer %s: no %s vip in vrrp \"%s\"",
			     inet_addr_format(peer, text, sizeof(text)), family_name(peer->family),
			     vrrp->name);
	}
}

static void check_gateways(struct config_parser *parser, const struct vrrp_parse *parse)
{
	const struct config_vrrp *vrrp = &parse->vrrp;
	const struct inet_addr *gateways[2] = { &vrrp->gateway_v4, &vrrp->gateway_v6 };
	const struct location *where[2] = { &parse->source.gateway_v4,
					    &parse->source.gateway_v6 };
	bool probes = vrrp->method == VRRP_METHOD_GW || vrrp->method == VRRP_METHOD_LINK_GW;
	char text[INET6_ADDRSTRLEN];

	for (int i = 0; i < 2; i++) {
		int family = i ? AF_INET6 : AF_INET;

		if (where[i]->line && !probes) {
			config_error(parser, where[i], "gateway needs method gw or link+gw");
		} else if (where[i]->line && !has_family(vrrp, family)) {
			config_error(parser, where[i], "gateway %s: no %s vip in vrrp \"%s\"",
				     inet_addr_format(gateways[i], text, sizeof(text)),
				     family_name(family), vrrp->name);
		} else if (!where[i]->line && probes && has_family(vrrp, family)) {
			config_error(parser, &parse->source.method,
				     "method %s needs an %s gateway (vrrp \"%s\" has %s vips)",
				     config_vrrp_method_name(vrrp->method), family_name(family),
				     vrrp->name, family_name(family));
		}
	}
}

/* Version 2 counts the interval in seconds (8 bits), version 3 in centiseconds
 * (12 bits): a value that does not fit the wire is an error, not rounded. */
static void check_advert(struct config_parser *parser, const struct vrrp_parse *parse)
{
	const struct config_vrrp *vrrp = &parse->vrrp;
	const struct location *where = parse->source.advert.line ? &parse->source.advert
								 : &parse->source.version;
	char text[16];

	format_duration(vrrp->advert_ms, text, sizeof(text));
	if (vrrp->version == 2 && vrrp->advert_ms % 1000)
		config_error(parser, where,
			     "advert %s: version 2 needs whole seconds (1s..255s)", text);
	else if (vrrp->version == 3 && (vrrp->advert_ms % 10 || vrrp->advert_ms > 40950))
		config_error(parser, where,
			     "advert %s: version 3 needs a multiple of 10ms up to 40950ms", text);
}

void vrrp_check_block(struct config_parser *parser, const struct vrrp_parse *parse)
{
	const struct config_vrrp *vrrp = &parse->vrrp;

	if (!vrrp->interface[0])
		config_error(parser, &parse->source.block, "vrrp \"%s\" needs an interface",
			     vrrp->name);
	if (!vrrp->vip_count)
		config_error(parser, &parse->source.block, "vrrp \"%s\" needs at least one vip",
			     vrrp->name);
	if (parse->source.preempt_delay.line && !vrrp->preempt)
		config_error(parser, &parse->source.preempt_delay,
			     "preempt_delay needs preempt yes");
	check_advert(parser, parse);
	check_vips(parser, parse);
	check_peers(parser, parse);
	check_gateways(parser, parse);
}

/* Two routers clash when they share an interface, a vrid and an address family. */
static bool vrid_clash(const struct config_vrrp *a, const struct config_vrrp *b)
{
	if (strcmp(a->interface, b->interface) || a->vrid != b->vrid)
		return false;
	return (has_family(a, AF_INET) && has_family(b, AF_INET)) ||
	       (has_family(a, AF_INET6) && has_family(b, AF_INET6));
}

static void check_pair(struct config_parser *parser, size_t i, size_t j)
{
	const struct config_vrrp *a = &parser->config->vrrps[i], *b = &parser->config->vrrps[j];
	const struct vrrp_source *source = &parser->vrrp_sources[i];
	char first[300], text[INET6_ADDRSTRLEN];

	location_reference(&source->name, &parser->vrrp_sources[j].name, first, sizeof(first));
	if (!strcmp(a->name, b->name))
		config_error(parser, &source->name, "duplicate vrrp \"%s\" (first at %s)",
			     a->name, first);
	if (!a->vrid_automatic && !b->vrid_automatic && vrid_clash(a, b))
		config_error(parser, &source->vrid,
			     "vrid %u on interface %s is taken by vrrp \"%s\" (at %s)", a->vrid,
			     a->interface, b->name, first);
	for (size_t k = 0; k < a->vip_count; k++)
		for (size_t l = 0; l < b->vip_count; l++)
			if (inet_addr_equal(&a->vips[k].addr, &b->vips[l].addr))
				config_error(parser, &source->name,
					     "vip %s of vrrp \"%s\" is also in vrrp \"%s\" (at %s)",
					     inet_addr_format(&a->vips[k].addr, text, sizeof(text)),
					     a->name, b->name, first);
}

/* FNV-1a of "NAME/INTERFACE": the same instance gets the same vrid at every start. */
static uint8_t vrid_hash(const struct config_vrrp *vrrp)
{
	uint32_t hash = 2166136261u;
	const char *parts[3] = { vrrp->name, "/", vrrp->interface };

	for (int p = 0; p < 3; p++)
		for (const char *c = parts[p]; *c; c++)
			hash = (hash ^ (uint8_t)*c) * 16777619u;
	return (uint8_t)(hash % 255 + 1);
}

static bool vrid_used(const struct config *config, const struct config_vrrp *vrrp,
		      const bool *assigned)
{
	for (size_t i = 0; i < config->vrrp_count; i++) {
		const struct config_vrrp *other = &config->vrrps[i];

		if (other != vrrp && assigned[i] && other->vrid == vrrp->vrid &&
		    !strcmp(other->interface, vrrp->interface))
			return true;
	}
	return false;
}

static int automatic_order(const void *a, const void *b)
{
	const struct config_vrrp *x = *(const struct config_vrrp *const *)a;
	const struct config_vrrp *y = *(const struct config_vrrp *const *)b;

	return strcmp(x->name, y->name);
}

/* Given vrids first; then the automatic ones in name order, each taking its hash
 * or, when that is used on its interface, the next free one (the daemon logs it). */
static int vrid_assign(struct config_parser *parser)
{
	struct config *config = parser->config;
	struct config_vrrp **automatic = calloc(config->vrrp_count + 1, sizeof(*automatic));
	bool *assigned = calloc(config->vrrp_count + 1, sizeof(*assigned));
	size_t count = 0, i;
	int ret = 0;

	if (!automatic || !assigned) {
		ret = out_of_memory(parser, &parser->vrrp_sources[0].block);
		goto out;
	}
	for (i = 0; i < config->vrrp_count; i++) {
		assigned[i] = !config->vrrps[i].vrid_automatic;
		if (!assigned[i])
			automatic[count++] = &config->vrrps[i];
	}
	qsort(automatic, count, sizeof(*automatic), automatic_order);
	for (i = 0; i < count; i++) {
		struct config_vrrp *vrrp = automatic[i];
		int tries = 0;

		vrrp->vrid = vrrp->vrid_wanted = vrid_hash(vrrp);
		while (vrid_used(config, vrrp, assigned) && ++tries < 255)
			vrrp->vrid = (uint8_t)(vrrp->vrid % 255 + 1);
		if (tries == 255) {
			config_error(parser, &parser->vrrp_sources[vrrp - config->vrrps].block,
				     "vrrp \"%s\": no free vrid on interface %s", vrrp->name,
				     vrrp->interface);
			ret = -ENOSPC;
		}
		assigned[vrrp - config->vrrps] = true;
	}
out:
	free(automatic);
	free(assigned);
	return ret;
}

/* A VIP that an interface block also gives its interface would be added there at
 * start and removed by every backup: VRRP alone owns it. */
static void check_interface_addresses(struct config_parser *parser, size_t index)
{
	const struct config *config = parser->config;
	const struct config_vrrp *vrrp = &config->vrrps[index];
	char text[INET6_ADDRSTRLEN], first[300];

	for (size_t v = 0; v < vrrp->vip_count; v++) {
		const char *name = config_vrrp_vip_interface(vrrp, v);

		for (size_t i = 0; i < config->interface_count; i++) {
			const struct config_interface *interface = &config->interfaces[i];
			const struct interface_parse *where = &parser->interface_parses[i];

			if (strcmp(interface->name, name) || interface->namespace_name[0])
				continue;
			for (size_t a = 0; a < interface->address_count; a++) {
				if (!inet_addr_equal(&interface->addresses[a].addr,
						     &vrrp->vips[v].addr))
					continue;
				location_reference(&parser->vrrp_sources[index].name,
						   &where->address_locations[a], first,
						   sizeof(first));
				config_error(parser, &parser->vrrp_sources[index].name,
					     "vip %s of vrrp \"%s\" is also an address of interface "
					     "%s (at %s): VRRP adds and removes it",
					     inet_addr_format(&vrrp->vips[v].addr, text,
							      sizeof(text)),
					     vrrp->name, name, first);
			}
		}
	}
}

void vrrp_check_all(struct config_parser *parser)
{
	const struct config *config = parser->config;

	for (size_t i = 1; i < config->vrrp_count; i++)
		for (size_t j = 0; j < i; j++)
			check_pair(parser, i, j);
	for (size_t i = 0; i < config->vrrp_count; i++)
		check_interface_addresses(parser, i);
	if (!parser->error_count && config->vrrp_count)
		vrid_assign(parser);
}

bool config_vrrp_equal(const struct config_vrrp *a, const struct config_vrrp *b)
{
	if (strcmp(a->name, b->name) || strcmp(a->interface, b->interface) ||
	    a->priority != b->priority || a->version != b->version || a->vrid != b->vrid ||
	    a->preempt != b->preempt || a->preempt_delay_ms != b->preempt_delay_ms ||
	    a->advert_ms != b->advert_ms || a->method != b->method ||
	    !inet_addr_equal(&a->gateway_v4, &b->gateway_v4) ||
	    !inet_addr_equal(&a->gateway_v6, &b->gateway_v6) ||
	    a->unicast_peer_count != b->unicast_peer_count || a->vip_count != b->vip_count)
		return false;
	if ((a->notify == NULL) != (b->notify == NULL) ||
	    (a->notify && strcmp(a->notify, b->notify)))
		return false;
	for (size_t i = 0; i < a->unicast_peer_count; i++)
		if (!inet_addr_equal(&a->unicast_peers[i], &b->unicast_peers[i]))
			return false;
	for (size_t i = 0; i < a->vip_count; i++)
		if (!inet_addr_equal(&a->vips[i].addr, &b->vips[i].addr) ||
		    a->vips[i].prefix_len != b->vips[i].prefix_len ||
		    strcmp(config_vrrp_vip_interface(a, i), config_vrrp_vip_interface(b, i)))
			return false;
	return true;
}
