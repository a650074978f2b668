/* SPDX-License-Identifier: GPL-2.0-only */
/* What the check protocols share: the detail text of a verdict, and for the
 * text protocols (http, sip) lines, status lines and header fields. */
#ifndef XVSD_CHECK_TEXT_H
#define XVSD_CHECK_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"

/* Sets context->detail and returns verdict (CHECK_UP, CHECK_MORE or
 * -CHECK_FAIL_*), so a judge can end with "return check_judged(...)". */
int check_judged(struct check_context *context, int verdict, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/* Reading position in a reply. */
struct text_cursor {
	const uint8_t *data;
	size_t length;
	size_t offset;
};

/* A line or header field as pointers into the reply (not NUL-terminated). */
struct text_span {
	const char *text;
	size_t length;
};

enum text_line_result {
	TEXT_LINE_INCOMPLETE = 0,       /* no LF yet */
	TEXT_LINE_OK = 1,
};

/* The next line (LF or CRLF ended, the ending not included) and the cursor
 * moved past it; TEXT_LINE_INCOMPLETE leaves the cursor where it was. */
enum text_line_result text_line_next(struct text_cursor *cursor, struct text_span *line);

/* Whether the first bytes of data could still begin with prefix. */
bool text_prefix_possible(const uint8_t *data, size_t length, const char *prefix);

/* Parses "VERSION SP DDD [SP reason]" strictly: the version is exactly one of
 * versions (NULL-terminated), one space, three digits, then the end or a
 * space and a reason without control characters. Returns the status code
 * (100..999) or -EINVAL. */
int text_status_line(const struct text_span *line, const char *const *versions);

/* Splits "Name: value" (optional spaces or tabs before the colon, value
 * trimmed). Returns 0, or -EINVAL for no colon, an empty or non-token name,
 * or control characters in the value. */
int text_header(const struct text_span *line, struct text_span *name, struct text_span *value);

/* Case-insensitive comparison of a span with a C string. */
bool text_equal(const struct text_span *span, const char *text);

/* Parses decimal digits only into *number (at most 10 digits, at most
 * UINT32_MAX). Returns 0 or -EINVAL. */
int text_decimal(const struct text_span *span, uint32_t *number);

/* Lowercase hexadecimal of size bytes into out (2 * size + 1 long). */
void text_hex(char *out, const uint8_t *bytes, size_t size);

#endif
