// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer harness for the API's request parsing: a URL and a PATCH body
 * (split at the first newline) must parse or be refused, never crash or leak. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *newline = memchr(data, '\n', size);
	size_t url_length = newline ? (size_t)(newline - data) : size;
	struct api_backend_patch patch;
	struct api_route route;
	char error[128], *url;
	int ret;

	url = malloc(url_length + 1);
	if (!url)
		return 0;
	memcpy(url, data, url_length);
	url[url_length] = '\0';
	ret = api_route_parse(url, &route, error, sizeof(error));
	if (ret && ret != -ENOENT && ret != -EINVAL)
		abort();
	if (!ret && route.endpoint == API_BACKEND && !route.address.family)
		abort(); /* a backend route names an address */
	if (!ret && (route.endpoint == API_SERVICE || route.endpoint == API_BACKEND) &&
	    !route.service[0])
		abort();
	free(url);
	if (newline) {
		const char *body = (const char *)newline + 1;
		size_t length = size - url_length - 1;

		ret = api_backend_patch_parse(body, length, &patch, error, sizeof(error));
		if (!ret && patch.weight < 0 && patch.admin < 0)
			abort(); /* an accepted patch asks for something */
		if (!ret && (patch.weight > 65535 || patch.admin > 2))
			abort();
	}
	return 0;
}
