/* SPDX-License-Identifier: GPL-2.0-only */
/* MAC addresses for the benchmark tools (gen, xdpload): parse "aa:bb:..."
 * and read an interface's own address. Userspace only. */
#ifndef XVS_BENCH_NETDEV_H
#define XVS_BENCH_NETDEV_H

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static inline int netdev_mac_parse(const char *text, unsigned char mac[6])
{
	unsigned int b[6];

	if (sscanf(text, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (unsigned char)b[i];
	return 0;
}

static inline int netdev_mac(const char *name, unsigned char mac[6])
{
	struct ifreq request = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ret;

	if (fd < 0)
		return -errno;
	snprintf(request.ifr_name, sizeof(request.ifr_name), "%s", name);
	ret = ioctl(fd, SIOCGIFHWADDR, &request) ? -errno : 0;
	if (!ret)
		memcpy(mac, request.ifr_hwaddr.sa_data, 6);
	close(fd);
	return ret;
}

#endif
