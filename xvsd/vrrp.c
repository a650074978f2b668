// SPDX-License-Identifier: GPL-2.0-only
/* The VRRP speaker: instances from the configuration (and reloads), one epoll
 * set with a timerfd for the daemon's loop, and notify commands on transitions. */
#include "vrrp.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "netlink.h"
#include "vrrp_internal.h"

uint64_t vrrp_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

const char *vrrp_state_name(enum vrrp_state state)
{
	static const char *const names[] = { "init", "backup", "master", "fault" };

	return (unsigned int)state < 4 ? names[state] : "?";
}

const char *vrrp_family_name(int family)
{
	return family == AF_INET ? "ipv4" : "ipv6";
}

int vrrp_watch_add(struct vrrp *speaker, int fd, struct vrrp_watch *watch)
{
	struct epoll_event event = { .events = EPOLLIN, .data.ptr = watch };

	return epoll_ctl(speaker->epoll_fd, EPOLL_CTL_ADD, fd, &event) ? -errno : 0;
}

static void children_reap(struct vrrp *speaker)
{
	for (size_t i = 0; i < VRRP_CHILDREN_MAX; i++) {
		int status;

		if (!speaker->children[i] || waitpid(speaker->children[i], &status, WNOHANG) == 0)
			continue;
		if (WIFEXITED(status) && WEXITSTATUS(status))
			log_warnx("vrrp: notify command (pid %d) exited with status %d",
				  (int)speaker->children[i], WEXITSTATUS(status));
		speaker->children[i] = 0;
	}
}

/* Runs "NOTIFY NAME STATE FAMILY" through /bin/sh in the background; it is
 * reaped later (children_reap), never waited for. */
void vrrp_notify(struct vrrp_router *router)
{
	const struct config_vrrp *conf = &router->instance->conf;
	struct vrrp *speaker = router->speaker;
	char *script = NULL;
	size_t slot;
	sigset_t all;
	pid_t pid;

	if (!conf->notify)
		return;
	children_reap(speaker);
	for (slot = 0; slot < VRRP_CHILDREN_MAX && speaker->children[slot]; slot++)
		;
	if (slot == VRRP_CHILDREN_MAX || asprintf(&script, "%s \"$@\"", conf->notify) < 0) {
		log_warnx("vrrp %s: notify skipped: too many still running", conf->name);
		return;
	}
	pid = fork();
	if (pid == 0) {
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", script, "xvsd-notify", conf->name,
		      vrrp_state_name(router->state), vrrp_family_name(router->family),
		      (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		log_warn("vrrp %s: notify", conf->name);
	else
		speaker->children[slot] = pid;
	free(script);
}

static int conf_copy(struct config_vrrp *copy, const struct config_vrrp *conf)
{
	*copy = *conf;
	copy->unicast_peers = NULL;
	copy->vips = NULL;
	copy->vip_interfaces = NULL;
	copy->notify = NULL;
	copy->unicast_peers = calloc(conf->unicast_peer_count + 1, sizeof(*conf->unicast_peers));
	copy->vips = calloc(conf->vip_count + 1, sizeof(*conf->vips));
	copy->vip_interfaces = calloc(conf->vip_count + 1, sizeof(*conf->vip_interfaces));
	copy->notify = conf->notify ? strdup(conf->notify) : NULL;
	if (!copy->unicast_peers || !copy->vips || !copy->vip_interfaces ||
	    (conf->notify && !copy->notify))
		return -ENOMEM;
	for (size_t i = 0; i < conf->vip_count; i++)
		if (conf->vip_interfaces)
			memcpy(copy->vip_interfaces[i], conf->vip_interfaces[i], IFNAMSIZ);
	if (conf->unicast_peer_count)
		memcpy(copy->unicast_peers, conf->unicast_peers,
		       conf->unicast_peer_count * sizeof(*conf->unicast_peers));
	if (conf->vip_count)
		memcpy(copy->vips, conf->vips, conf->vip_count * sizeof(*conf->vips));
	return 0;
}

static void instance_free(struct vrrp_instance *instance)
{
	if (!instance)
		return;
	for (int f = 0; f < 2; f++)
		free(instance->routers[f]);
	free(instance->conf.unicast_peers);
	free(instance->conf.vips);
	free(instance->conf.vip_interfaces);
	free(instance->conf.notify);
	free(instance);
}

/* The index in router->links of the interface name, added when new; -1 for the
 * instance's own interface. */
static int router_link(struct vrrp_router *router, const struct config_vrrp *conf,
		       const char *name)
{
	size_t i;

	if (!strcmp(name, conf->interface))
		return -1;
	for (i = 0; i < router->link_count; i++)
		if (!strcmp(router->links[i].name, name))
			return (int)i;
	snprintf(router->links[i].name, sizeof(router->links[i].name), "%s", name);
	router->link_count++;
	return (int)i;
}

static struct vrrp_instance *instance_new(struct vrrp *speaker, const struct config_vrrp *conf)
{
	struct vrrp_instance *instance = calloc(1, sizeof(*instance));

	if (!instance || conf_copy(&instance->conf, conf))
		goto fail;
	for (int f = 0; f < 2; f++) {
		int family = f ? AF_INET6 : AF_INET;
		struct vrrp_router *router;
		bool any = false;

		for (size_t i = 0; i < conf->vip_count; i++)
			any |= conf->vips[i].addr.family == family;
		if (!any)
			continue;
		router = calloc(1, sizeof(*router));
		if (!router)
			goto fail;
		instance->routers[f] = router;
		/* Every interface of the block's VIPs, whatever their family: a dead
		 * internal link faults both families, so they move together. */
		for (size_t i = 0; i < conf->vip_count; i++) {
			int link = router_link(router, conf, config_vrrp_vip_interface(conf, i));

			if (conf->vips[i].addr.family != family)
				continue;
			router->vip_links[router->vip_count] = link;
			router->vips[router->vip_count++] = conf->vips[i];
		}
		router->speaker = speaker;
		router->instance = instance;
		router->family = family;
		router->socket_fd = router->probe_fd = -1;
	}
	return instance;
fail:
	log_warnx("vrrp %s: out of memory", conf->name);
	instance_free(instance);
	return NULL;
}

static void instance_start(struct vrrp_instance *instance)
{
	const struct config_vrrp *conf = &instance->conf;

	if (conf->vrid_automatic && conf->vrid != conf->vrid_wanted)
		log_info("vrrp %s: automatic vrid %u (%u is taken on %s)", conf->name, conf->vrid,
			 conf->vrid_wanted, conf->interface);
	else if (conf->vrid_automatic)
		log_info("vrrp %s: automatic vrid %u", conf->name, conf->vrid);
	for (int f = 0; f < 2; f++)
		if (instance->routers[f])
			vrrp_router_start(instance->routers[f]);
}

static void instance_stop(struct vrrp_instance *instance)
{
	for (int f = 0; f < 2; f++)
		if (instance->routers[f] && instance->routers[f]->state != VRRP_STATE_INIT)
			vrrp_router_stop(instance->routers[f]);
		else if (instance->routers[f])
			vrrp_socket_close(instance->routers[f]);
}

/* The netlink sockets, once there is an instance. */
static int speaker_sockets(struct vrrp *speaker)
{
	int err;

	if (speaker->links)
		return 0;
	err = vrrp_links_open(speaker);
	return err ? err : vrrp_address_open(speaker);
}

static void timer_arm(struct vrrp *speaker)
{
	struct itimerspec when = { { 0, 0 }, { 0, 0 } };
	uint64_t next = 0;

	for (size_t i = 0; i < speaker->instance_count; i++) {
		for (int f = 0; f < 2; f++) {
			struct vrrp_router *router = speaker->instances[i]->routers[f];
			uint64_t due = router ? vrrp_router_next(router) : 0;

			if (due && (!next || due < next))
				next = due;
		}
	}
	if (next == speaker->timer_armed)
		return;
	speaker->timer_armed = next;
	when.it_value.tv_sec = (time_t)(next / 1000000000ull);
	when.it_value.tv_nsec = (long)(next % 1000000000ull);
	timerfd_settime(speaker->timer_fd, TFD_TIMER_ABSTIME, &when, NULL);
}

int vrrp__open(const struct config *config, struct vrrp **vrrp)
{
	struct vrrp *speaker = calloc(1, sizeof(*speaker));
	int err = -ENOMEM;

	*vrrp = NULL;
	if (!speaker)
		return -ENOMEM;
	speaker->arp_fd = speaker->na_fd = -1;
	speaker->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	speaker->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	speaker->timer_watch.kind = VRRP_WATCH_TIMER;
	if (speaker->epoll_fd < 0 || speaker->timer_fd < 0 ||
	    vrrp_watch_add(speaker, speaker->timer_fd, &speaker->timer_watch)) {
		err = -errno;
		log_warn("vrrp: event set");
		goto fail;
	}
	*vrrp = speaker;
	vrrp__reload(speaker, config);
	return 0;
fail:
	vrrp__close(speaker);
	return err;
}

void vrrp__close(struct vrrp *speaker)
{
	if (!speaker)
		return;
	for (size_t i = 0; i < speaker->instance_count; i++)
		instance_stop(speaker->instances[i]);
	for (size_t i = 0; i < speaker->instance_count; i++)
		instance_free(speaker->instances[i]);
	free(speaker->instances);
	children_reap(speaker);
	vrrp_address_close(speaker);
	if (speaker->links)
		mnl_socket_close(speaker->links);
	if (speaker->timer_fd >= 0)
		close(speaker->timer_fd);
	if (speaker->epoll_fd >= 0)
		close(speaker->epoll_fd);
	free(speaker);
}

int vrrp__fd(const struct vrrp *speaker)
{
	return speaker->epoll_fd;
}

static void watch_handle(struct vrrp *speaker, struct vrrp_watch *watch)
{
	uint64_t expirations;

	switch (watch->kind) {
	case VRRP_WATCH_TIMER:
		if (read(speaker->timer_fd, &expirations, sizeof(expirations)) > 0)
			speaker->timer_armed = 0;
		break;
	case VRRP_WATCH_LINKS:
		vrrp_links_receive(speaker);
		break;
	case VRRP_WATCH_ADVERTS:
		vrrp_socket_receive(watch->router);
		break;
	case VRRP_WATCH_PROBES:
		vrrp_probe_receive(watch->router);
		break;
	}
}

void vrrp__run(struct vrrp *speaker)
{
	struct epoll_event events[32];
	int count = epoll_wait(speaker->epoll_fd, events, 32, 0);
	uint64_t now;

	for (int i = 0; i < count; i++)
		watch_handle(speaker, events[i].data.ptr);
	now = vrrp_now();
	for (size_t i = 0; i < speaker->instance_count; i++)
		for (int f = 0; f < 2; f++)
			if (speaker->instances[i]->routers[f])
				vrrp_router_timers(speaker->instances[i]->routers[f], now);
	children_reap(speaker);
	timer_arm(speaker);
}

static struct vrrp_instance *instance_take(struct vrrp *speaker, const struct config_vrrp *conf)
{
	for (size_t i = 0; i < speaker->instance_count; i++) {
		struct vrrp_instance *instance = speaker->instances[i];

		if (instance && config_vrrp_equal(&instance->conf, conf)) {
			speaker->instances[i] = NULL;
			return instance;
		}
	}
	return NULL;
}

void vrrp__reload(struct vrrp *speaker, const struct config *config)
{
	struct vrrp_instance **next = calloc(config->vrrp_count + 1, sizeof(*next));
	struct vrrp_instance **fresh = calloc(config->vrrp_count + 1, sizeof(*fresh));
	size_t i, count = 0, fresh_count = 0;

	if (!next || !fresh || (config->vrrp_count && speaker_sockets(speaker))) {
		log_warnx("vrrp: reload failed; instances unchanged");
		goto out;
	}
	for (i = 0; i < config->vrrp_count; i++)
		next[i] = instance_take(speaker, &config->vrrps[i]);
	/* What goes or changes stops first: its VIPs may move to a new instance. */
	for (i = 0; i < speaker->instance_count; i++) {
		if (!speaker->instances[i])
			continue;
		log_info("vrrp %s: stopping", speaker->instances[i]->conf.name);
		instance_stop(speaker->instances[i]);
		instance_free(speaker->instances[i]);
	}
	for (i = 0; i < config->vrrp_count; i++) {
		if (!next[i] && (next[i] = instance_new(speaker, &config->vrrps[i])))
			fresh[fresh_count++] = next[i];
		if (next[i])
			next[count++] = next[i];
	}
	free(speaker->instances);
	speaker->instances = next;
	speaker->instance_count = count;
	next = NULL;
	/* Every instance is known before any starts (VIPs are not primaries). */
	for (i = 0; i < fresh_count; i++)
		instance_start(fresh[i]);
out:
	free(next);
	free(fresh);
	timer_arm(speaker);
}
