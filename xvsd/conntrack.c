// SPDX-License-Identifier: GPL-2.0-only
/* Connection table upkeep in userspace: deletes expired entries (the data
 * plane only ignores them) and counts each backend's active and inactive
 * connections from what is left, so the counts are exact at every scan. */
#include "dataplane_internal.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Keys deleted per batch; a scan never holds more than this many. */
#define SCAN_DELETE_BATCH 4096

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool conn_expired(const struct xvs_settings *settings, const struct xvs_conn *conn,
			 uint64_t now)
{
	uint8_t state = conn->state < XVS_CONN_STATE__MAX ? conn->state : XVS_CONN_TCP_CLOSE;

	return now > conn->last_seen_ns && now - conn->last_seen_ns > settings->timeout_ns[state];
}

static void backend_counts_reset(struct dataplane *dp)
{
	for (size_t s = 0; s < dp->service_count; s++)
		for (size_t b = 0; b < dp->services[s].backend_count; b++) {
			dp->services[s].backends[b].active_conns = 0;
			dp->services[s].backends[b].inactive_conns = 0;
		}
}

/* Deletes keys whose entry is still expired (the data plane may have
 * refreshed one since it was read). */
static uint64_t expired_delete(int fd, const struct xvs_settings *settings,
			       struct xvs_conn_key *keys, size_t count)
{
	uint64_t deleted = 0, now = monotonic_ns();
	struct xvs_conn conn;

	for (size_t i = 0; i < count; i++) {
		if (bpf_map_lookup_elem(fd, &keys[i], &conn) || !conn_expired(settings, &conn, now))
			continue;
		if (bpf_map_delete_elem(fd, &keys[i]) == 0)
			deleted++;
	}
	return deleted;
}

void conntrack_scan(struct dataplane *dp)
{
	int fd = bpf_map__fd(dp->skel->maps.conns);
	struct xvs_conn_key key, next, *expired;
	struct xvs_settings settings;
	struct xvs_conn conn;
	size_t expired_count = 0;
	uint64_t now = monotonic_ns(), live = 0, deleted = 0;
	uint32_t zero = 0;
	void *previous = NULL;

	if (bpf_map_lookup_elem(bpf_map__fd(dp->skel->maps.settings), &zero, &settings))
		return;
	expired = calloc(SCAN_DELETE_BATCH, sizeof(*expired));
	if (!expired)
		return;
	backend_counts_reset(dp);
	while (bpf_map_get_next_key(fd, previous, &next) == 0) {
		key = next;
		previous = &key;
		if (bpf_map_lookup_elem(fd, &key, &conn))
			continue;
		if (conn_expired(&settings, &conn, now)) {
			/* Deleting while iterating would restart the walk. */
			if (expired_count < SCAN_DELETE_BATCH)
				expired[expired_count++] = key;
			continue;
		}
		live++;
		if (conn.backend_id < dp->max_backends && dp->backend_index[conn.backend_id]) {
			struct dp_backend *backend = dp->backend_index[conn.backend_id];

			if (conn.state == XVS_CONN_TCP_ESTABLISHED)
				backend->active_conns++;
			else
				backend->inactive_conns++;
		}
	}
	deleted = expired_delete(fd, &settings, expired, expired_count);
	free(expired);
	dp->scan.entries = live;
	dp->scan.expired = deleted;
	if (deleted)
		log_debug("connection table: %lu live, %lu expired deleted",
			  (unsigned long)live, (unsigned long)deleted);
}
