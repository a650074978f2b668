// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the binary check protocols (xvsd/check_dns.c, check_radius.c):
 * request bytes against fixed vectors, and verdicts on replies built here
 * and then damaged: truncated, wrong id, wrong authenticator, foreign. */
#include <errno.h>
#include <netinet/in.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "check.h"
#include "check_case.h"
#include "test.h"

/* A reply under construction and what the judge must say of it. */
struct wire_case {
	const char *name;
	uint8_t proto;
	void (*damage)(uint8_t *packet, size_t *length);
	int verdict;
	const char *detail;
};

static void wire_run(const struct check_protocol *protocol, struct check_context *context,
		     const struct wire_case *wire, const uint8_t *good, size_t good_length)
{
	uint8_t packet[512];
	size_t length = good_length;
	int verdict;

	memcpy(packet, good, good_length);
	if (wire->damage)
		wire->damage(packet, &length);
	verdict = protocol->reply(context, packet, length, false);
	case_verdict(wire->name, context, verdict, wire->verdict, wire->detail);
}

/* A function that damages a good reply, in one line. */
#define DAMAGE(name, ...) \
	static void name(uint8_t *p, size_t *length) { (void)p; (void)length; __VA_ARGS__ }

/* A response to "check.test" A, id 0x5678 (the context's sequence). */
static const uint8_t dns_good[] = {
	0x56, 0x78, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	5, 'c', 'h', 'e', 'c', 'k', 4, 't', 'e', 's', 't', 0, 0x00, 0x01, 0x00, 0x01,
	0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04,
	192, 0, 2, 1,
};
#define DNS_ANSWER 28

DAMAGE(dns_nodata, p[7] = 0; *length = DNS_ANSWER;)
DAMAGE(dns_nxdomain, p[3] = 0x83; dns_nodata(p, length);)
DAMAGE(dns_refused, p[3] = 0x85; p[5] = p[7] = 0; *length = 12;)
DAMAGE(dns_other_id, p[1] = 0x79;)
DAMAGE(dns_query, p[2] = 0x01;)
DAMAGE(dns_opcode, p[2] = 0x91;)
DAMAGE(dns_other_name, p[15] = 'x';)
DAMAGE(dns_case_0x20, p[13] = 'C'; p[16] = 'C';)
DAMAGE(dns_other_type, p[25] = 28;)
DAMAGE(dns_two_questions, p[5] = 2;)
DAMAGE(dns_cut, *length -= 1;)
DAMAGE(dns_long_rdata, p[39] = 0xff;)
DAMAGE(dns_forward_pointer, p[29] = 0x30;)
DAMAGE(dns_self_pointer, p[29] = DNS_ANSWER;)
DAMAGE(dns_reserved_label, p[28] = 0x40;)
DAMAGE(dns_truncated_flag, p[2] |= 0x02; *length -= 6;)
DAMAGE(dns_short, *length = 5;)
DAMAGE(dns_empty, *length = 0;)
static void dns_http(uint8_t *p, size_t *length)
{
	*length = (size_t)snprintf((char *)p, 64, "HTTP/1.1 200 OK\r\n\r\n");
}

static const struct wire_case dns_cases[] = {
	{ "dns/ok", IPPROTO_UDP, NULL, CHECK_UP, "NOERROR, 1 answers" },
	{ "dns/nodata", IPPROTO_UDP, dns_nodata, CHECK_UP, "NOERROR, 0 answers" },
	{ "dns/nxdomain", IPPROTO_UDP, dns_nxdomain, -CHECK_FAIL_STATUS, "rcode NXDOMAIN" },
	{ "dns/refused-no-question", IPPROTO_UDP, dns_refused, -CHECK_FAIL_STATUS, "REFUSED" },
	{ "dns/other-id", IPPROTO_UDP, dns_other_id, CHECK_MORE, "another id" },
	{ "dns/query-not-response", IPPROTO_UDP, dns_query, -CHECK_FAIL_GARBAGE, NULL },
	{ "dns/opcode", IPPROTO_UDP, dns_opcode, -CHECK_FAIL_GARBAGE, NULL },
	{ "dns/other-name", IPPROTO_UDP, dns_other_name, -CHECK_FAIL_GARBAGE, "question" },
	{ "dns/case-0x20", IPPROTO_UDP, dns_case_0x20, CHECK_UP, NULL },
	{ "dns/other-type", IPPROTO_UDP, dns_other_type, -CHECK_FAIL_GARBAGE, NULL },
	{ "dns/two-questions", IPPROTO_UDP, dns_two_questions, -CHECK_FAIL_GARBAGE, NULL },
	{ "dns/cut", IPPROTO_UDP, dns_cut, -CHECK_FAIL_GARBAGE, "beyond" },
	{ "dns/long-rdata", IPPROTO_UDP, dns_long_rdata, -CHECK_FAIL_GARBAGE, NULL },
	{ "dns/forward-pointer", IPPROTO_UDP, dns_forward_pointer, -CHECK_FAIL_GARBAGE, NULL },
	{ "dns/self-pointer", IPPROTO_UDP, dns_self_pointer, -CHECK_FAIL_GARBAGE, NULL },
	{ "dns/reserved-label", IPPROTO_UDP, dns_reserved_label, -CHECK_FAIL_GARBAGE, NULL },
	{ "dns/truncated-flag", IPPROTO_UDP, dns_truncated_flag, CHECK_UP, NULL },
	{ "dns/short", IPPROTO_UDP, dns_short, -CHECK_FAIL_GARBAGE, "not DNS" },
	{ "dns/empty", IPPROTO_UDP, dns_empty, -CHECK_FAIL_GARBAGE, NULL },
	/* HTTP sent to a DNS check: its first bytes are an id that is not ours. */
	{ "dns/http-reply", IPPROTO_UDP, dns_http, CHECK_MORE, NULL },
};

static void dns_tcp_frame(uint8_t *p, size_t *length)
{
	memmove(p + 2, p, *length);
	p[0] = (uint8_t)(*length >> 8);
	p[1] = (uint8_t)*length;
	*length += 2;
}

DAMAGE(dns_tcp_ok, dns_tcp_frame(p, length);)
DAMAGE(dns_tcp_partial, dns_tcp_frame(p, length); *length -= 3;)
DAMAGE(dns_tcp_one, dns_tcp_frame(p, length); *length = 1;)
DAMAGE(dns_tcp_extra, dns_tcp_frame(p, length); p[(*length)++] = 0;)
DAMAGE(dns_tcp_other_id, dns_other_id(p, length); dns_tcp_frame(p, length);)
DAMAGE(dns_tcp_short, *length = 4; dns_tcp_frame(p, length);)

static const struct wire_case dns_tcp_cases[] = {
	{ "dns/tcp-ok", IPPROTO_TCP, dns_tcp_ok, CHECK_UP, NULL },
	{ "dns/tcp-partial", IPPROTO_TCP, dns_tcp_partial, CHECK_MORE, NULL },
	{ "dns/tcp-one-byte", IPPROTO_TCP, dns_tcp_one, CHECK_MORE, NULL },
	{ "dns/tcp-extra", IPPROTO_TCP, dns_tcp_extra, -CHECK_FAIL_GARBAGE, NULL },
	{ "dns/tcp-other-id", IPPROTO_TCP, dns_tcp_other_id, -CHECK_FAIL_GARBAGE, "wrong id" },
	{ "dns/tcp-short", IPPROTO_TCP, dns_tcp_short, -CHECK_FAIL_GARBAGE, NULL },
	{ "dns/tcp-unframed", IPPROTO_TCP, NULL, CHECK_MORE, NULL },
};

static void test_dns_request(void)
{
	static const uint8_t expected[] = {
		0x00, 28, 0x56, 0x78, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		5, 'c', 'h', 'e', 'c', 'k', 4, 't', 'e', 's', 't', 0, 0x00, 0x01, 0x00, 0x01,
	};
	static const uint8_t root[] = { 0, 0x00, 0x02, 0x00, 0x01 };
	struct config_check check = { .type = CHECK_DNS, .query = "check.test" };
	struct check_context context;
	uint8_t buffer[512];
	char label[80];

	case_context(&context, &check, "10.0.2.11", 53, IPPROTO_UDP);
	TEST_CHECK(check_dns.request(&context, buffer, sizeof(buffer)) == 28);
	TEST_CHECK(memcmp(buffer, expected + 2, 28) == 0);
	check.query = "check.test.";
	TEST_CHECK(check_dns.request(&context, buffer, sizeof(buffer)) == 28);
	TEST_CHECK(memcmp(buffer, expected + 2, 28) == 0);
	context.service_proto = IPPROTO_TCP;
	TEST_CHECK(check_dns.request(&context, buffer, sizeof(buffer)) == 30);
	TEST_CHECK(memcmp(buffer, expected, 30) == 0);
	TEST_CHECK(check_dns.request(&context, buffer, 29) == -ENOSPC);
	/* No query: the root's NS records. */
	check.query = NULL;
	context.service_proto = IPPROTO_UDP;
	TEST_CHECK(check_dns.request(&context, buffer, sizeof(buffer)) == 17);
	TEST_CHECK(memcmp(buffer + 12, root, sizeof(root)) == 0);
	check.query = "a..b";
	TEST_CHECK(check_dns.request(&context, buffer, sizeof(buffer)) == -EINVAL);
	memset(label, 'a', 64);
	label[64] = '\0';
	check.query = label;
	TEST_CHECK(check_dns.request(&context, buffer, sizeof(buffer)) == -EINVAL);
}

static void test_dns_replies(void)
{
	struct config_check check = { .type = CHECK_DNS, .query = "check.test" };
	struct check_context context;
	size_t i;

	for (i = 0; i < sizeof(dns_cases) / sizeof(dns_cases[0]); i++) {
		case_context(&context, &check, "10.0.2.11", 53, dns_cases[i].proto);
		wire_run(&check_dns, &context, &dns_cases[i], dns_good, sizeof(dns_good));
	}
	for (i = 0; i < sizeof(dns_tcp_cases) / sizeof(dns_tcp_cases[0]); i++) {
		case_context(&context, &check, "10.0.2.11", 53, dns_tcp_cases[i].proto);
		wire_run(&check_dns, &context, &dns_tcp_cases[i], dns_good, sizeof(dns_good));
	}
	/* A stream that ends early. */
	case_context(&context, &check, "10.0.2.11", 53, IPPROTO_TCP);
	case_verdict("dns/tcp-closed", &context, check_dns.reply(&context, dns_good, 10, true),
		     -CHECK_FAIL_CLOSED, NULL);
}

/* RADIUS replies are signed here with the secret, like a server would. */
#define SECRET "testing123"
#define RADIUS_MA 26                  /* offset of the Message-Authenticator */

/* Fills the Message-Authenticator at RADIUS_MA (when sign_attribute) and
 * then the Response Authenticator, for a request with the context's nonce. */
static void radius_sign(uint8_t *packet, size_t length, const char *secret,
			bool sign_attribute)
{
	unsigned int out_length;
	uint8_t digest[16];
	EVP_MD_CTX *md5 = EVP_MD_CTX_new();

	for (int i = 0; i < 16; i++)
		packet[4 + i] = (uint8_t)(i * 0x11);
	packet[2] = (uint8_t)(length >> 8);
	packet[3] = (uint8_t)length;
	if (sign_attribute) {
		memset(packet + RADIUS_MA + 2, 0, 16);
		HMAC(EVP_md5(), secret, (int)strlen(secret), packet, length, digest, &out_length);
		memcpy(packet + RADIUS_MA + 2, digest, 16);
	}
	EVP_DigestInit_ex(md5, EVP_md5(), NULL);
	EVP_DigestUpdate(md5, packet, length);
	EVP_DigestUpdate(md5, secret, strlen(secret));
	EVP_DigestFinal_ex(md5, digest, &out_length);
	EVP_MD_CTX_free(md5);
	memcpy(packet + 4, digest, 16);
}

/* Access-Accept for id 0x78 with a Reply-Message and a Message-Authenticator. */
static uint8_t radius_good[RADIUS_MA + 18];

static void radius_build(void)
{
	static const uint8_t attributes[] = { 18, 6, 'u', 'p', '!', '!', 80, 18 };

	memset(radius_good, 0, sizeof(radius_good));
	radius_good[0] = 2;
	radius_good[1] = 0x78;
	memcpy(radius_good + 20, attributes, sizeof(attributes));
	radius_sign(radius_good, sizeof(radius_good), SECRET, true);
}

DAMAGE(radius_no_ma, *length = RADIUS_MA; radius_sign(p, *length, SECRET, false);)
DAMAGE(radius_bad_ma, p[RADIUS_MA + 5] ^= 1; radius_sign(p, *length, SECRET, false);)
DAMAGE(radius_bad_response, p[10] ^= 1;)
DAMAGE(radius_other_secret, radius_sign(p, *length, "testing124", true);)
DAMAGE(radius_accounting, p[0] = 5; radius_sign(p, *length, SECRET, true);)
DAMAGE(radius_reject, p[0] = 3; radius_sign(p, *length, SECRET, true);)
DAMAGE(radius_reject_unsigned, p[0] = 3;)
DAMAGE(radius_challenge, p[0] = 11; radius_sign(p, *length, SECRET, true);)
DAMAGE(radius_reflected, p[0] = 12;)
DAMAGE(radius_other_id, p[1] = 0x79;)
DAMAGE(radius_padding, memset(p + *length, 0xee, 7); *length += 7;)
DAMAGE(radius_length_long, p[3] += 1;)
DAMAGE(radius_length_short, p[3] = 19;)
DAMAGE(radius_length_huge, p[2] = 0x10; p[3] = 1;)
DAMAGE(radius_attribute_zero, p[21] = 0;)
DAMAGE(radius_attribute_over, p[RADIUS_MA + 1] = 19;)
DAMAGE(radius_ma_length, p[21] = 2; p[22] = 80; p[23] = 4;)
static void radius_two_ma(uint8_t *p, size_t *length)
{
	memcpy(p + *length, p + RADIUS_MA, 18);
	*length += 18;
	radius_sign(p, *length, SECRET, true);
}
DAMAGE(radius_short, *length = 19;)
static void radius_sip(uint8_t *p, size_t *length)
{
	*length = (size_t)snprintf((char *)p, 64, "SIP/2.0 200 OK\r\n\r\n");
}

static const struct wire_case radius_cases[] = {
	{ "radius/accept", IPPROTO_UDP, NULL, CHECK_UP, "Access-Accept" },
	{ "radius/accept-no-ma", IPPROTO_UDP, radius_no_ma, CHECK_UP, NULL },
	{ "radius/bad-ma", IPPROTO_UDP, radius_bad_ma, -CHECK_FAIL_STATUS,
	  "Message-Authenticator" },
	{ "radius/bad-response-authenticator", IPPROTO_UDP, radius_bad_response,
	  -CHECK_FAIL_STATUS, "Response Authenticator" },
	{ "radius/other-secret", IPPROTO_UDP, radius_other_secret, -CHECK_FAIL_STATUS,
	  "secret" },
	{ "radius/accounting-response", IPPROTO_UDP, radius_accounting, CHECK_UP,
	  "Accounting-Response" },
	{ "radius/reject", IPPROTO_UDP, radius_reject, -CHECK_FAIL_STATUS, "Access-Reject" },
	{ "radius/reject-unsigned", IPPROTO_UDP, radius_reject_unsigned, -CHECK_FAIL_STATUS,
	  "Response Authenticator" },
	{ "radius/challenge", IPPROTO_UDP, radius_challenge, -CHECK_FAIL_GARBAGE, "code 11" },
	{ "radius/reflected-request", IPPROTO_UDP, radius_reflected, -CHECK_FAIL_GARBAGE, NULL },
	{ "radius/other-id", IPPROTO_UDP, radius_other_id, CHECK_MORE, "another id" },
	{ "radius/padding", IPPROTO_UDP, radius_padding, CHECK_UP, NULL },
	{ "radius/length-beyond", IPPROTO_UDP, radius_length_long, -CHECK_FAIL_GARBAGE, NULL },
	{ "radius/length-short", IPPROTO_UDP, radius_length_short, -CHECK_FAIL_GARBAGE, NULL },
	{ "radius/length-huge", IPPROTO_UDP, radius_length_huge, -CHECK_FAIL_GARBAGE, NULL },
	{ "radius/attribute-zero", IPPROTO_UDP, radius_attribute_zero, -CHECK_FAIL_GARBAGE,
	  "attributes" },
	{ "radius/attribute-over", IPPROTO_UDP, radius_attribute_over, -CHECK_FAIL_GARBAGE, NULL },
	{ "radius/ma-length", IPPROTO_UDP, radius_ma_length, -CHECK_FAIL_GARBAGE, NULL },
	{ "radius/two-ma", IPPROTO_UDP, radius_two_ma, -CHECK_FAIL_GARBAGE, NULL },
	{ "radius/short", IPPROTO_UDP, radius_short, -CHECK_FAIL_GARBAGE, "not RADIUS" },
	{ "radius/sip-reply", IPPROTO_UDP, radius_sip, -CHECK_FAIL_GARBAGE, NULL },
};

static void test_radius_request(void)
{
	static const uint8_t hmac[16] = {  /* Python's hmac, MD5, key "testing123" */
		0xb6, 0x57, 0x82, 0xe0, 0xef, 0x20, 0xd2, 0xc2,
		0xae, 0x1e, 0x34, 0xa2, 0xe4, 0x66, 0x39, 0x8a,
	};
	struct config_check check = { .type = CHECK_RADIUS, .secret = SECRET };
	struct check_context context;
	uint8_t buffer[512];

	case_context(&context, &check, "10.0.2.11", 1812, IPPROTO_UDP);
	TEST_CHECK(check_radius.request(&context, buffer, sizeof(buffer)) == 38);
	TEST_CHECK(buffer[0] == 12 && buffer[1] == 0x78 && buffer[2] == 0 && buffer[3] == 38);
	TEST_CHECK(memcmp(buffer + 4, context.nonce, 16) == 0);
	TEST_CHECK(buffer[20] == 80 && buffer[21] == 18);
	TEST_CHECK(memcmp(buffer + 22, hmac, 16) == 0);
	TEST_CHECK(check_radius.request(&context, buffer, 37) == -ENOSPC);
	check.secret = NULL;
	TEST_CHECK(check_radius.request(&context, buffer, sizeof(buffer)) == -EINVAL);
	TEST_CHECK(check_radius.socket_type == SOCK_DGRAM);
}

/* RFC 2865 7.1: the Access-Accept to its Access-Request, secret "xyzzy5461". */
static void test_radius_rfc2865(void)
{
	static const uint8_t accept[] = {
		0x02, 0x00, 0x00, 0x26, 0x86, 0xfe, 0x22, 0x0e, 0x76, 0x24, 0xba, 0x2a,
		0x10, 0x05, 0xf6, 0xbf, 0x9b, 0x55, 0xe0, 0xb2, 0x06, 0x06, 0x00, 0x00,
		0x00, 0x01, 0x0f, 0x06, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x06, 0xc0, 0xa8,
		0x01, 0x03,
	};
	static const uint8_t request_authenticator[16] = {
		0x0f, 0x40, 0x3f, 0x94, 0x73, 0x97, 0x80, 0x57,
		0xbd, 0x83, 0xd5, 0xcb, 0x98, 0xf4, 0x22, 0x7a,
	};
	struct config_check check = { .type = CHECK_RADIUS, .secret = "xyzzy5461" };
	struct check_context context;

	case_context(&context, &check, "192.168.1.3", 1812, IPPROTO_UDP);
	context.sequence = 0x100; /* id 0 */
	memcpy(context.nonce, request_authenticator, 16);
	case_verdict("rfc2865", &context, check_radius.reply(&context, accept, sizeof(accept),
							     false), CHECK_UP, "Access-Accept");
	check.secret = "xyzzy5462";
	case_verdict("rfc2865-other-secret", &context,
		     check_radius.reply(&context, accept, sizeof(accept), false),
		     -CHECK_FAIL_STATUS, NULL);
}

static void test_radius_replies(void)
{
	struct config_check check = { .type = CHECK_RADIUS, .secret = SECRET };
	struct check_context context;

	radius_build();
	for (size_t i = 0; i < sizeof(radius_cases) / sizeof(radius_cases[0]); i++) {
		case_context(&context, &check, "10.0.2.11", 1812, IPPROTO_UDP);
		wire_run(&check_radius, &context, &radius_cases[i], radius_good,
			 sizeof(radius_good));
	}
}

int main(void)
{
	TEST_RUN("check/dns-request", test_dns_request);
	TEST_RUN("check/dns-replies", test_dns_replies);
	TEST_RUN("check/radius-request", test_radius_request);
	TEST_RUN("check/radius-rfc2865", test_radius_rfc2865);
	TEST_RUN("check/radius-replies", test_radius_replies);
	return TEST_EXIT();
}
