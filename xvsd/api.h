/* SPDX-License-Identifier: GPL-2.0-only */
/* The JSON HTTP API on a Unix socket (and on TCP when configured), served
 * from the daemon's event loop: no threads, never blocks. */
#ifndef XVSD_API_H
#define XVSD_API_H

#include "daemon.h"

struct api;

/* Listens on the configured socket(s). Returns 0 or negative errno. */
int api__open(struct daemon *daemon, struct api **out);
void api__close(struct api *api); /* accepts NULL; removes the socket file */
/* File descriptors to watch for reading; call api__run when one is ready. */
int api__fds(const struct api *api, int *fds, int max);
void api__run(struct api *api);
/* Milliseconds until api__run is due without any fd being ready (0: now,
 * e.g. a response being streamed; -1: not before an fd is ready). */
int api__timeout(struct api *api);

#endif
