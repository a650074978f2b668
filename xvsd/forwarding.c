// SPDX-License-Identifier: GPL-2.0-only
/* IP forwarding on the interfaces xvs_lb is attached to: nat and snat need it
 * (bpf_fib_lookup refuses otherwise). Set while xvsd runs, restored on exit. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataplane_internal.h"
#include "log.h"

/* One sysctl xvsd changed and the value it had. /proc/sys/net is the
 * network namespace's of the thread that opens it. */
struct forwarding_change {
	char path[128];
	char namespace_name[CONFIG_NAME_MAX]; /* "" for the daemon's own */
	char old;
};

struct sysctl_access {
	const char *path;
	char *value;
	bool write;
};

static int sysctl_read(const char *path, char *value);
static int sysctl_write(const char *path, char value);

static int sysctl_access_run(void *arg)
{
	struct sysctl_access *access = arg;

	return access->write ? sysctl_write(access->path, *access->value)
			     : sysctl_read(access->path, access->value);
}

/* Reads or writes a sysctl in a namespace ("" for the daemon's own). */
static int sysctl_in(const char *namespace_name, const char *path, char *value, bool write)
{
	struct sysctl_access access = { path, value, write };
	int fd, ret;

	if (!namespace_name[0])
		return sysctl_access_run(&access);
	fd = netns_open(namespace_name);
	if (fd < 0)
		return fd;
	ret = netns_run(fd, sysctl_access_run, &access);
	close(fd);
	return ret;
}

static int sysctl_read(const char *path, char *value)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, value, 1);
	close(fd);
	return n == 1 ? 0 : -EIO;
}

static int sysctl_write(const char *path, char value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, &value, 1);
	close(fd);
	return n == 1 ? 0 : -errno;
}

/* Sets path to 1 and remembers the old value when it was not 1 already
 * (so a later call for the same interface changes nothing). */
static int forwarding_set(struct dataplane *dp, const char *namespace_name, const char *path)
{
	struct forwarding_change *change, *grown;
	char old, one = '1';
	int ret;

	ret = sysctl_in(namespace_name, path, &old, false);
	if (ret == 0 && old == '1')
		return 0;
	if (ret == 0)
		ret = sysctl_in(namespace_name, path, &one, true);
	if (ret) {
		log_warnx("%s%s%s: cannot set to 1 (%s); nat/snat traffic will be dropped as "
			  "no_route", path, namespace_name[0] ? " in namespace " : "",
			  namespace_name, strerror(-ret));
		return 0;
	}
	grown = realloc(dp->forwarding, (dp->forwarding_count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	dp->forwarding = grown;
	change = &grown[dp->forwarding_count++];
	snprintf(change->path, sizeof(change->path), "%s", path);
	snprintf(change->namespace_name, sizeof(change->namespace_name), "%s", namespace_name);
	change->old = old;
	log_info("%s%s%s: set to 1 for nat/snat (was %c; restored on exit)", path,
		 namespace_name[0] ? " in namespace " : "", namespace_name, old);
	return 0;
}

/* Whether a namespace has nat or snat services. */
static bool forwarding_needed(const struct config *config, const char *namespace_name)
{
	for (size_t i = 0; i < config->service_count; i++)
		if ((config->services[i].mode == XVS_MODE_NAT ||
		     config->services[i].mode == XVS_MODE_SNAT) &&
		    !strcmp(config->services[i].namespace_name, namespace_name))
			return true;
	return false;
}

int forwarding_enable(struct dataplane *dp)
{
	static const char *const families[] = { "ipv4", "ipv6" };
	char path[128];
	int ret = 0;

	for (size_t i = 0; i < dp->interface_count && !ret; i++) {
		const struct dp_tenant *tenant = dp->tenants[dp->interfaces[i].tenant];

		if (!tenant || !forwarding_needed(dp->config, tenant->namespace_name))
			continue;
		for (size_t f = 0; f < 2 && !ret; f++) {
			snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/forwarding",
				 families[f], dp->interfaces[i].name);
			ret = forwarding_set(dp, tenant->namespace_name, path);
		}
	}
	return ret;
}

static void forwarding_undo(const struct forwarding_change *change)
{
	char old = change->old;
	int ret = sysctl_in(change->namespace_name, change->path, &old, true);
	const char *in = change->namespace_name[0] ? " in namespace " : "";

	if (ret)
		log_warnx("%s%s%s: cannot restore %c: %s", change->path, in,
			  change->namespace_name, change->old, strerror(-ret));
	else
		log_info("%s%s%s: restored to %c", change->path, in, change->namespace_name,
			 change->old);
}

void forwarding_restore_namespace(struct dataplane *dp, const char *namespace_name)
{
	size_t kept = 0;

	for (size_t i = 0; i < dp->forwarding_count; i++) {
		if (strcmp(dp->forwarding[i].namespace_name, namespace_name))
			dp->forwarding[kept++] = dp->forwarding[i];
		else
			forwarding_undo(&dp->forwarding[i]);
	}
	dp->forwarding_count = kept;
}

void forwarding_restore(struct dataplane *dp)
{
	for (size_t i = dp->forwarding_count; i-- > 0;)
		forwarding_undo(&dp->forwarding[i]);
	free(dp->forwarding);
	dp->forwarding = NULL;
	dp->forwarding_count = 0;
}
