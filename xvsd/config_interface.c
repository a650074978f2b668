// SPDX-License-Identifier: GPL-2.0-only
/* The configuration's interface blocks: interfaces the data plane attaches to,
 * and those the daemon creates (vlan, bond, veth, bridge, ...). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

static const char *const xdp_mode_names[] = { "auto", "native", "generic", "off" };
static const char *const lacp_rate_names[] = { "fast", "slow" };

void interface_free(struct config_interface *interface)
{
	free(interface->members);
	free(interface->addresses);
}

void interface_parse_free(struct interface_parse *parse)
{
	free(parse->member_locations);
	free(parse->address_locations);
}

/* Locations parallel to an array of the interface; count: items before this one. */
static int location_append(struct location **locations, size_t count,
			   const struct location *location)
{
	struct location *grown = array_reserve(*locations, count, sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	*locations = grown;
	grown[count] = *location;
	return 0;
}

static int interface_name_next(struct config_parser *parser, const struct token *keyword,
			       const char *what, char *name)
{
	struct token token;
	int err = value_next(parser, keyword, "an interface name", &token);

	return err ? err : value_name(parser, &token, what, IFNAMSIZ - 1, name);
}

static int interface_type_parse(struct config_parser *parser, void *object,
				const struct token *keyword)
{
	struct interface_parse *parse = object;
	struct token token;
	int type, err;

	err = keyword_choice(parser, keyword, "interface type", config_interface_type_names,
			     INTERFACE_TYPE_COUNT, &type, &token);
	if (err)
		return err;
	parse->interface.type = (enum interface_type)type;
	parse->type = token.location;
	return 0;
}

static int interface_xdp_parse(struct config_parser *parser, void *object,
			       const struct token *keyword)
{
	struct interface_parse *parse = object;
	int mode, err;

	err = keyword_choice(parser, keyword, "xdp mode", xdp_mode_names, 4, &mode, NULL);
	if (err)
		return err;
	parse->interface.xdp = (enum xdp_attach_mode)mode;
	parse->xdp = keyword->location;
	return 0;
}

static int interface_parent_parse(struct config_parser *parser, void *object,
				  const struct token *keyword)
{
	struct interface_parse *parse = object;

	parse->parent = keyword->location;
	return interface_name_next(parser, keyword, "parent interface name",
				   parse->interface.parent);
}

static int interface_peer_parse(struct config_parser *parser, void *object,
				const struct token *keyword)
{
	struct interface_parse *parse = object;

	parse->peer = keyword->location;
	return interface_name_next(parser, keyword, "peer interface name",
				   parse->interface.peer);
}

static int interface_namespace_parse(struct config_parser *parser, void *object,
				     const struct token *keyword)
{
	struct interface_parse *parse = object;
	struct token token;
	int err = value_next(parser, keyword, "a namespace name", &token);

	parse->namespace_name = keyword->location;
	return err ? err : value_namespace(parser, &token, parse->interface.namespace_name);
}

static int interface_id_parse(struct config_parser *parser, void *object,
			      const struct token *keyword)
{
	struct interface_parse *parse = object;
	uint64_t id;
	int err = keyword_number(parser, keyword, "vlan id", 1, 4094, &id);

	parse->id = keyword->location;
	parse->interface.vlan_id = (uint16_t)id;
	return err;
}

static int interface_mtu_parse(struct config_parser *parser, void *object,
			       const struct token *keyword)
{
	struct interface_parse *parse = object;
	uint64_t mtu;
	int err = keyword_number(parser, keyword, "mtu", 68, 65535, &mtu);

	parse->mtu = keyword->location;
	parse->interface.mtu = (uint32_t)mtu;
	return err;
}

static int interface_address_parse(struct config_parser *parser, void *object,
				   const struct token *keyword)
{
	struct interface_parse *parse = object;
	struct config_interface *interface = &parse->interface;
	struct config_prefix *addresses;
	struct token token;
	int err;

	err = value_next(parser, keyword, "ADDRESS/LENGTH", &token);
	if (err)
		return err;
	addresses = array_reserve(interface->addresses, interface->address_count,
				  sizeof(*addresses));
	if (!addresses)
		return out_of_memory(parser, &token.location);
	interface->addresses = addresses;
	if (location_append(&parse->address_locations, interface->address_count,
			    &token.location))
		return out_of_memory(parser, &token.location);
	err = value_prefix(parser, &token, "address", &addresses[interface->address_count]);
	if (err)
		return err;
	interface->address_count++;
	if (!parse->address.line)
		parse->address = keyword->location;
	return 0;
}

static int interface_members_parse(struct config_parser *parser, void *object,
				   const struct token *keyword)
{
	struct interface_parse *parse = object;
	struct config_interface *interface = &parse->interface;
	struct token token = token_peek(parser);
	char (*members)[IFNAMSIZ];
	int err;

	parse->members = keyword->location;
	do {
		err = value_next(parser, keyword, "an interface name", &token);
		if (err)
			return err;
		members = array_reserve(interface->members, interface->member_count,
					sizeof(*members));
		if (!members)
			return out_of_memory(parser, &token.location);
		interface->members = members;
		if (location_append(&parse->member_locations, interface->member_count,
				    &token.location))
			return out_of_memory(parser, &token.location);
		err = value_name(parser, &token, "member interface name", IFNAMSIZ - 1,
				 members[interface->member_count]);
		if (err)
			return err;
		interface->member_count++;
		token = token_peek(parser);
	} while (token_is_value(&token));
	return 0;
}

/* Bonds and macvlans have modes of their own: the value is read when the
 * block's type is known (interface_mode_resolve). */
static int interface_mode_parse(struct config_parser *parser, void *object,
				const struct token *keyword)
{
	struct interface_parse *parse = object;

	parse->mode = keyword->location;
	return value_next(parser, keyword, "a mode", &parse->mode_value);
}

static void interface_mode_resolve(struct config_parser *parser, struct interface_parse *parse)
{
	struct config_interface *interface = &parse->interface;
	const struct token *token = &parse->mode_value;
	int mode;

	if (!parse->mode.line || !token->text)
		return;
	if (interface->type == INTERFACE_MACVLAN) {
		if (!value_choice(parser, token, "macvlan mode", config_macvlan_mode_names,
				  CONFIG_MACVLAN_MODE_COUNT, &mode))
			interface->macvlan_mode = (uint8_t)mode;
		return;
	}
	if (interface->type != INTERFACE_BOND ||
	    value_choice(parser, token, "bond mode", config_bond_mode_names,
			 BOND_MODE_BALANCE_ALB + 1, &mode))
		return; /* another type: "mode needs type ..." follows */
	if (mode == BOND_MODE_8023AD)
		config_error(parser, &token->location,
			     "bond mode \"802.3ad\" is \"type lacp\" (with lacp_rate and "
			     "xmit_hash_policy)");
	else
		interface->bond_mode = (uint8_t)mode;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Six bytes as two hex digits each, separated by colons. */
static bool mac_text_parse(const char *text, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int high = hex_digit(text[0]), low = high < 0 ? -1 : hex_digit(text[1]);

		if (low < 0 || text[2] != (i == 5 ? '\0' : ':'))
			return false;
		mac[i] = (uint8_t)(high << 4 | low);
		text += 3;
	}
	return true;
}

static int interface_mac_parse(struct config_parser *parser, void *object,
			       const struct token *keyword)
{
	struct interface_parse *parse = object;
	struct config_interface *interface = &parse->interface;
	static const uint8_t zero[6];
	struct token token;
	int err = value_next(parser, keyword, "a MAC address", &token);

	parse->mac = keyword->location;
	if (err)
		return err;
	if (!mac_text_parse(token.text, interface->mac)) {
		config_error(parser, &token.location,
			     "invalid mac \"%s\" (expected six hex bytes such as 02:00:5e:00:53:01)",
			     quoted(parser, token.text));
		return -EINVAL;
	}
	if ((interface->mac[0] & 1) || !memcmp(interface->mac, zero, sizeof(zero))) {
		config_error(parser, &token.location, "mac %s is not a unicast address",
			     quoted(parser, token.text));
		return -EINVAL;
	}
	interface->mac_set = true;
	return 0;
}

static int interface_lacp_rate_parse(struct config_parser *parser, void *object,
				     const struct token *keyword)
{
	struct interface_parse *parse = object;
	int rate, err;

	parse->lacp_rate = keyword->location;
	err = keyword_choice(parser, keyword, "lacp_rate", lacp_rate_names, 2, &rate, NULL);
	parse->interface.lacp_rate_slow = !err && rate == 1;
	return err;
}

static int interface_hash_parse(struct config_parser *parser, void *object,
				const struct token *keyword)
{
	struct interface_parse *parse = object;
	int hash, err;

	parse->xmit_hash_policy = keyword->location;
	err = keyword_choice(parser, keyword, "xmit_hash_policy", config_bond_hash_names,
			     BOND_HASH_ENCAP3_4 + 1, &hash, NULL);
	if (!err)
		parse->interface.xmit_hash_policy = (uint8_t)hash;
	return err;
}

static const struct keyword interface_keywords[] = {
	{ "type", interface_type_parse, false },
	{ "xdp", interface_xdp_parse, false },
	{ "parent", interface_parent_parse, false },
	{ "id", interface_id_parse, false },
	{ "mtu", interface_mtu_parse, false },
	{ "address", interface_address_parse, true },
	{ "members", interface_members_parse, false },
	{ "peer", interface_peer_parse, false },
	{ "namespace", interface_namespace_parse, false },
	{ "mode", interface_mode_parse, false },
	{ "lacp_rate", interface_lacp_rate_parse, false },
	{ "xmit_hash_policy", interface_hash_parse, false },
	{ "mac", interface_mac_parse, false },
};

static const struct block_kind interface_kind = {
	"interface", interface_keywords,
	sizeof(interface_keywords) / sizeof(interface_keywords[0]),
};

#define TYPE_BIT(type) (1u << (type))

/* Settings that belong to some interface types only, and are required for
 * some of those (optional: allowed but not required). */
static const struct {
	const char *keyword;
	size_t offset; /* of its struct location in struct interface_parse */
	uint32_t types;
	uint32_t optional;
} interface_type_settings[] = {
	{ "parent", offsetof(struct interface_parse, parent),
	  TYPE_BIT(INTERFACE_VLAN) | TYPE_BIT(INTERFACE_MACVLAN), 0 },
	{ "id", offsetof(struct interface_parse, id), TYPE_BIT(INTERFACE_VLAN), 0 },
	{ "members", offsetof(struct interface_parse, members),
	  TYPE_BIT(INTERFACE_BOND) | TYPE_BIT(INTERFACE_LACP) | TYPE_BIT(INTERFACE_BRIDGE), 0 },
	{ "peer", offsetof(struct interface_parse, peer), TYPE_BIT(INTERFACE_VETH), 0 },
	/* An existing interface inside a tenant's namespace (docs/tenants.md). */
	{ "namespace", offsetof(struct interface_parse, namespace_name),
	  TYPE_BIT(INTERFACE_VETH_PEER) | TYPE_BIT(INTERFACE_ETHERNET) |
		  TYPE_BIT(INTERFACE_MACVLAN),
	  TYPE_BIT(INTERFACE_ETHERNET) | TYPE_BIT(INTERFACE_MACVLAN) },
	{ "mode", offsetof(struct interface_parse, mode),
	  TYPE_BIT(INTERFACE_BOND) | TYPE_BIT(INTERFACE_MACVLAN),
	  TYPE_BIT(INTERFACE_BOND) | TYPE_BIT(INTERFACE_MACVLAN) },
	{ "mac", offsetof(struct interface_parse, mac), TYPE_BIT(INTERFACE_MACVLAN),
	  TYPE_BIT(INTERFACE_MACVLAN) },
	{ "lacp_rate", offsetof(struct interface_parse, lacp_rate), TYPE_BIT(INTERFACE_LACP),
	  TYPE_BIT(INTERFACE_LACP) },
	{ "xmit_hash_policy", offsetof(struct interface_parse, xmit_hash_policy),
	  TYPE_BIT(INTERFACE_BOND) | TYPE_BIT(INTERFACE_LACP),
	  TYPE_BIT(INTERFACE_BOND) | TYPE_BIT(INTERFACE_LACP) },
};

/* The kernel's macvlan driver has no XDP hook of its own (generic XDP only),
 * and a passthru macvlan shares its parent's MAC address: setting one would
 * change the parent's. */
static void macvlan_settings_check(struct config_parser *parser,
				   const struct interface_parse *parse)
{
	const struct config_interface *interface = &parse->interface;

	if (interface->xdp == XDP_ATTACH_NATIVE)
		config_error(parser, &parse->xdp,
			     "xdp native: a macvlan has generic XDP only; use xdp auto or "
			     "generic");
	if (interface->mac_set && interface->macvlan_mode == CONFIG_MACVLAN_PASSTHRU)
		config_error(parser, &parse->mac,
			     "mac with mode passthru: a passthru macvlan has its parent's "
			     "address (setting one would change the parent's)");
}

/* Defaults that depend on the type, and settings that depend on each other. */
static void interface_type_defaults(struct config_parser *parser,
				    struct interface_parse *parse)
{
	struct config_interface *interface = &parse->interface;

	if (interface->type == INTERFACE_BOND && !parse->mode.line)
		interface->bond_mode = BOND_MODE_ACTIVE_BACKUP;
	if (interface->type == INTERFACE_LACP) {
		interface->bond_mode = BOND_MODE_8023AD;
		if (!parse->xmit_hash_policy.line)
			interface->xmit_hash_policy = BOND_HASH_LAYER3_4;
	}
	if (interface->type == INTERFACE_BOND && parse->xmit_hash_policy.line &&
	    interface->bond_mode != BOND_MODE_BALANCE_XOR &&
	    interface->bond_mode != BOND_MODE_BALANCE_TLB &&
	    interface->bond_mode != BOND_MODE_BALANCE_ALB)
		config_error(parser, &parse->xmit_hash_policy,
			     "xmit_hash_policy needs mode balance-xor, balance-tlb or "
			     "balance-alb (or type lacp), not mode %s",
			     config_bond_mode_names[interface->bond_mode]);
	if (interface->type == INTERFACE_MACVLAN)
		macvlan_settings_check(parser, parse);
}

static void interface_check_type(struct config_parser *parser,
				 const struct interface_parse *parse)
{
	const struct config_interface *interface = &parse->interface;
	uint32_t type = TYPE_BIT(interface->type);
	char types[128];
	size_t i;

	for (i = 0; i < sizeof(interface_type_settings) / sizeof(interface_type_settings[0]);
	     i++) {
		const struct location *given =
			(const void *)((const char *)parse + interface_type_settings[i].offset);
		uint32_t allowed = interface_type_settings[i].types;

		format_choices(config_interface_type_names, INTERFACE_TYPE_COUNT, allowed,
			       types, sizeof(types));
		if (given->line && !(allowed & type))
			config_error(parser, given, "%s needs type %s",
				     interface_type_settings[i].keyword, types);
		else if (!given->line && (allowed & type) &&
			 !(interface_type_settings[i].optional & type))
			config_error(parser, &parse->block, "interface \"%s\": type %s needs %s",
				     interface->name,
				     config_interface_type_names[interface->type],
				     interface_type_settings[i].keyword);
	}
}

static int interface_add(struct config_parser *parser, struct interface_parse *parse)
{
	struct config *config = parser->config;
	struct config_interface *interfaces;
	struct interface_parse *parses;
	struct location *locations;

	interfaces = array_reserve(config->interfaces, config->interface_count,
				   sizeof(*interfaces));
	if (interfaces)
		config->interfaces = interfaces;
	locations = array_reserve(parser->interface_locations, config->interface_count,
				  sizeof(*locations));
	if (locations)
		parser->interface_locations = locations;
	parses = array_reserve(parser->interface_parses, config->interface_count,
			       sizeof(*parses));
	if (parses)
		parser->interface_parses = parses;
	if (!interfaces || !locations || !parses) {
		interface_free(&parse->interface);
		interface_parse_free(parse);
		return out_of_memory(parser, &parse->block);
	}
	interfaces[config->interface_count] = parse->interface;
	parses[config->interface_count] = *parse;
	locations[config->interface_count++] = parse->name;
	return 0;
}

static int interface_name_parse(struct config_parser *parser, struct interface_parse *parse,
				const struct token *keyword)
{
	struct token token;
	int err;

	err = value_next(parser, keyword, "an interface name", &token);
	if (err)
		return err;
	parse->name = token.location;
	value_name(parser, &token, "interface name", IFNAMSIZ - 1, parse->interface.name);
	return 0; /* an error is reported; the block is still worth checking */
}

/* One block per interface; interfaces of one name in different network
 * namespaces are different interfaces. */
static void interface_check_unique(struct config_parser *parser,
				   const struct interface_parse *parse)
{
	const struct config *config = parser->config;
	char first[300];

	for (size_t i = 0; parse->interface.name[0] && i < config->interface_count; i++) {
		if (!strcmp(config->interfaces[i].name, parse->interface.name) &&
		    !strcmp(config->interfaces[i].namespace_name, parse->interface.namespace_name)) {
			location_reference(&parse->name, &parser->interface_locations[i], first,
					   sizeof(first));
			config_error(parser, &parse->name, "duplicate interface \"%s\" (first at %s)",
				     parse->interface.name, first);
			break;
		}
	}
}

int interface_block_parse(struct config_parser *parser, void *object,
			  const struct token *keyword)
{
	struct interface_parse parse = { .block = keyword->location };
	struct block_state state = { .seen_count = 0 };
	int errors_before = parser->error_count;
	int err;

	parse.interface.line = keyword->location.line;
	err = interface_name_parse(parser, &parse, keyword);
	if (!err)
		err = block_parse(parser, keyword, &interface_kind, &parse, &state);
	if (err < 0)
		return err;
	interface_mode_resolve(parser, &parse);
	interface_check_unique(parser, &parse);
	if (parser->error_count == errors_before) {
		interface_check_type(parser, &parse);
		interface_type_defaults(parser, &parse);
		supported_check_interface(parser, &parse);
	}
	err = interface_add(parser, &parse);
	return err ? err : STATEMENT_DONE;
}
