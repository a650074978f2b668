// SPDX-License-Identifier: GPL-2.0-only
/* Helpers shared by the check protocols: verdict details, and strict parsing
 * of the lines, status lines and header fields of HTTP and SIP replies. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check_text.h"

int check_judged(struct check_context *context, int verdict, const char *format, ...)
{
	va_list arguments;

	va_start(arguments, format);
	vsnprintf(context->detail, sizeof(context->detail), format, arguments);
	va_end(arguments);
	return verdict;
}

enum text_line_result text_line_next(struct text_cursor *cursor, struct text_span *line)
{
	const uint8_t *start, *end;
	size_t length;

	if (cursor->offset >= cursor->length)
		return TEXT_LINE_INCOMPLETE;
	start = cursor->data + cursor->offset;
	end = memchr(start, '\n', cursor->length - cursor->offset);
	if (!end)
		return TEXT_LINE_INCOMPLETE;
	length = (size_t)(end - start);
	cursor->offset += length + 1;
	if (length && start[length - 1] == '\r')
		length--;
	line->text = (const char *)start;
	line->length = length;
	return TEXT_LINE_OK;
}

bool text_prefix_possible(const uint8_t *data, size_t length, const char *prefix)
{
	size_t prefix_length = strlen(prefix);

	if (!length)
		return true;
	return memcmp(data, prefix, length < prefix_length ? length : prefix_length) == 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Control characters other than tab, and DEL, have no place in a reason
 * phrase or a header value. */
static bool is_control(char c)
{
	unsigned char byte = (unsigned char)c;

	return (byte < 0x20 && byte != '\t') || byte == 0x7f;
}

static bool is_token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

int text_status_line(const struct text_span *line, const char *const *versions)
{
	const char *text = line->text;
	size_t version_length = 0, i;
	int status;

	for (; *versions; versions++) {
		version_length = strlen(*versions);
		if (line->length > version_length &&
		    memcmp(text, *versions, version_length) == 0)
			break;
	}
	if (!*versions)
		return -EINVAL;
	text += version_length;
	if (line->length < version_length + 4 || text[0] != ' ' || !is_digit(text[1]) ||
	    !is_digit(text[2]) || !is_digit(text[3]))
		return -EINVAL;
	status = (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
	if (status < 100)
		return -EINVAL;
	if (line->length == version_length + 4)
		return status;
	if (text[4] != ' ')
		return -EINVAL;
	for (i = version_length + 5; i < line->length; i++)
		if (is_control(line->text[i]))
			return -EINVAL;
	return status;
}

static void text_trim(struct text_span *span)
{
	while (span->length && (span->text[0] == ' ' || span->text[0] == '\t')) {
		span->text++;
		span->length--;
	}
	while (span->length && (span->text[span->length - 1] == ' ' ||
				span->text[span->length - 1] == '\t'))
		span->length--;
}

int text_header(const struct text_span *line, struct text_span *name, struct text_span *value)
{
	const char *colon = memchr(line->text, ':', line->length);
	size_t i;

	if (!colon)
		return -EINVAL;
	name->text = line->text;
	name->length = (size_t)(colon - line->text);
	while (name->length && (name->text[name->length - 1] == ' ' ||
				name->text[name->length - 1] == '\t'))
		name->length--;
	if (!name->length)
		return -EINVAL;
	for (i = 0; i < name->length; i++)
		if (!is_token_char(name->text[i]))
			return -EINVAL;
	value->text = colon + 1;
	value->length = line->length - (size_t)(colon + 1 - line->text);
	for (i = 0; i < value->length; i++)
		if (is_control(value->text[i]))
			return -EINVAL;
	text_trim(value);
	return 0;
}

bool text_equal(const struct text_span *span, const char *text)
{
	return strlen(text) == span->length && strncasecmp(span->text, text, span->length) == 0;
}

int text_decimal(const struct text_span *span, uint32_t *number)
{
	uint64_t value = 0;
	size_t i;

	if (!span->length || span->length > 10)
		return -EINVAL;
	for (i = 0; i < span->length; i++) {
		if (!is_digit(span->text[i]))
			return -EINVAL;
		value = value * 10 + (uint64_t)(span->text[i] - '0');
	}
	if (value > UINT32_MAX)
		return -EINVAL;
	*number = (uint32_t)value;
	return 0;
}

void text_hex(char *out, const uint8_t *bytes, size_t size)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < size; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 0xf];
	}
	out[2 * size] = '\0';
}
