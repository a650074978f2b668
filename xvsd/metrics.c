// SPDX-License-Identifier: GPL-2.0-only
/* /metrics: every counter and state of the daemon in the Prometheus text
 * exposition format, with the names of SPEC.md (prefix xvs_). */
#include "metrics.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "stats.h"
#include "vrrp.h"

struct family {
	const char *name;
	const char *type;
	const char *help;
};

static void family_header(FILE *out, const struct family *family)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", family->name, family->help, family->name,
		family->type);
}

/* Label values here are service names (restricted by the parser),
 * addresses and fixed words: nothing needs escaping. */
static void backend_label(char *buf, size_t size, const struct dp_service *service,
			  const struct dp_backend *backend)
{
	char address[INET_ADDRPORT_STRLEN];

	inet_addr_port_format(&backend->conf->addr,
			      backend->conf->port ? backend->conf->port : service->conf->port,
			      address, sizeof(address));
	snprintf(buf, size, "service=\"%s\",backend=\"%s\"", service->conf->name, address);
}

/* The three counter families, of services or of backends. */
static void counters_write(FILE *out, struct daemon *daemon, bool backends)
{
	static const struct family families[2][3] = {
		{ { "xvs_service_connections_total", "counter", "Connections scheduled." },
		  { "xvs_service_packets_total", "counter", "Packets, by direction." },
		  { "xvs_service_bytes_total", "counter", "IP bytes, by direction." } },
		{ { "xvs_backend_connections_total", "counter", "Connections scheduled." },
		  { "xvs_backend_packets_total", "counter", "Packets, by direction." },
		  { "xvs_backend_bytes_total", "counter", "IP bytes, by direction." } },
	};
	struct dataplane *dp = daemon->dataplane;
	size_t count = dataplane__service_count(dp);

	for (int f = 0; f < 3; f++) {
		family_header(out, &families[backends][f]);
		for (size_t s = 0; s < count; s++) {
			struct dp_service *service = dataplane__service(dp, s);
			size_t items = backends ? service->backend_count : 1;

			for (size_t b = 0; b < items; b++) {
				struct xvs_counters c;
				char labels[256];

				if (backends) {
					dataplane__backend_counters(dp, &service->backends[b], &c);
					backend_label(labels, sizeof(labels), service,
						      &service->backends[b]);
				} else {
					dataplane__service_counters(dp, service, &c);
					snprintf(labels, sizeof(labels), "service=\"%s\"",
						 service->conf->name);
				}
				if (f == 0)
					fprintf(out, "%s{%s} %" PRIu64 "\n",
						families[backends][f].name, labels,
						(uint64_t)c.conns);
				else
					fprintf(out,
						"%s{%s,direction=\"in\"} %" PRIu64 "\n"
						"%s{%s,direction=\"out\"} %" PRIu64 "\n",
						families[backends][f].name, labels,
						(uint64_t)(f == 1 ? c.in_packets : c.in_bytes),
						families[backends][f].name, labels,
						(uint64_t)(f == 1 ? c.out_packets : c.out_bytes));
			}
		}
	}
}

/* Up or drain: reachable and serving its flows; down and disabled are not. */
static uint64_t backend_up(const struct dp_backend *backend)
{
	const char *state = dataplane__backend_state(backend);

	return !strcmp(state, "up") || !strcmp(state, "drain");
}

static void backend_gauges_write(FILE *out, struct daemon *daemon)
{
	static const struct family families[3] = {
		{ "xvs_backend_up", "gauge",
		  "1 when the backend is reachable, passes its health check and is enabled "
		  "(state up or drain)." },
		{ "xvs_backend_active_connections", "gauge", "Established TCP connections." },
		{ "xvs_backend_inactive_connections", "gauge",
		  "Other tracked connections (TCP handshake or closing, UDP)." },
	};
	struct dataplane *dp = daemon->dataplane;

	for (int f = 0; f < 3; f++) {
		family_header(out, &families[f]);
		for (size_t s = 0; s < dataplane__service_count(dp); s++) {
			struct dp_service *service = dataplane__service(dp, s);

			for (size_t b = 0; b < service->backend_count; b++) {
				const struct dp_backend *backend = &service->backends[b];
				struct xvs_backend_conns conns;
				char labels[256];
				uint64_t value;

				dataplane__backend_conns(dp, backend, &conns);
				value = f == 0 ? backend_up(backend)
					       : f == 1 ? conns.active : conns.inactive;

				backend_label(labels, sizeof(labels), service, backend);
				fprintf(out, "%s{%s} %" PRIu64 "\n", families[f].name, labels,
					value);
			}
		}
	}
}

static void table_and_reasons_write(FILE *out, struct daemon *daemon)
{
	static const struct family entries = { "xvs_conn_table_entries", "gauge",
					       "Live connection table entries at the last scan." };
	static const struct family capacity = { "xvs_conn_table_capacity", "gauge",
						"Connection table size (conn_table)." };
	static const struct family drops = { "xvs_drops_total", "counter",
					     "Packets dropped by the data plane, by reason." };
	static const struct family passes = { "xvs_passes_total", "counter",
					      "Packets handed to the kernel, by reason." };
	static const struct family persistence = {
		"xvs_persistence_events_total", "counter",
		"New flows and persistence: hit, new, table_full, no_callid."
	};
	struct dataplane *dp = daemon->dataplane;

	family_header(out, &entries);
	fprintf(out, "%s %" PRIu64 "\n", entries.name, dataplane__conn_scan(dp)->entries);
	family_header(out, &capacity);
	fprintf(out, "%s %u\n", capacity.name, dataplane__conn_capacity(dp));
	family_header(out, &drops);
	for (int i = 0; i < XVS_DROP__MAX; i++)
		fprintf(out, "%s{reason=\"%s\"} %" PRIu64 "\n", drops.name,
			stats__drop_name(i), dataplane__drops(dp, i));
	family_header(out, &passes);
	for (int i = 0; i < XVS_PASS__MAX; i++)
		fprintf(out, "%s{reason=\"%s\"} %" PRIu64 "\n", passes.name,
			stats__pass_name(i), dataplane__passes(dp, i));
	family_header(out, &persistence);
	for (int i = 0; i < XVS_PERSIST_EVENT__MAX; i++)
		fprintf(out, "%s{event=\"%s\"} %" PRIu64 "\n", persistence.name,
			stats__persist_event_name(i), dataplane__persist_events(dp, i));
}

/* One histogram's series: buckets (not cumulative, the last +Inf), sum. */
static void histogram_write(FILE *out, const char *name, const char *labels,
			    const double *bounds, size_t bound_count, const uint64_t *buckets,
			    uint64_t sum_us)
{
	uint64_t cumulative = 0;

	for (size_t i = 0; i <= bound_count; i++) {
		cumulative += buckets[i];
		if (i < bound_count)
			fprintf(out, "%s_bucket{%s%sle=\"%g\"} %" PRIu64 "\n", name, labels,
				labels[0] ? "," : "", bounds[i], cumulative);
		else
			fprintf(out, "%s_bucket{%s%sle=\"+Inf\"} %" PRIu64 "\n", name, labels,
				labels[0] ? "," : "", cumulative);
	}
	fprintf(out, "%s_sum%s%s%s %.6f\n%s_count%s%s%s %" PRIu64 "\n", name,
		labels[0] ? "{" : "", labels, labels[0] ? "}" : "", (double)sum_us / 1e6, name,
		labels[0] ? "{" : "", labels, labels[0] ? "}" : "", cumulative);
}

/* Per checked backend: check durations, results by name, state changes. */
static void health_backends_write(FILE *out, struct daemon *daemon)
{
	static const struct family families[3] = {
		{ "xvs_health_check_duration_seconds", "histogram",
		  "Duration of health checks (timeouts included)." },
		{ "xvs_health_checks_total", "counter",
		  "Health check results, by result (ok, timeout, refused, ...)." },
		{ "xvs_health_state_changes_total", "counter",
		  "Health state changes of the backend (up to down and back)." },
	};
	struct dataplane *dp = daemon->dataplane;

	for (int f = 0; f < 3; f++) {
		family_header(out, &families[f]);
		for (size_t s = 0; s < dataplane__service_count(dp); s++) {
			struct dp_service *service = dataplane__service(dp, s);

			for (size_t b = 0; b < service->backend_count; b++) {
				const struct backend_health *health = &service->backends[b].health;
				char labels[256];

				if (!health->checked)
					continue;
				backend_label(labels, sizeof(labels), service, &service->backends[b]);
				if (f == 0)
					histogram_write(out, families[f].name, labels,
							health_duration_bounds,
							HEALTH_DURATION_BUCKETS,
							health->duration_buckets,
							health->duration_sum_us);
				for (int r = 0; f == 1 && r < CHECK_FAIL__COUNT; r++)
					if (r == CHECK_FAIL_NONE || health->results[r])
						fprintf(out, "%s{%s,result=\"%s\"} %" PRIu64 "\n",
							families[f].name, labels,
							check_failure_name(r), health->results[r]);
				if (f == 2)
					fprintf(out, "%s{%s} %" PRIu64 "\n", families[f].name, labels,
						health->changes);
			}
		}
	}
}

/* The engine's schedule: how late checks start. */
static void health_engine_write(FILE *out, struct daemon *daemon)
{
	static const struct family lateness = {
		"xvs_health_check_lateness_seconds", "histogram",
		"How much later than scheduled health checks started."
	};
	static const struct family loop_turn = {
		"xvs_event_loop_turn_seconds", "histogram",
		"How long the daemon's event loop took to handle what one wait returned."
	};
	static const struct family service_up = {
		"xvs_service_up", "gauge", "1 when the service has a usable backend."
	};
	struct dataplane *dp = daemon->dataplane;
	const struct health_stats *stats;

	family_header(out, &service_up);
	for (size_t s = 0; s < dataplane__service_count(dp); s++) {
		struct dp_service *service = dataplane__service(dp, s);

		fprintf(out, "%s{service=\"%s\"} %d\n", service_up.name, service->conf->name,
			service->up ? 1 : 0);
	}
	family_header(out, &loop_turn);
	histogram_write(out, loop_turn.name, "", health_lateness_bounds, LOOP_TURN_BUCKETS,
			daemon->loop.buckets, daemon->loop.sum_us);
	if (!daemon->health)
		return;
	stats = health__stats(daemon->health);
	family_header(out, &lateness);
	histogram_write(out, lateness.name, "", health_lateness_bounds, HEALTH_LATENESS_BUCKETS,
			stats->lateness_buckets, stats->lateness_sum_us);
}

char *metrics__render(struct daemon *daemon)
{
	char *page = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&page, &size);

	if (!out)
		return NULL;
	counters_write(out, daemon, false);
	counters_write(out, daemon, true);
	backend_gauges_write(out, daemon);
	health_backends_write(out, daemon);
	health_engine_write(out, daemon);
	table_and_reasons_write(out, daemon);
	vrrp__metrics(out, daemon->vrrp);
	if (fclose(out)) {
		free(page);
		return NULL;
	}
	return page;
}
