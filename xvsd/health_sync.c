// SPDX-License-Identifier: GPL-2.0-only
/* The health engine's set of checks follows the running configuration: one
 * checker per backend of a service with a check, matched across reloads. */
#include "health_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

static int text_copy(char **to, const char *from)
{
	*to = from ? strdup(from) : NULL;
	return from && !*to ? -ENOMEM : 0;
}

static void check_release(struct config_check *check)
{
	free(check->path);
	free(check->host);
	free(check->body);
	free(check->query);
	free(check->send);
	free(check->secret);
	free(check->command);
	memset(check, 0, sizeof(*check));
}

static int check_copy(struct config_check *to, const struct config_check *from)
{
	int ret = 0;

	*to = *from;
	ret |= text_copy(&to->path, from->path);
	ret |= text_copy(&to->host, from->host);
	ret |= text_copy(&to->body, from->body);
	ret |= text_copy(&to->query, from->query);
	ret |= text_copy(&to->send, from->send);
	ret |= text_copy(&to->secret, from->secret);
	ret |= text_copy(&to->command, from->command);
	if (ret)
		check_release(to);
	return ret ? -ENOMEM : 0;
}

static bool text_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool check_same(const struct config_check *a, const struct config_check *b)
{
	return a->type == b->type && a->port == b->port && a->address_set == b->address_set &&
	       (!a->address_set || inet_addr_equal(&a->address, &b->address)) &&
	       text_same(a->path, b->path) && text_same(a->host, b->host) &&
	       text_same(a->body, b->body) && text_same(a->query, b->query) &&
	       text_same(a->send, b->send) && text_same(a->secret, b->secret) &&
	       text_same(a->command, b->command) && a->expect == b->expect &&
	       a->interval_ms == b->interval_ms && a->timeout_ms == b->timeout_ms &&
	       a->rise == b->rise && a->fall == b->fall;
}

/* Where the check goes: the check's address or the backend's; the port of
 * the backend's check_port, the check's port, the backend's, the service's. */
static void check_target(const struct config_service *service,
			 const struct config_backend *backend, struct inet_addr *target,
			 uint16_t *port)
{
	const struct config_check *check = &service->check;

	*target = check->address_set ? check->address : backend->addr;
	*port = backend->check_port  ? backend->check_port
		: check->port        ? check->port
		: backend->port      ? backend->port
				     : service->port;
}

static bool checker_is(const struct checker *checker, const struct config_service *service,
		       const struct config_backend *backend)
{
	return !strcmp(checker->service, service->name) &&
	       inet_addr_equal(&checker->backend_address, &backend->addr) &&
	       checker->backend_port == backend->port;
}

/* Whether the checker runs what the configuration asks now. */
static bool checker_current(const struct checker *checker, const struct config_service *service,
			    const struct config_backend *backend)
{
	struct inet_addr target;
	uint16_t port;

	check_target(service, backend, &target, &port);
	return check_same(&checker->check, &service->check) &&
	       inet_addr_equal(&checker->target, &target) && checker->target_port == port &&
	       checker->service_proto == service->proto &&
	       checker->service_port == (backend->port ? backend->port : service->port) &&
	       !strcmp(checker->namespace_name, service->namespace_name);
}

static int checker_configure(struct checker *checker, const struct config_service *service,
			     const struct config_backend *backend)
{
	int ret = check_copy(&checker->check, &service->check);

	if (ret)
		return ret;
	checker->protocol = check_protocol_of(service->check.type);
	check_target(service, backend, &checker->target, &checker->target_port);
	checker->service_port = backend->port ? backend->port : service->port;
	checker->service_proto = service->proto;
	if (strcmp(checker->namespace_name, service->namespace_name) && checker->netns_fd >= 0) {
		close(checker->netns_fd);
		checker->netns_fd = -1;
	}
	snprintf(checker->namespace_name, sizeof(checker->namespace_name), "%s",
		 service->namespace_name);
	return 0;
}

static struct checker *checker_create(struct health *health, const struct config_service *service,
				      const struct config_backend *backend)
{
	struct checker *checker = calloc(1, sizeof(*checker));

	if (!checker)
		return NULL;
	checker->watch.kind = WATCH_CHECKER;
	checker->health = health;
	checker->fd = -1;
	checker->netns_fd = -1;
	snprintf(checker->service, sizeof(checker->service), "%s", service->name);
	checker->backend_address = backend->addr;
	checker->backend_port = backend->port;
	checker->sequence = (uint32_t)random();
	if (checker_configure(checker, service, backend) || health_heap_push(health, checker)) {
		check_release(&checker->check);
		free(checker);
		return NULL;
	}
	return checker;
}

static void checker_destroy(struct health *health, struct checker *checker)
{
	health_run_abort(checker);
	health_heap_remove(health, checker);
	if (checker->netns_fd >= 0)
		close(checker->netns_fd);
	check_release(&checker->check);
	free(checker);
}

/* A service without a check: its backends are up as far as health goes. */
static void health_none(struct dataplane *dp, struct dp_service *service,
			struct dp_backend *backend)
{
	bool was_down = backend->health.down;

	if (!backend->health.checked && !was_down)
		return;
	memset(&backend->health, 0, sizeof(backend->health));
	if (!was_down)
		return;
	backend->since = time(NULL);
	log_info("service %s: backend %s: no check any more: down -> up", service->conf->name,
		 inet_addr_port_format(&backend->conf->addr,
				       backend->conf->port ? backend->conf->port
							   : service->conf->port,
				       (char[INET_ADDRPORT_STRLEN]){ 0 }, INET_ADDRPORT_STRLEN));
	dataplane__backend_health_apply(dp, service, backend);
}

static struct checker *checker_find(struct health *health, const struct config_service *service,
				    const struct config_backend *backend)
{
	for (size_t i = 0; i < health->checker_count; i++)
		if (!health->checkers[i]->visited &&
		    checker_is(health->checkers[i], service, backend))
			return health->checkers[i];
	return NULL;
}

/* The checker of one backend, made or brought up to date; *fresh tells
 * whether its schedule starts anew. */
static struct checker *checker_sync(struct health *health, struct dp_service *service,
				    struct dp_backend *backend, bool *fresh)
{
	const struct config_service *conf = service->conf;
	struct checker *checker = checker_find(health, conf, backend->conf);

	*fresh = true;
	if (!checker) {
		checker = checker_create(health, conf, backend->conf);
		if (checker)
			backend_health_restart(&backend->health, true);
	} else if (!checker_current(checker, conf, backend->conf)) {
		health_run_abort(checker);
		check_release(&checker->check);
		if (checker_configure(checker, conf, backend->conf))
			return NULL; /* unvisited: health__sync destroys it */
		backend_health_restart(&backend->health, false);
	} else {
		*fresh = false;
	}
	if (checker) {
		checker->backend_id = backend->id;
		checker->visited = true;
	}
	return checker;
}

/* Fresh schedules spread over their interval, in configuration order. */
static void schedules_spread(struct checker **fresh, size_t count)
{
	uint64_t now = health_now_ns();

	for (size_t i = 0; i < count; i++) {
		uint64_t interval = (uint64_t)fresh[i]->check.interval_ms * 1000000ULL;

		fresh[i]->scheduled_ns = now + health_spread(interval, i, count);
		health_heap_update(fresh[i], fresh[i]->scheduled_ns);
	}
}

void health__sync(struct health *health)
{
	struct dataplane *dp = health->daemon->dataplane;
	size_t total = 0, kept_count = 0, fresh_count = 0;
	struct checker **kept, **fresh;
	bool is_fresh;

	for (size_t s = 0; s < dataplane__service_count(dp); s++)
		total += dataplane__service(dp, s)->backend_count;
	kept = calloc(total + 1, sizeof(*kept));
	fresh = calloc(total + 1, sizeof(*fresh));
	if (!kept || !fresh) {
		log_warnx("out of memory: checks not updated");
		goto out;
	}
	for (size_t i = 0; i < health->checker_count; i++)
		health->checkers[i]->visited = false;
	for (size_t s = 0; s < dataplane__service_count(dp); s++) {
		struct dp_service *service = dataplane__service(dp, s);

		for (size_t b = 0; b < service->backend_count; b++) {
			struct dp_backend *backend = &service->backends[b];
			struct checker *checker;

			if (service->conf->check.type == CHECK_NONE) {
				health_none(dp, service, backend);
				continue;
			}
			checker = checker_sync(health, service, backend, &is_fresh);
			if (!checker) {
				log_warnx("service %s: out of memory: a backend is not checked",
					  service->conf->name);
				continue;
			}
			kept[kept_count++] = checker;
			if (is_fresh)
				fresh[fresh_count++] = checker;
		}
	}
	for (size_t i = 0; i < health->checker_count; i++)
		if (!health->checkers[i]->visited)
			checker_destroy(health, health->checkers[i]);
	free(health->checkers);
	health->checkers = kept;
	health->checker_count = kept_count;
	kept = NULL;
	schedules_spread(fresh, fresh_count);
	health->stats.checkers = health->checker_count;
	health_timer_arm(health);
out:
	free(kept);
	free(fresh);
}

int health__open(struct daemon *daemon, struct health **out)
{
	struct health *health = calloc(1, sizeof(*health));
	struct epoll_event event = { .events = EPOLLIN };
	int ret = -ENOMEM;

	if (!health)
		return ret;
	health->daemon = daemon;
	health->timer_watch.kind = WATCH_TIMER;
	health->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	health->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	event.data.ptr = &health->timer_watch;
	if (health->epoll_fd < 0 || health->timer_fd < 0 ||
	    epoll_ctl(health->epoll_fd, EPOLL_CTL_ADD, health->timer_fd, &event)) {
		ret = -errno;
		log_warn("health checks");
		goto fail;
	}
	/* https fails its checks (counted, logged once) rather than the daemon. */
	health->tls = socket_tls_context();
	srandom((unsigned int)health_now_ns());
	health__sync(health);
	*out = health;
	return 0;
fail:
	health__close(health);
	return ret;
}

void health__close(struct health *health)
{
	if (!health)
		return;
	for (size_t i = 0; i < health->checker_count; i++)
		checker_destroy(health, health->checkers[i]);
	free(health->checkers);
	exec_orphans_kill(health);
	free(health->heap);
	if (health->tls)
		SSL_CTX_free(health->tls);
	if (health->timer_fd >= 0)
		close(health->timer_fd);
	if (health->epoll_fd >= 0)
		close(health->epoll_fd);
	free(health);
}
