// SPDX-License-Identifier: GPL-2.0-only
/* IPv4/IPv6 addresses in userspace: parsing, formatting and conversion to the
 * data plane's struct xvs_addr. */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int inet_addr_parse(const char *text, struct inet_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, text, &addr->v4) == 1) {
		addr->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, &addr->v6) == 1) {
		addr->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

static int port_parse(const char *text, uint16_t *port)
{
	char *end;
	unsigned long value;

	if (*text < '0' || *text > '9')
		return -ERANGE;
	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno || *end || value < 1 || value > 65535)
		return -ERANGE;
	*port = (uint16_t)value;
	return 0;
}

int inet_addr_port_parse(const char *text, struct inet_addr *addr, uint16_t *port)
{
	char buf[INET_ADDRPORT_STRLEN];
	const char *colon;
	size_t len;

	*port = 0;
	len = strlen(text);
	if (len >= sizeof(buf))
		return -EINVAL;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close)
			return -EINVAL;
		memcpy(buf, text + 1, (size_t)(close - text - 1));
		buf[close - text - 1] = '\0';
		if (inet_addr_parse(buf, addr) || addr->family != AF_INET6)
			return -EINVAL;
		if (close[1] == '\0')
			return 0;
		if (close[1] != ':')
			return -EINVAL;
		return port_parse(close + 2, port);
	}
	colon = strchr(text, ':');
	if (colon && strchr(colon + 1, ':'))
		return inet_addr_parse(text, addr); /* bare IPv6 */
	if (!colon)
		return inet_addr_parse(text, addr);
	memcpy(buf, text, (size_t)(colon - text));
	buf[colon - text] = '\0';
	if (inet_addr_parse(buf, addr))
		return -EINVAL;
	return port_parse(colon + 1, port);
}

const char *inet_addr_format(const struct inet_addr *addr, char *buf, size_t size)
{
	if (!inet_ntop(addr->family, addr->family == AF_INET ? (const void *)&addr->v4
							      : (const void *)&addr->v6,
		       buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return buf;
}

const char *inet_addr_port_format(const struct inet_addr *addr, uint16_t port,
				  char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	inet_addr_format(addr, a, sizeof(a));
	if (!port)
		snprintf(buf, size, "%s", a);
	else if (addr->family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", a, port);
	else
		snprintf(buf, size, "%s:%u", a, port);
	return buf;
}

bool inet_addr_equal(const struct inet_addr *a, const struct inet_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4.s_addr == b->v4.s_addr;
	return memcmp(&a->v6, &b->v6, sizeof(a->v6)) == 0;
}

void inet_addr_to_xvs(const struct inet_addr *addr, struct xvs_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (addr->family == AF_INET)
		out->v4 = addr->v4.s_addr;
	else
		memcpy(out->bytes, &addr->v6, sizeof(out->bytes));
}

void inet_addr_from_xvs(const struct xvs_addr *in, int family, struct inet_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = family;
	if (family == AF_INET)
		out->v4.s_addr = in->v4;
	else
		memcpy(&out->v6, in->bytes, sizeof(out->v6));
}
