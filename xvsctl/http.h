/* SPDX-License-Identifier: GPL-2.0-only */
/* Requests to xvsd's JSON API over its Unix socket. */
#ifndef XVSCTL_HTTP_H
#define XVSCTL_HTTP_H

#include <json-c/json.h>

/* Sends METHOD PATH (body may be NULL). On success returns 0 and the parsed
 * JSON reply in *reply (also for 4xx/5xx replies, with *status set). On
 * failure returns -1 with a one-line reason in error. */
int http_request(const char *socket_path, const char *method, const char *path,
		 const char *body, long *status, struct json_object **reply,
		 char *error, size_t error_size);

#endif
