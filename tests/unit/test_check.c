// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the check protocols' text side (xvsd/check_http.c, check_sip.c):
 * the request bytes, and the verdict on good, hostile and foreign replies. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "check.h"
#include "check_case.h"
#include "test.h"

static void test_http_request(void)
{
	struct config_check check = { .type = CHECK_HTTP };
	struct check_context context;
	char buffer[512];
	int length;

	case_context(&context, &check, "10.0.2.11", 80, IPPROTO_TCP);
	length = check_http.request(&context, (uint8_t *)buffer, sizeof(buffer));
	TEST_CHECK(length > 0);
	buffer[length > 0 ? length : 0] = '\0';
	TEST_CHECK_STR(buffer, "GET / HTTP/1.1\r\nHost: 10.0.2.11\r\nUser-Agent: xvs\r\n"
		       "Accept: */*\r\nConnection: close\r\n\r\n");

	check.path = "/health?full=1";
	case_context(&context, &check, "2001:db8::11", 8080, IPPROTO_TCP);
	length = check_http.request(&context, (uint8_t *)buffer, sizeof(buffer));
	buffer[length > 0 ? length : 0] = '\0';
	TEST_CHECK(strncmp(buffer, "GET /health?full=1 HTTP/1.1\r\nHost: [2001:db8::11]:8080\r\n",
			   56) == 0);

	/* https: 443 is its default port; a host option is sent as given. */
	case_context(&context, &check, "2001:db8::11", 443, IPPROTO_TCP);
	length = check_https.request(&context, (uint8_t *)buffer, sizeof(buffer));
	buffer[length > 0 ? length : 0] = '\0';
	TEST_CHECK(strstr(buffer, "\r\nHost: [2001:db8::11]\r\n") != NULL);
	check.host = "www.example.org";
	length = check_https.request(&context, (uint8_t *)buffer, sizeof(buffer));
	buffer[length > 0 ? length : 0] = '\0';
	TEST_CHECK(strstr(buffer, "\r\nHost: www.example.org\r\n") != NULL);
	TEST_CHECK(check_https.tls && !check_http.tls);
	TEST_CHECK(check_http.request(&context, (uint8_t *)buffer, 20) == -ENOSPC);
}

static void test_sip_request(void)
{
	struct config_check check = { .type = CHECK_SIP };
	struct check_context context;
	char buffer[1024];
	int length;

	case_context(&context, &check, "10.0.2.11", 5060, IPPROTO_UDP);
	length = check_sip.request(&context, (uint8_t *)buffer, sizeof(buffer));
	TEST_CHECK(length > 0);
	buffer[length > 0 ? length : 0] = '\0';
	TEST_CHECK_STR(buffer,
		       "OPTIONS sip:10.0.2.11:5060 SIP/2.0\r\n"
		       "Via: SIP/2.0/UDP xvs.invalid;branch=z9hG4bK0011223344556677;rport\r\n"
		       "Max-Forwards: 70\r\n"
		       "From: <sip:xvs@xvs.invalid>;tag=8899aabb\r\n"
		       "To: <sip:10.0.2.11:5060>\r\n"
		       "Call-ID: ccddeeff-12345678@xvs.invalid\r\n"
		       "CSeq: 305419897 OPTIONS\r\n"
		       "Accept: application/sdp\r\n"
		       "User-Agent: xvs\r\n"
		       "Content-Length: 0\r\n\r\n");
	case_context(&context, &check, "2001:db8::11", 5060, IPPROTO_TCP);
	length = check_sip.request(&context, (uint8_t *)buffer, sizeof(buffer));
	buffer[length > 0 ? length : 0] = '\0';
	TEST_CHECK(strncmp(buffer, "OPTIONS sip:[2001:db8::11]:5060;transport=tcp SIP/2.0\r\n"
			   "Via: SIP/2.0/TCP ", 72) == 0);
	TEST_CHECK(check_sip.request(&context, (uint8_t *)buffer, 100) == -ENOSPC);
}

#define OK_HEAD "HTTP/1.1 200 OK\r\nServer: test\r\n"
#define BIG_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct text_case http_cases[] = {
	{ "http/200", NULL, 0, OK_HEAD "Content-Length: 2\r\n\r\nok", 1, CHECK_UP, "status 200" },
	{ "http/200-head-only", NULL, 0, OK_HEAD "\r\n", 0, CHECK_UP, "status 200" },
	{ "http/1.0", NULL, 0, "HTTP/1.0 200\r\n\r\n", 0, CHECK_UP, NULL },
	{ "http/503", NULL, 0, "HTTP/1.1 503 Service Unavailable\r\n\r\n", 0,
	  -CHECK_FAIL_STATUS, "status 503" },
	{ "http/expect-302", NULL, 302, "HTTP/1.1 302 Found\r\nLocation: /\r\n\r\n", 0,
	  CHECK_UP, NULL },
	{ "http/expect-302-got-200", NULL, 302, OK_HEAD "\r\n", 0, -CHECK_FAIL_STATUS,
	  "status 200" },
	{ "http/interim-100", NULL, 0, "HTTP/1.1 100 Continue\r\n\r\n" OK_HEAD "\r\n", 0,
	  CHECK_UP, NULL },
	{ "http/partial-status", NULL, 0, "HTTP/1.1 20", 0, CHECK_MORE, NULL },
	{ "http/partial-headers", NULL, 0, OK_HEAD "Content-Le", 0, CHECK_MORE, NULL },
	{ "http/partial-closed", NULL, 0, OK_HEAD, 1, -CHECK_FAIL_CLOSED, "closed" },
	{ "http/empty-closed", NULL, 0, "", 1, -CHECK_FAIL_CLOSED, "without" },
	{ "http/empty", NULL, 0, "", 0, CHECK_MORE, NULL },
	{ "http/version-2", NULL, 0, "HTTP/2 200\r\n\r\n", 0, -CHECK_FAIL_GARBAGE, NULL },
	{ "http/ssh-banner", NULL, 0, "SSH-2.0-OpenSSH_9.2", 0, -CHECK_FAIL_GARBAGE, NULL },
	{ "http/sip-reply", NULL, 0, "SIP/2.0 200 OK\r\n\r\n", 0, -CHECK_FAIL_GARBAGE, NULL },
	{ "http/four-digits", NULL, 0, "HTTP/1.1 2000 OK\r\n\r\n", 0, -CHECK_FAIL_GARBAGE, NULL },
	{ "http/no-space", NULL, 0, "HTTP/1.1 200OK\r\n\r\n", 0, -CHECK_FAIL_GARBAGE, NULL },
	{ "http/two-spaces", NULL, 0, "HTTP/1.1  200 OK\r\n\r\n", 0, -CHECK_FAIL_GARBAGE, NULL },
	{ "http/status-099", NULL, 0, "HTTP/1.1 099 x\r\n\r\n", 0, -CHECK_FAIL_GARBAGE, NULL },
	{ "http/status-600", NULL, 0, "HTTP/1.1 600 x\r\n\r\n", 0, -CHECK_FAIL_GARBAGE, NULL },
	{ "http/control-in-reason", NULL, 0, "HTTP/1.1 200 O\x01K\r\n\r\n", 0,
	  -CHECK_FAIL_GARBAGE, NULL },
	{ "http/header-no-colon", NULL, 0, OK_HEAD "Oops\r\n\r\n", 0, -CHECK_FAIL_GARBAGE, NULL },
	{ "http/header-space-name", NULL, 0, OK_HEAD "Bad Name: x\r\n\r\n", 0,
	  -CHECK_FAIL_GARBAGE, NULL },
	{ "http/header-folded", NULL, 0, OK_HEAD "X: a\r\n b\r\n\r\n", 0, -CHECK_FAIL_GARBAGE,
	  "folded" },
	{ "http/lf-only", NULL, 0, "HTTP/1.1 200 OK\nServer: x\n\n", 0, CHECK_UP, NULL },
	/* body "ok" */
	{ "http/body-length-found", "ok", 0, OK_HEAD "Content-Length: 9\r\n\r\nall is ok", 0,
	  CHECK_UP, "found" },
	{ "http/body-length-missing", "ok", 0, OK_HEAD "Content-Length: 4\r\n\r\nfail", 0,
	  -CHECK_FAIL_BODY, "not found in 4 bytes" },
	{ "http/body-length-partial", "ok", 0, OK_HEAD "Content-Length: 10\r\n\r\nfail", 0,
	  CHECK_MORE, NULL },
	{ "http/body-length-partial-closed", "ok", 0, OK_HEAD "Content-Length: 10\r\n\r\nfail",
	  1, -CHECK_FAIL_CLOSED, "4 of 10" },
	{ "http/body-beyond-length", "ok", 0, OK_HEAD "Content-Length: 2\r\n\r\nnook", 1,
	  -CHECK_FAIL_BODY, NULL },
	{ "http/body-length-bad", "ok", 0, OK_HEAD "Content-Length: 1x\r\n\r\nok", 0,
	  -CHECK_FAIL_GARBAGE, "Content-Length" },
	{ "http/body-length-conflict", "ok", 0,
	  OK_HEAD "Content-Length: 2\r\nContent-Length: 3\r\n\r\nok", 0, -CHECK_FAIL_GARBAGE,
	  NULL },
	{ "http/body-length-huge", "ok", 0, OK_HEAD "Content-Length: 99999999999\r\n\r\nok", 0,
	  -CHECK_FAIL_GARBAGE, NULL },
	{ "http/body-chunked-found", "all ok", 0,
	  OK_HEAD "Transfer-Encoding: chunked\r\n\r\n4\r\nall \r\n2;x=y\r\nok\r\n0\r\n\r\n", 0,
	  CHECK_UP, "found" },
	{ "http/body-chunked-missing", "ok", 0,
	  OK_HEAD "Transfer-Encoding: chunked\r\n\r\n4\r\nfail\r\n0\r\n\r\n", 0,
	  -CHECK_FAIL_BODY, NULL },
	{ "http/body-chunked-partial", "ok", 0,
	  OK_HEAD "Transfer-Encoding: chunked\r\n\r\n10\r\nfail", 0, CHECK_MORE, NULL },
	{ "http/body-chunked-partial-closed", "ok", 0,
	  OK_HEAD "Transfer-Encoding: chunked\r\n\r\n10\r\nfail", 1, -CHECK_FAIL_CLOSED, NULL },
	{ "http/body-chunked-bad-size", "ok", 0,
	  OK_HEAD "Transfer-Encoding: chunked\r\n\r\nzz\r\nfail\r\n", 0, -CHECK_FAIL_GARBAGE,
	  "chunk size" },
	{ "http/body-chunked-size-overflow", "ok", 0,
	  OK_HEAD "Transfer-Encoding: chunked\r\n\r\n123456789\r\nok\r\n", 0,
	  -CHECK_FAIL_GARBAGE, NULL },
	{ "http/body-chunked-too-long", "ok", 0,
	  OK_HEAD "Transfer-Encoding: chunked\r\n\r\n2\r\nnoo\r\n0\r\n\r\n", 0,
	  -CHECK_FAIL_GARBAGE, NULL },
	{ "http/body-chunked-over-length", "ok", 0,
	  OK_HEAD "Content-Length: 1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n"
	  "0\r\n\r\n", 0, CHECK_UP, NULL },
	{ "http/body-until-close", "ok", 0, OK_HEAD "\r\nit is ok", 1, CHECK_UP, NULL },
	{ "http/body-until-close-waits", "ok", 0, OK_HEAD "\r\nit is ok", 0, CHECK_MORE, NULL },
	{ "http/head-early-garbage", NULL, 0, "HTTP/1.1 2x0 OK\r\nServer: x", 0,
	  -CHECK_FAIL_GARBAGE, "status line" },
	{ "http/interim-too-many", NULL, 0, "HTTP/1.1 100 A\r\n\r\nHTTP/1.1 100 A\r\n\r\n"
	  "HTTP/1.1 100 A\r\n\r\nHTTP/1.1 100 A\r\n\r\nHTTP/1.1 100 A\r\n\r\n" OK_HEAD "\r\n",
	  0, -CHECK_FAIL_GARBAGE, "interim" },
	{ "http/body-until-close-missing", "ok", 0, OK_HEAD "\r\nfail", 1, -CHECK_FAIL_BODY,
	  NULL },
	{ "http/body-until-close-open", "ok", 0, OK_HEAD "\r\nfail", 0, CHECK_MORE, NULL },
	{ "http/body-204", "ok", 204, "HTTP/1.1 204 No Content\r\n\r\nok", 0, -CHECK_FAIL_BODY,
	  "no body" },
	{ "http/body-case-sensitive", "OK", 0, OK_HEAD "Content-Length: 2\r\n\r\nok", 0,
	  -CHECK_FAIL_BODY, NULL },
	{ "http/binary", NULL, 0, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 0,
	  -CHECK_FAIL_GARBAGE, NULL },
	{ "http/dns-reply", NULL, 0, "\x12\x34\x81\x80\x00\x01\x00\x00", 0, -CHECK_FAIL_GARBAGE,
	  NULL },
};

#define SIP_OK "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP xvs.invalid;branch=z9hG4bK0011223344556677\r\n"
#define SIP_IDS "Call-ID: ccddeeff-12345678@xvs.invalid\r\nCSeq: 305419897 OPTIONS\r\n"

static const struct text_case sip_udp_cases[] = {
	{ "sip/udp-200", NULL, 0, SIP_OK SIP_IDS "Content-Length: 0\r\n\r\n", 0, CHECK_UP,
	  "status 200" },
	{ "sip/udp-404", NULL, 0, "SIP/2.0 404 Not Found\r\n" SIP_IDS "\r\n", 0, CHECK_UP,
	  "status 404" },
	{ "sip/udp-503", NULL, 0, "SIP/2.0 503 Overloaded\r\n" SIP_IDS "\r\n", 0,
	  -CHECK_FAIL_STATUS, "status 503" },
	{ "sip/udp-100", NULL, 0, "SIP/2.0 100 Trying\r\n" SIP_IDS "\r\n", 0, CHECK_MORE,
	  "provisional" },
	{ "sip/udp-compact", NULL, 0,
	  "SIP/2.0 200 OK\r\ni : ccddeeff-12345678@xvs.invalid\r\nCSeq:305419897 OPTIONS\r\n"
	  "l: 0\r\n\r\n", 0, CHECK_UP, NULL },
	{ "sip/udp-body", NULL, 0, SIP_OK SIP_IDS "Content-Length: 4\r\n\r\nv=0\n", 0, CHECK_UP,
	  NULL },
	{ "sip/udp-other-call", NULL, 0,
	  "SIP/2.0 200 OK\r\nCall-ID: old@xvs.invalid\r\nCSeq: 305419897 OPTIONS\r\n\r\n", 0,
	  CHECK_MORE, "another request" },
	{ "sip/udp-other-cseq", NULL, 0,
	  "SIP/2.0 200 OK\r\nCall-ID: ccddeeff-12345678@xvs.invalid\r\nCSeq: 2 OPTIONS\r\n\r\n",
	  0, CHECK_MORE, NULL },
	{ "sip/udp-other-method", NULL, 0,
	  "SIP/2.0 200 OK\r\nCall-ID: ccddeeff-12345678@xvs.invalid\r\n"
	  "CSeq: 305419897 INVITE\r\n\r\n", 0, CHECK_MORE, NULL },
	{ "sip/udp-no-call-id", NULL, 0, "SIP/2.0 200 OK\r\nCSeq: 305419897 OPTIONS\r\n\r\n", 0,
	  -CHECK_FAIL_GARBAGE, "Call-ID" },
	{ "sip/udp-truncated", NULL, 0, SIP_OK SIP_IDS, 0, -CHECK_FAIL_GARBAGE, "truncated" },
	{ "sip/udp-request", NULL, 0, "OPTIONS sip:x SIP/2.0\r\n" SIP_IDS "\r\n", 0,
	  -CHECK_FAIL_GARBAGE, NULL },
	{ "sip/udp-status-700", NULL, 0, "SIP/2.0 700 x\r\n" SIP_IDS "\r\n", 0,
	  -CHECK_FAIL_GARBAGE, NULL },
	{ "sip/udp-http", NULL, 0, "HTTP/1.1 200 OK\r\n\r\n", 0, -CHECK_FAIL_GARBAGE, NULL },
	{ "sip/udp-binary", NULL, 0, "\x02\xda\x00\x14\x00", 0, -CHECK_FAIL_GARBAGE, NULL },
	{ "sip/udp-empty", NULL, 0, "", 0, -CHECK_FAIL_GARBAGE, NULL },
	{ "sip/udp-folded", NULL, 0, SIP_OK "Subject: a\r\n b\r\n" SIP_IDS "\r\n", 0, CHECK_UP,
	  NULL },
};

static const struct text_case sip_tcp_cases[] = {
	{ "sip/tcp-200", NULL, 0, SIP_OK SIP_IDS "Content-Length: 0\r\n\r\n", 0, CHECK_UP, NULL },
	{ "sip/tcp-100-then-200", NULL, 0,
	  "SIP/2.0 100 Trying\r\n" SIP_IDS "Content-Length: 2\r\n\r\nxx" SIP_OK SIP_IDS "\r\n", 0,
	  CHECK_UP, NULL },
	{ "sip/tcp-100-only", NULL, 0, "SIP/2.0 100 Trying\r\n" SIP_IDS "\r\n", 0, CHECK_MORE,
	  NULL },
	{ "sip/tcp-100-closed", NULL, 0, "SIP/2.0 100 Trying\r\n" SIP_IDS "\r\n", 1,
	  -CHECK_FAIL_CLOSED, NULL },
	{ "sip/tcp-partial", NULL, 0, SIP_OK "Call-ID: ccd", 0, CHECK_MORE, NULL },
	{ "sip/tcp-other-call", NULL, 0,
	  "SIP/2.0 200 OK\r\nCall-ID: old\r\nCSeq: 305419897 OPTIONS\r\n\r\n", 0,
	  -CHECK_FAIL_GARBAGE, NULL },
	{ "sip/tcp-100-then-garbage", NULL, 0, "SIP/2.0 100 Trying\r\n" SIP_IDS "\r\nxyz", 0,
	  -CHECK_FAIL_GARBAGE, NULL },
};

static void run_text_cases(const struct check_protocol *protocol, enum check_type type,
			   uint8_t proto, const struct text_case *cases, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct config_check check = { .type = type, .body = (char *)cases[i].body,
					      .expect = cases[i].expect };
		struct check_context context;

		case_context(&context, &check, "10.0.2.11", 80, proto);
		case_run(protocol, &context, &cases[i]);
	}
}

/* Big replies: a verdict within reply_max, or "oversized" at it. */
static void test_http_oversized(void)
{
	struct config_check check = { .type = CHECK_HTTP, .body = "needle" };
	size_t size = check_http.reply_max + 100, head;
	struct check_context context;
	char *reply = malloc(size);
	int verdict;

	TEST_CHECK(reply != NULL && check_http.reply_max == 65536);
	if (!reply)
		return;
	case_context(&context, &check, "10.0.2.11", 80, IPPROTO_TCP);
	/* Endless headers. */
	memcpy(reply, OK_HEAD, strlen(OK_HEAD));
	memset(reply + strlen(OK_HEAD), 'a', size - strlen(OK_HEAD));
	verdict = check_http.reply(&context, (uint8_t *)reply, check_http.reply_max, false);
	TEST_CHECK_MSG(verdict == -CHECK_FAIL_OVERSIZED, "verdict %d", verdict);
	/* A response head over 16 KiB, ended or not. */
	verdict = check_http.reply(&context, (uint8_t *)reply, 16 * 1024 + 1, false);
	TEST_CHECK_MSG(verdict == -CHECK_FAIL_OVERSIZED, "verdict %d", verdict);
	memcpy(reply + strlen(OK_HEAD), "X: ", 3);
	memcpy(reply + 20000, "\r\n\r\n", 4);
	verdict = check_http.reply(&context, (uint8_t *)reply, 20004, false);
	TEST_CHECK_MSG(verdict == -CHECK_FAIL_OVERSIZED, "verdict %d (%s)", verdict, context.detail);
	/* A large body: the text early is found, beyond reply_max it is not. */
	head = (size_t)snprintf(reply, size, OK_HEAD "Content-Length: 1000000\r\n\r\n");
	memset(reply + head, 'a', size - head);
	memcpy(reply + head + 10, "needle", 6);
	verdict = check_http.reply(&context, (uint8_t *)reply, check_http.reply_max, false);
	TEST_CHECK_MSG(verdict == CHECK_UP, "verdict %d", verdict);
	memset(reply + head, 'a', size - head);
	verdict = check_http.reply(&context, (uint8_t *)reply, check_http.reply_max - 1, false);
	TEST_CHECK_MSG(verdict == CHECK_MORE, "verdict %d", verdict);
	verdict = check_http.reply(&context, (uint8_t *)reply, check_http.reply_max, false);
	TEST_CHECK_MSG(verdict == -CHECK_FAIL_OVERSIZED, "verdict %d", verdict);
	/* Endless provisional SIP responses on a stream. */
	check.type = CHECK_SIP;
	case_context(&context, &check, "10.0.2.11", 5060, IPPROTO_TCP);
	for (head = 0; head + 200 < size; )
		head += (size_t)snprintf(reply + head, size - head,
					 "SIP/2.0 100 Trying\r\n" SIP_IDS "\r\n");
	verdict = check_sip.reply(&context, (uint8_t *)reply, check_sip.reply_max, false);
	TEST_CHECK_MSG(verdict == -CHECK_FAIL_OVERSIZED, "verdict %d", verdict);
	free(reply);
}

static void test_http_cases(void)
{
	static const char nul[] = OK_HEAD "X: a\0b\r\n\r\n";
	struct config_check check = { .type = CHECK_HTTP };
	struct check_context context;
	int verdict;

	case_context(&context, &check, "10.0.2.11", 80, IPPROTO_TCP);
	verdict = check_http.reply(&context, (const uint8_t *)nul, sizeof(nul) - 1, false);
	TEST_CHECK_MSG(verdict == -CHECK_FAIL_GARBAGE, "NUL in a header: verdict %d", verdict);
	run_text_cases(&check_http, CHECK_HTTP, IPPROTO_TCP, http_cases,
		       sizeof(http_cases) / sizeof(http_cases[0]));
	/* https judges the same bytes the same way (TLS is the engine's). */
	run_text_cases(&check_https, CHECK_HTTPS, IPPROTO_TCP, http_cases, 4);
}

static void test_sip_cases(void)
{
	run_text_cases(&check_sip, CHECK_SIP, IPPROTO_UDP, sip_udp_cases,
		       sizeof(sip_udp_cases) / sizeof(sip_udp_cases[0]));
	run_text_cases(&check_sip, CHECK_SIP, IPPROTO_TCP, sip_tcp_cases,
		       sizeof(sip_tcp_cases) / sizeof(sip_tcp_cases[0]));
	/* The UDP cases hold on a stream too, where the message is complete. */
	run_text_cases(&check_sip, CHECK_SIP, IPPROTO_TCP, sip_udp_cases, 3);
}

int main(void)
{
	TEST_RUN("check/http-request", test_http_request);
	TEST_RUN("check/sip-request", test_sip_request);
	TEST_RUN("check/http-replies", test_http_cases);
	TEST_RUN("check/http-oversized", test_http_oversized);
	TEST_RUN("check/sip-replies", test_sip_cases);
	return TEST_EXIT();
}
