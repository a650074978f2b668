/* SPDX-License-Identifier: GPL-2.0-only */
/* What the check protocol tests share: a context with fixed sequence and
 * nonce, and a table case "reply bytes -> verdict and detail". */
#ifndef XVS_TESTS_CHECK_CASE_H
#define XVS_TESTS_CHECK_CASE_H

#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "test.h"

/* One reply and what the judge must say of it. */
struct text_case {
	const char *name;
	const char *body;                /* the check's body option */
	uint16_t expect;                 /* the check's expect option */
	const char *reply;               /* NUL-terminated: no NUL inside */
	bool closed;
	int verdict;
	const char *detail;              /* a part of context.detail, or NULL */
};

/* Sequence 0x12345678 and nonce 00 11 22 ... ff in every case. */
static inline void case_context(struct check_context *context,
				const struct config_check *check, const char *address,
				uint16_t port, uint8_t proto)
{
	memset(context, 0, sizeof(*context));
	context->check = check;
	inet_addr_parse(address, &context->address);
	context->port = port;
	context->service_proto = proto;
	context->sequence = 0x12345678;
	for (int i = 0; i < 16; i++)
		context->nonce[i] = (uint8_t)(i * 0x11);
}

static inline void case_verdict(const char *name, struct check_context *context,
				int verdict, int expected, const char *detail)
{
	TEST_CHECK_MSG(verdict == expected, "%s: verdict %d, want %d (detail \"%s\")", name,
		       verdict, expected, context->detail);
	if (detail)
		TEST_CHECK_MSG(strstr(context->detail, detail) != NULL,
			       "%s: detail \"%s\" lacks \"%s\"", name, context->detail, detail);
}

static inline void case_run(const struct check_protocol *protocol,
			    struct check_context *context, const struct text_case *text)
{
	int verdict = protocol->reply(context, (const uint8_t *)text->reply,
				      strlen(text->reply), text->closed);

	case_verdict(text->name, context, verdict, text->verdict, text->detail);
}

#endif
