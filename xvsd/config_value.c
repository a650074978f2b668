// SPDX-License-Identifier: GPL-2.0-only
/* Values in the configuration file: numbers, durations, sizes, names, paths,
 * addresses and keyword choices; each error quotes the token and the range. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

const char *const config_mode_names[XVS_MODE__MAX] = {
	[XVS_MODE_NAT] = "nat", [XVS_MODE_SNAT] = "snat", [XVS_MODE_DR] = "dr",
	[XVS_MODE_TUN] = "tun", [XVS_MODE_GENERIC] = "generic",
};

const char *const config_scheduler_names[XVS_SCHED__MAX] = {
	[XVS_SCHED_RR] = "rr", [XVS_SCHED_WRR] = "wrr", [XVS_SCHED_LC] = "lc",
	[XVS_SCHED_WLC] = "wlc", [XVS_SCHED_SH] = "sh", [XVS_SCHED_DH] = "dh",
	[XVS_SCHED_MH] = "mh",
};

const char *const config_check_names[CHECK_EXEC + 1] = {
	[CHECK_NONE] = "none", [CHECK_TCP] = "tcp", [CHECK_HTTP] = "http",
	[CHECK_HTTPS] = "https", [CHECK_UDP] = "udp", [CHECK_DNS] = "dns",
	[CHECK_SIP] = "sip", [CHECK_RADIUS] = "radius", [CHECK_EXEC] = "exec",
};

const char *const config_interface_type_names[INTERFACE_TYPE_COUNT] = {
	[INTERFACE_ETHERNET] = "ethernet", [INTERFACE_VLAN] = "vlan",
	[INTERFACE_BOND] = "bond", [INTERFACE_LACP] = "lacp", [INTERFACE_VETH] = "veth",
	[INTERFACE_VETH_PEER] = "veth-peer", [INTERFACE_BRIDGE] = "bridge",
	[INTERFACE_MACVLAN] = "macvlan",
};

static const struct {
	const char *name;
	uint8_t number;
} proto_names[] = {
	{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP }, { "esp", IPPROTO_ESP },
	{ "ah", IPPROTO_AH },   { "gre", IPPROTO_GRE }, { "icmp", IPPROTO_ICMP },
	{ "icmpv6", IPPROTO_ICMPV6 }, { "sctp", IPPROTO_SCTP },
};

const char *const config_bond_mode_names[BOND_MODE_BALANCE_ALB + 1] = {
	[BOND_MODE_BALANCE_RR] = "balance-rr", [BOND_MODE_ACTIVE_BACKUP] = "active-backup",
	[BOND_MODE_BALANCE_XOR] = "balance-xor", [BOND_MODE_BROADCAST] = "broadcast",
	[BOND_MODE_8023AD] = "802.3ad", [BOND_MODE_BALANCE_TLB] = "balance-tlb",
	[BOND_MODE_BALANCE_ALB] = "balance-alb",
};

const char *const config_bond_hash_names[BOND_HASH_ENCAP3_4 + 1] = {
	[BOND_HASH_LAYER2] = "layer2", [BOND_HASH_LAYER3_4] = "layer3+4",
	[BOND_HASH_LAYER2_3] = "layer2+3", [BOND_HASH_ENCAP2_3] = "encap2+3",
	[BOND_HASH_ENCAP3_4] = "encap3+4",
};

const char *const config_macvlan_mode_names[CONFIG_MACVLAN_MODE_COUNT] = {
	[CONFIG_MACVLAN_BRIDGE] = "bridge", [CONFIG_MACVLAN_PRIVATE] = "private",
	[CONFIG_MACVLAN_VEPA] = "vepa", [CONFIG_MACVLAN_PASSTHRU] = "passthru",
	[CONFIG_MACVLAN_SOURCE] = "source",
};

const char *config_mode_name(uint8_t mode)
{
	return mode < XVS_MODE__MAX ? config_mode_names[mode] : "unknown";
}

const char *config_scheduler_name(uint8_t scheduler)
{
	return scheduler < XVS_SCHED__MAX ? config_scheduler_names[scheduler] : "unknown";
}

const char *config_proto_name(uint8_t proto)
{
	size_t i;

	for (i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++)
		if (proto_names[i].number == proto)
			return proto_names[i].name;
	return NULL;
}

/* Splits "123k" into 123 and "k"; a value too large for 64 bits saturates.
 * Returns -EINVAL unless text starts with a digit. */
static int number_split(const char *text, uint64_t *value, const char **suffix)
{
	uint64_t result = 0;

	if (*text < '0' || *text > '9')
		return -EINVAL;
	for (; *text >= '0' && *text <= '9'; text++) {
		unsigned int digit = (unsigned int)(*text - '0');

		if (result > (UINT64_MAX - digit) / 10)
			result = UINT64_MAX;
		else
			result = result * 10 + digit;
	}
	*value = result;
	*suffix = text;
	return 0;
}

static uint64_t saturating_multiply(uint64_t value, uint64_t factor)
{
	return value > UINT64_MAX / factor ? UINT64_MAX : value * factor;
}

int value_number(struct config_parser *parser, const struct token *token,
		 const char *what, uint64_t min, uint64_t max, uint64_t *value)
{
	const char *suffix;
	uint64_t number;

	if (number_split(token->text, &number, &suffix) || *suffix) {
		config_error(parser, &token->location,
			     "invalid %s \"%s\" (expected a number, %llu..%llu)", what,
			     quoted(parser, token->text), (unsigned long long)min,
			     (unsigned long long)max);
		return -EINVAL;
	}
	if (number < min || number > max) {
		config_error(parser, &token->location, "%s %s out of range (%llu..%llu)",
			     what, token->text, (unsigned long long)min,
			     (unsigned long long)max);
		return -ERANGE;
	}
	*value = number;
	return 0;
}

const char *format_duration(uint32_t ms, char *buffer, size_t size)
{
	if (ms && ms % 3600000 == 0)
		snprintf(buffer, size, "%uh", ms / 3600000);
	else if (ms && ms % 60000 == 0)
		snprintf(buffer, size, "%um", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(buffer, size, "%us", ms / 1000);
	else
		snprintf(buffer, size, "%ums", ms);
	return buffer;
}

int value_duration(struct config_parser *parser, const struct token *token,
		   const char *what, uint32_t min_ms, uint32_t max_ms, uint32_t *value)
{
	static const struct { const char *suffix; uint64_t ms; } units[] = {
		{ "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	};
	char low[16], high[16];
	const char *suffix;
	size_t i, count = sizeof(units) / sizeof(units[0]);
	uint64_t number;

	format_duration(min_ms, low, sizeof(low));
	format_duration(max_ms, high, sizeof(high));
	i = count;
	if (number_split(token->text, &number, &suffix) == 0) {
		for (i = 0; i < count; i++)
			if (strcmp(suffix, units[i].suffix) == 0)
				break;
	}
	if (i == count) {
		config_error(parser, &token->location,
			     "invalid %s \"%s\" (expected a duration with ms, s, m or h, %s..%s)",
			     what, quoted(parser, token->text), low, high);
		return -EINVAL;
	}
	number = saturating_multiply(number, units[i].ms);
	if (number < min_ms || number > max_ms) {
		config_error(parser, &token->location, "%s %s out of range (%s..%s)", what,
			     token->text, low, high);
		return -ERANGE;
	}
	*value = (uint32_t)number;
	return 0;
}

static const char *format_size(uint32_t size, char *buffer, size_t buffer_size)
{
	if (size && size % 1048576 == 0)
		snprintf(buffer, buffer_size, "%um", size / 1048576);
	else if (size && size % 1024 == 0)
		snprintf(buffer, buffer_size, "%uk", size / 1024);
	else
		snprintf(buffer, buffer_size, "%u", size);
	return buffer;
}

int value_size(struct config_parser *parser, const struct token *token,
	       const char *what, uint32_t min, uint32_t max, uint32_t *value)
{
	char low[16], high[16];
	const char *suffix;
	uint64_t number, factor = 0;

	format_size(min, low, sizeof(low));
	format_size(max, high, sizeof(high));
	if (number_split(token->text, &number, &suffix) == 0) {
		if (!*suffix)
			factor = 1;
		else if (strcmp(suffix, "k") == 0)
			factor = 1024;
		else if (strcmp(suffix, "m") == 0)
			factor = 1048576;
	}
	if (!factor) {
		config_error(parser, &token->location,
			     "invalid %s \"%s\" (expected a number with optional k or m, %s..%s)",
			     what, quoted(parser, token->text), low, high);
		return -EINVAL;
	}
	number = saturating_multiply(number, factor);
	if (number < min || number > max) {
		config_error(parser, &token->location, "%s %s out of range (%s..%s)", what,
			     token->text, low, high);
		return -ERANGE;
	}
	*value = (uint32_t)number;
	return 0;
}

/* Names of services, nodes, interfaces, namespaces: they appear in metrics
 * labels, file names and netlink requests, hence the narrow alphabet. */
int value_name(struct config_parser *parser, const struct token *token,
	       const char *what, size_t max_length, char *name)
{
	size_t length = strlen(token->text);
	size_t span = strspn(token->text, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					  "abcdefghijklmnopqrstuvwxyz0123456789_.-");

	if (length == 0 || length > max_length || span != length) {
		config_error(parser, &token->location,
			     "invalid %s \"%s\" (expected 1..%zu characters of A-Z a-z 0-9 _ . -)",
			     what, quoted(parser, token->text), max_length);
		return -EINVAL;
	}
	memcpy(name, token->text, length + 1);
	return 0;
}

/* A network namespace's name, as "ip netns" keeps it under /run/netns. */
int value_namespace(struct config_parser *parser, const struct token *token, char *name)
{
	int err = value_name(parser, token, "namespace name", CONFIG_NAME_MAX - 1, name);

	if (!err && (!strcmp(name, ".") || !strcmp(name, ".."))) {
		config_error(parser, &token->location, "invalid namespace name \"%s\"", name);
		name[0] = '\0';
		return -EINVAL;
	}
	return err;
}

int value_path(struct config_parser *parser, const struct token *token,
	       const char *what, char *path, size_t size)
{
	size_t length = strlen(token->text);

	if (token->text[0] != '/') {
		config_error(parser, &token->location,
			     "%s \"%s\" is not an absolute path", what,
			     quoted(parser, token->text));
		return -EINVAL;
	}
	if (length >= size) {
		config_error(parser, &token->location, "%s \"%s\" is too long (at most %zu bytes)",
			     what, quoted(parser, token->text), size - 1);
		return -ENAMETOOLONG;
	}
	memcpy(path, token->text, length + 1);
	return 0;
}

int value_address(struct config_parser *parser, const struct token *token,
		  const char *what, struct inet_addr *address)
{
	if (inet_addr_parse(token->text, address)) {
		config_error(parser, &token->location,
			     "invalid %s \"%s\" (expected an IPv4 or IPv6 address)", what,
			     quoted(parser, token->text));
		return -EINVAL;
	}
	return 0;
}

int value_address_port(struct config_parser *parser, const struct token *token,
		       const char *what, bool port_required, struct inet_addr *address,
		       uint16_t *port)
{
	const char *expected = port_required ? "ADDRESS:PORT or [IPV6]:PORT"
					     : "ADDRESS, ADDRESS:PORT or [IPV6]:PORT";
	int err = inet_addr_port_parse(token->text, address, port);

	if (err == -ERANGE) {
		config_error(parser, &token->location,
			     "port in %s \"%s\" out of range (1..65535)", what,
			     quoted(parser, token->text));
		return err;
	}
	if (err) {
		config_error(parser, &token->location, "invalid %s \"%s\" (expected %s)",
			     what, quoted(parser, token->text), expected);
		return err;
	}
	if (port_required && !*port) {
		config_error(parser, &token->location, "%s \"%s\" needs a port (expected %s)",
			     what, quoted(parser, token->text), expected);
		return -EINVAL;
	}
	return 0;
}

int value_prefix(struct config_parser *parser, const struct token *token,
		 const char *what, struct config_prefix *prefix)
{
	const char *slash = strchr(token->text, '/');
	char address[INET6_ADDRSTRLEN];
	const char *suffix;
	unsigned int max;
	uint64_t length;

	if (!slash || (size_t)(slash - token->text) >= sizeof(address))
		goto invalid;
	memcpy(address, token->text, (size_t)(slash - token->text));
	address[slash - token->text] = '\0';
	if (inet_addr_parse(address, &prefix->addr) ||
	    number_split(slash + 1, &length, &suffix) || *suffix)
		goto invalid;
	max = prefix->addr.family == AF_INET ? 32 : 128;
	if (length > max) {
		config_error(parser, &token->location,
			     "prefix length of %s \"%s\" out of range (0..%u)", what,
			     quoted(parser, token->text), max);
		return -ERANGE;
	}
	prefix->prefix_len = (uint8_t)length;
	return 0;
invalid:
	config_error(parser, &token->location,
		     "invalid %s \"%s\" (expected ADDRESS/LENGTH, IPv4 or IPv6)", what,
		     quoted(parser, token->text));
	return -EINVAL;
}

/* "a, b or c" of the names whose bit is set in mask. */
const char *format_choices(const char *const *names, size_t count, uint32_t mask,
			   char *buffer, size_t size)
{
	size_t i, total = 0, shown = 0, used = 0;

	for (i = 0; i < count; i++)
		total += (mask >> i) & 1;
	buffer[0] = '\0';
	for (i = 0; i < count && used < size; i++) {
		if (!((mask >> i) & 1))
			continue;
		shown++;
		used += (size_t)snprintf(buffer + used, size - used, "%s%s",
					 shown == 1 ? "" : shown == total ? " or " : ", ",
					 names[i]);
	}
	return buffer;
}

int value_choice(struct config_parser *parser, const struct token *token,
		 const char *what, const char *const *names, size_t count, int *value)
{
	char choices[256];
	size_t i;

	for (i = 0; i < count; i++) {
		if (strcmp(token->text, names[i]) == 0) {
			*value = (int)i;
			return 0;
		}
	}
	format_choices(names, count, UINT32_MAX, choices, sizeof(choices));
	config_error(parser, &token->location, "unknown %s \"%s\" (expected %s)", what,
		     quoted(parser, token->text), choices);
	return -EINVAL;
}

int value_proto(struct config_parser *parser, const struct token *token, uint8_t *proto)
{
	const char *suffix;
	uint64_t number;
	size_t i;

	for (i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++) {
		if (strcmp(token->text, proto_names[i].name) == 0) {
			*proto = proto_names[i].number;
			return 0;
		}
	}
	if (number_split(token->text, &number, &suffix) == 0 && !*suffix) {
		if (number > 255) {
			config_error(parser, &token->location,
				     "proto %s out of range (0..255)", token->text);
			return -ERANGE;
		}
		*proto = (uint8_t)number;
		return 0;
	}
	config_error(parser, &token->location,
		     "unknown proto \"%s\" (expected tcp, udp, esp, ah, gre, icmp, icmpv6, sctp or 0..255)",
		     quoted(parser, token->text));
	return -EINVAL;
}
