// SPDX-License-Identifier: GPL-2.0-only
/* Checks of the configuration's network namespaces that need the whole file:
 * a tenant's services are only reached through interfaces in its namespace. */
#include <string.h>

#include "config_internal.h"

static bool namespace_has_interface(const struct config *config, const char *name)
{
	for (size_t i = 0; i < config->interface_count; i++)
		if (!strcmp(config->interfaces[i].namespace_name, name) &&
		    config->interfaces[i].xdp != XDP_ATTACH_OFF)
			return true;
	return false;
}

void namespace_check(struct config_parser *parser)
{
	const struct config *config = parser->config;

	for (size_t s = 0; s < config->service_count; s++) {
		const struct config_service *service = &config->services[s];
		bool reported = false;

		if (!service->namespace_name[0] ||
		    namespace_has_interface(config, service->namespace_name))
			continue;
		/* Once per namespace: at its first service. */
		for (size_t t = 0; t < s && !reported; t++)
			reported = !strcmp(config->services[t].namespace_name,
					   service->namespace_name);
		if (!reported)
			config_error(parser, &parser->service_locations[s],
				     "service \"%s\": namespace \"%s\" has no interface for the "
				     "data plane; add \"interface NAME { namespace %s }\"",
				     service->name, service->namespace_name,
				     service->namespace_name);
	}
}
