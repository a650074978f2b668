// SPDX-License-Identifier: GPL-2.0-only
/* Placeholder for the tcp health check until it lands: every run fails, so a
 * half-built check can never mark a backend up. */
#include <errno.h>
#include <sys/socket.h>

#include "check.h"

static int tcp_request(struct check_context *context, uint8_t *buffer, size_t size)
{
	(void)context;
	(void)buffer;
	(void)size;
	return -ENOSYS;
}

const struct check_protocol check_tcp = {
	.name = "tcp",
	.socket_type = SOCK_STREAM,
	.reply_max = 0,
	.request = tcp_request,
};
