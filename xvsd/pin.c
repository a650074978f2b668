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

/* RUN_DIR/bpf/link_IF, or link_IF@NS for an interface in a namespace. */
static void link_path(const struct dataplane *dp, const char *name, const char *namespace_name,
		      char *path, size_t size)
{
	snprintf(path, size, "%s/" LINK_PREFIX "%s%s%s", dp->pin_dir, name,
		 namespace_name[0] ? "@" : "", namespace_name);
}

/* For messages: " in namespace NS", or "" in the daemon's own. */
static const char *where(const struct dp_tenant *tenant, char *text, size_t size)
{
	if (!tenant || !tenant->namespace_name[0])
		return "";
	snprintf(text, size, " in namespace %s", tenant->namespace_name);
	return text;
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

struct link_request {
	int prog_fd;
	uint32_t ifindex;
	uint32_t flags;
};

/* Inside the interface's namespace: the kernel finds ifindex there. */
static int link_make(void *arg)
{
	const struct link_request *request = arg;
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = request->flags);
	int fd = bpf_link_create(request->prog_fd, (int)request->ifindex, BPF_XDP, &opts);

	return fd < 0 ? -errno : fd;
}

static int link_create(const struct dp_tenant *tenant, uint32_t ifindex, uint32_t flags)
{
	struct link_request request = {
		bpf_program__fd(tenant->skel->progs.xvs_lb), ifindex, flags,
	};

	return tenant_run(tenant, link_make, &request);
}

static int xdp_attach(const struct dp_tenant *tenant, const struct config_interface *conf,
		      struct dp_interface *iface)
{
	char text[100];
	int fd = -EINVAL;

	if (conf->xdp == XDP_ATTACH_AUTO || conf->xdp == XDP_ATTACH_NATIVE) {
		iface->xdp_flags = XDP_FLAGS_DRV_MODE;
		fd = link_create(tenant, iface->ifindex, iface->xdp_flags);
	}
	if (fd < 0 && conf->xdp != XDP_ATTACH_NATIVE && fd != -EBUSY && fd != -EEXIST) {
		iface->xdp_flags = XDP_FLAGS_SKB_MODE;
		fd = link_create(tenant, iface->ifindex, iface->xdp_flags);
	}
	if (fd == -EBUSY || fd == -EEXIST)
		log_error("interface %s%s: already has an XDP program; xvsd does not replace it",
			  conf->name, where(tenant, text, sizeof(text)));
	else if (fd < 0)
		log_error("interface %s%s: cannot attach XDP (%s mode): %s", conf->name,
			  where(tenant, text, sizeof(text)),
			  conf->xdp == XDP_ATTACH_NATIVE ? "native" : "generic", strerror(-fd));
	return fd;
}

int pin_interface_attach(struct dataplane *dp, const struct config_interface *conf)
{
	const struct dp_tenant *tenant = tenant_find(dp, conf->namespace_name);
	struct dp_interface *iface = interface_add(dp);
	char path[PATH_MAX], text[100];
	int fd;

	if (!iface)
		return -ENOMEM;
	if (!tenant) {
		log_error("interface %s: namespace %s is not open", conf->name,
			  conf->namespace_name);
		return -ENOENT;
	}
	snprintf(iface->name, sizeof(iface->name), "%s", conf->name);
	iface->tenant = tenant->id;
	iface->mode = conf->xdp;
	iface->ifindex = tenant_ifindex(tenant, conf->name);
	if (!iface->ifindex) {
		log_error("interface %s%s: does not exist", conf->name,
			  where(tenant, text, sizeof(text)));
		return -ENODEV;
	}
	fd = xdp_attach(tenant, conf, iface);
	if (fd < 0)
		return fd;
	iface->link_fd = fd;
	dp->interface_count++;
	link_path(dp, conf->name, conf->namespace_name, path, sizeof(path));
	if (bpf_obj_pin(fd, path))
		log_warn("interface %s: pin %s", conf->name, path);
	log_info("interface %s%s: XDP attached in %s mode", conf->name,
		 where(tenant, text, sizeof(text)),
		 iface->xdp_flags == XDP_FLAGS_DRV_MODE ? "native" : "generic");
	if (tenant_tx_port_add(tenant, iface->ifindex))
		log_warn("interface %s cannot be a redirect target", conf->name);
	return 0;
}

void pin_interface_detach(struct dataplane *dp, size_t index)
{
	struct dp_interface *iface = &dp->interfaces[index];
	const struct dp_tenant *tenant = dp->tenants[iface->tenant];
	char path[PATH_MAX], text[100];

	if (bpf_link_detach(iface->link_fd))
		log_warn("interface %s%s: detach", iface->name, where(tenant, text, sizeof(text)));
	else
		log_info("interface %s%s: XDP detached", iface->name,
			 where(tenant, text, sizeof(text)));
	close(iface->link_fd);
	link_path(dp, iface->name, tenant ? tenant->namespace_name : "", path, sizeof(path));
	unlink(path);
	memmove(iface, iface + 1, (dp->interface_count - index - 1) * sizeof(*iface));
	dp->interface_count--;
}

/* A pinned link of the previous daemon: switched to this daemon's program
 * (of the link's tenant) in one step, so the interface never runs without one. */
static void link_adopt(struct dataplane *dp, const char *name, const struct dp_tenant *tenant,
		       const char *path)
{
	struct bpf_link_info info = { 0 };
	uint32_t length = sizeof(info);
	struct dp_interface *iface;
	char text[100];
	int fd;

	fd = bpf_obj_get(path);
	iface = interface_add(dp);
	if (fd < 0 || !iface || !tenant || bpf_obj_get_info_by_fd(fd, &info, &length) ||
	    bpf_link_update(fd, bpf_program__fd(tenant->skel->progs.xvs_lb), NULL)) {
		log_warnx("interface %s%s: the pinned XDP link is gone; attaching anew", name,
			  where(tenant, text, sizeof(text)));
		if (fd >= 0)
			close(fd);
		unlink(path);
		return;
	}
	snprintf(iface->name, sizeof(iface->name), "%s", name);
	iface->tenant = tenant->id;
	iface->ifindex = info.xdp.ifindex;
	iface->link_fd = fd;
	iface->mode = XDP_ATTACH_AUTO;
	for (size_t i = 0; i < dp->config->interface_count; i++)
		if (!strcmp(dp->config->interfaces[i].name, name) &&
		    !strcmp(dp->config->interfaces[i].namespace_name, tenant->namespace_name))
			iface->mode = dp->config->interfaces[i].xdp;
	dp->interface_count++;
	log_info("interface %s%s: adopted the pinned XDP link", name,
		 where(tenant, text, sizeof(text)));
}

/* link_IF or link_IF@NS: the interface and its tenant (NULL when the
 * namespace has no tenant now). */
static void link_entry_adopt(struct dataplane *dp, const char *entry)
{
	const char *name = entry + strlen(LINK_PREFIX), *at = strchr(name, '@');
	size_t length = at ? (size_t)(at - name) : strlen(name);
	char interface[IFNAMSIZ], path[PATH_MAX];

	if (length == 0 || length >= IFNAMSIZ)
		return;
	memcpy(interface, name, length);
	interface[length] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dp->pin_dir, entry);
	link_adopt(dp, interface, tenant_find(dp, at ? at + 1 : ""), path);
}

void pin_interfaces_adopt(struct dataplane *dp)
{
	struct dirent *entry;
	DIR *dir = opendir(dp->pin_dir);

	if (!dir)
		return;
	while ((entry = readdir(dir)))
		if (!strncmp(entry->d_name, LINK_PREFIX, strlen(LINK_PREFIX)))
			link_entry_adopt(dp, entry->d_name);
	closedir(dir);
}
