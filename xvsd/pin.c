// SPDX-License-Identifier: GPL-2.0-only
/* Pinned state under RUN_DIR/bpf: the maps and one XDP bpf_link per interface,
 * so that the data plane outlives the daemon and a new daemon can adopt it. */
#include "dataplane_internal.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "log.h"

#define LINK_PREFIX "link_"

static bool is_bpffs(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == BPF_FS_MAGIC;
}

/* A bpffs mounted in a mount namespace of our own (ip netns exec, systemd
 * PrivateMounts=) goes away with the daemon, and the pinned state with it. */
static bool own_mount_namespace(void)
{
	struct stat self, init;

	return stat("/proc/self/ns/mnt", &self) == 0 && stat("/proc/1/ns/mnt", &init) == 0 &&
	       self.st_ino != init.st_ino;
}

static int bpffs_prepare(struct dataplane *dp)
{
	if (mkdir(dp->pin_dir, 0700) && errno != EEXIST) {
		log_error("%s: %s", dp->pin_dir, strerror(errno));
		return -errno;
	}
	if (is_bpffs(dp->pin_dir))
		return 0;
	if (mount("bpf", dp->pin_dir, "bpf", 0, "mode=0700")) {
		log_error("mount bpffs on %s: %s", dp->pin_dir, strerror(errno));
		return -errno;
	}
	dp->bpffs_mounted = true;
	if (own_mount_namespace())
		log_warnx("%s: mounted in a private mount namespace: the pinned data plane "
			  "dies with xvsd; mount a bpffs there beforehand to keep forwarding "
			  "across a crash", dp->pin_dir);
	return 0;
}

/* Reuses a pinned map (its size and flags included: libbpf's own check of a
 * pinned map refuses a devmap, whose flags the kernel amends) or pins a new
 * one at load. */
static int map_pin_prepare(struct dataplane *dp, struct bpf_map *map)
{
	struct bpf_map_info info = { 0 };
	uint32_t length = sizeof(info);
	char path[PATH_MAX];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s", dp->pin_dir, bpf_map__name(map));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return bpf_map__set_pin_path(map, path);
	ret = bpf_obj_get_info_by_fd(fd, &info, &length);
	if (!ret && (info.type != bpf_map__type(map) ||
		     info.key_size != bpf_map__key_size(map) ||
		     info.value_size != bpf_map__value_size(map))) {
		log_error("%s: made by another version of xvsd (type or sizes differ); "
			  "stop that data plane (remove %s) first", path, dp->pin_dir);
		ret = -EINVAL;
	}
	if (!ret && map == dp->skel->maps.conns && info.max_entries != dp->conn_capacity)
		log_warnx("conn_table: keeping the running table's %u entries (the file says "
			  "%u); stop and start xvsd to change it", info.max_entries,
			  dp->conn_capacity);
	if (!ret)
		ret = bpf_map__reuse_fd(map, fd);
	close(fd);
	dp->adopted = true;
	return ret;
}

int pin_prepare(struct dataplane *dp, const char *run_dir)
{
	struct bpf_map *map;
	int ret;

	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s/bpf", run_dir);
	ret = bpffs_prepare(dp);
	if (ret)
		return ret;
	bpf_object__for_each_map(map, dp->skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		ret = map_pin_prepare(dp, map);
		if (ret) {
			log_error("%s/%s: %s", dp->pin_dir, bpf_map__name(map), strerror(-ret));
			return ret;
		}
	}
	if (dp->adopted) {
		log_info("adopting the data plane pinned in %s", dp->pin_dir);
		dp->bpffs_mounted = true; /* the previous daemon's mount is ours now */
	}
	return 0;
}

/* Unpins every map, then leaves RUN_DIR/bpf as it was found. */
void pin_remove(struct dataplane *dp)
{
	struct bpf_map *map;

	if (!dp->pin_dir[0])
		return;
	if (dp->skel) {
		bpf_object__for_each_map(map, dp->skel->obj) {
			char path[PATH_MAX];

			if (bpf_map__is_internal(map))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dp->pin_dir, bpf_map__name(map));
			unlink(path);
		}
	}
	if (dp->bpffs_mounted && umount(dp->pin_dir))
		log_warn("umount %s", dp->pin_dir);
	rmdir(dp->pin_dir); /* fails, harmlessly, where something else lives */
}

static void link_path(const struct dataplane *dp, const char *name, char *path, size_t size)
{
	snprintf(path, size, "%s/" LINK_PREFIX "%s", dp->pin_dir, name);
}

static struct dp_interface *interface_add(struct dataplane *dp)
{
	struct dp_interface *grown;

	grown = realloc(dp->interfaces, (dp->interface_count + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	dp->interfaces = grown;
	memset(&grown[dp->interface_count], 0, sizeof(*grown));
	return &grown[dp->interface_count];
}

static int link_create(struct dataplane *dp, uint32_t ifindex, uint32_t flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	int fd = bpf_link_create(bpf_program__fd(dp->skel->progs.xvs_lb), (int)ifindex,
				 BPF_XDP, &opts);

	return fd < 0 ? -errno : fd;
}

int pin_interface_attach(struct dataplane *dp, const struct config_interface *conf)
{
	struct dp_interface *iface = interface_add(dp);
	char path[PATH_MAX];
	int fd = -EINVAL;

	if (!iface)
		return -ENOMEM;
	snprintf(iface->name, sizeof(iface->name), "%s", conf->name);
	iface->mode = conf->xdp;
	iface->ifindex = if_nametoindex(conf->name);
	if (!iface->ifindex) {
		log_error("interface %s: does not exist", conf->name);
		return -ENODEV;
	}
	if (conf->xdp == XDP_ATTACH_AUTO || conf->xdp == XDP_ATTACH_NATIVE) {
		iface->xdp_flags = XDP_FLAGS_DRV_MODE;
		fd = link_create(dp, iface->ifindex, iface->xdp_flags);
	}
	if (fd < 0 && conf->xdp != XDP_ATTACH_NATIVE && fd != -EBUSY && fd != -EEXIST) {
		iface->xdp_flags = XDP_FLAGS_SKB_MODE;
		fd = link_create(dp, iface->ifindex, iface->xdp_flags);
	}
	if (fd == -EBUSY || fd == -EEXIST) {
		log_error("interface %s: already has an XDP program; xvsd does not replace it",
			  conf->name);
		return fd;
	}
	if (fd < 0) {
		log_error("interface %s: cannot attach XDP (%s mode): %s", conf->name,
			  conf->xdp == XDP_ATTACH_NATIVE ? "native" : "generic", strerror(-fd));
		return fd;
	}
	iface->link_fd = fd;
	dp->interface_count++;
	link_path(dp, conf->name, path, sizeof(path));
	if (bpf_obj_pin(fd, path))
		log_warn("interface %s: pin %s", conf->name, path);
	log_info("interface %s: XDP attached in %s mode", conf->name,
		 iface->xdp_flags == XDP_FLAGS_DRV_MODE ? "native" : "generic");
	if (bpf_map__update_elem(dp->skel->maps.tx_ports, &iface->ifindex,
				 sizeof(iface->ifindex), &iface->ifindex,
				 sizeof(iface->ifindex), BPF_ANY))
		log_warn("interface %s cannot be a redirect target", conf->name);
	return 0;
}

void pin_interface_detach(struct dataplane *dp, size_t index)
{
	struct dp_interface *iface = &dp->interfaces[index];
	char path[PATH_MAX];

	if (bpf_link_detach(iface->link_fd))
		log_warn("interface %s: detach", iface->name);
	else
		log_info("interface %s: XDP detached", iface->name);
	close(iface->link_fd);
	link_path(dp, iface->name, path, sizeof(path));
	unlink(path);
	memmove(iface, iface + 1, (dp->interface_count - index - 1) * sizeof(*iface));
	dp->interface_count--;
}

/* A pinned link of the previous daemon: switched to this daemon's program
 * in one step (the interface never runs without a program). */
static void link_adopt(struct dataplane *dp, const char *name)
{
	struct bpf_link_info info = { 0 };
	uint32_t length = sizeof(info);
	struct dp_interface *iface;
	char path[PATH_MAX];
	int fd;

	link_path(dp, name, path, sizeof(path));
	fd = bpf_obj_get(path);
	iface = interface_add(dp);
	if (fd < 0 || !iface || bpf_obj_get_info_by_fd(fd, &info, &length) ||
	    bpf_link_update(fd, bpf_program__fd(dp->skel->progs.xvs_lb), NULL)) {
		log_warnx("interface %s: the pinned XDP link is gone; attaching anew", name);
		if (fd >= 0)
			close(fd);
		unlink(path);
		return;
	}
	snprintf(iface->name, sizeof(iface->name), "%s", name);
	iface->ifindex = info.xdp.ifindex;
	iface->link_fd = fd;
	iface->mode = XDP_ATTACH_AUTO;
	for (size_t i = 0; i < dp->config->interface_count; i++)
		if (!strcmp(dp->config->interfaces[i].name, name))
			iface->mode = dp->config->interfaces[i].xdp;
	dp->interface_count++;
	log_info("interface %s: adopted the pinned XDP link", name);
}

void pin_interfaces_adopt(struct dataplane *dp)
{
	struct dirent *entry;
	DIR *dir = opendir(dp->pin_dir);

	if (!dir)
		return;
	while ((entry = readdir(dir)))
		if (!strncmp(entry->d_name, LINK_PREFIX, strlen(LINK_PREFIX)) &&
		    strlen(entry->d_name) - strlen(LINK_PREFIX) < IFNAMSIZ)
			link_adopt(dp, entry->d_name + strlen(LINK_PREFIX));
	closedir(dir);
}
