// SPDX-License-Identifier: GPL-2.0-only
/* Small helpers for the API's JSON documents (json-c): members that are
 * strings, integers and RFC 3339 times, shared by every document writer. */
#include "json_doc.h"

void json_add_string(struct json_object *object, const char *key, const char *value)
{
	json_object_object_add(object, key, value ? json_object_new_string(value) : NULL);
}

void json_add_int(struct json_object *object, const char *key, int64_t value)
{
	json_object_object_add(object, key, json_object_new_int64(value));
}

void json_add_time(struct json_object *object, const char *key, time_t when)
{
	char text[32];
	struct tm tm;

	gmtime_r(&when, &tm);
	strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_add_string(object, key, text);
}
