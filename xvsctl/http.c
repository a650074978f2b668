// SPDX-License-Identifier: GPL-2.0-only
/* Requests to xvsd's JSON API over its Unix socket, with libcurl. */
#include "http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest reply accepted (a connection listing can be long). */
#define REPLY_MAX (256u << 20)
#define REQUEST_TIMEOUT_S 30

struct reply_buffer {
	char *data;
	size_t size;
};

static size_t reply_append(char *chunk, size_t size, size_t count, void *user)
{
	struct reply_buffer *buffer = user;
	size_t length = size * count;
	char *grown;

	if (buffer->size + length > REPLY_MAX)
		return 0;
	grown = realloc(buffer->data, buffer->size + length + 1);
	if (!grown)
		return 0;
	memcpy(grown + buffer->size, chunk, length);
	buffer->data = grown;
	buffer->size += length;
	buffer->data[buffer->size] = '\0';
	return length;
}

int http_request(const char *socket_path, const char *method, const char *path,
		 const char *body, long *status, struct json_object **reply,
		 char *error, size_t error_size)
{
	struct reply_buffer buffer = { 0 };
	struct curl_slist *headers = NULL;
	char url[1024];
	CURLcode code;
	CURL *curl;
	int ret = -1;

	curl = curl_easy_init();
	if (!curl) {
		snprintf(error, error_size, "cannot initialise libcurl");
		return -1;
	}
	snprintf(url, sizeof(url), "http://xvsd%s", path);
	curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, socket_path);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)REQUEST_TIMEOUT_S);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, reply_append);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buffer);
	if (body) {
		headers = curl_slist_append(headers, "Content-Type: application/json");
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	}
	code = curl_easy_perform(curl);
	if (code != CURLE_OK) {
		snprintf(error, error_size, "cannot reach xvsd at %s: %s", socket_path,
			 curl_easy_strerror(code));
		goto out;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	*reply = buffer.data ? json_tokener_parse(buffer.data) : NULL;
	if (!*reply) {
		snprintf(error, error_size, "xvsd sent a reply that is not JSON (HTTP %ld)",
			 *status);
		goto out;
	}
	ret = 0;
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	free(buffer.data);
	return ret;
}
