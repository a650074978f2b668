// SPDX-License-Identifier: GPL-2.0-only
/* The configuration's vrrp blocks: one setting at a time into struct
 * config_vrrp; the checks across settings and instances are in config_vrrp_check.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

static const char *const yes_no[] = { "yes", "no" };
static const char *const method_names[] = { "vrrp", "link", "gw", "link+gw" };

const char *config_vrrp_method_name(enum vrrp_method method)
{
	return (unsigned int)method < 4 ? method_names[method] : "?";
}

void vrrp_free(struct config_vrrp *vrrp)
{
	free(vrrp->unicast_peers);
	free(vrrp->vips);
	free(vrrp->vip_interfaces);
	free(vrrp->notify);
}

const char *config_vrrp_vip_interface(const struct config_vrrp *vrrp, size_t i)
{
	return vrrp->vip_interfaces && vrrp->vip_interfaces[i][0] ? vrrp->vip_interfaces[i]
								   : vrrp->interface;
}

static int vrrp_interface_parse(struct config_parser *parser, void *object,
				const struct token *keyword)
{
	struct vrrp_parse *parse = object;
	struct token token;
	int err = value_next(parser, keyword, "an interface name", &token);

	parse->source.interface = keyword->location;
	return err ? err : value_name(parser, &token, "interface name", IFNAMSIZ - 1,
				      parse->vrrp.interface);
}

static int vrrp_priority_parse(struct config_parser *parser, void *object,
			       const struct token *keyword)
{
	struct vrrp_parse *parse = object;
	uint64_t priority;
	int err = keyword_number(parser, keyword, "priority", 1, 254, &priority);

	if (!err)
		parse->vrrp.priority = (uint8_t)priority;
	return err;
}

static int vrrp_version_parse(struct config_parser *parser, void *object,
			      const struct token *keyword)
{
	struct vrrp_parse *parse = object;
	uint64_t version;
	int err = keyword_number(parser, keyword, "version", 2, 3, &version);

	parse->source.version = keyword->location;
	if (!err)
		parse->vrrp.version = (uint8_t)version;
	return err;
}

static int vrrp_vrid_parse(struct config_parser *parser, void *object,
			   const struct token *keyword)
{
	struct vrrp_parse *parse = object;
	uint64_t vrid;
	int err = keyword_number(parser, keyword, "vrid", 1, 255, &vrid);

	parse->source.vrid = keyword->location;
	if (!err) {
		parse->vrrp.vrid = (uint8_t)vrid;
		parse->vrrp.vrid_automatic = false;
	}
	return err;
}

static int vrrp_advert_parse(struct config_parser *parser, void *object,
			     const struct token *keyword)
{
	struct vrrp_parse *parse = object;

	parse->source.advert = keyword->location;
	return keyword_duration(parser, keyword, "advert", 10, 255000, &parse->vrrp.advert_ms);
}

static int vrrp_preempt_delay_parse(struct config_parser *parser, void *object,
				    const struct token *keyword)
{
	struct vrrp_parse *parse = object;

	parse->source.preempt_delay = keyword->location;
	return keyword_duration(parser, keyword, "preempt_delay", 0, 3600000,
				&parse->vrrp.preempt_delay_ms);
}

static int vrrp_preempt_parse(struct config_parser *parser, void *object,
			      const struct token *keyword)
{
	struct vrrp_parse *parse = object;
	int choice, err;

	parse->source.preempt = keyword->location;
	err = keyword_choice(parser, keyword, "preempt", yes_no, 2, &choice, NULL);
	if (!err)
		parse->vrrp.preempt = choice == 0;
	return err;
}

static int vrrp_method_parse(struct config_parser *parser, void *object,
			     const struct token *keyword)
{
	struct vrrp_parse *parse = object;
	int choice, err;

	parse->source.method = keyword->location;
	err = keyword_choice(parser, keyword, "method", method_names, 4, &choice, NULL);
	if (!err)
		parse->vrrp.method = (enum vrrp_method)choice;
	return err;
}

static int vrrp_gateway_parse(struct config_parser *parser, void *object,
			      const struct token *keyword)
{
	struct vrrp_parse *parse = object;
	struct inet_addr address, *gateway;
	struct location *where;
	struct token token;
	char first[300];
	int err;

	err = value_next(parser, keyword, "an address", &token);
	if (!err)
		err = value_address(parser, &token, "gateway", &address);
	if (err)
		return err;
	gateway = address.family == AF_INET ? &parse->vrrp.gateway_v4 : &parse->vrrp.gateway_v6;
	where = address.family == AF_INET ? &parse->source.gateway_v4 : &parse->source.gateway_v6;
	if (where->line) {
		location_reference(&token.location, where, first, sizeof(first));
		config_error(parser, &token.location, "duplicate %s gateway (first at %s)",
			     address.family == AF_INET ? "IPv4" : "IPv6", first);
		return -EEXIST;
	}
	*gateway = address;
	*where = token.location;
	return 0;
}

static int vrrp_peer_parse(struct config_parser *parser, void *object,
			   const struct token *keyword)
{
	struct vrrp_parse *parse = object;
	struct config_vrrp *vrrp = &parse->vrrp;
	struct inet_addr *peers;
	struct location *locations;
	struct token token;
	int err;

	err = value_next(parser, keyword, "an address", &token);
	if (err)
		return err;
	peers = array_reserve(vrrp->unicast_peers, vrrp->unicast_peer_count, sizeof(*peers));
	if (peers)
		vrrp->unicast_peers = peers;
	locations = array_reserve(parse->peers, vrrp->unicast_peer_count, sizeof(*locations));
	if (locations)
		parse->peers = locations;
	if (!peers || !locations)
		return out_of_memory(parser, &token.location);
	err = value_address(parser, &token, "unicast_peer", &peers[vrrp->unicast_peer_count]);
	if (err)
		return err;
	locations[vrrp->unicast_peer_count++] = token.location;
	return 0;
}

/* "ADDRESS/LENGTH", or a bare address for a host prefix. */
static int vrrp_vip_value(struct config_parser *parser, const struct token *token,
			  struct config_prefix *vip)
{
	int err;

	if (strchr(token->text, '/'))
		return value_prefix(parser, token, "vip", vip);
	err = value_address(parser, token, "vip", &vip->addr);
	vip->prefix_len = vip->addr.family == AF_INET ? 32 : 128;
	return err;
}

/* After the prefix: "interface IFNAME" puts the VIP on another link than the
 * block's (the gateway of a nat pair's backends, docs/vrrp.md). */
static int vrrp_vip_option_parse(struct config_parser *parser, struct vrrp_parse *parse,
				 size_t index)
{
	static const char *const names[] = { "interface" };
	char *interface = parse->vrrp.vip_interfaces[index];
	struct token option = token_next(parser), token;
	int choice, err;

	err = value_choice(parser, &option, "vip option", names, 1, &choice);
	if (err)
		return err;
	if (interface[0]) {
		config_error(parser, &option.location, "duplicate vip option \"interface\"");
		return -EEXIST;
	}
	err = value_next(parser, &option, "an interface name", &token);
	if (!err)
		err = value_name(parser, &token, "interface name", IFNAMSIZ - 1, interface);
	if (!err)
		parse->vip_interfaces[index] = token.location;
	return err;
}

static int vrrp_vip_reserve(struct config_parser *parser, struct vrrp_parse *parse,
			    const struct location *where)
{
	struct config_vrrp *vrrp = &parse->vrrp;
	char (*interfaces)[IFNAMSIZ];
	struct config_prefix *vips;
	struct location *locations, *interface_locations;

	vips = array_reserve(vrrp->vips, vrrp->vip_count, sizeof(*vips));
	if (vips)
		vrrp->vips = vips;
	interfaces = array_reserve(vrrp->vip_interfaces, vrrp->vip_count, sizeof(*interfaces));
	if (interfaces)
		vrrp->vip_interfaces = interfaces;
	locations = array_reserve(parse->vips, vrrp->vip_count, sizeof(*locations));
	if (locations)
		parse->vips = locations;
	interface_locations = array_reserve(parse->vip_interfaces, vrrp->vip_count,
					    sizeof(*interface_locations));
	if (interface_locations)
		parse->vip_interfaces = interface_locations;
	if (!vips || !interfaces || !locations || !interface_locations)
		return out_of_memory(parser, where);
	vrrp->vip_interfaces[vrrp->vip_count][0] = '\0';
	memset(&parse->vip_interfaces[vrrp->vip_count], 0, sizeof(struct location));
	return 0;
}

static int vrrp_vip_parse(struct config_parser *parser, void *object,
			  const struct token *keyword)
{
	struct vrrp_parse *parse = object;
	struct config_vrrp *vrrp = &parse->vrrp;
	struct token token;
	size_t index = vrrp->vip_count;
	int err;

	err = value_next(parser, keyword, "ADDRESS/LENGTH", &token);
	if (!err)
		err = vrrp_vip_reserve(parser, parse, &token.location);
	if (!err)
		err = vrrp_vip_value(parser, &token, &vrrp->vips[index]);
	if (err)
		return err;
	parse->vips[index] = token.location;
	for (token = token_peek(parser); token_is_value(&token); token = token_peek(parser)) {
		err = vrrp_vip_option_parse(parser, parse, index);
		if (err)
			return err;
	}
	vrrp->vip_count++;
	return 0;
}

static int vrrp_notify_parse(struct config_parser *parser, void *object,
			     const struct token *keyword)
{
	struct vrrp_parse *parse = object;
	struct token token;
	int err = value_next(parser, keyword, "a command", &token);

	if (err)
		return err;
	if (!token.text[0]) {
		config_error(parser, &token.location, "notify must not be empty");
		return -EINVAL;
	}
	parse->vrrp.notify = strdup(token.text);
	return parse->vrrp.notify ? 0 : out_of_memory(parser, &token.location);
}

static const struct keyword vrrp_keywords[] = {
	{ "interface", vrrp_interface_parse, false },
	{ "priority", vrrp_priority_parse, false },
	{ "advert", vrrp_advert_parse, false },
	{ "version", vrrp_version_parse, false },
	{ "preempt", vrrp_preempt_parse, false },
	{ "preempt_delay", vrrp_preempt_delay_parse, false },
	{ "vrid", vrrp_vrid_parse, false },
	{ "unicast_peer", vrrp_peer_parse, true },
	{ "method", vrrp_method_parse, false },
	{ "gateway", vrrp_gateway_parse, true },
	{ "vip", vrrp_vip_parse, true },
	{ "notify", vrrp_notify_parse, false },
};

static const struct block_kind vrrp_kind = {
	"vrrp", vrrp_keywords, sizeof(vrrp_keywords) / sizeof(vrrp_keywords[0]),
};

static int vrrp_add(struct config_parser *parser, struct vrrp_parse *parse)
{
	struct config *config = parser->config;
	struct config_vrrp *vrrps;
	struct vrrp_source *sources;

	vrrps = array_reserve(config->vrrps, config->vrrp_count, sizeof(*vrrps));
	if (vrrps)
		config->vrrps = vrrps;
	sources = array_reserve(parser->vrrp_sources, config->vrrp_count, sizeof(*sources));
	if (sources)
		parser->vrrp_sources = sources;
	if (!vrrps || !sources) {
		vrrp_free(&parse->vrrp);
		return out_of_memory(parser, &parse->source.block);
	}
	vrrps[config->vrrp_count] = parse->vrrp;
	sources[config->vrrp_count++] = parse->source;
	return 0;
}

int vrrp_block_parse(struct config_parser *parser, void *object,
		     const struct token *keyword)
{
	struct vrrp_parse parse = {
		.vrrp = { .line = keyword->location.line, .priority = 100, .version = 3,
			  .vrid_automatic = true, .preempt = true, .advert_ms = 1000 },
		.source = { .block = keyword->location },
	};
	struct block_state state = { .seen_count = 0 };
	int errors_before = parser->error_count;
	struct token token;
	int err;

	err = value_next(parser, keyword, "an instance name", &token);
	if (err)
		return err;
	parse.source.name = token.location;
	value_name(parser, &token, "vrrp name", CONFIG_NAME_MAX - 1, parse.vrrp.name);
	err = block_parse(parser, keyword, &vrrp_kind, &parse, &state);
	if (err >= 0 && parser->error_count == errors_before)
		vrrp_check_block(parser, &parse);
	free(parse.vips);
	free(parse.vip_interfaces);
	free(parse.peers);
	if (err < 0) {
		vrrp_free(&parse.vrrp);
		return err;
	}
	err = vrrp_add(parser, &parse);
	return err ? err : STATEMENT_DONE;
}
