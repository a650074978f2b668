// SPDX-License-Identifier: GPL-2.0-only
/* What xvs can do today. The parser accepts and checks the whole language;
 * what is not built yet is rejected here, in one place: delete lines as
 * features land. */
#include <netinet/in.h>
#include <stddef.h>

#include "config_internal.h"

/* Values that work, one bit per enum value. */
static const uint32_t supported_modes = 1u << XVS_MODE_NAT | 1u << XVS_MODE_SNAT |
					1u << XVS_MODE_DR | 1u << XVS_MODE_TUN |
					1u << XVS_MODE_GENERIC;
static const uint32_t supported_schedulers = (1u << XVS_SCHED__MAX) - 1;
static const uint32_t supported_check_types = (1u << (CHECK_EXEC + 1)) - 1;
static const uint32_t supported_interface_types = (1u << (INTERFACE_TYPE_COUNT)) - 1;
/* Source mode receives only from a list of source MACs xvs does not set. */
static const uint32_t supported_macvlan_modes = (1u << CONFIG_MACVLAN_SOURCE) - 1;

/* Features that are all or nothing. */
static const bool supported_max_conns = true;
static const bool supported_check_port = true;

static bool supported(uint32_t mask, unsigned int value)
{
	return value < 32 && ((mask >> value) & 1);
}

static void reject_choice(struct config_parser *parser, const struct location *location,
			  const char *keyword, const char *const *names, size_t count,
			  uint32_t mask, unsigned int value)
{
	char choices[256];

	format_choices(names, count, mask, choices, sizeof(choices));
	config_error(parser, location, "%s \"%s\" is not supported yet (supported: %s)",
		     keyword, names[value], choices);
}

/* A default that does not work yet must not be taken silently. */
static void reject_default(struct config_parser *parser, const struct service_parse *parse,
			   const char *keyword, const char *const *names, uint32_t mask,
			   unsigned int value)
{
	unsigned int first = (unsigned int)__builtin_ctz(mask);

	config_error(parser, &parse->block,
		     "service \"%s\": default %s %s is not supported yet; set \"%s %s\"",
		     parse->service.name, keyword, names[value], keyword, names[first]);
}

static void supported_check_backends(struct config_parser *parser,
				     const struct service_parse *parse)
{
	const struct config_service *service = &parse->service;
	size_t i;

	for (i = 0; i < service->backend_count; i++) {
		if (!supported_max_conns && service->backends[i].max_conns)
			config_error(parser, &parse->backends[i].max_conns,
				     "max_conns %u is not supported yet (supported: 0)",
				     service->backends[i].max_conns);
		if (!supported_check_port && parse->backends[i].check_port.line)
			config_error(parser, &parse->backends[i].check_port,
				     "check_port is not supported yet");
	}
}

void supported_check_service(struct config_parser *parser,
			     const struct service_parse *parse)
{
	const struct config_service *service = &parse->service;

	if (parse->mode.line && !supported(supported_modes, service->mode))
		reject_choice(parser, &parse->mode, "mode", config_mode_names, XVS_MODE__MAX,
			      supported_modes, service->mode);
	else if (!parse->mode.line && !supported(supported_modes, service->mode))
		reject_default(parser, parse, "mode", config_mode_names, supported_modes,
			       service->mode);
	if (parse->scheduler.line && !supported(supported_schedulers, service->scheduler))
		reject_choice(parser, &parse->scheduler, "scheduler", config_scheduler_names,
			      XVS_SCHED__MAX, supported_schedulers, service->scheduler);
	else if (!parse->scheduler.line && !supported(supported_schedulers, service->scheduler))
		reject_default(parser, parse, "scheduler", config_scheduler_names,
			       supported_schedulers, service->scheduler);
	if (parse->check.line && !supported(supported_check_types, service->check.type))
		reject_choice(parser, &parse->check, "check", config_check_names,
			      CHECK_EXEC + 1, supported_check_types, service->check.type);
	if (config_service_families(service) == (CONFIG_FAMILY_V4 | CONFIG_FAMILY_V6)) {
		if (service->snat_count)
			config_error(parser, &parse->snat,
				     "snat with IPv4 and IPv6 VIPs in one service is not supported yet");
		if (service->persistence == PERSIST_SIP_CALLID)
			config_error(parser, &parse->persistence,
				     "persistence sip-callid with IPv4 and IPv6 VIPs in one service "
				     "is not supported yet");
		if (parse->mask_location.line)
			config_error(parser, &parse->mask_location,
				     "persistence mask with IPv4 and IPv6 VIPs in one service is not "
				     "supported yet");
	}
	supported_check_backends(parser, parse);
}

void supported_check_interface(struct config_parser *parser,
			       const struct interface_parse *parse)
{
	if (parse->type.line && !supported(supported_interface_types, parse->interface.type))
		reject_choice(parser, &parse->type, "type", config_interface_type_names,
			      INTERFACE_TYPE_COUNT, supported_interface_types,
			      parse->interface.type);
	if (parse->interface.type == INTERFACE_MACVLAN && parse->mode.line &&
	    !supported(supported_macvlan_modes, parse->interface.macvlan_mode))
		reject_choice(parser, &parse->mode_value.location, "macvlan mode",
			      config_macvlan_mode_names, CONFIG_MACVLAN_MODE_COUNT,
			      supported_macvlan_modes, parse->interface.macvlan_mode);
	/* xvsd sets MTU and addresses in its own namespace and on veth-peers only. */
	if (parse->interface.type == INTERFACE_ETHERNET && parse->interface.namespace_name[0]) {
		if (parse->mtu.line)
			config_error(parser, &parse->mtu,
				     "mtu on an interface in a namespace is not supported yet");
		if (parse->address.line)
			config_error(parser, &parse->address,
				     "address on an interface in a namespace is not supported yet");
	}
}
