/* SPDX-License-Identifier: GPL-2.0-only */
/* One health-check protocol: how to build its request and judge the reply.
 * The engine (health.c) owns sockets, timers, TLS and child processes; a
 * protocol only sees bytes, so its parser can be unit-tested and fuzzed. */
#ifndef XVSD_CHECK_H
#define XVSD_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "config.h"

/* What a protocol says of the reply so far. Failures are negative
 * enum check_failure values (-CHECK_FAIL_STATUS, ...). */
enum check_verdict {
	CHECK_MORE = 0,                  /* incomplete: keep reading until timeout */
	CHECK_UP = 1,                    /* the backend answered as expected */
};

/* Why a check failed: counted per backend and shown to the operator. */
enum check_failure {
	CHECK_FAIL_NONE = 0,
	CHECK_FAIL_TIMEOUT,              /* no (complete) answer within timeout */
	CHECK_FAIL_REFUSED,              /* TCP RST or ICMP port unreachable */
	CHECK_FAIL_UNREACHABLE,          /* no route, host or network unreachable */
	CHECK_FAIL_CONNECT,              /* any other socket error */
	CHECK_FAIL_TLS,                  /* TLS handshake or record error */
	CHECK_FAIL_CLOSED,               /* peer closed before a complete reply */
	CHECK_FAIL_OVERSIZED,            /* reply longer than the protocol allows */
	CHECK_FAIL_GARBAGE,              /* not this protocol, or malformed */
	CHECK_FAIL_STATUS,               /* well formed, but not the expected answer */
	CHECK_FAIL_BODY,                 /* expected text missing from the reply */
	CHECK_FAIL_EXIT,                 /* exec: non-zero exit or killed */
	CHECK_FAIL_INTERNAL,             /* our side: socket(), fork(), memory */
	CHECK_FAIL__COUNT,
};

/* One run of a check against one backend. */
struct check_context {
	const struct config_check *check; /* type and options */
	struct inet_addr address;         /* where the check goes */
	uint16_t port;                    /* host order */
	uint8_t service_proto;            /* IPPROTO_TCP / IPPROTO_UDP of the service */
	uint32_t sequence;                /* new per run: DNS id, RADIUS id, SIP tags */
	uint8_t nonce[16];                /* random per run: RADIUS authenticator */
	char detail[96];                  /* the protocol's words on the result */
};

struct check_protocol {
	const char *name;                 /* as in the configuration: "http" */
	int socket_type;                  /* SOCK_STREAM, SOCK_DGRAM, or 0: the service's */
	bool tls;                         /* TLS over the stream (https) */
	size_t reply_max;                 /* bytes read at most; more: CHECK_FAIL_OVERSIZED */
	/* Writes the request into buffer. Returns its length (0: send nothing,
	 * the connection itself is the test) or negative errno. */
	int (*request)(struct check_context *context, uint8_t *buffer, size_t size);
	/* Judges what came back. Streams: every byte since connect, closed tells
	 * whether the peer has closed. Datagrams: one datagram (closed false).
	 * NULL: up as soon as the request is sent on a connected stream.
	 * Returns CHECK_MORE, CHECK_UP or -CHECK_FAIL_*, setting detail. */
	int (*reply)(struct check_context *context, const uint8_t *data, size_t length,
		     bool closed);
};

extern const struct check_protocol check_tcp, check_udp, check_http, check_https,
	check_dns, check_sip, check_radius;

/* The protocol of a check type; NULL for none and exec. */
const struct check_protocol *check_protocol_of(enum check_type type);
/* "timeout", "refused", ... */
const char *check_failure_name(enum check_failure failure);

#endif
