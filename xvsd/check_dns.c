// SPDX-License-Identifier: GPL-2.0-only
/* The dns check: one query (the root's NS, or "query NAME" type A) over the
 * service's protocol; up on a matching response with rcode NOERROR. Our own
 * small codec, so the fuzzer exercises exactly what judges a backend. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "check_text.h"

#define DNS_HEADER_SIZE 12
#define DNS_NAME_MAX 255              /* wire form, RFC 1035 2.3.4 */
#define DNS_TYPE_A 1
#define DNS_TYPE_NS 2
#define DNS_CLASS_IN 1
#define DNS_FLAG_RESPONSE 0x8000
#define DNS_FLAG_TRUNCATED 0x0200
#define DNS_FLAG_RECURSION 0x0100
#define DNS_OPCODE(flags) (((flags) >> 11) & 0xf)
#define DNS_RCODE(flags) ((flags) & 0xf)
/* A TCP message is prefixed with its 16-bit length (RFC 1035 4.2.2). */
#define DNS_REPLY_MAX (2 + 65535)

/* The question of this run, in wire form. */
struct dns_question {
	uint8_t name[DNS_NAME_MAX];
	size_t name_length;
	uint16_t type;
};

static uint16_t load16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void store16(uint8_t *p, uint16_t value)
{
	p[0] = (uint8_t)(value >> 8);
	p[1] = (uint8_t)value;
}

/* "example.org", "example.org." or "." into labels. No escapes: a name with
 * an empty label or a label over 63 bytes is refused. */
static int dns_name_encode(const char *text, uint8_t *out, size_t *out_length)
{
	size_t length = 0, label;

	if (strcmp(text, ".") != 0) {
		while (*text) {
			label = strcspn(text, ".");
			if (label == 0 || label > 63 || length + 1 + label + 1 > DNS_NAME_MAX)
				return -EINVAL;
			out[length++] = (uint8_t)label;
			memcpy(out + length, text, label);
			length += label;
			text += label;
			if (*text)
				text++;
		}
	}
	out[length++] = 0;
	*out_length = length;
	return 0;
}

static int dns_question_of(const struct check_context *context, struct dns_question *question)
{
	const char *query = context->check->query;

	question->type = query ? DNS_TYPE_A : DNS_TYPE_NS;
	return dns_name_encode(query ? query : ".", question->name, &question->name_length);
}

static bool dns_stream(const struct check_context *context)
{
	return context->service_proto == IPPROTO_TCP;
}

static uint16_t dns_id(const struct check_context *context)
{
	return (uint16_t)context->sequence;
}

static int dns_request(struct check_context *context, uint8_t *buffer, size_t size)
{
	size_t prefix = dns_stream(context) ? 2 : 0, length;
	struct dns_question question;
	uint8_t *message = buffer + prefix;
	int err;

	err = dns_question_of(context, &question);
	if (err)
		return err;
	length = DNS_HEADER_SIZE + question.name_length + 4;
	if (prefix + length > size)
		return -ENOSPC;
	memset(message, 0, DNS_HEADER_SIZE);
	store16(message, dns_id(context));
	store16(message + 2, DNS_FLAG_RECURSION);
	store16(message + 4, 1);
	memcpy(message + DNS_HEADER_SIZE, question.name, question.name_length);
	store16(message + DNS_HEADER_SIZE + question.name_length, question.type);
	store16(message + DNS_HEADER_SIZE + question.name_length + 2, DNS_CLASS_IN);
	if (prefix)
		store16(buffer, (uint16_t)length);
	return (int)(prefix + length);
}

/* Moves *offset past a name (labels, ending in a zero or a pointer to an
 * earlier byte). Returns 0 or -EINVAL. */
static int dns_name_skip(const uint8_t *message, size_t length, size_t *offset)
{
	size_t at = *offset;

	while (at < length) {
		uint8_t label = message[at];

		if (label == 0) {
			*offset = at + 1;
			return 0;
		}
		if ((label & 0xc0) == 0xc0) {
			if (at + 2 > length ||
			    (size_t)((label & 0x3f) << 8 | message[at + 1]) >= at)
				return -EINVAL;
			*offset = at + 2;
			return 0;
		}
		if (label & 0xc0)
			return -EINVAL; /* reserved label types */
		at += 1 + label;
	}
	return -EINVAL;
}

/* Compares the response's question with ours (names case-insensitively:
 * resolvers may echo the 0x20 case of the query). */
static bool dns_question_matches(const uint8_t *message, size_t length,
				 const struct dns_question *question)
{
	const uint8_t *name = message + DNS_HEADER_SIZE;
	size_t end = DNS_HEADER_SIZE + question->name_length;

	if (end + 4 > length || strncasecmp((const char *)name, (const char *)question->name,
					    question->name_length) != 0)
		return false;
	/* strncasecmp stops at a zero byte: compare the label lengths too. */
	for (size_t i = 0; i < question->name_length; i += (size_t)question->name[i] + 1)
		if (name[i] != question->name[i])
			return false;
	return load16(message + end) == question->type &&
	       load16(message + end + 2) == DNS_CLASS_IN;
}

static const char *dns_rcode_name(unsigned int rcode)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
		"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
	};

	return rcode < sizeof(names) / sizeof(names[0]) ? names[rcode] : "unknown";
}

/* Every record of every section lies within the message. */
static int dns_records_skip(const uint8_t *message, size_t length, size_t offset)
{
	unsigned int records = (unsigned int)load16(message + 6) + load16(message + 8) +
			       load16(message + 10);

	for (; records; records--) {
		if (dns_name_skip(message, length, &offset) || offset + 10 > length)
			return -EINVAL;
		offset += 10 + (size_t)load16(message + offset + 8);
		if (offset > length)
			return -EINVAL;
	}
	return 0;
}

static int dns_message_judge(struct check_context *context, const uint8_t *message,
			     size_t length, bool stream)
{
	struct dns_question question;
	uint16_t flags;

	if (length < DNS_HEADER_SIZE)
		return check_judged(context, -CHECK_FAIL_GARBAGE, "%zu bytes: not DNS", length);
	if (load16(message) != dns_id(context)) {
		if (stream)
			return check_judged(context, -CHECK_FAIL_GARBAGE, "wrong id");
		return check_judged(context, CHECK_MORE, "ignored a response with another id");
	}
	flags = load16(message + 2);
	if (!(flags & DNS_FLAG_RESPONSE) || DNS_OPCODE(flags) != 0)
		return check_judged(context, -CHECK_FAIL_GARBAGE, "not a query response");
	if (load16(message + 4) == 0 && DNS_RCODE(flags) != 0)
		return check_judged(context, -CHECK_FAIL_STATUS, "rcode %s",
				    dns_rcode_name(DNS_RCODE(flags)));
	if (dns_question_of(context, &question))
		return check_judged(context, -CHECK_FAIL_INTERNAL, "bad query name");
	if (load16(message + 4) != 1 || !dns_question_matches(message, length, &question))
		return check_judged(context, -CHECK_FAIL_GARBAGE, "question differs from ours");
	/* A truncated response may end inside a section: its rcode still says
	 * the server works. */
	if (!(flags & DNS_FLAG_TRUNCATED) &&
	    dns_records_skip(message, length, DNS_HEADER_SIZE + question.name_length + 4))
		return check_judged(context, -CHECK_FAIL_GARBAGE, "records beyond the message");
	if (DNS_RCODE(flags) != 0)
		return check_judged(context, -CHECK_FAIL_STATUS, "rcode %s",
				    dns_rcode_name(DNS_RCODE(flags)));
	return check_judged(context, CHECK_UP, "NOERROR, %u answers", load16(message + 6));
}

static int dns_reply(struct check_context *context, const uint8_t *data, size_t length,
		     bool closed)
{
	size_t message_length;

	if (!dns_stream(context))
		return dns_message_judge(context, data, length, false);
	if (length < 2)
		goto incomplete;
	message_length = load16(data);
	if (length - 2 < message_length)
		goto incomplete;
	if (length - 2 > message_length)
		return check_judged(context, -CHECK_FAIL_GARBAGE, "bytes after the response");
	return dns_message_judge(context, data + 2, message_length, true);
incomplete:
	if (closed)
		return check_judged(context, -CHECK_FAIL_CLOSED, "closed inside the response");
	return CHECK_MORE;
}

const struct check_protocol check_dns = {
	.name = "dns",
	.socket_type = 0,
	.reply_max = DNS_REPLY_MAX,
	.request = dns_request,
	.reply = dns_reply,
};
