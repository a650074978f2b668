// SPDX-License-Identifier: GPL-2.0-only
/* The table of health-check protocols and the names of check failures, as
 * the API, the CLI and the metrics show them. */
#include "check.h"

const struct check_protocol *check_protocol_of(enum check_type type)
{
	switch (type) {
	case CHECK_TCP: return &check_tcp;
	case CHECK_UDP: return &check_udp;
	case CHECK_HTTP: return &check_http;
	case CHECK_HTTPS: return &check_https;
	case CHECK_DNS: return &check_dns;
	case CHECK_SIP: return &check_sip;
	case CHECK_RADIUS: return &check_radius;
	case CHECK_NONE:
	case CHECK_EXEC:
		break;
	}
	return NULL;
}

const char *check_failure_name(enum check_failure failure)
{
	static const char *const names[CHECK_FAIL__COUNT] = {
		[CHECK_FAIL_NONE] = "ok",
		[CHECK_FAIL_TIMEOUT] = "timeout",
		[CHECK_FAIL_REFUSED] = "refused",
		[CHECK_FAIL_UNREACHABLE] = "unreachable",
		[CHECK_FAIL_CONNECT] = "connect",
		[CHECK_FAIL_TLS] = "tls",
		[CHECK_FAIL_CLOSED] = "closed",
		[CHECK_FAIL_OVERSIZED] = "oversized",
		[CHECK_FAIL_GARBAGE] = "garbage",
		[CHECK_FAIL_STATUS] = "status",
		[CHECK_FAIL_BODY] = "body",
		[CHECK_FAIL_EXIT] = "exit",
		[CHECK_FAIL_INTERNAL] = "internal",
	};

	return (unsigned int)failure < CHECK_FAIL__COUNT ? names[failure] : "unknown";
}
