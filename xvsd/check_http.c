// SPDX-License-Identifier: GPL-2.0-only
/* The http and https checks: GET PATH with Host, then the status line must
 * carry the expected status and, with "body", the body must hold the text. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check_text.h"

/* Replies are read up to this many bytes: a health page, not a download. */
#define HTTP_REPLY_MAX (64 * 1024)
/* A response head (status line and header fields) is at most this long. */
#define HTTP_HEAD_MAX (16 * 1024)
/* Interim (1xx) responses allowed before the final one. */
#define HTTP_INTERIM_MAX 4

static const char *const http_versions[] = { "HTTP/1.1", "HTTP/1.0", NULL };

static int http_request_build(struct check_context *context, uint8_t *buffer, size_t size,
			      uint16_t default_port)
{
	const struct config_check *check = context->check;
	char address[INET6_ADDRSTRLEN], port[8] = "";
	const char *path = check->path ? check->path : "/";
	const char *open = "", *close = "", *host = check->host;
	int length;

	if (!host) {
		host = inet_addr_format(&context->address, address, sizeof(address));
		if (context->address.family == AF_INET6) {
			open = "[";
			close = "]";
		}
		if (context->port != default_port)
			snprintf(port, sizeof(port), ":%u", context->port);
	}
	length = snprintf((char *)buffer, size,
			  "GET %s HTTP/1.1\r\n"
			  "Host: %s%s%s%s\r\n"
			  "User-Agent: xvs\r\n"
			  "Accept: */*\r\n"
			  "Connection: close\r\n"
			  "\r\n",
			  path, open, host, close, port);
	if (length < 0)
		return -EINVAL;
	return (size_t)length < size ? length : -ENOSPC;
}

static int http_request(struct check_context *context, uint8_t *buffer, size_t size)
{
	return http_request_build(context, buffer, size, 80);
}

static int https_request(struct check_context *context, uint8_t *buffer, size_t size)
{
	return http_request_build(context, buffer, size, 443);
}

/* How the body of a response ends. */
enum http_framing { HTTP_UNTIL_CLOSE, HTTP_LENGTH, HTTP_CHUNKED, HTTP_NO_BODY };

struct http_head {
	int status;
	enum http_framing framing;
	uint32_t content_length;
	size_t body_offset;           /* first byte after the header block */
};

/* Transfer-Encoding: the body is chunked when chunked is the last coding. */
static bool http_chunked(const struct text_span *value)
{
	struct text_span last = *value;
	const char *comma = memrchr(value->text, ',', value->length);

	if (comma) {
		last.text = comma + 1;
		last.length = value->length - (size_t)(comma + 1 - value->text);
	}
	while (last.length && (last.text[0] == ' ' || last.text[0] == '\t')) {
		last.text++;
		last.length--;
	}
	return text_equal(&last, "chunked");
}

/* What the header fields say about the body. */
struct http_fields {
	bool length_seen, transfer_seen, chunked;
	uint32_t content_length;
};

static int http_header_field(struct check_context *context, const struct text_span *line,
			     struct http_fields *fields)
{
	struct text_span name, value;
	uint32_t length;

	if (line->text[0] == ' ' || line->text[0] == '\t')
		return check_judged(context, -CHECK_FAIL_GARBAGE, "folded header line");
	if (text_header(line, &name, &value))
		return check_judged(context, -CHECK_FAIL_GARBAGE, "malformed header line");
	if (text_equal(&name, "Transfer-Encoding")) {
		fields->transfer_seen = true;
		fields->chunked = http_chunked(&value);
	} else if (text_equal(&name, "Content-Length")) {
		if (text_decimal(&value, &length) ||
		    (fields->length_seen && length != fields->content_length))
			return check_judged(context, -CHECK_FAIL_GARBAGE, "bad Content-Length");
		fields->length_seen = true;
		fields->content_length = length;
	}
	return CHECK_MORE;
}

/* Reads one response head (status line and header fields) from the cursor.
 * Returns CHECK_UP when complete, CHECK_MORE or a failure. */
static int http_head_parse(struct check_context *context, struct text_cursor *cursor,
			   bool closed, struct http_head *head)
{
	struct http_fields fields = { 0 };
	size_t start = cursor->offset;
	struct text_span line;
	int ret;

	if (!text_prefix_possible(cursor->data + cursor->offset,
				  cursor->length - cursor->offset, "HTTP/1."))
		return check_judged(context, -CHECK_FAIL_GARBAGE, "not an HTTP/1 response");
	if (text_line_next(cursor, &line) == TEXT_LINE_INCOMPLETE)
		goto incomplete;
	head->status = text_status_line(&line, http_versions);
	if (head->status < 0 || head->status > 599)
		return check_judged(context, -CHECK_FAIL_GARBAGE, "malformed status line");
	for (;;) {
		if (text_line_next(cursor, &line) == TEXT_LINE_INCOMPLETE)
			goto incomplete;
		if (!line.length)
			break;
		ret = http_header_field(context, &line, &fields);
		if (ret < 0)
			return ret;
	}
	head->body_offset = cursor->offset;
	if (head->body_offset - start > HTTP_HEAD_MAX)
		return check_judged(context, -CHECK_FAIL_OVERSIZED, "response head over %u bytes",
				    HTTP_HEAD_MAX);
	/* Transfer-Encoding overrides Content-Length (RFC 9112 6.3). */
	head->content_length = fields.content_length;
	if (head->status < 200 || head->status == 204 || head->status == 304)
		head->framing = HTTP_NO_BODY;
	else if (fields.chunked)
		head->framing = HTTP_CHUNKED;
	else if (fields.length_seen && !fields.transfer_seen)
		head->framing = HTTP_LENGTH;
	else
		head->framing = HTTP_UNTIL_CLOSE;
	return CHECK_UP;
incomplete:
	if (cursor->length - start > HTTP_HEAD_MAX)
		return check_judged(context, -CHECK_FAIL_OVERSIZED, "response head over %u bytes",
				    HTTP_HEAD_MAX);
	if (closed)
		return check_judged(context, -CHECK_FAIL_CLOSED, "%s", cursor->length ?
				    "closed inside the response head" :
				    "closed without a response");
	return CHECK_MORE;
}

/* Parses a chunk-size line: hex digits, then nothing or ";extensions". */
static int http_chunk_size(const struct text_span *line, uint32_t *size)
{
	uint64_t value = 0;
	size_t i;

	for (i = 0; i < line->length && line->text[i] != ';'; i++) {
		char c = line->text[i];
		int digit = c >= '0' && c <= '9' ? c - '0' :
			    c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (c == ' ' || c == '\t')
			break;
		if (digit < 0 || i >= 8)
			return -EINVAL;
		value = value * 16 + (uint64_t)digit;
	}
	if (!i)
		return -EINVAL;
	*size = (uint32_t)value;
	return 0;
}

/* Decodes the chunks available so far into body. Returns CHECK_UP when the
 * last chunk was seen, CHECK_MORE when more is needed, or a failure. */
static int http_dechunk(struct check_context *context, struct text_cursor *cursor,
			uint8_t *body, size_t *body_length)
{
	struct text_span line;
	uint32_t size;

	for (;;) {
		if (text_line_next(cursor, &line) == TEXT_LINE_INCOMPLETE)
			return CHECK_MORE;
		if (http_chunk_size(&line, &size))
			return check_judged(context, -CHECK_FAIL_GARBAGE, "malformed chunk size");
		if (!size)
			return CHECK_UP; /* trailers do not matter */
		if (size > cursor->length - cursor->offset) {
			size = (uint32_t)(cursor->length - cursor->offset);
			memcpy(body + *body_length, cursor->data + cursor->offset, size);
			*body_length += size;
			return CHECK_MORE;
		}
		memcpy(body + *body_length, cursor->data + cursor->offset, size);
		*body_length += size;
		cursor->offset += size;
		if (text_line_next(cursor, &line) == TEXT_LINE_INCOMPLETE)
			return cursor->length - cursor->offset >= 2 ?
			       check_judged(context, -CHECK_FAIL_GARBAGE, "chunk without CRLF") :
			       CHECK_MORE;
		if (line.length)
			return check_judged(context, -CHECK_FAIL_GARBAGE,
					    "chunk longer than its size");
	}
}

static bool http_contains(const uint8_t *body, size_t length, const char *text)
{
	return memmem(body, length, text, strlen(text)) != NULL;
}

static int http_body_chunked(struct check_context *context, struct text_cursor *cursor,
			     bool closed)
{
	const char *text = context->check->body;
	size_t body_length = 0;
	uint8_t *body;
	int ret;

	body = malloc(cursor->length - cursor->offset + 1);
	if (!body)
		return check_judged(context, -CHECK_FAIL_INTERNAL, "out of memory");
	ret = http_dechunk(context, cursor, body, &body_length);
	if (ret >= 0 && http_contains(body, body_length, text))
		ret = check_judged(context, CHECK_UP, "body text found");
	else if (ret == CHECK_UP)
		ret = check_judged(context, -CHECK_FAIL_BODY, "body text not found in %zu bytes",
				   body_length);
	else if (ret == CHECK_MORE && closed)
		ret = check_judged(context, -CHECK_FAIL_CLOSED, "closed inside a chunked body");
	free(body);
	return ret;
}

/* Until a chunked body may have ended, only its first chunk-size line is
 * judged: a body that starts wrong fails at once. */
static int http_first_chunk_valid(struct check_context *context, struct text_cursor *cursor)
{
	struct text_span line;
	uint32_t size;

	if (text_line_next(cursor, &line) == TEXT_LINE_OK && http_chunk_size(&line, &size))
		return check_judged(context, -CHECK_FAIL_GARBAGE, "malformed chunk size");
	return CHECK_MORE;
}

/* Whether the reply ends with an empty line, as a chunked body does. */
static bool http_ends_with_empty_line(const uint8_t *data, size_t length)
{
	return (length >= 2 && memcmp(data + length - 2, "\n\n", 2) == 0) ||
	       (length >= 3 && memcmp(data + length - 3, "\n\r\n", 3) == 0);
}

/* The body is searched once it may be complete (final: the peer closed or
 * the limit is reached), not at every read: a backend trickling bytes must
 * not make each read cost a search of everything so far. */
static int http_body(struct check_context *context, const struct http_head *head,
		     struct text_cursor *cursor, bool closed, bool final)
{
	const uint8_t *body = cursor->data + head->body_offset;
	size_t available = cursor->length - head->body_offset;
	const char *text = context->check->body;

	switch (head->framing) {
	case HTTP_CHUNKED:
		if (!final && !http_ends_with_empty_line(cursor->data, cursor->length))
			return http_first_chunk_valid(context, cursor);
		return http_body_chunked(context, cursor, closed);
	case HTTP_NO_BODY:
		return check_judged(context, -CHECK_FAIL_BODY, "status %d has no body",
				    head->status);
	case HTTP_LENGTH:
		if (available > head->content_length)
			available = head->content_length;
		if (available < head->content_length && !final)
			return CHECK_MORE;
		if (http_contains(body, available, text))
			return check_judged(context, CHECK_UP, "body text found");
		if (available == head->content_length)
			return check_judged(context, -CHECK_FAIL_BODY,
					    "body text not found in %zu bytes", available);
		if (closed)
			return check_judged(context, -CHECK_FAIL_CLOSED,
					    "closed after %zu of %u body bytes", available,
					    head->content_length);
		return CHECK_MORE;
	case HTTP_UNTIL_CLOSE:
		break;
	}
	if (!final)
		return CHECK_MORE;
	if (http_contains(body, available, text))
		return check_judged(context, CHECK_UP, "body text found");
	if (closed)
		return check_judged(context, -CHECK_FAIL_BODY, "body text not found in %zu bytes",
				    available);
	return CHECK_MORE;
}

/* Until a response head may have ended, only its first bytes and its status
 * line are judged (cheap, so trickled bytes cost little). */
static int http_head_early(struct check_context *context, const uint8_t *data, size_t length)
{
	struct text_cursor cursor = { .data = data, .length = length };
	struct text_span line;
	int status;

	if (!text_prefix_possible(data, length, "HTTP/1."))
		return check_judged(context, -CHECK_FAIL_GARBAGE, "not an HTTP/1 response");
	if (length > HTTP_HEAD_MAX)
		return check_judged(context, -CHECK_FAIL_OVERSIZED, "response head over %u bytes",
				    HTTP_HEAD_MAX);
	if (text_line_next(&cursor, &line) == TEXT_LINE_OK) {
		status = text_status_line(&line, http_versions);
		if (status < 0 || status > 599)
			return check_judged(context, -CHECK_FAIL_GARBAGE, "malformed status line");
	}
	return CHECK_MORE;
}

/* Whether an empty line (LF LF or LF CR LF) ends a head within the first
 * HTTP_HEAD_MAX bytes; a longer first head is oversized anyway. */
static bool http_head_may_have_ended(const uint8_t *data, size_t length)
{
	const uint8_t *end = data + (length < HTTP_HEAD_MAX + 3 ? length : HTTP_HEAD_MAX + 3);
	const uint8_t *at = data;

	while ((at = memchr(at, '\n', (size_t)(end - at))) != NULL) {
		at++;
		if ((at < end && *at == '\n') || (at + 1 < end && at[0] == '\r' && at[1] == '\n'))
			return true;
	}
	return false;
}

static int http_judge(struct check_context *context, const uint8_t *data, size_t length,
		      bool closed)
{
	struct text_cursor cursor = { .data = data, .length = length };
	int expect = context->check->expect ? context->check->expect : 200;
	bool final = closed || length >= HTTP_REPLY_MAX;
	struct http_head head = { 0 };
	int ret, interim = 0;

	if (!final && !http_head_may_have_ended(data, length))
		return http_head_early(context, data, length);
	/* Interim 1xx responses come before the final one. */
	for (;;) {
		ret = http_head_parse(context, &cursor, closed, &head);
		if (ret != CHECK_UP)
			return ret;
		if (head.status >= 200 || head.status == 101 || head.status == expect)
			break;
		if (++interim > HTTP_INTERIM_MAX)
			return check_judged(context, -CHECK_FAIL_GARBAGE,
					    "more than %d interim responses", HTTP_INTERIM_MAX);
	}
	if (head.status != expect)
		return check_judged(context, -CHECK_FAIL_STATUS, "status %d", head.status);
	if (!context->check->body)
		return check_judged(context, CHECK_UP, "status %d", head.status);
	return http_body(context, &head, &cursor, closed, final);
}

static int http_reply(struct check_context *context, const uint8_t *data, size_t length,
		      bool closed)
{
	int ret = http_judge(context, data, length, closed);

	if (ret == CHECK_MORE && length >= HTTP_REPLY_MAX)
		return check_judged(context, -CHECK_FAIL_OVERSIZED,
				    "no verdict within %u bytes", HTTP_REPLY_MAX);
	return ret;
}

const struct check_protocol check_http = {
	.name = "http",
	.socket_type = SOCK_STREAM,
	.reply_max = HTTP_REPLY_MAX,
	.request = http_request,
	.reply = http_reply,
};

const struct check_protocol check_https = {
	.name = "https",
	.socket_type = SOCK_STREAM,
	.tls = true,
	.reply_max = HTTP_REPLY_MAX,
	.request = https_request,
	.reply = http_reply,
};
