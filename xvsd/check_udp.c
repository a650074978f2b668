// SPDX-License-Identifier: GPL-2.0-only
/* The udp health check: the send text (or an empty datagram) goes out, any
 * reply datagram is up; an ICMP port unreachable is refused (the engine). */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"

static int udp_request(struct check_context *context, uint8_t *buffer, size_t size)
{
	const char *text = context->check->send;
	size_t length = text ? strlen(text) : 0;

	if (length > size)
		length = size;
	memcpy(buffer, text ? text : "", length);
	return (int)length;
}

static int udp_reply(struct check_context *context, const uint8_t *data, size_t length,
		     bool closed)
{
	(void)data;
	(void)closed;
	snprintf(context->detail, sizeof(context->detail), "reply of %zu bytes", length);
	return CHECK_UP;
}

const struct check_protocol check_udp = {
	.name = "udp",
	.socket_type = SOCK_DGRAM,
	.reply_max = 65535,
	.request = udp_request,
	.reply = udp_reply,
};
