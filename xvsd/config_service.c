// SPDX-License-Identifier: GPL-2.0-only
/* The configuration's service blocks: virtual addresses, how they are balanced,
 * and their backends; the checks across a block's settings and other services. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

void service_free(struct config_service *service)
{
	free(service->vips);
	free(service->snat_addrs);
	free(service->backends);
	check_free(&service->check);
}

static int service_vip_parse(struct config_parser *parser, void *object,
			     const struct token *keyword)
{
	struct service_parse *parse = object;
	struct config_service *service = &parse->service;
	struct inet_addr *vips, address;
	struct location *locations;
	struct token token;
	char first[300];
	size_t i;
	int err;

	err = value_next(parser, keyword, "an address", &token);
	if (!err)
		err = value_address(parser, &token, "vip", &address);
	if (err)
		return err;
	for (i = 0; i < service->vip_count; i++) {
		if (inet_addr_equal(&service->vips[i], &address)) {
			location_reference(&token.location, &parse->vips[i], first,
					   sizeof(first));
			config_error(parser, &token.location, "duplicate vip \"%s\" (first at %s)",
				     quoted(parser, token.text), first);
			return -EEXIST;
		}
	}
	vips = array_reserve(service->vips, service->vip_count, sizeof(*vips));
	if (vips)
		service->vips = vips;
	locations = array_reserve(parse->vips, service->vip_count, sizeof(*locations));
	if (locations)
		parse->vips = locations;
	if (!vips || !locations)
		return out_of_memory(parser, &token.location);
	vips[service->vip_count] = address;
	locations[service->vip_count++] = token.location;
	return 0;
}

static int service_port_parse(struct config_parser *parser, void *object,
			      const struct token *keyword)
{
	struct service_parse *parse = object;
	uint64_t port;
	int err = keyword_number(parser, keyword, "port", 1, 65535, &port);

	if (err)
		return err;
	parse->service.port = (uint16_t)port;
	parse->port = keyword->location;
	return 0;
}

static int service_proto_parse(struct config_parser *parser, void *object,
			       const struct token *keyword)
{
	struct service_parse *parse = object;
	struct token token;
	int err = value_next(parser, keyword, "a protocol", &token);

	if (!err)
		err = value_proto(parser, &token, &parse->service.proto);
	if (!err)
		parse->proto = token.location;
	return err;
}

static int service_mode_parse(struct config_parser *parser, void *object,
			      const struct token *keyword)
{
	struct service_parse *parse = object;
	struct token token;
	int mode, err;

	err = keyword_choice(parser, keyword, "mode", config_mode_names, XVS_MODE__MAX,
			     &mode, &token);
	if (err)
		return err;
	parse->service.mode = (uint8_t)mode;
	parse->mode = token.location;
	return 0;
}

static int service_scheduler_parse(struct config_parser *parser, void *object,
				   const struct token *keyword)
{
	struct service_parse *parse = object;
	struct token token;
	int scheduler, err;

	err = keyword_choice(parser, keyword, "scheduler", config_scheduler_names,
			     XVS_SCHED__MAX, &scheduler, &token);
	if (err)
		return err;
	parse->service.scheduler = (uint8_t)scheduler;
	parse->scheduler = token.location;
	return 0;
}

/* persistence [sip-callid] DURATION [mask N]; the mask's range depends on the
 * VIPs' family, known at the end of the block. */
static int service_persistence_parse(struct config_parser *parser, void *object,
				     const struct token *keyword)
{
	struct service_parse *parse = object;
	struct config_service *service = &parse->service;
	struct token token, mask;
	uint64_t length;
	int err;

	err = value_next(parser, keyword, "a duration", &token);
	if (err)
		return err;
	service->persistence = PERSIST_SOURCE_IP;
	if (strcmp(token.text, "sip-callid") == 0) {
		service->persistence = PERSIST_SIP_CALLID;
		err = value_next(parser, &token, "a duration", &token);
		if (err)
			return err;
	}
	err = value_duration(parser, &token, "persistence", 1000, 86400000,
			     &service->persistence_ms);
	if (err)
		return err;
	parse->persistence = keyword->location;
	mask = token_peek(parser);
	if (mask.type != TOKEN_WORD || strcmp(mask.text, "mask") != 0)
		return 0;
	token_next(parser);
	if (service->persistence == PERSIST_SIP_CALLID) {
		config_error(parser, &mask.location, "persistence sip-callid takes no mask");
		return -EINVAL;
	}
	err = keyword_number(parser, &mask, "mask", 0, 128, &length);
	if (err)
		return err;
	parse->mask = (unsigned int)length;
	parse->mask_location = mask.location;
	return 0;
}

static int service_snat_parse(struct config_parser *parser, void *object,
			      const struct token *keyword)
{
	struct service_parse *parse = object;
	struct config_service *service = &parse->service;
	struct inet_addr *addresses;
	struct token token;
	int err;

	err = value_next(parser, keyword, "an address", &token);
	if (err)
		return err;
	addresses = array_reserve(service->snat_addrs, service->snat_count,
				  sizeof(*addresses));
	if (!addresses)
		return out_of_memory(parser, &token.location);
	service->snat_addrs = addresses;
	err = value_address(parser, &token, "snat address", &addresses[service->snat_count]);
	if (err)
		return err;
	service->snat_count++;
	if (!parse->snat.line)
		parse->snat = keyword->location;
	return 0;
}

/* tunnel_source ADDR: once per family. */
static int service_tunnel_source_parse(struct config_parser *parser, void *object,
				       const struct token *keyword)
{
	struct service_parse *parse = object;
	struct config_service *service = &parse->service;
	struct inet_addr address, *slot;
	struct token token;
	int err;

	err = value_next(parser, keyword, "an address", &token);
	if (!err)
		err = value_address(parser, &token, "tunnel_source", &address);
	if (err)
		return err;
	slot = address.family == AF_INET ? &service->tunnel_source_v4
					 : &service->tunnel_source_v6;
	if (slot->family) {
		config_error(parser, &token.location,
			     "duplicate tunnel_source: one %s address per service",
			     address.family == AF_INET ? "IPv4" : "IPv6");
		return -EEXIST;
	}
	*slot = address;
	if (!parse->tunnel_source.line)
		parse->tunnel_source = keyword->location;
	return 0;
}

static int service_namespace_parse(struct config_parser *parser, void *object,
				   const struct token *keyword)
{
	struct service_parse *parse = object;
	struct token token;
	int err = value_next(parser, keyword, "a namespace name", &token);

	if (!err)
		err = value_namespace(parser, &token, parse->service.namespace_name);
	if (!err)
		parse->namespace_name = keyword->location;
	return err;
}

static int service_removed_backend_parse(struct config_parser *parser, void *object,
					 const struct token *keyword)
{
	static const char *const policies[] = { "keep", "reschedule" };
	struct service_parse *parse = object;
	int policy, err;

	err = keyword_choice(parser, keyword, "removed_backend", policies, 2, &policy, NULL);
	if (!err)
		parse->service.removed_backend = (enum removed_backend)policy;
	return err;
}

/* down_backend keep | reschedule: the flows of a backend that fails its
 * health check; the default depends on proto, known at the block's end. */
static int service_down_backend_parse(struct config_parser *parser, void *object,
				      const struct token *keyword)
{
	static const char *const policies[] = { "keep", "reschedule" };
	struct service_parse *parse = object;
	int policy, err;

	err = keyword_choice(parser, keyword, "down_backend", policies, 2, &policy, NULL);
	if (err)
		return err;
	parse->service.down_backend = (enum down_backend)policy;
	parse->down_backend = keyword->location;
	return 0;
}

/* no_backend drop | pass: new flows while no backend is usable. */
static int service_no_backend_parse(struct config_parser *parser, void *object,
				    const struct token *keyword)
{
	static const char *const actions[] = { "drop", "pass" };
	struct service_parse *parse = object;
	int action, err;

	err = keyword_choice(parser, keyword, "no_backend", actions, 2, &action, NULL);
	if (!err)
		parse->service.no_backend_pass = action == 1;
	return err;
}

/* generic_delivery dr | tun: how mode generic reaches its backends. */
static int service_generic_delivery_parse(struct config_parser *parser, void *object,
					  const struct token *keyword)
{
	static const char *const names[] = { "dr", "tun" };
	struct service_parse *parse = object;
	struct token token;
	int choice, err;

	err = keyword_choice(parser, keyword, "generic_delivery", names, 2, &choice, &token);
	if (err)
		return err;
	parse->service.generic_tun = choice == 1;
	parse->generic_delivery = keyword->location;
	return 0;
}

static const struct keyword service_keywords[] = {
	{ "vip", service_vip_parse, true },
	{ "port", service_port_parse, false },
	{ "proto", service_proto_parse, false },
	{ "mode", service_mode_parse, false },
	{ "scheduler", service_scheduler_parse, false },
	{ "persistence", service_persistence_parse, false },
	{ "snat", service_snat_parse, true },
	{ "tunnel_source", service_tunnel_source_parse, true },
	{ "generic_delivery", service_generic_delivery_parse, false },
	{ "namespace", service_namespace_parse, false },
	{ "check", service_check_parse, false },
	{ "backend", service_backend_parse, true },
	{ "removed_backend", service_removed_backend_parse, false },
	{ "down_backend", service_down_backend_parse, false },
	{ "no_backend", service_no_backend_parse, false },
};

static const struct block_kind service_kind = {
	"service", service_keywords, sizeof(service_keywords) / sizeof(service_keywords[0]),
};

static bool proto_has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static void service_check_required(struct config_parser *parser,
				   const struct service_parse *parse)
{
	const struct config_service *service = &parse->service;
	const char *proto = config_proto_name(service->proto);

	if (!service->vip_count)
		config_error(parser, &parse->block, "service \"%s\": at least one vip is required",
			     service->name);
	if (!parse->proto.line)
		config_error(parser, &parse->block, "service \"%s\": proto is required",
			     service->name);
	else if (proto_has_ports(service->proto) && !parse->port.line)
		config_error(parser, &parse->block,
			     "service \"%s\": port is required for proto %s", service->name,
			     proto);
	else if (!proto_has_ports(service->proto) && parse->port.line)
		config_error(parser, &parse->port, "port needs proto tcp or udp");
}

unsigned int config_service_families(const struct config_service *service)
{
	unsigned int families = 0;

	for (size_t i = 0; i < service->vip_count; i++)
		families |= service->vips[i].family == AF_INET6 ? CONFIG_FAMILY_V6
								: CONFIG_FAMILY_V4;
	return families;
}

bool config_backend_serves(const struct config_service *service, int backend_family,
			   int vip_family)
{
	return backend_family == vip_family ||
	       (service->mode == XVS_MODE_TUN && vip_family == AF_INET &&
		backend_family == AF_INET6);
}

/* Whether some backend of the service serves VIPs of family. */
static bool family_served(const struct config_service *service, int family)
{
	for (size_t i = 0; i < service->backend_count; i++)
		if (config_backend_serves(service, service->backends[i].addr.family, family))
			return true;
	return false;
}

/* A backend answers for the VIP it was sent to, so it serves the VIPs of its
 * own family (mode tun also carries IPv4 VIPs to IPv6 backends: IPv4 in
 * IPv6). A service may have VIPs of both families: each family is scheduled
 * over the backends that serve it, and needs at least one. */
static void service_check_families(struct config_parser *parser, struct service_parse *parse)
{
	struct config_service *service = &parse->service;
	unsigned int families = config_service_families(service);
	int family = families == CONFIG_FAMILY_V6 ? AF_INET6 : AF_INET;
	size_t i;

	for (i = 0; i < service->backend_count; i++) {
		int backend_family = service->backends[i].addr.family;
		bool serves = false;

		for (size_t v = 0; v < service->vip_count && !serves; v++)
			serves = config_backend_serves(service, backend_family,
						       service->vips[v].family);
		if (!serves)
			config_error(parser, &parse->backends[i].address,
				     "backend is %s but the VIPs of service \"%s\" are %s",
				     family_name(backend_family), service->name,
				     family_name(families == CONFIG_FAMILY_V6 ? AF_INET6 : AF_INET));
	}
	if (families == (CONFIG_FAMILY_V4 | CONFIG_FAMILY_V6) && service->backend_count) {
		for (i = 0; i < service->vip_count; i++) {
			int vip_family = service->vips[i].family;

			if (!family_served(service, vip_family)) {
				config_error(parser, &parse->vips[i],
					     "service \"%s\" has %s VIPs but no backend that serves them"
					     " in mode %s", service->name, family_name(vip_family),
					     config_mode_name(service->mode));
				break;
			}
		}
	}
	for (i = 0; families != (CONFIG_FAMILY_V4 | CONFIG_FAMILY_V6) &&
		    i < service->snat_count; i++)
		if (service->snat_addrs[i].family != family)
			config_error(parser, &parse->snat,
				     "snat address is %s but the VIPs of service \"%s\" are %s",
				     family_name(service->snat_addrs[i].family),
				     service->name, family_name(family));
	/* With both families the mask of each is its full length (a mask
	 * given is refused by config_supported.c). */
	service->persistence_mask = family == AF_INET6 ? 128 : 32;
	if (parse->mask_location.line && families != (CONFIG_FAMILY_V4 | CONFIG_FAMILY_V6)) {
		if (parse->mask > service->persistence_mask)
			config_error(parser, &parse->mask_location,
				     "mask %u out of range (0..%u)", parse->mask,
				     service->persistence_mask);
		else
			service->persistence_mask = (uint8_t)parse->mask;
	}
}

static void service_check_conflicts(struct config_parser *parser,
				    const struct service_parse *parse)
{
	const struct config_service *service = &parse->service;
	char number[8];
	size_t i;

	for (i = 0; i < service->backend_count; i++)
		if (service->backends[i].port && service->mode != XVS_MODE_NAT &&
		    service->mode != XVS_MODE_SNAT)
			config_error(parser, &parse->backends[i].address,
				     "backend port needs mode nat or snat");
	/* Generic forwarding keeps no connections, so there is nothing to limit. */
	for (i = 0; i < service->backend_count; i++)
		if (service->backends[i].max_conns && service->mode == XVS_MODE_GENERIC)
			config_error(parser, &parse->backends[i].max_conns,
				     "max_conns needs connection tracking (not mode generic)");
	if (parse->snat.line && service->mode != XVS_MODE_SNAT)
		config_error(parser, &parse->snat, "snat needs mode snat");
	if (!parse->snat.line && service->mode == XVS_MODE_SNAT)
		config_error(parser, &parse->mode, "mode snat needs a snat address");
	if (service->snat_count > XVS_SNAT_ADDRS)
		config_error(parser, &parse->snat, "at most %d snat addresses (%zu given)",
			     XVS_SNAT_ADDRS, service->snat_count);
	if (parse->generic_delivery.line && service->mode != XVS_MODE_GENERIC)
		config_error(parser, &parse->generic_delivery, "generic_delivery needs mode generic");
	if (parse->proto.line && service->mode == XVS_MODE_GENERIC &&
	    proto_has_ports(service->proto))
		config_error(parser, &parse->mode, "mode generic needs a protocol other than tcp or udp");
	else if (parse->proto.line && service->mode != XVS_MODE_GENERIC &&
		 !proto_has_ports(service->proto))
		config_error(parser, &parse->proto, "proto %s needs mode generic",
			     config_proto_name(service->proto) ? config_proto_name(service->proto)
							       : (snprintf(number, sizeof(number), "%u",
									   service->proto), number));
	if (parse->tunnel_source.line && service->mode != XVS_MODE_TUN &&
	    !(service->mode == XVS_MODE_GENERIC && service->generic_tun))
		config_error(parser, &parse->tunnel_source, "tunnel_source needs mode tun (or generic_delivery tun)");
	if (service->persistence == PERSIST_SIP_CALLID && service->proto != IPPROTO_UDP)
		config_error(parser, &parse->persistence, "persistence sip-callid needs proto udp");
}

/* A network check needs a port: the service's, the check's or each
 * backend's check_port (mode generic has no service port). Settles the
 * down_backend default: UDP flows move at once (a datagram stream has no end
 * to wait for), TCP flows finish on their backend. */
static void service_check_health(struct config_parser *parser, struct service_parse *parse)
{
	struct config_service *service = &parse->service;
	bool network = service->check.type != CHECK_NONE && service->check.type != CHECK_EXEC;

	for (size_t i = 0; network && !service->port && !service->check.port &&
			   i < service->backend_count; i++)
		if (!service->backends[i].check_port && !service->backends[i].port)
			config_error(parser, &parse->backends[i].address,
				     "check %s needs a port for this backend: set \"check ... port N\" "
				     "or \"check_port N\"", config_check_names[service->check.type]);
	if (!parse->down_backend.line)
		service->down_backend = service->proto == IPPROTO_UDP ? DOWN_RESCHEDULE : DOWN_KEEP;
}

/* A VIP, port and protocol lead to one service only. */
static void service_check_unique(struct config_parser *parser,
				 const struct service_parse *parse)
{
	const struct config_service *service = &parse->service, *other;
	const struct config *config = parser->config;
	char proto[16], there[300], address[INET6_ADDRSTRLEN];
	size_t i, j, k;

	if (config_proto_name(service->proto))
		snprintf(proto, sizeof(proto), "%s", config_proto_name(service->proto));
	else
		snprintf(proto, sizeof(proto), "%u", service->proto);
	for (i = 0; i < config->service_count; i++) {
		other = &config->services[i];
		/* Tenants (namespaces) may use the same addresses. */
		if (other->port != service->port || other->proto != service->proto ||
		    strcmp(other->namespace_name, service->namespace_name))
			continue;
		for (j = 0; j < service->vip_count; j++) {
			for (k = 0; k < other->vip_count; k++) {
				if (!inet_addr_equal(&service->vips[j], &other->vips[k]))
					continue;
				location_reference(&parse->vips[j],
						   &parser->service_locations[i], there,
						   sizeof(there));
				config_error(parser, &parse->vips[j],
					     "vip %s port %u proto %s is already used by service \"%s\" (%s)",
					     inet_addr_format(&service->vips[j], address,
							      sizeof(address)),
					     service->port, proto, other->name, there);
			}
		}
	}
}

static int service_add(struct config_parser *parser, struct service_parse *parse)
{
	struct config *config = parser->config;
	struct config_service *services;
	struct location *locations;

	free(parse->vips);
	free(parse->backends);
	services = array_reserve(config->services, config->service_count, sizeof(*services));
	if (services)
		config->services = services;
	locations = array_reserve(parser->service_locations, config->service_count,
				  sizeof(*locations));
	if (locations)
		parser->service_locations = locations;
	if (!services || !locations) {
		service_free(&parse->service);
		return out_of_memory(parser, &parse->block);
	}
	services[config->service_count] = parse->service;
	locations[config->service_count++] = parse->name;
	return 0;
}

static void service_name_parse(struct config_parser *parser, struct service_parse *parse,
			       const struct token *name)
{
	const struct config *config = parser->config;
	char first[300];
	size_t i;

	parse->name = name->location;
	if (value_name(parser, name, "service name", CONFIG_NAME_MAX - 1, parse->service.name))
		return;
	for (i = 0; i < config->service_count; i++) {
		if (strcmp(config->services[i].name, parse->service.name) == 0) {
			location_reference(&name->location, &parser->service_locations[i],
					   first, sizeof(first));
			config_error(parser, &name->location,
				     "duplicate service \"%s\" (first at %s)",
				     parse->service.name, first);
			return;
		}
	}
}

static void service_defaults(struct config_service *service)
{
	service->mode = XVS_MODE_NAT;
	service->scheduler = XVS_SCHED_WLC;
	service->check.type = CHECK_NONE;
	service->check.interval_ms = 2000;
	service->check.timeout_ms = 1000;
	service->check.rise = 2;
	service->check.fall = 3;
}

int service_block_parse(struct config_parser *parser, void *object,
			const struct token *keyword)
{
	struct service_parse parse = { .block = keyword->location };
	struct block_state state = { .seen_count = 0 };
	int errors_before = parser->error_count;
	struct token name;
	int err;

	err = value_next(parser, keyword, "a service name", &name);
	if (err)
		return err;
	service_defaults(&parse.service);
	parse.service.line = keyword->location.line;
	service_name_parse(parser, &parse, &name);
	err = block_parse(parser, keyword, &service_kind, &parse, &state);
	if (err < 0) {
		service_free(&parse.service);
		return err;
	}
	/* Checks across settings only when each setting parsed: no cascades. */
	if (parser->error_count == errors_before) {
		service_check_required(parser, &parse);
		service_check_families(parser, &parse);
		service_check_conflicts(parser, &parse);
		service_check_unique(parser, &parse);
		service_check_health(parser, &parse);
		supported_check_service(parser, &parse);
	}
	err = service_add(parser, &parse);
	return err ? err : STATEMENT_DONE;
}
