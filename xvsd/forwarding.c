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

/* One sysctl xvsd changed and the value it had. */
struct forwarding_change {
	char path[128];
	char old;
};

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

/* Sets path to 1 and remembers the old value when it was not 1 already. */
static void forwarding_set(struct dataplane *dp, const char *path)
{
	struct forwarding_change *change = &dp->forwarding[dp->forwarding_count];
	char old;
	int ret;

	ret = sysctl_read(path, &old);
	if (ret == 0 && old == '1')
		return;
	if (ret == 0)
		ret = sysctl_write(path, '1');
	if (ret) {
		log_warnx("%s: cannot set to 1 (%s); nat/snat traffic will be dropped as no_route",
			  path, strerror(-ret));
		return;
	}
	snprintf(change->path, sizeof(change->path), "%s", path);
	change->old = old;
	dp->forwarding_count++;
	log_info("%s: set to 1 for nat/snat (was %c; restored on exit)", path, old);
}

static bool forwarding_needed(const struct config *config)
{
	for (size_t i = 0; i < config->service_count; i++)
		if (config->services[i].mode == XVS_MODE_NAT ||
		    config->services[i].mode == XVS_MODE_SNAT)
			return true;
	return false;
}

int forwarding_enable(struct dataplane *dp)
{
	char path[128];

	if (!forwarding_needed(dp->config))
		return 0;
	dp->forwarding = calloc(2 * dp->interface_count + 1, sizeof(*dp->forwarding));
	if (!dp->forwarding)
		return -ENOMEM;
	for (size_t i = 0; i < dp->interface_count; i++) {
		snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/forwarding",
			 dp->interfaces[i].name);
		forwarding_set(dp, path);
		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/forwarding",
			 dp->interfaces[i].name);
		forwarding_set(dp, path);
	}
	return 0;
}

void forwarding_restore(struct dataplane *dp)
{
	for (size_t i = dp->forwarding_count; i-- > 0;) {
		struct forwarding_change *change = &dp->forwarding[i];
		int ret = sysctl_write(change->path, change->old);

		if (ret)
			log_warnx("%s: cannot restore %c: %s", change->path, change->old,
				  strerror(-ret));
		else
			log_info("%s: restored to %c", change->path, change->old);
	}
	free(dp->forwarding);
	dp->forwarding = NULL;
	dp->forwarding_count = 0;
}
