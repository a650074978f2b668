// SPDX-License-Identifier: GPL-2.0-only
/* Named network namespaces (as "ip netns" keeps them in /run/netns): open one,
 * and create sockets or run code inside it without leaving the daemon's own. */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static int netns_path(const char *name, char *path, size_t size)
{
	if (!name[0] || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EINVAL;
	if ((size_t)snprintf(path, size, NETNS_RUN_DIR "/%s", name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int netns_open(const char *name)
{
	char path[PATH_MAX];
	int fd, err = netns_path(name, path, sizeof(path));

	if (err)
		return err;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* The daemon's own namespace, opened once: where every switch returns to. */
static int home_fd(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	return fd;
}

int netns_run(int netns_fd, int (*fn)(void *arg), void *arg)
{
	int home = home_fd(), ret;

	if (netns_fd < 0)
		return fn(arg);
	if (home < 0)
		return -errno;
	if (setns(netns_fd, CLONE_NEWNET))
		return -errno;
	ret = fn(arg);
	if (setns(home, CLONE_NEWNET))
		fatal("cannot return to the daemon's network namespace: %s", strerror(errno));
	return ret;
}

struct socket_args {
	int domain, type, protocol;
};

static int socket_open(void *arg)
{
	const struct socket_args *args = arg;
	int fd = socket(args->domain, args->type | SOCK_CLOEXEC, args->protocol);

	return fd < 0 ? -errno : fd;
}

int netns_socket(int netns_fd, int domain, int type, int protocol)
{
	struct socket_args args = { domain, type, protocol };

	return netns_run(netns_fd, socket_open, &args);
}

/* A new namespace is entered by unshare(); its /proc/self/ns/net is then
 * bind-mounted on the name so it outlives every process in it. */
static int namespace_make(void *arg)
{
	const char *path = arg;

	if (unshare(CLONE_NEWNET))
		return -errno;
	if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL))
		return -errno;
	return 0;
}

int netns_create(const char *name)
{
	char path[PATH_MAX];
	int fd, err = netns_path(name, path, sizeof(path));

	if (err)
		return err;
	if (mkdir(NETNS_RUN_DIR, 0755) && errno != EEXIST)
		return -errno;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	close(fd);
	/* Entered through home_fd so that the thread comes back afterwards. */
	err = netns_run(home_fd(), namespace_make, path);
	if (err) {
		unlink(path);
		return err;
	}
	return netns_open(name);
}

int netns_delete(const char *name)
{
	char path[PATH_MAX];
	int err = netns_path(name, path, sizeof(path));

	if (err)
		return err;
	if (umount2(path, MNT_DETACH) && errno != EINVAL)
		return -errno;
	return unlink(path) ? -errno : 0;
}
