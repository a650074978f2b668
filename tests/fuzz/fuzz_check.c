// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer harness for the health-check protocols: every reply judge (http,
 * https, dns, sip, radius over UDP or TCP) must give a verdict with a detail,
 * never crash, read out of bounds or leak; the request builders take any name. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The first byte picks what to fuzz:
 *   bits 0-2  protocol: http, https, dns, sip, radius (modulo 5)
 *   bit 3     the service is TCP (else UDP)
 *   bit 4     the peer has closed
 *   bit 5     http: body "ok"
 *   bit 6     http: expect 204; dns: query "check.test"
 *   bit 7     the rest is an option (path, query) for the request builder
 * The context is the unit tests' (sequence 0x12345678, nonce 00 11 .. ff),
 * so seeds made for it reach the paths behind the id checks. */
static const struct check_protocol *const protocols[] = {
	&check_http, &check_https, &check_dns, &check_sip, &check_radius,
};
static const enum check_type types[] = {
	CHECK_HTTP, CHECK_HTTPS, CHECK_DNS, CHECK_SIP, CHECK_RADIUS,
};

static void context_init(struct check_context *context, const struct config_check *check,
			 uint8_t selector)
{
	memset(context, 0, sizeof(*context));
	context->check = check;
	context->address.family = AF_INET;
	context->address.v4.s_addr = htonl(0x0a00020b);
	context->port = 8080;
	context->service_proto = selector & 0x08 ? IPPROTO_TCP : IPPROTO_UDP;
	context->sequence = 0x12345678;
	for (int i = 0; i < 16; i++)
		context->nonce[i] = (uint8_t)(i * 0x11);
}

static void fuzz_request(const struct check_protocol *protocol, struct config_check *check,
			 struct check_context *context, const uint8_t *data, size_t size)
{
	uint8_t buffer[1024];
	char *text = malloc(size + 1);
	int length;

	if (!text)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	check->path = check->host = check->query = text;
	length = protocol->request(context, buffer, sizeof(buffer));
	if (length > (int)sizeof(buffer))
		abort();
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_check check = { .secret = "testing123" };
	const struct check_protocol *protocol;
	struct check_context context;
	uint8_t selector;
	int verdict;

	if (size < 1)
		return 0;
	selector = data[0];
	protocol = protocols[(selector & 0x07) % 5];
	check.type = types[(selector & 0x07) % 5];
	check.body = selector & 0x20 ? "ok" : NULL;
	check.expect = selector & 0x40 ? 204 : 0;
	check.query = selector & 0x40 ? "check.test" : NULL;
	context_init(&context, &check, selector);
	if (selector & 0x80) {
		fuzz_request(protocol, &check, &context, data + 1, size - 1);
		return 0;
	}
	if (size - 1 > protocol->reply_max)
		return 0;
	verdict = protocol->reply(&context, data + 1, size - 1, selector & 0x10);
	if (verdict > CHECK_UP || verdict <= -CHECK_FAIL__COUNT)
		abort();
	if (!memchr(context.detail, '\0', sizeof(context.detail)))
		abort();
	if (verdict < 0 && !context.detail[0])
		abort(); /* every failure says why */
	return 0;
}
