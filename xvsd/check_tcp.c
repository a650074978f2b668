// SPDX-License-Identifier: GPL-2.0-only
/* The tcp health check: a completed connect is up; with send "TEXT" the text
 * is sent and any reply byte is up (a closed connection without one is not). */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"

static int tcp_request(struct check_context *context, uint8_t *buffer, size_t size)
{
	const char *text = context->check->send;
	size_t length = text ? strlen(text) : 0;

	if (length > size)
		length = size;
	memcpy(buffer, text ? text : "", length);
	return (int)length;
}

static int tcp_reply(struct check_context *context, const uint8_t *data, size_t length,
		     bool closed)
{
	(void)data;
	if (length) {
		snprintf(context->detail, sizeof(context->detail), "replied");
		return CHECK_UP;
	}
	if (closed) {
		snprintf(context->detail, sizeof(context->detail), "closed without a reply");
		return -CHECK_FAIL_CLOSED;
	}
	return CHECK_MORE;
}

const struct check_protocol check_tcp = {
	.name = "tcp",
	.socket_type = SOCK_STREAM,
	.reply_max = 4096,
	.request = tcp_request,
	.reply = tcp_reply,
};
