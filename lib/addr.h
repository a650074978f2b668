/* SPDX-License-Identifier: GPL-2.0-only */
/* IPv4/IPv6 addresses in userspace: parsing, formatting and conversion to the
 * data plane's struct xvs_addr. */
#ifndef XVS_LIB_ADDR_H
#define XVS_LIB_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xvs/xvs.h"

struct inet_addr {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

/* Longest text form of an inet_addr with brackets and port: "[v6]:65535". */
#define INET_ADDRPORT_STRLEN (INET6_ADDRSTRLEN + 8)

/* Parses "1.2.3.4" or "2001:db8::1"; returns 0 or -EINVAL. */
int inet_addr_parse(const char *text, struct inet_addr *addr);
/* Parses "ADDR", "ADDR:PORT", "[V6]" or "[V6]:PORT"; *port is 0 when absent.
 * Returns 0, -EINVAL (bad address) or -ERANGE (bad port). */
int inet_addr_port_parse(const char *text, struct inet_addr *addr, uint16_t *port);
/* Formats into buf (at least INET6_ADDRSTRLEN) and returns buf. */
const char *inet_addr_format(const struct inet_addr *addr, char *buf, size_t size);
/* "1.2.3.4:53", "[2001:db8::1]:53", or the bare address when port is 0. */
const char *inet_addr_port_format(const struct inet_addr *addr, uint16_t port,
				  char *buf, size_t size);
bool inet_addr_equal(const struct inet_addr *a, const struct inet_addr *b);
void inet_addr_to_xvs(const struct inet_addr *addr, struct xvs_addr *out);
void inet_addr_from_xvs(const struct xvs_addr *in, int family, struct inet_addr *out);

#endif
