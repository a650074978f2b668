/* SPDX-License-Identifier: GPL-2.0-only */
/* GET /api/v1/conns: the connection table listed in steps, so that a big
 * table never holds the event loop for longer than one batch. */
#ifndef XVSD_CONNS_LIST_H
#define XVSD_CONNS_LIST_H

#include <stddef.h>
#include <sys/types.h>

#include "daemon.h"

struct conns_listing;

/* A listing of at most limit connections (of one service, unless service
 * is NULL); "truncated" in the document tells whether there were more.
 * Returns NULL when out of memory. */
struct conns_listing *conns_listing__open(struct daemon *daemon, const char *service,
					  size_t limit);
/* Copies the next at most size bytes of the document into buffer, reading
 * one batch of the table when nothing is left to copy. Returns the bytes
 * copied, 0 once the document is complete, or negative errno. */
ssize_t conns_listing__read(struct conns_listing *listing, char *buffer, size_t size);
void conns_listing__close(struct conns_listing *listing); /* accepts NULL */

#endif
