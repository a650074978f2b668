// SPDX-License-Identifier: GPL-2.0-only
/* The sip check: an OPTIONS request over the service's protocol; up on a
 * final response to it (any status from 200 except 503, "overloaded"). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "check_text.h"

/* A reply to OPTIONS is a few headers (Allow, Supported, Accept...). */
#define SIP_REPLY_MAX (16 * 1024)
/* A status that says "try another server" (RFC 3261 21.5.4, RFC 3263 4.3). */
#define SIP_STATUS_OVERLOADED 503

static const char *const sip_versions[] = { "SIP/2.0", NULL };

/* The identifiers of one run, derived from its sequence and nonce so that
 * the judge can recompute them. */
struct sip_tokens {
	char branch[7 + 2 * 8 + 1];       /* z9hG4bK + 16 hex digits */
	char tag[2 * 4 + 1];
	char call_id[2 * 4 + 1 + 8 + 1];  /* hex "-" hex sequence */
	uint32_t cseq;
};

static void sip_tokens_of(const struct check_context *context, struct sip_tokens *tokens)
{
	char hex[2 * 8 + 1], call_hex[2 * 4 + 1];

	text_hex(hex, context->nonce, 8);
	snprintf(tokens->branch, sizeof(tokens->branch), "z9hG4bK%s", hex);
	text_hex(tokens->tag, context->nonce + 8, 4);
	text_hex(call_hex, context->nonce + 12, 4);
	snprintf(tokens->call_id, sizeof(tokens->call_id), "%s-%08x", call_hex,
		 context->sequence);
	tokens->cseq = (context->sequence & 0x7fffffff) | 1;
}

static bool sip_stream(const struct check_context *context)
{
	return context->service_proto == IPPROTO_TCP;
}

static int sip_request(struct check_context *context, uint8_t *buffer, size_t size)
{
	const char *transport = sip_stream(context) ? "TCP" : "UDP";
	const char *open = "", *close = "";
	char address[INET6_ADDRSTRLEN];
	struct sip_tokens tokens;
	int length;

	sip_tokens_of(context, &tokens);
	inet_addr_format(&context->address, address, sizeof(address));
	if (context->address.family == AF_INET6) {
		open = "[";
		close = "]";
	}
	/* Our address is the engine's business: the Via names a placeholder
	 * host and asks with rport for the reply to the packet's source. */
	length = snprintf((char *)buffer, size,
			  "OPTIONS sip:%s%s%s:%u%s SIP/2.0\r\n"
			  "Via: SIP/2.0/%s xvs.invalid;branch=%s;rport\r\n"
			  "Max-Forwards: 70\r\n"
			  "From: <sip:xvs@xvs.invalid>;tag=%s\r\n"
			  "To: <sip:%s%s%s:%u>\r\n"
			  "Call-ID: %s@xvs.invalid\r\n"
			  "CSeq: %u OPTIONS\r\n"
			  "Accept: application/sdp\r\n"
			  "User-Agent: xvs\r\n"
			  "Content-Length: 0\r\n"
			  "\r\n",
			  open, address, close, context->port,
			  sip_stream(context) ? ";transport=tcp" : "", transport, tokens.branch,
			  tokens.tag, open, address, close, context->port, tokens.call_id,
			  tokens.cseq);
	if (length < 0)
		return -EINVAL;
	return (size_t)length < size ? length : -ENOSPC;
}

/* What a response says about itself. */
struct sip_response {
	int status;
	bool call_id_matches, cseq_matches, call_id_seen, cseq_seen;
	uint32_t content_length;
};

/* "CSeq: 123 OPTIONS" is ours when number and method both match. */
static bool sip_cseq_matches(const struct text_span *value, uint32_t cseq)
{
	const char *space = memchr(value->text, ' ', value->length);
	struct text_span number, method;
	uint32_t parsed;

	if (!space)
		return false;
	number.text = value->text;
	number.length = (size_t)(space - value->text);
	method.text = space + 1;
	method.length = value->length - number.length - 1;
	while (method.length && method.text[0] == ' ') {
		method.text++;
		method.length--;
	}
	return !text_decimal(&number, &parsed) && parsed == cseq &&
	       method.length == 7 && memcmp(method.text, "OPTIONS", 7) == 0;
}

static int sip_header_field(struct check_context *context, const struct text_span *line,
			    const struct sip_tokens *tokens, struct sip_response *response)
{
	struct text_span name, value;
	char call_id[sizeof(tokens->call_id) + 16];

	if (text_header(line, &name, &value))
		return check_judged(context, -CHECK_FAIL_GARBAGE, "malformed header line");
	if (text_equal(&name, "Call-ID") || text_equal(&name, "i")) {
		snprintf(call_id, sizeof(call_id), "%s@xvs.invalid", tokens->call_id);
		response->call_id_seen = true;
		response->call_id_matches = value.length == strlen(call_id) &&
					    memcmp(value.text, call_id, value.length) == 0;
	} else if (text_equal(&name, "CSeq")) {
		response->cseq_seen = true;
		response->cseq_matches = sip_cseq_matches(&value, tokens->cseq);
	} else if (text_equal(&name, "Content-Length") || text_equal(&name, "l")) {
		if (text_decimal(&value, &response->content_length))
			return check_judged(context, -CHECK_FAIL_GARBAGE, "bad Content-Length");
	}
	return CHECK_MORE;
}

/* Reads one response's head from the cursor: CHECK_UP when complete (the
 * cursor at its body), CHECK_MORE when incomplete, or a failure. */
static int sip_head_parse(struct check_context *context, struct text_cursor *cursor,
			  struct sip_response *response)
{
	struct sip_tokens tokens;
	struct text_span line;
	int ret;

	if (!text_prefix_possible(cursor->data + cursor->offset,
				  cursor->length - cursor->offset, "SIP/2.0 "))
		return check_judged(context, -CHECK_FAIL_GARBAGE, "not a SIP response");
	if (text_line_next(cursor, &line) == TEXT_LINE_INCOMPLETE)
		return CHECK_MORE;
	memset(response, 0, sizeof(*response));
	response->status = text_status_line(&line, sip_versions);
	if (response->status < 0 || response->status > 699)
		return check_judged(context, -CHECK_FAIL_GARBAGE, "malformed status line");
	sip_tokens_of(context, &tokens);
	for (;;) {
		if (text_line_next(cursor, &line) == TEXT_LINE_INCOMPLETE)
			return CHECK_MORE;
		if (!line.length)
			break;
		if (line.text[0] == ' ' || line.text[0] == '\t')
			continue; /* folded continuation of a header we do not read */
		ret = sip_header_field(context, &line, &tokens, response);
		if (ret < 0)
			return ret;
	}
	if (!response->call_id_seen || !response->cseq_seen)
		return check_judged(context, -CHECK_FAIL_GARBAGE, "no Call-ID or CSeq");
	return CHECK_UP;
}

static int sip_status_judge(struct check_context *context, const struct sip_response *response)
{
	if (response->status == SIP_STATUS_OVERLOADED)
		return check_judged(context, -CHECK_FAIL_STATUS, "status 503");
	return check_judged(context, CHECK_UP, "status %d", response->status);
}

static int sip_datagram(struct check_context *context, const uint8_t *data, size_t length)
{
	struct text_cursor cursor = { .data = data, .length = length };
	struct sip_response response = { 0 };
	int ret = sip_head_parse(context, &cursor, &response);

	if (ret == CHECK_MORE)
		return check_judged(context, -CHECK_FAIL_GARBAGE, "truncated SIP response");
	if (ret < 0)
		return ret;
	if (!response.call_id_matches || !response.cseq_matches)
		return check_judged(context, CHECK_MORE, "ignored a response to another request");
	if (response.status < 200)
		return check_judged(context, CHECK_MORE, "provisional status %d", response.status);
	return sip_status_judge(context, &response);
}

/* A stream carries provisional responses, each with its body, before the
 * final one; each loop consumes bytes, so it ends with the data. */
static int sip_stream_judge(struct check_context *context, const uint8_t *data, size_t length,
			    bool closed)
{
	struct text_cursor cursor = { .data = data, .length = length };
	struct sip_response response = { 0 };
	int ret;

	for (;;) {
		ret = sip_head_parse(context, &cursor, &response);
		if (ret == CHECK_MORE)
			break;
		if (ret < 0)
			return ret;
		if (!response.call_id_matches || !response.cseq_matches)
			return check_judged(context, -CHECK_FAIL_GARBAGE,
					    "response to another request");
		if (response.status >= 200)
			return sip_status_judge(context, &response);
		if (response.content_length > cursor.length - cursor.offset)
			break;
		cursor.offset += response.content_length;
	}
	if (closed)
		return check_judged(context, -CHECK_FAIL_CLOSED, length ?
				    "closed before a final response" : "closed without a response");
	return CHECK_MORE;
}

static int sip_reply(struct check_context *context, const uint8_t *data, size_t length,
		     bool closed)
{
	int ret;

	if (!sip_stream(context))
		return sip_datagram(context, data, length);
	ret = sip_stream_judge(context, data, length, closed);
	if (ret == CHECK_MORE && length >= SIP_REPLY_MAX)
		return check_judged(context, -CHECK_FAIL_OVERSIZED,
				    "no final response within %u bytes", SIP_REPLY_MAX);
	return ret;
}

const struct check_protocol check_sip = {
	.name = "sip",
	.socket_type = 0,
	.reply_max = SIP_REPLY_MAX,
	.request = sip_request,
	.reply = sip_reply,
};
