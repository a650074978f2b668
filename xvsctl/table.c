// SPDX-License-Identifier: GPL-2.0-only
/* Human-readable tables of the API's JSON documents (ipvsadm -Ln style):
 * one line per service, an indented "->" line per backend. */
#include "table.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *get_string(struct json_object *object, const char *key)
{
	struct json_object *value;

	if (!json_object_object_get_ex(object, key, &value) || !value)
		return "-";
	return json_object_get_string(value);
}

static int64_t get_int(struct json_object *object, const char *key)
{
	struct json_object *value;

	if (!json_object_object_get_ex(object, key, &value))
		return 0;
	return json_object_get_int64(value);
}

static struct json_object *get_member(struct json_object *object, const char *key)
{
	struct json_object *value = NULL;

	json_object_object_get_ex(object, key, &value);
	return value;
}

static void upper(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = (char)toupper((unsigned char)src[i]);
	dst[i] = '\0';
}

/* "10.0.0.1:53" or "[2001:db8::1]:53". */
static void address_port(char *dst, size_t size, const char *address, int64_t port)
{
	if (strchr(address, ':'))
		snprintf(dst, size, "[%s]:%" PRId64, address, port);
	else
		snprintf(dst, size, "%s:%" PRId64, address, port);
}

static void numbers_line(FILE *out, struct json_object *object, enum list_view view)
{
	static const char *const stats_keys[] = { "conns", "in_packets", "out_packets",
						  "in_bytes", "out_bytes" };
	static const char *const rate_keys[] = { "cps", "in_pps", "out_pps", "in_bps",
						 "out_bps" };
	const char *const *keys = view == LIST_STATS ? stats_keys : rate_keys;
	struct json_object *numbers = get_member(object, view == LIST_STATS ? "stats" : "rates");

	for (int i = 0; i < 5; i++)
		fprintf(out, " %12" PRId64, numbers ? get_int(numbers, keys[i]) : 0);
	fputc('\n', out);
}

static void header(FILE *out, enum list_view view)
{
	if (view == LIST_PLAIN) {
		fprintf(out, "%-12s %-4s %-28s %-7s %-5s %s\n", "Service", "Prot",
			"VirtualAddress:Port", "Mode", "Sched", "State");
		fprintf(out, "  -> %-36s %6s %-8s %10s %10s  %s\n", "RemoteAddress:Port", "Weight",
			"State", "ActiveConn", "InActConn", "LastCheck");
		return;
	}
	fprintf(out, "%-12s %-4s %-28s", "Service", "Prot", "VirtualAddress:Port");
	if (view == LIST_STATS)
		fprintf(out, " %12s %12s %12s %12s %12s\n", "Conns", "InPkts", "OutPkts",
			"InBytes", "OutBytes");
	else
		fprintf(out, " %12s %12s %12s %12s %12s\n", "CPS", "InPPS", "OutPPS", "InBPS",
			"OutBPS");
	fprintf(out, "  -> RemoteAddress:Port\n");
}

/* "tcp ok 0.4ms", "http timeout (no reply within 1000 ms)", "-" without a check. */
static void check_cell(FILE *out, struct json_object *check)
{
	struct json_object *latency = get_member(check, "latency_ms");
	const char *type = get_string(check, "type"), *detail;

	if (!check || !strcmp(type, "none") || !strcmp(type, "-")) {
		fputc('-', out);
		return;
	}
	fprintf(out, "%s %s", type, get_string(check, "result"));
	if (latency)
		fprintf(out, " %.1fms", json_object_get_double(latency));
	detail = get_string(check, "detail");
	if (strcmp(get_string(check, "result"), "ok") && strcmp(detail, "-") && detail[0])
		fprintf(out, " (%s)", detail);
}

static void service_lines(FILE *out, struct json_object *service, enum list_view view)
{
	struct json_object *vips = get_member(service, "vips");
	struct json_object *backends = get_member(service, "backends");
	size_t vip_count = vips ? json_object_array_length(vips) : 0;
	char proto[8], where[64];

	upper(proto, sizeof(proto), get_string(service, "proto"));
	for (size_t v = 0; v < (vip_count ? vip_count : 1); v++) {
		address_port(where, sizeof(where),
			     vip_count ? json_object_get_string(json_object_array_get_idx(vips, v))
				       : "-",
			     get_int(service, "port"));
		fprintf(out, "%-12s %-4s %-28s", v ? "" : get_string(service, "name"), proto,
			where);
		if (view == LIST_PLAIN && v == 0 && get_member(service, "namespace") &&
		    get_string(service, "namespace")[0])
			fprintf(out, " %-7s %-5s %-5s namespace %s\n", get_string(service, "mode"),
				get_string(service, "scheduler"), get_string(service, "state"),
				get_string(service, "namespace"));
		else if (view == LIST_PLAIN)
			fprintf(out, " %-7s %-5s %s\n", get_string(service, "mode"),
				get_string(service, "scheduler"), get_string(service, "state"));
		else if (v == 0)
			numbers_line(out, service, view);
		else
			fputc('\n', out);
	}
	for (size_t b = 0; backends && b < json_object_array_length(backends); b++) {
		struct json_object *backend = json_object_array_get_idx(backends, b);

		address_port(where, sizeof(where), get_string(backend, "address"),
			     get_int(backend, "port"));
		if (view == LIST_PLAIN) {
			fprintf(out, "  -> %-36s %6" PRId64 " %-8s %10" PRId64 " %10" PRId64 "  ",
				where, get_int(backend, "weight"), get_string(backend, "state"),
				get_int(backend, "active_conns"), get_int(backend, "inactive_conns"));
			check_cell(out, get_member(backend, "check"));
			if (get_member(backend, "problem"))
				fprintf(out, "  (%s)", get_string(backend, "problem"));
			fputc('\n', out);
		} else {
			fprintf(out, "  -> %-41s", where);
			numbers_line(out, backend, view);
		}
	}
}

void table_services(FILE *out, struct json_object *document, enum list_view view)
{
	struct json_object *services = get_member(document, "services");

	header(out, view);
	for (size_t i = 0; services && i < json_object_array_length(services); i++)
		service_lines(out, json_object_array_get_idx(services, i), view);
}

void table_conns(FILE *out, struct json_object *document)
{
	struct json_object *conns = get_member(document, "conns");
	struct json_object *truncated = get_member(document, "truncated");

	fprintf(out, "%-12s %-4s %-30s %-30s %-30s %s\n", "Service", "Prot", "Client",
		"Virtual", "Backend", "State");
	for (size_t i = 0; conns && i < json_object_array_length(conns); i++) {
		struct json_object *conn = json_object_array_get_idx(conns, i);
		char proto[8];

		upper(proto, sizeof(proto), get_string(conn, "proto"));
		fprintf(out, "%-12s %-4s %-30s %-30s %-30s %s\n", get_string(conn, "service"),
			proto, get_string(conn, "client"), get_string(conn, "vip"),
			get_string(conn, "backend"), get_string(conn, "state"));
	}
	if (truncated && json_object_get_boolean(truncated))
		fprintf(out, "(more connections not shown)\n");
}
