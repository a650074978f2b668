/* SPDX-License-Identifier: GPL-2.0-only */
/* Named network namespaces (as "ip netns" keeps them in /run/netns): open one,
 * and create sockets or run code inside it without leaving the daemon's own. */
#ifndef XVSD_NETNS_H
#define XVSD_NETNS_H

#define NETNS_RUN_DIR "/run/netns"

/* Opens /run/netns/NAME. Returns a file descriptor (O_CLOEXEC) or negative
 * errno (-ENOENT when there is no such namespace). */
int netns_open(const char *name);
/* Creates the named namespace the way "ip netns add" does (a bind mount of a
 * new namespace on /run/netns/NAME) and returns its descriptor, or negative
 * errno; -EEXIST when it exists already. The caller stays where it was. */
int netns_create(const char *name);
/* Deletes a namespace made by netns_create. Returns 0 or negative errno. */
int netns_delete(const char *name);
/* socket(2) inside the namespace netns_fd (-1: the daemon's own). Returns the
 * socket or negative errno. The socket stays in that namespace for its life. */
int netns_socket(int netns_fd, int domain, int type, int protocol);
/* Calls fn(arg) with the calling thread inside netns_fd (-1: the daemon's own)
 * and comes back. Returns what fn returned, or negative errno when the
 * namespace could not be entered or left (the latter is fatal). */
int netns_run(int netns_fd, int (*fn)(void *arg), void *arg);

#endif
