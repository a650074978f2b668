// SPDX-License-Identifier: GPL-2.0-only
/* Placeholder for the radius health check until it lands: every run fails, so a
 * half-built check can never mark a backend up. */
#include <errno.h>
#include <sys/socket.h>

#include "check.h"

static int radius_request(struct check_context *context, uint8_t *buffer, size_t size)
{
	(void)context;
	(void)buffer;
	(void)size;
	return -ENOSYS;
}

const struct check_protocol check_radius = {
	.name = "radius",
	.socket_type = SOCK_STREAM,
	.reply_max = 0,
	.request = radius_request,
};
