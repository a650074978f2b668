// SPDX-License-Identifier: GPL-2.0-only
/* xvsctl vrrp: the VRRP instances of the daemon, one line per instance and
 * address family (state, priority, master, last transition, VIPs and where they
 * live), or --json. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const char *member_string(struct json_object *object, const char *key)
{
	struct json_object *member;

	if (!json_object_object_get_ex(object, key, &member) || !member)
		return "-";
	return json_object_get_string(member);
}

/* "ADDRESS/LENGTH", with "@IFNAME" for a VIP on another interface than the
 * instance's (older daemons send no vip_interfaces: the plain list then). */
static void vips_text(struct json_object *instance, char *text, size_t size)
{
	const char *own = member_string(instance, "interface");
	struct json_object *vips, *where;
	bool detailed;
	size_t used = 0;

	text[0] = '\0';
	detailed = json_object_object_get_ex(instance, "vip_interfaces", &where) &&
		   json_object_is_type(where, json_type_array);
	if (!json_object_object_get_ex(instance, "vips", &vips))
		return;
	for (size_t i = 0; i < json_object_array_length(vips) && used < size; i++) {
		struct json_object *entry = detailed ? json_object_array_get_idx(where, i) : NULL;
		const char *interface = entry ? member_string(entry, "interface") : own;

		used += (size_t)snprintf(text + used, size - used, "%s%s%s%s", i ? "," : "",
					 json_object_get_string(json_object_array_get_idx(vips, i)),
					 strcmp(interface, own) ? "@" : "",
					 strcmp(interface, own) ? interface : "");
	}
}

static void table_vrrp(FILE *out, struct json_object *document)
{
	struct json_object *instances, *last;

	fprintf(out, "%-16s %-6s %-10s %4s %-7s %4s %-26s %-20s %-24s %s\n", "NAME", "FAMILY",
		"INTERFACE", "VRID", "STATE", "PRIO", "MASTER", "SINCE", "LAST TRANSITION",
		"VIPS");
	if (!json_object_object_get_ex(document, "instances", &instances))
		return;
	for (size_t i = 0; i < json_object_array_length(instances); i++) {
		struct json_object *instance = json_object_array_get_idx(instances, i);
		char vips[2048], transition[64];

		vips_text(instance, vips, sizeof(vips));
		transition[0] = '\0';
		if (json_object_object_get_ex(instance, "last_transition", &last))
			snprintf(transition, sizeof(transition), "%s>%s (%s)",
				 member_string(last, "from"), member_string(last, "to"),
				 member_string(last, "reason"));
		fprintf(out, "%-16s %-6s %-10s %4s %-7s %4s %-26s %-20s %-24s %s\n",
			member_string(instance, "name"), member_string(instance, "family"),
			member_string(instance, "interface"), member_string(instance, "vrid"),
			member_string(instance, "state"), member_string(instance, "priority"),
			member_string(instance, "master"), member_string(instance, "since"),
			transition, vips);
	}
}

int command_vrrp(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	struct json_object *document;
	bool json = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (opt != 'j')
			return xvsctl_fail("usage: xvsctl vrrp [--json]");
		json = true;
	}
	if (optind != argc)
		return xvsctl_fail("vrrp: unexpected argument \"%s\"", argv[optind]);
	if (xvsctl_api_get("/api/v1/vrrp", &document))
		return 1;
	if (json)
		xvsctl_json_print(document);
	else
		table_vrrp(stdout, document);
	json_object_put(document);
	return 0;
}
