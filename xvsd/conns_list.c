// SPDX-License-Identifier: GPL-2.0-only
/* GET /api/v1/conns: the connection table as a JSON document, produced in
 * steps (one batched read of the table each) while the client reads it. */
#include "conns_list.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_doc.h"
#include "log.h"
#include "mapenc.h"

/* Entries read per step: one system call and about a millisecond of JSON. */
#define LISTING_BATCH 512
/* Batches one step may read that list nothing (another service's flows)
 * before it hands the loop back with a blank (JSON whitespace). */
#define LISTING_EMPTY_BATCHES 8

/* Where a batched read of the table goes on. */
struct map_cursor {
	uint32_t next;
	bool started;
	bool ended;
};

struct conns_listing {
	struct daemon *daemon;
	char service[CONFIG_NAME_MAX];    /* "" for every service */
	size_t limit;
	size_t listed;
	bool head_written;
	bool truncated;
	bool tail_written;
	struct map_cursor cursor;
	char *text;                       /* produced, not yet handed out */
	size_t length;
	size_t capacity;
	size_t offset;                    /* handed out of text so far */
	struct xvs_conn_key keys[LISTING_BATCH];
	struct xvs_conn values[LISTING_BATCH];
};

/* Reads up to *count entries of the hash map fd from the cursor on, with one
 * system call that walks only the buckets those entries take; *count is set
 * to the entries read. Returns 1 while more may follow, 0 at the end of the
 * map, or negative errno. */
static int map_batch_read(int fd, struct map_cursor *cursor, void *keys, void *values,
			  uint32_t *count)
{
	uint32_t next = 0;
	int ret;

	if (cursor->ended) {
		*count = 0;
		return 0;
	}
	ret = bpf_map_lookup_batch(fd, cursor->started ? &cursor->next : NULL, &next, keys,
				   values, count, NULL);
	if (ret && errno != ENOENT)
		return -errno;
	cursor->started = true;
	cursor->next = next;
	cursor->ended = ret != 0;
	return cursor->ended ? 0 : 1;
}

static struct json_object *conn_json(struct daemon *daemon, const struct xvs_conn_key *key,
				     const struct xvs_conn *conn, const char *only_service)
{
	const struct dp_service *service = NULL;
	const struct dp_backend *backend;
	struct json_object *object;
	struct inet_addr addr;
	char text[INET_ADDRPORT_STRLEN];
	const char *proto;

	backend = dataplane__backend_by_id(daemon->dataplane, conn->backend_id, &service);
	if (!backend || (only_service[0] && strcmp(service->conf->name, only_service)))
		return NULL;
	object = json_object_new_object();
	json_add_string(object, "service", service->conf->name);
	json_add_string(object, "namespace", service->conf->namespace_name);
	proto = config_proto_name(key->proto);
	json_add_string(object, "proto", proto ? proto : "?");
	inet_addr_from_xvs(&key->saddr, key->family, &addr);
	json_add_string(object, "client", inet_addr_port_format(&addr, ntohs(key->sport), text,
							   sizeof(text)));
	inet_addr_from_xvs(&key->daddr, key->family, &addr);
	json_add_string(object, "vip", inet_addr_port_format(&addr, ntohs(key->dport), text,
							sizeof(text)));
	json_add_string(object, "backend", inet_addr_port_format(&backend->conf->addr,
			backend->conf->port ? backend->conf->port : ntohs(key->dport),
			text, sizeof(text)));
	json_add_string(object, "state", mapenc_conn_state_name(conn->state));
	return object;
}

static int text_append(struct conns_listing *listing, const char *text)
{
	size_t length = strlen(text);

	if (listing->length + length > listing->capacity) {
		size_t capacity = (listing->length + length) * 2;
		char *grown = realloc(listing->text, capacity);

		if (!grown)
			return -ENOMEM;
		listing->text = grown;
		listing->capacity = capacity;
	}
	memcpy(listing->text + listing->length, text, length);
	listing->length += length;
	return 0;
}

/* Lists one batch of the table; past the limit, one more match only says
 * that the list is truncated. */
static int batch_list(struct conns_listing *listing)
{
	uint32_t count = LISTING_BATCH;
	int more, ret = 0;

	more = map_batch_read(dataplane__conns_fd(listing->daemon->dataplane), &listing->cursor,
			      listing->keys, listing->values, &count);
	if (more < 0) {
		log_warnx("conns listing: %s", strerror(-more));
		listing->cursor.ended = true;
		return 0;
	}
	for (uint32_t i = 0; i < count && !ret; i++) {
		struct json_object *object = conn_json(listing->daemon, &listing->keys[i],
						       &listing->values[i], listing->service);

		if (!object)
			continue;
		if (listing->listed >= listing->limit) {
			listing->truncated = true;
			json_object_put(object);
			break;
		}
		ret = text_append(listing, listing->listed ? "," : "");
		if (!ret)
			ret = text_append(listing, json_object_to_json_string_ext(
							   object, JSON_C_TO_STRING_PLAIN));
		listing->listed++;
		json_object_put(object);
	}
	return ret;
}

/* Produces the next piece of the document into the empty text buffer. */
static int listing_produce(struct conns_listing *listing)
{
	int ret = 0;

	listing->length = listing->offset = 0;
	if (!listing->head_written) {
		listing->head_written = true;
		return text_append(listing, "{\"conns\":[");
	}
	for (int i = 0; i < LISTING_EMPTY_BATCHES && !ret && !listing->length; i++) {
		if (listing->cursor.ended || listing->truncated)
			break;
		ret = batch_list(listing);
	}
	if (ret || listing->length)
		return ret;
	if (!listing->cursor.ended && !listing->truncated)
		return text_append(listing, " ");
	if (listing->tail_written)
		return 0;
	listing->tail_written = true;
	return text_append(listing, listing->truncated ? "],\"truncated\":true}"
						       : "],\"truncated\":false}");
}

struct conns_listing *conns_listing__open(struct daemon *daemon, const char *service,
					  size_t limit)
{
	struct conns_listing *listing = calloc(1, sizeof(*listing));

	if (!listing)
		return NULL;
	listing->daemon = daemon;
	snprintf(listing->service, sizeof(listing->service), "%s", service ? service : "");
	listing->limit = limit;
	return listing;
}

ssize_t conns_listing__read(struct conns_listing *listing, char *buffer, size_t size)
{
	size_t length;
	int ret;

	if (listing->offset == listing->length) {
		ret = listing_produce(listing);
		if (ret)
			return ret;
	}
	length = listing->length - listing->offset;
	if (length > size)
		length = size;
	memcpy(buffer, listing->text + listing->offset, length);
	listing->offset += length;
	return (ssize_t)length;
}

void conns_listing__close(struct conns_listing *listing)
{
	if (!listing)
		return;
	free(listing->text);
	free(listing);
}
