// SPDX-License-Identifier: GPL-2.0-only
/* Logging for the daemon and tools: messages go to stderr with a level and the
 * calling function's name. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *log_program = "xvs";
static enum log_level log_threshold = LOG_LEVEL_INFO;

void log_init(const char *program, enum log_level level)
{
	log_program = program;
	log_threshold = level;
}

static void __attribute__((format(printf, 5, 0)))
log_vprint(enum log_level level, const char *func, int saved_errno,
		       bool with_errno, const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	char text[1024];

	vsnprintf(text, sizeof(text), fmt, ap);
	if (with_errno)
		fprintf(stderr, "%s: %s: %s: %s: %s\n", log_program, names[level], func,
			text, strerror(saved_errno));
	else
		fprintf(stderr, "%s: %s: %s: %s\n", log_program, names[level], func, text);
}

void log_message(enum log_level level, const char *func, bool with_errno,
		 const char *fmt, ...)
{
	int saved_errno = errno;
	va_list ap;

	if (level > log_threshold)
		return;
	va_start(ap, fmt);
	log_vprint(level, func, saved_errno, with_errno, fmt, ap);
	va_end(ap);
	errno = saved_errno;
}

void log_fatal(const char *func, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(LOG_LEVEL_ERROR, func, errno, false, fmt, ap);
	va_end(ap);
	exit(1);
}
