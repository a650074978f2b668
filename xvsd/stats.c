// SPDX-License-Identifier: GPL-2.0-only
/* The JSON documents of the API (and so of `xvsctl --json`): services with
 * their backends and counters, connections, daemon status. */
#include "stats.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "health.h"
#include "json_doc.h"
#include "mapenc.h"

static struct json_object *counters_json(const struct xvs_counters *counters)
{
	struct json_object *object = json_object_new_object();

	json_add_int(object, "conns", (int64_t)counters->conns);
	json_add_int(object, "in_packets", (int64_t)counters->in_packets);
	json_add_int(object, "out_packets", (int64_t)counters->out_packets);
	json_add_int(object, "in_bytes", (int64_t)counters->in_bytes);
	json_add_int(object, "out_bytes", (int64_t)counters->out_bytes);
	return object;
}

static struct json_object *rates_json(const struct estimator *estimator)
{
	struct json_object *object = json_object_new_object();
	struct rates rates;

	estimator_rates(estimator, &rates);
	json_add_int(object, "cps", (int64_t)rates.cps);
	json_add_int(object, "in_pps", (int64_t)rates.in_pps);
	json_add_int(object, "out_pps", (int64_t)rates.out_pps);
	json_add_int(object, "in_bps", (int64_t)rates.in_bps);
	json_add_int(object, "out_bps", (int64_t)rates.out_bps);
	return object;
}

/* The backend's check: what ran last and how its checks went. */
static struct json_object *check_json(const struct config_check *conf,
				      const struct backend_health *health)
{
	static const char *const types[] = {
		[CHECK_NONE] = "none", [CHECK_TCP] = "tcp",     [CHECK_HTTP] = "http",
		[CHECK_HTTPS] = "https", [CHECK_UDP] = "udp",   [CHECK_DNS] = "dns",
		[CHECK_SIP] = "sip",   [CHECK_RADIUS] = "radius", [CHECK_EXEC] = "exec",
	};
	struct json_object *object = json_object_new_object();
	char latency[32];

	json_add_string(object, "type", (unsigned int)conf->type <= CHECK_EXEC ? types[conf->type]
									  : "?");
	if (conf->type == CHECK_NONE)
		return object;
	if (health->last_check) {
		json_add_string(object, "result", check_failure_name(health->last_result));
		json_add_string(object, "detail", health->detail);
		snprintf(latency, sizeof(latency), "%.3f", (double)health->latency_us / 1000.0);
		json_object_object_add(object, "latency_ms",
				       json_object_new_double_s((double)health->latency_us / 1000.0,
								latency));
		json_add_time(object, "last", health->last_check);
	} else {
		json_object_object_add(object, "result", NULL);
	}
	json_add_int(object, "successes", health->successes);
	json_add_int(object, "failures", health->failures);
	json_add_int(object, "checks", (int64_t)health->checks);
	json_add_int(object, "failed", (int64_t)health->failed);
	json_add_int(object, "state_changes", (int64_t)health->changes);
	json_add_int(object, "interval_ms", conf->interval_ms);
	json_add_int(object, "rise", conf->rise);
	json_add_int(object, "fall", conf->fall);
	return object;
}

static struct json_object *backend_json(struct daemon *daemon, const struct dp_service *service,
					const struct dp_backend *backend)
{
	struct json_object *object = json_object_new_object();
	char text[INET6_ADDRSTRLEN];
	struct xvs_backend_conns conns;
	struct xvs_counters counters;

	dataplane__backend_counters(daemon->dataplane, backend, &counters);
	dataplane__backend_conns(daemon->dataplane, backend, &conns);
	json_add_string(object, "address", inet_addr_format(&backend->conf->addr, text, sizeof(text)));
	json_add_int(object, "port", backend->conf->port ? backend->conf->port : service->conf->port);
	/* The runtime weight when one was set; drain shows in state. */
	json_add_int(object, "weight", backend->weight_set ? backend->weight : backend->conf->weight);
	json_add_string(object, "state", dataplane__backend_state(backend));
	json_add_time(object, "since", backend->since);
	if (!backend->ready)
		json_add_string(object, "problem", backend->problem);
	json_object_object_add(object, "check", check_json(&service->conf->check,
							   &backend->health));
	json_add_int(object, "active_conns", conns.active);
	json_add_int(object, "inactive_conns", conns.inactive);
	json_object_object_add(object, "stats", counters_json(&counters));
	json_object_object_add(object, "rates", rates_json(&backend->estimator));
	return object;
}

static struct json_object *service_json(struct daemon *daemon, const struct dp_service *service)
{
	const struct config_service *conf = service->conf;
	struct json_object *object = json_object_new_object();
	struct json_object *vips = json_object_new_array();
	struct json_object *backends = json_object_new_array();
	char text[INET6_ADDRSTRLEN];
	struct xvs_counters counters;
	const char *proto = config_proto_name(conf->proto);

	json_add_string(object, "name", conf->name);
	for (size_t i = 0; i < conf->vip_count; i++)
		json_object_array_add(vips, json_object_new_string(
					      inet_addr_format(&conf->vips[i], text, sizeof(text))));
	json_object_object_add(object, "vips", vips);
	json_add_int(object, "port", conf->port);
	if (proto)
		json_add_string(object, "proto", proto);
	else
		json_add_int(object, "proto", conf->proto);
	/* "" for the daemon's own network namespace. */
	json_add_string(object, "namespace", conf->namespace_name);
	json_add_string(object, "mode", config_mode_name(conf->mode));
	json_add_string(object, "scheduler", config_scheduler_name(conf->scheduler));
	json_add_string(object, "state", service->up ? "up" : "down");
	json_add_time(object, "since", service->since);
	dataplane__service_counters(daemon->dataplane, service, &counters);
	json_object_object_add(object, "stats", counters_json(&counters));
	json_object_object_add(object, "rates", rates_json(&service->estimator));
	for (size_t i = 0; i < service->backend_count; i++)
		json_object_array_add(backends,
				      backend_json(daemon, service, &service->backends[i]));
	json_object_object_add(object, "backends", backends);
	return object;
}

struct json_object *stats__services(struct daemon *daemon)
{
	struct json_object *document = json_object_new_object();
	struct json_object *services = json_object_new_array();
	size_t count = dataplane__service_count(daemon->dataplane);

	for (size_t i = 0; i < count; i++)
		json_object_array_add(services, service_json(daemon,
				dataplane__service(daemon->dataplane, i)));
	json_object_object_add(document, "services", services);
	return document;
}

struct json_object *stats__service(struct daemon *daemon, const char *name)
{
	struct dp_service *service = dataplane__service_by_name(daemon->dataplane, name);

	return service ? service_json(daemon, service) : NULL;
}

/* Names as the API and metrics show them, in enum order. */
static const char *const drop_names[XVS_DROP__MAX] = {
	[XVS_DROP_NO_BACKEND] = "no_backend",
	[XVS_DROP_CONN_TABLE_FULL] = "conn_table_full",
	[XVS_DROP_MALFORMED] = "malformed",
	[XVS_DROP_BACKEND_GONE] = "backend_gone",
	[XVS_DROP_TOO_BIG] = "too_big",
	[XVS_DROP_NAT_NO_PORT] = "nat_no_port",
	[XVS_DROP_NO_ROUTE] = "no_route",
};
static const char *const pass_names[XVS_PASS__MAX] = {
	[XVS_PASS_NOT_IP] = "not_ip",
	[XVS_PASS_NO_SERVICE] = "no_service",
	[XVS_PASS_FRAGMENT] = "fragment",
	[XVS_PASS_UNSUPPORTED] = "unsupported",
	[XVS_PASS_NO_NEIGH] = "no_neigh",
	[XVS_PASS_ICMP_NO_FLOW] = "icmp_no_flow",
	[XVS_PASS_NO_BACKEND] = "no_backend",
};

const char *stats__drop_name(int reason)
{
	return reason >= 0 && reason < XVS_DROP__MAX && drop_names[reason] ? drop_names[reason]
									   : "other";
}

const char *stats__pass_name(int reason)
{
	return reason >= 0 && reason < XVS_PASS__MAX && pass_names[reason] ? pass_names[reason]
									   : "other";
}

static struct json_object *reasons_json(struct daemon *daemon, bool drops)
{
	struct json_object *object = json_object_new_object();
	int count = drops ? XVS_DROP__MAX : XVS_PASS__MAX;

	for (int i = 0; i < count; i++) {
		uint64_t value = drops ? dataplane__drops(daemon->dataplane, i)
				       : dataplane__passes(daemon->dataplane, i);

		json_add_int(object, drops ? stats__drop_name(i) : stats__pass_name(i),
			(int64_t)value);
	}
	return object;
}

static const char *const persist_event_names[XVS_PERSIST_EVENT__MAX] = {
	[XVS_PERSIST_HIT] = "hit",
	[XVS_PERSIST_NEW] = "new",
	[XVS_PERSIST_TABLE_FULL] = "table_full",
	[XVS_PERSIST_NO_CALLID] = "no_callid",
};

const char *stats__persist_event_name(int event)
{
	return event >= 0 && event < XVS_PERSIST_EVENT__MAX && persist_event_names[event]
		       ? persist_event_names[event]
		       : "other";
}

static struct json_object *persist_events_json(struct daemon *daemon)
{
	struct json_object *object = json_object_new_object();

	for (int i = 0; i < XVS_PERSIST_EVENT__MAX; i++)
		json_add_int(object, stats__persist_event_name(i),
			(int64_t)dataplane__persist_events(daemon->dataplane, i));
	return object;
}

/* null until the first reload; then {time, result, errors}. */
static struct json_object *last_reload_json(const struct daemon *daemon)
{
	struct json_object *object, *errors;
	const char *line = daemon->last_reload_errors;

	if (!daemon->last_reload)
		return NULL;
	object = json_object_new_object();
	errors = json_object_new_array();
	json_add_time(object, "time", daemon->last_reload);
	json_add_string(object, "result", daemon->last_reload_ok ? "ok" : "failed");
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t length = end ? (size_t)(end - line) : strlen(line);

		json_object_array_add(errors, json_object_new_string_len(line, (int)length));
		line = end ? end + 1 : NULL;
	}
	json_object_object_add(object, "errors", errors);
	return object;
}

/* How the check engine keeps its schedule. */
static struct json_object *health_status_json(struct daemon *daemon)
{
	const struct health_stats *stats;
	struct json_object *object;

	if (!daemon->health)
		return NULL;
	stats = health__stats(daemon->health);
	object = json_object_new_object();
	json_add_int(object, "checkers", (int64_t)stats->checkers);
	json_add_int(object, "running", (int64_t)stats->running);
	json_add_int(object, "started", (int64_t)stats->started);
	json_add_int(object, "skipped", (int64_t)stats->skipped);
	json_add_int(object, "lateness_max_us", (int64_t)stats->lateness_max_us);
	json_add_int(object, "lateness_sum_us", (int64_t)stats->lateness_sum_us);
	return object;
}

/* The connection table upkeep: passes of the reaper thread. */
static struct json_object *conn_scan_json(const struct dp_conn_scan *scan)
{
	struct json_object *object = json_object_new_object();

	json_add_int(object, "passes", (int64_t)scan->passes);
	json_object_object_add(object, "running", json_object_new_boolean(scan->running));
	json_add_int(object, "expired", (int64_t)scan->expired);
	json_add_int(object, "last_pass_us", (int64_t)scan->last_pass_us);
	return object;
}

/* How long the event loop's turns took. */
static struct json_object *loop_json(const struct loop_stats *loop)
{
	struct json_object *object = json_object_new_object();

	json_add_int(object, "turns", (int64_t)loop->turns);
	json_add_int(object, "longest_turn_us", (int64_t)loop->longest_us);
	json_add_int(object, "turn_sum_us", (int64_t)loop->sum_us);
	return object;
}

/* Where XDP is attached, tenants' namespaces included. */
static struct json_object *attachments_json(struct daemon *daemon)
{
	struct json_object *array = json_object_new_array();
	const char *name, *namespace_name;

	for (size_t i = 0; dataplane__attachment(daemon->dataplane, i, &name, &namespace_name);
	     i++) {
		struct json_object *object = json_object_new_object();

		json_add_string(object, "interface", name);
		json_add_string(object, "namespace", namespace_name);
		json_object_array_add(array, object);
	}
	return array;
}

struct json_object *stats__status(struct daemon *daemon)
{
	struct json_object *document = json_object_new_object();
	const struct dp_conn_scan *scan = dataplane__conn_scan(daemon->dataplane);
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	json_add_string(document, "version", XVS_VERSION);
	json_add_string(document, "node", daemon->config->global.node);
	json_add_string(document, "config_file", daemon->config_path);
	json_add_time(document, "started", daemon->started);
	json_add_int(document, "uptime_seconds", now.tv_sec - daemon->started_monotonic.tv_sec);
	json_object_object_add(document, "last_reload", last_reload_json(daemon));
	json_add_int(document, "conn_table_entries", (int64_t)scan->entries);
	json_add_int(document, "conn_table_capacity", dataplane__conn_capacity(daemon->dataplane));
	json_object_object_add(document, "conn_table_scan", conn_scan_json(scan));
	json_object_object_add(document, "xdp", attachments_json(daemon));
	json_object_object_add(document, "drops", reasons_json(daemon, true));
	json_object_object_add(document, "passes", reasons_json(daemon, false));
	json_object_object_add(document, "persistence", persist_events_json(daemon));
	json_object_object_add(document, "health", health_status_json(daemon));
	json_object_object_add(document, "event_loop", loop_json(&daemon->loop));
	json_object_object_add(document, "vrrp", vrrp__summary_json(daemon->vrrp));
	return document;
}

void stats__estimate(struct daemon *daemon)
{
	struct dataplane *dp = daemon->dataplane;
	struct xvs_counters counters;
	struct timespec now;
	uint64_t interval_ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	interval_ms = (uint64_t)(now.tv_sec - daemon->last_estimate.tv_sec) * 1000 +
		      (uint64_t)((now.tv_nsec - daemon->last_estimate.tv_nsec) / 1000000L);
	daemon->last_estimate = now;
	for (size_t s = 0; s < dataplane__service_count(dp); s++) {
		struct dp_service *service = dataplane__service(dp, s);

		dataplane__service_counters(dp, service, &counters);
		estimator_sample(&service->estimator, &counters, interval_ms);
		for (size_t b = 0; b < service->backend_count; b++) {
			struct dp_backend *backend = &service->backends[b];

			dataplane__backend_counters(dp, backend, &counters);
			estimator_sample(&backend->estimator, &counters, interval_ms);
		}
	}
}
