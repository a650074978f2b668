/* SPDX-License-Identifier: GPL-2.0-only */
/* The API's request parsing, apart from the daemon so that it can be fuzzed:
 * which endpoint a URL names, and what a PATCH of a backend asks for. */
#ifndef XVSD_API_REQUEST_H
#define XVSD_API_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "config.h"

/* Largest request body read; a larger one is answered 413. */
#define API_BODY_MAX (64 * 1024)

enum api_endpoint {
	API_NONE = 0,
	API_SERVICES,      /* /api/v1/services */
	API_SERVICE,       /* /api/v1/services/NAME */
	API_BACKEND,       /* /api/v1/services/NAME/backends/ADDR[:PORT] */
	API_CONNS,         /* /api/v1/conns */
	API_STATUS,        /* /api/v1/status */
	API_RELOAD,        /* /api/v1/reload */
	API_VRRP,          /* /api/v1/vrrp */
	API_METRICS,       /* /metrics */
};

struct api_route {
	enum api_endpoint endpoint;
	char service[CONFIG_NAME_MAX];
	struct inet_addr address;  /* API_BACKEND */
	uint16_t port;             /* API_BACKEND; 0: not given */
};

/* Parses a request path. Returns 0, -ENOENT (no such endpoint) or -EINVAL
 * (a bad service name or backend address; error says which). */
int api_route_parse(const char *url, struct api_route *route, char *error, size_t size);

/* What a PATCH of a backend asks for: weight -1 = unchanged, admin -1 =
 * unchanged, else an enum backend_admin value. */
struct api_backend_patch {
	int64_t weight;
	int admin;
};

/* Parses {"weight": N} and/or {"state": "drain"|"enabled"|"disabled"}.
 * Returns 0 or -EINVAL with a message in error. */
int api_backend_patch_parse(const char *body, size_t length, struct api_backend_patch *patch,
			    char *error, size_t size);

#endif
