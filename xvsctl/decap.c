// SPDX-License-Identifier: GPL-2.0-only
/* xvsctl decap: attaches the xvs_decap XDP program (mode tun backends without
 * the ipip module) to an interface, detaches it, and finds where it runs. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "xvs_decap.skel.h"

#define DECAP_PROG_NAME "xvs_decap"

/* The XDP program on ifindex: 0 and *mode (XDP_FLAGS_DRV_MODE/SKB_MODE) when
 * it is xvs_decap, -ENOENT when there is none, -EEXIST when it is another. */
int decap_query(unsigned int ifindex, uint32_t *mode, char *name, size_t name_size)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, query);
	struct bpf_prog_info info;
	uint32_t length = sizeof(info);
	int fd, ret;

	ret = bpf_xdp_query((int)ifindex, 0, &query);
	if (ret)
		return ret;
	if (!query.prog_id)
		return -ENOENT;
	*mode = query.attach_mode == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	fd = bpf_prog_get_fd_by_id(query.prog_id);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	ret = bpf_obj_get_info_by_fd(fd, &info, &length);
	close(fd);
	if (ret)
		return ret;
	snprintf(name, name_size, "%s", info.name);
	return strcmp(info.name, DECAP_PROG_NAME) ? -EEXIST : 0;
}

static int decap_attach(const char *dev, unsigned int ifindex)
{
	uint32_t base = XDP_FLAGS_UPDATE_IF_NOEXIST, mode = XDP_FLAGS_DRV_MODE;
	char name[BPF_OBJ_NAME_LEN] = "";
	struct xvs_decap *skel;
	int fd, ret;

	if (decap_query(ifindex, &mode, name, sizeof(name)) == 0) {
		printf("decap: %s already attached to %s\n", DECAP_PROG_NAME, dev);
		return 0;
	}
	mode = XDP_FLAGS_DRV_MODE;
	skel = xvs_decap__open_and_load();
	if (!skel)
		return xvsctl_fail("decap: cannot load %s: %s", DECAP_PROG_NAME, strerror(errno));
	fd = bpf_program__fd(skel->progs.xvs_decap);
	ret = bpf_xdp_attach((int)ifindex, fd, base | mode, NULL);
	if (ret && ret != -EBUSY && ret != -EEXIST) {
		mode = XDP_FLAGS_SKB_MODE;
		ret = bpf_xdp_attach((int)ifindex, fd, base | mode, NULL);
	}
	/* The attachment holds the program; the skeleton can go. */
	xvs_decap__destroy(skel);
	if (ret == -EBUSY || ret == -EEXIST)
		return xvsctl_fail("decap: %s already has an XDP program (detach it first)", dev);
	if (ret)
		return xvsctl_fail("decap: cannot attach to %s: %s", dev, strerror(-ret));
	printf("decap: %s attached to %s (%s mode)\n", DECAP_PROG_NAME, dev,
	       mode == XDP_FLAGS_DRV_MODE ? "native" : "generic");
	return 0;
}

static int decap_detach(const char *dev, unsigned int ifindex)
{
	uint32_t mode = 0;
	char name[BPF_OBJ_NAME_LEN] = "";
	int ret = decap_query(ifindex, &mode, name, sizeof(name));

	if (ret == -ENOENT)
		return xvsctl_fail("decap: %s has no XDP program", dev);
	if (ret == -EEXIST)
		return xvsctl_fail("decap: %s runs XDP program \"%s\", not xvs_decap; left alone",
				  dev, name);
	if (ret)
		return xvsctl_fail("decap: %s: %s", dev, strerror(-ret));
	ret = bpf_xdp_detach((int)ifindex, mode, NULL);
	if (ret)
		return xvsctl_fail("decap: cannot detach from %s: %s", dev, strerror(-ret));
	printf("decap: %s detached from %s\n", DECAP_PROG_NAME, dev);
	return 0;
}

int command_decap(int argc, char **argv)
{
	unsigned int ifindex;

	if (argc != 3 || (strcmp(argv[1], "attach") && strcmp(argv[1], "detach")))
		return xvsctl_fail("usage: xvsctl decap (attach | detach) DEV");
	libbpf_set_print(NULL); /* errors are reported here, once */
	ifindex = if_nametoindex(argv[2]);
	if (!ifindex)
		return xvsctl_fail("decap: no interface \"%s\"", argv[2]);
	if (!strcmp(argv[1], "attach"))
		return decap_attach(argv[2], ifindex);
	return decap_detach(argv[2], ifindex);
}
