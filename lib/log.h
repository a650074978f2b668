/* SPDX-License-Identifier: GPL-2.0-only */
/* Logging for the daemon and tools: messages go to stderr with a level and the
 * calling function's name (relayd style: log_warn appends strerror(errno)). */
#ifndef XVS_LIB_LOG_H
#define XVS_LIB_LOG_H

#include <stdbool.h>

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void log_init(const char *program, enum log_level level);
void log_message(enum log_level level, const char *func, bool with_errno,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void log_fatal(const char *func, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* log_warn: with strerror(errno); log_warnx: without. */
#define log_warn(...)  log_message(LOG_LEVEL_WARN, __func__, true, __VA_ARGS__)
#define log_warnx(...) log_message(LOG_LEVEL_WARN, __func__, false, __VA_ARGS__)
#define log_error(...) log_message(LOG_LEVEL_ERROR, __func__, false, __VA_ARGS__)
#define log_info(...)  log_message(LOG_LEVEL_INFO, __func__, false, __VA_ARGS__)
#define log_debug(...) log_message(LOG_LEVEL_DEBUG, __func__, false, __VA_ARGS__)
#define fatal(...)     log_fatal(__func__, __VA_ARGS__)

#endif
