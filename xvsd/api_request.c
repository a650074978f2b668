// SPDX-License-Identifier: GPL-2.0-only
/* The API's request parsing, apart from the daemon so that it can be fuzzed:
 * which endpoint a URL names, and what a PATCH of a backend asks for. */
#include "api_request.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "dataplane.h"

#define SERVICES_PREFIX "/api/v1/services/"
#define BACKENDS_PART "/backends/"

static const struct {
	const char *path;
	enum api_endpoint endpoint;
} fixed_routes[] = {
	{ "/api/v1/services", API_SERVICES }, { "/api/v1/conns", API_CONNS },
	{ "/api/v1/status", API_STATUS },     { "/api/v1/reload", API_RELOAD },
	{ "/api/v1/vrrp", API_VRRP },         { "/metrics", API_METRICS },
};

static bool name_valid(const char *name, size_t length)
{
	static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789_.-";

	if (length == 0 || length >= CONFIG_NAME_MAX)
		return false;
	for (size_t i = 0; i < length; i++)
		if (!name[i] || !strchr(allowed, name[i]))
			return false;
	return true;
}

static int route_fail(char *error, size_t size, int ret, const char *message)
{
	snprintf(error, size, "%s", message);
	return ret;
}

int api_route_parse(const char *url, struct api_route *route, char *error, size_t size)
{
	const char *name, *backends;
	size_t length;

	memset(route, 0, sizeof(*route));
	for (size_t i = 0; i < sizeof(fixed_routes) / sizeof(fixed_routes[0]); i++) {
		if (!strcmp(url, fixed_routes[i].path)) {
			route->endpoint = fixed_routes[i].endpoint;
			return 0;
		}
	}
	if (strncmp(url, SERVICES_PREFIX, strlen(SERVICES_PREFIX)))
		return route_fail(error, size, -ENOENT, "no such endpoint");
	name = url + strlen(SERVICES_PREFIX);
	backends = strstr(name, BACKENDS_PART);
	length = backends ? (size_t)(backends - name) : strlen(name);
	if (!backends && strchr(name, '/'))
		return route_fail(error, size, -ENOENT, "no such endpoint");
	if (!name_valid(name, length))
		return route_fail(error, size, -EINVAL, "invalid service name");
	memcpy(route->service, name, length);
	route->service[length] = '\0';
	if (!backends) {
		route->endpoint = API_SERVICE;
		return 0;
	}
	if (inet_addr_port_parse(backends + strlen(BACKENDS_PART), &route->address,
				 &route->port))
		return route_fail(error, size, -EINVAL,
				  "invalid backend (expected ADDRESS, ADDRESS:PORT or [IPV6]:PORT)");
	route->endpoint = API_BACKEND;
	return 0;
}

static int patch_state(struct json_object *value, struct api_backend_patch *patch)
{
	static const char *const names[] = { [BACKEND_ENABLED] = "enabled",
					     [BACKEND_DRAIN] = "drain",
					     [BACKEND_DISABLED] = "disabled" };
	const char *text;

	if (!json_object_is_type(value, json_type_string))
		return -EINVAL;
	text = json_object_get_string(value);
	for (int i = 0; i < 3; i++) {
		if (!strcmp(text, names[i])) {
			patch->admin = i;
			return 0;
		}
	}
	return -EINVAL;
}

static int patch_member(const char *key, struct json_object *value,
			struct api_backend_patch *patch, char *error, size_t size)
{
	int64_t weight;

	if (!strcmp(key, "weight")) {
		weight = json_object_get_int64(value);
		if (!json_object_is_type(value, json_type_int) || weight < 0 || weight > 65535)
			return route_fail(error, size, -EINVAL,
					  "weight must be a number from 0 to 65535");
		patch->weight = weight;
		return 0;
	}
	if (!strcmp(key, "state")) {
		if (patch_state(value, patch))
			return route_fail(error, size, -EINVAL,
					  "state must be \"drain\", \"enabled\" or \"disabled\"");
		return 0;
	}
	snprintf(error, size, "unknown member \"%.40s\" (expected weight or state)", key);
	return -EINVAL;
}

static bool rest_blank(const char *text, size_t length)
{
	for (size_t i = 0; i < length; i++)
		if (!strchr(" \t\r\n", text[i]) || !text[i])
			return false;
	return true;
}

int api_backend_patch_parse(const char *body, size_t length, struct api_backend_patch *patch,
			    char *error, size_t size)
{
	struct json_tokener *tokener;
	struct json_object *document;
	int ret = 0;

	patch->weight = -1;
	patch->admin = -1;
	if (length == 0 || length > API_BODY_MAX)
		return route_fail(error, size, -EINVAL, "expected a JSON object body");
	tokener = json_tokener_new_ex(32);
	if (!tokener)
		return route_fail(error, size, -ENOMEM, "out of memory");
	document = json_tokener_parse_ex(tokener, body, (int)length);
	if (!document || json_tokener_get_error(tokener) != json_tokener_success ||
	    !rest_blank(body + json_tokener_get_parse_end(tokener),
			length - json_tokener_get_parse_end(tokener)) ||
	    !json_object_is_type(document, json_type_object)) {
		ret = route_fail(error, size, -EINVAL, "the body is not a JSON object");
		goto out;
	}
	json_object_object_foreach(document, key, value) {
		ret = patch_member(key, value, patch, error, size);
		if (ret)
			goto out;
	}
	if (patch->weight < 0 && patch->admin < 0)
		ret = route_fail(error, size, -EINVAL, "expected \"weight\" or \"state\"");
out:
	json_object_put(document);
	json_tokener_free(tokener);
	return ret;
}
