// SPDX-License-Identifier: GPL-2.0-only
/* xvsctl, the command line client of xvsd: a table of subcommands, each
 * parsing its own options and talking to the daemon's JSON API. */
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "http.h"
#include "table.h"

#define DEFAULT_SOCKET "/run/xvs/xvsd.sock"

static const char *socket_path = DEFAULT_SOCKET;

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

int xvsctl_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("xvsctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* Sends a request; on success *document holds the reply. Returns 0 or 1
 * (the error already printed; a reload's error lines first, on stdout). */
static int api_call(const char *method, const char *path, const char *body,
		    struct json_object **document)
{
	struct json_object *error_member, *errors;
	char error[512];
	long status = 0;

	if (http_request(socket_path, method, path, body, &status, document, error,
			 sizeof(error)))
		return xvsctl_fail("%s", error);
	if (status >= 400) {
		int ret;

		if (json_object_object_get_ex(*document, "errors", &errors) &&
		    json_object_array_length(errors) > 1)
			for (size_t i = 0; i < json_object_array_length(errors); i++)
				puts(json_object_get_string(json_object_array_get_idx(errors, i)));
		if (json_object_object_get_ex(*document, "error", &error_member))
			ret = xvsctl_fail("%s", json_object_get_string(error_member));
		else
			ret = xvsctl_fail("xvsd answered HTTP %ld", status);
		json_object_put(*document);
		*document = NULL;
		return ret;
	}
	return 0;
}

static int api_get(const char *path, struct json_object **document)
{
	return api_call("GET", path, NULL, document);
}

static void json_print(struct json_object *document)
{
	puts(json_object_to_json_string_ext(document, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
}

int xvsctl_api_get(const char *path, struct json_object **document)
{
	return api_get(path, document);
}

void xvsctl_json_print(struct json_object *document)
{
	json_print(document);
}

static int command_list(int argc, char **argv)
{
	static const struct option options[] = {
		{ "stats", no_argument, NULL, 's' },
		{ "rate", no_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	enum list_view view = LIST_PLAIN;
	struct json_object *document;
	bool json = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (opt == 's')
			view = LIST_STATS;
		else if (opt == 'r')
			view = LIST_RATE;
		else if (opt == 'j')
			json = true;
		else
			return xvsctl_fail("usage: xvsctl list [--stats | --rate] [--json]");
	}
	if (optind != argc)
		return xvsctl_fail("list: unexpected argument \"%s\"", argv[optind]);
	if (api_get("/api/v1/services", &document))
		return 1;
	if (json)
		json_print(document);
	else
		table_services(stdout, document, view);
	json_object_put(document);
	return 0;
}

static int command_conns(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	struct json_object *document;
	char path[256];
	bool json = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (opt != 'j')
			return xvsctl_fail("usage: xvsctl conns [SERVICE] [--json]");
		json = true;
	}
	if (argc - optind > 1)
		return xvsctl_fail("conns: unexpected argument \"%s\"", argv[optind + 1]);
	if (optind < argc) {
		if (strspn(argv[optind], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "0123456789_.-") != strlen(argv[optind]))
			return xvsctl_fail("conns: invalid service name \"%s\"", argv[optind]);
		snprintf(path, sizeof(path), "/api/v1/conns?service=%s", argv[optind]);
	} else {
		snprintf(path, sizeof(path), "/api/v1/conns");
	}
	if (api_get(path, &document))
		return 1;
	if (json)
		json_print(document);
	else
		table_conns(stdout, document);
	json_object_put(document);
	return 0;
}

static int command_version(int argc, char **argv)
{
	struct json_object *document, *version;

	printf("xvsctl %s\n", XVS_VERSION);
	if (api_get("/api/v1/status", &document))
		return 1;
	if (json_object_object_get_ex(document, "version", &version))
		printf("xvsd %s\n", json_object_get_string(version));
	json_object_put(document);
	return 0;
}

static int command_reload(int argc, char **argv)
{
	struct json_object *document;

	if (argc != 1)
		return xvsctl_fail("usage: xvsctl reload");
	if (api_call("POST", "/api/v1/reload", "", &document))
		return 1;
	puts("reload: ok");
	json_object_put(document);
	return 0;
}

/* backend SERVICE ADDR[:PORT] (weight N | drain | enable | disable) */
static int backend_body(int argc, char **argv, char *body, size_t size)
{
	static const char *const words[][2] = {
		{ "drain", "drain" }, { "enable", "enabled" }, { "disable", "disabled" },
	};
	char *end;
	unsigned long weight;

	if (argc == 5 && !strcmp(argv[3], "weight")) {
		weight = strtoul(argv[4], &end, 10);
		if (!argv[4][0] || *end || argv[4][0] == '-' || weight > 65535)
			return xvsctl_fail("backend: invalid weight \"%s\" (expected 0..65535)", argv[4]);
		snprintf(body, size, "{\"weight\": %lu}", weight);
		return 0;
	}
	for (size_t i = 0; argc == 4 && i < 3; i++) {
		if (!strcmp(argv[3], words[i][0])) {
			snprintf(body, size, "{\"state\": \"%s\"}", words[i][1]);
			return 0;
		}
	}
	return xvsctl_fail("usage: xvsctl backend SERVICE ADDR[:PORT] (weight N | drain | enable | disable)");
}

static int command_backend(int argc, char **argv)
{
	struct json_object *document;
	char body[64], path[512];

	if (argc < 4 || backend_body(argc, argv, body, sizeof(body)))
		return argc < 4 ? xvsctl_fail("usage: xvsctl backend SERVICE ADDR[:PORT] "
				       "(weight N | drain | enable | disable)")
				: 1;
	if (strspn(argv[1], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
		    strlen(argv[1]) ||
	    strspn(argv[2], "0123456789abcdefABCDEF.:[]") != strlen(argv[2]))
		return xvsctl_fail("backend: invalid service or address \"%s %s\"", argv[1], argv[2]);
	snprintf(path, sizeof(path), "/api/v1/services/%s/backends/%s", argv[1], argv[2]);
	if (api_call("PATCH", path, body, &document))
		return 1;
	json_object_put(document);
	return 0;
}

static const struct command commands[] = {
	{ "list", command_list, "list [--stats | --rate] [--json]" },
	{ "conns", command_conns, "conns [SERVICE] [--json]" },
	{ "backend", command_backend,
	  "backend SERVICE ADDR[:PORT] (weight N | drain | enable | disable)" },
	{ "vrrp", command_vrrp, "vrrp [--json]" },
	{ "reload", command_reload, "reload" },
	{ "version", command_version, "version" },
	{ "doctor", command_doctor, "doctor (dr | tun) VIP" },
	{ "decap", command_decap, "decap (attach | detach) DEV" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: xvsctl [-s SOCKET] COMMAND [ARGS]\n"
		     "  -s SOCKET  xvsd's API socket (default " DEFAULT_SOCKET ")\n"
		     "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %s\n", commands[i].usage);
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-s") && i + 1 < argc) {
			socket_path = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			return xvsctl_fail("unknown option \"%s\" (try xvsctl -h)", argv[i]);
		}
	}
	if (i >= argc)
		return xvsctl_fail("no command given (try xvsctl -h)");
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		if (strcmp(argv[i], commands[c].name))
			continue;
		optind = 1;
		opterr = 0; /* each command prints its own usage line */
		return commands[c].run(argc - i, argv + i);
	}
	return xvsctl_fail("unknown command \"%s\" (try xvsctl -h)", argv[i]);
}
