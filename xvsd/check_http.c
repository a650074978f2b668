// SPDX-License-Identifier: GPL-2.0-only
/* Placeholder for the http health check until it lands: every run fails, so a
 * half-built check can never mark a backend up. */
#include <errno.h>
#include <sys/socket.h>

#include "check.h"

static int http_request(struct check_context *context, uint8_t *buffer, size_t size)
{
	(void)context;
	(void)buffer;
	(void)size;
	return -ENOSYS;
}

const struct check_protocol check_http = {
	.name = "http",
	.socket_type = SOCK_STREAM,
	.reply_max = 0,
	.request = http_request,
};

const struct check_protocol check_https = {
	.name = "https",
	.socket_type = SOCK_STREAM,
	.tls = true,
	.reply_max = 0,
	.request = http_request,
};
