/* SPDX-License-Identifier: GPL-2.0-only */
/* Small helpers for the API's JSON documents (json-c): members that are
 * strings, integers and RFC 3339 times, shared by every document writer. */
#ifndef XVSD_JSON_DOC_H
#define XVSD_JSON_DOC_H

#include <json-c/json.h>
#include <stdint.h>
#include <time.h>

/* A NULL value becomes JSON null. */
void json_add_string(struct json_object *object, const char *key, const char *value);
void json_add_int(struct json_object *object, const char *key, int64_t value);
/* when as "2026-11-22T07:23:31Z" */
void json_add_time(struct json_object *object, const char *key, time_t when);

#endif
