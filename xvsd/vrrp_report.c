// SPDX-License-Identifier: GPL-2.0-only
/* The speaker as others see it: GET /api/v1/vrrp (and xvsctl vrrp), the summary
 * in GET /api/v1/status, and the xvs_vrrp_* families of /metrics. */
#include <inttypes.h>
#include <string.h>

#include "json_doc.h"
#include "vrrp_internal.h"

static struct json_object *vips_json(const struct vrrp_router *router)
{
	struct json_object *vips = json_object_new_array();

	for (size_t i = 0; i < router->vip_count; i++) {
		char address[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN + 8];

		inet_addr_format(&router->vips[i].addr, address, sizeof(address));
		snprintf(text, sizeof(text), "%s/%u", address, router->vips[i].prefix_len);
		json_object_array_add(vips, json_object_new_string(text));
	}
	return vips;
}

/* Each VIP with the interface it lives on, in the order of "vips". */
static struct json_object *vip_interfaces_json(const struct vrrp_router *router)
{
	struct json_object *list = json_object_new_array();

	for (size_t i = 0; i < router->vip_count; i++) {
		struct json_object *object = json_object_new_object();
		char address[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN + 8];
		int link = router->vip_links[i];

		inet_addr_format(&router->vips[i].addr, address, sizeof(address));
		snprintf(text, sizeof(text), "%s/%u", address, router->vips[i].prefix_len);
		json_add_string(object, "vip", text);
		json_add_string(object, "interface", link < 0 ? router->instance->conf.interface
							      : router->links[link].name);
		json_object_array_add(list, object);
	}
	return list;
}

/* Every interface the router tracks: its own first, then those of its VIPs. */
static struct json_object *links_json(const struct vrrp_router *router)
{
	struct json_object *list = json_object_new_array();

	for (size_t i = 0; i <= router->link_count; i++) {
		struct json_object *object = json_object_new_object();
		const char *name = i ? router->links[i - 1].name : router->instance->conf.interface;
		bool present = i ? router->links[i - 1].ifindex != 0 : router->ifindex != 0;
		bool carrier = i ? router->links[i - 1].carrier : router->carrier;

		json_add_string(object, "interface", name);
		json_object_object_add(object, "present", json_object_new_boolean(present));
		json_object_object_add(object, "carrier",
				       json_object_new_boolean(present && carrier));
		json_object_array_add(list, object);
	}
	return list;
}

static struct json_object *faults_json(unsigned int faults)
{
	static const char *const names[] = { "interface", "address", "link", "gateway",
					     "socket" };
	struct json_object *list = json_object_new_array();

	for (size_t i = 0; i < 5; i++)
		if (faults & (1u << i))
			json_object_array_add(list, json_object_new_string(names[i]));
	return list;
}

static struct json_object *counters_json(const struct vrrp_counters *counters)
{
	struct json_object *object = json_object_new_object();
	struct json_object *dropped = json_object_new_object();

	json_add_int(object, "adverts_received", (int64_t)counters->received);
	json_add_int(object, "adverts_sent", (int64_t)counters->sent);
	json_add_int(object, "send_errors", (int64_t)counters->send_errors);
	json_add_int(object, "transitions", (int64_t)counters->transitions);
	json_add_int(object, "announcements", (int64_t)counters->garps);
	json_add_int(object, "probes_sent", (int64_t)counters->probes_sent);
	json_add_int(object, "probes_answered", (int64_t)counters->probes_answered);
	for (int reason = 1; reason < VRRP_DROP__MAX; reason++)
		json_add_int(dropped, vrrp_packet__drop_name(reason),
			(int64_t)counters->dropped[reason]);
	json_object_object_add(object, "adverts_dropped", dropped);
	return object;
}

static struct json_object *router_json(const struct vrrp_router *router)
{
	const struct config_vrrp *conf = &router->instance->conf;
	struct json_object *object = json_object_new_object();
	struct json_object *last = json_object_new_object();
	char text[INET6_ADDRSTRLEN];

	json_add_string(object, "name", conf->name);
	json_add_string(object, "interface", conf->interface);
	json_add_int(object, "vrid", conf->vrid);
	json_object_object_add(object, "vrid_automatic",
			       json_object_new_boolean(conf->vrid_automatic));
	json_add_string(object, "family", vrrp_family_name(router->family));
	json_add_int(object, "version", conf->version);
	json_add_string(object, "state", vrrp_state_name(router->state));
	json_add_int(object, "priority", conf->priority);
	json_add_int(object, "advert_ms", conf->advert_ms);
	json_object_object_add(object, "preempt", json_object_new_boolean(conf->preempt));
	json_add_int(object, "preempt_delay_ms", conf->preempt_delay_ms);
	json_add_string(object, "method", config_vrrp_method_name(conf->method));
	json_add_string(object, "mode", conf->unicast_peer_count ? "unicast" : "multicast");
	json_object_object_add(object, "vips", vips_json(router));
	json_object_object_add(object, "vip_interfaces", vip_interfaces_json(router));
	json_object_object_add(object, "links", links_json(router));
	json_add_time(object, "since", router->since);
	json_add_string(object, "master", router->master.family
					     ? inet_addr_format(&router->master, text, sizeof(text))
					     : NULL);
	json_add_int(object, "master_priority", router->master.family ? router->master_priority : 0);
	json_add_string(object, "address", router->primary.family
					      ? inet_addr_format(&router->primary, text,
								 sizeof(text))
					      : NULL);
	json_object_object_add(object, "faults", faults_json(router->faults));
	json_add_string(last, "from", vrrp_state_name(router->last_from));
	json_add_string(last, "to", vrrp_state_name(router->state));
	json_add_string(last, "reason", router->last_reason);
	json_add_time(last, "at", router->since);
	json_object_object_add(object, "last_transition", last);
	json_object_object_add(object, "counters", counters_json(&router->counters));
	return object;
}

#define FOR_EACH_ROUTER(speaker, router)                                                    \
	for (size_t i_ = 0; i_ < (speaker)->instance_count; i_++)                          \
		for (int f_ = 0; f_ < 2; f_++)                                             \
			if (((router) = (speaker)->instances[i_]->routers[f_]) != NULL)

struct json_object *vrrp__json(const struct vrrp *speaker)
{
	struct json_object *document = json_object_new_object();
	struct json_object *list = json_object_new_array();
	const struct vrrp_router *router;

	if (speaker)
		FOR_EACH_ROUTER(speaker, router)
			json_object_array_add(list, router_json(router));
	json_object_object_add(document, "instances", list);
	return document;
}

struct json_object *vrrp__summary_json(const struct vrrp *speaker)
{
	struct json_object *summary = json_object_new_object();
	int64_t counts[4] = { 0 };
	const struct vrrp_router *router;

	if (speaker)
		FOR_EACH_ROUTER(speaker, router)
			counts[router->state]++;
	for (int state = 0; state < 4; state++)
		json_add_int(summary, vrrp_state_name(state), counts[state]);
	return summary;
}

static void labels(char *buffer, size_t size, const struct vrrp_router *router)
{
	snprintf(buffer, size, "instance=\"%s\",family=\"%s\"", router->instance->conf.name,
		 vrrp_family_name(router->family));
}

static void counter_family(FILE *out, const struct vrrp *speaker, const char *name,
			   const char *help, size_t offset)
{
	const struct vrrp_router *router;
	char text[160];

	fprintf(out, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
	FOR_EACH_ROUTER(speaker, router) {
		uint64_t value;

		memcpy(&value, (const char *)&router->counters + offset, sizeof(value));
		labels(text, sizeof(text), router);
		fprintf(out, "%s{%s} %" PRIu64 "\n", name, text, value);
	}
}

void vrrp__metrics(FILE *out, const struct vrrp *speaker)
{
	const struct vrrp_router *router;
	char text[160];

	if (!speaker)
		return;
	fprintf(out, "# HELP xvs_vrrp_state VRRP state: 0 init, 1 backup, 2 master, 3 fault.\n"
		     "# TYPE xvs_vrrp_state gauge\n");
	FOR_EACH_ROUTER(speaker, router) {
		labels(text, sizeof(text), router);
		fprintf(out, "xvs_vrrp_state{%s} %d\n", text, (int)router->state);
	}
	counter_family(out, speaker, "xvs_vrrp_adverts_received_total", "Adverts accepted.",
		       offsetof(struct vrrp_counters, received));
	counter_family(out, speaker, "xvs_vrrp_adverts_sent_total", "Adverts sent.",
		       offsetof(struct vrrp_counters, sent));
	counter_family(out, speaker, "xvs_vrrp_transitions_total", "State changes.",
		       offsetof(struct vrrp_counters, transitions));
	counter_family(out, speaker, "xvs_vrrp_announcements_total",
		       "Gratuitous ARPs and unsolicited neighbour advertisements sent.",
		       offsetof(struct vrrp_counters, garps));
	fprintf(out, "# HELP xvs_vrrp_adverts_dropped_total Adverts dropped, by reason.\n"
		     "# TYPE xvs_vrrp_adverts_dropped_total counter\n");
	FOR_EACH_ROUTER(speaker, router) {
		labels(text, sizeof(text), router);
		for (int reason = 1; reason < VRRP_DROP__MAX; reason++)
			fprintf(out, "xvs_vrrp_adverts_dropped_total{%s,reason=\"%s\"} %" PRIu64 "\n",
				text, vrrp_packet__drop_name(reason),
				router->counters.dropped[reason]);
	}
}
