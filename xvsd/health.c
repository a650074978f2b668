// SPDX-License-Identifier: GPL-2.0-only
/* The health-check engine: one epoll descriptor for the daemon's loop, a
 * timer heap ordered by deadline, and each check's result into its backend. */
#include "health_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "netns.h"

/* Work done in one health__run, so the API and VRRP get their turn. */
#define RUN_EVENTS_MAX 64
#define RUN_STARTS_MAX 64

const double health_lateness_bounds[HEALTH_LATENESS_BUCKETS] = {
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 1,
};

uint64_t health_now_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
}

const char *health_address(const struct checker *checker, char *buffer, size_t size)
{
	return inet_addr_port_format(&checker->backend_address,
				     checker->backend_port ? checker->backend_port
							   : checker->service_port,
				     buffer, size);
}

/* The timer heap: the checker due first on top. */
static void heap_swap(struct health *health, size_t a, size_t b)
{
	struct checker *swap = health->heap[a];

	health->heap[a] = health->heap[b];
	health->heap[b] = swap;
	health->heap[a]->heap_index = a;
	health->heap[b]->heap_index = b;
}

static void heap_up(struct health *health, size_t index)
{
	while (index > 0) {
		size_t parent = (index - 1) / 2;

		if (health->heap[parent]->due_ns <= health->heap[index]->due_ns)
			break;
		heap_swap(health, parent, index);
		index = parent;
	}
}

static void heap_down(struct health *health, size_t index)
{
	for (;;) {
		size_t smallest = index, left = 2 * index + 1, right = left + 1;

		if (left < health->heap_count &&
		    health->heap[left]->due_ns < health->heap[smallest]->due_ns)
			smallest = left;
		if (right < health->heap_count &&
		    health->heap[right]->due_ns < health->heap[smallest]->due_ns)
			smallest = right;
		if (smallest == index)
			return;
		heap_swap(health, index, smallest);
		index = smallest;
	}
}

int health_heap_push(struct health *health, struct checker *checker)
{
	if (health->heap_count == health->heap_capacity) {
		size_t capacity = health->heap_capacity ? 2 * health->heap_capacity : 64;
		struct checker **heap = realloc(health->heap, capacity * sizeof(*heap));

		if (!heap)
			return -ENOMEM;
		health->heap = heap;
		health->heap_capacity = capacity;
	}
	checker->heap_index = health->heap_count;
	health->heap[health->heap_count++] = checker;
	heap_up(health, checker->heap_index);
	return 0;
}

void health_heap_remove(struct health *health, struct checker *checker)
{
	size_t index = checker->heap_index, last = health->heap_count - 1;

	if (index != last) {
		heap_swap(health, index, last);
		health->heap_count--;
		heap_down(health, index);
		heap_up(health, index);
	} else {
		health->heap_count--;
	}
}

void health_heap_update(struct checker *checker, uint64_t due_ns)
{
	checker->due_ns = due_ns;
	heap_down(checker->health, checker->heap_index);
	heap_up(checker->health, checker->heap_index);
}

/* Arms the timer for the checker due first (a past time fires at once). */
void health_timer_arm(struct health *health)
{
	struct itimerspec when = { 0 };
	uint64_t due = health->heap_count ? health->heap[0]->due_ns : 0;

	if (due == health->armed_ns)
		return;
	if (due) {
		when.it_value.tv_sec = (time_t)(due / 1000000000ULL);
		when.it_value.tv_nsec = (long)(due % 1000000000ULL);
	}
	if (timerfd_settime(health->timer_fd, TFD_TIMER_ABSTIME, &when, NULL))
		log_warn("timerfd_settime");
	health->armed_ns = due;
}

int health_watch(struct checker *checker, int fd, uint32_t events)
{
	struct epoll_event event = { .events = events, .data.ptr = &checker->watch };
	int op = !events ? EPOLL_CTL_DEL : checker->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

	if (events == checker->events)
		return 0;
	if (epoll_ctl(checker->health->epoll_fd, op, fd, events ? &event : NULL))
		return -errno;
	checker->events = events;
	return 0;
}

static void lateness_record(struct health_stats *stats, uint64_t late_ns)
{
	uint64_t late_us = late_ns / 1000;
	size_t bucket = 0;

	while (bucket < HEALTH_LATENESS_BUCKETS &&
	       (double)late_ns / 1e9 > health_lateness_bounds[bucket])
		bucket++;
	stats->lateness_buckets[bucket]++;
	stats->lateness_sum_us += late_us;
	if (late_us > stats->lateness_max_us)
		stats->lateness_max_us = late_us;
}

static void run_start(struct checker *checker, uint64_t now)
{
	struct health *health = checker->health;
	uint64_t interval = (uint64_t)checker->check.interval_ms * 1000000ULL;
	uint64_t next = health_next_start(checker->scheduled_ns, interval, now);
	int ret;

	lateness_record(&health->stats, now - checker->scheduled_ns);
	if (next > checker->scheduled_ns + interval)
		health->stats.skipped++;
	checker->scheduled_ns = next;
	checker->started_ns = now;
	checker->fd = -1;
	health->stats.started++;
	health->stats.running++;
	health_heap_update(checker, now + (uint64_t)checker->check.timeout_ms * 1000000ULL);
	ret = checker->protocol ? socket_run_start(checker) : exec_run_start(checker);
	if (ret < 0 && checker->phase != PHASE_IDLE) {
		char detail[96];

		snprintf(detail, sizeof(detail), "%s", strerror(-ret));
		health_finish(checker, CHECK_FAIL_INTERNAL, detail);
	}
}

/* Stops the run in flight without a result (reload, shutdown). */
void health_run_abort(struct checker *checker)
{
	if (checker->phase == PHASE_IDLE)
		return;
	if (checker->protocol)
		socket_run_stop(checker);
	else
		exec_run_stop(checker);
	checker->phase = PHASE_IDLE;
	checker->health->stats.running--;
}

static void transition_log(const struct checker *checker, const struct backend_health *state,
			   int change)
{
	char address[INET_ADDRPORT_STRLEN];
	const char *result = check_failure_name(state->last_result);

	health_address(checker, address, sizeof(address));
	if (change < 0)
		log_warnx("service %s: backend %s: up -> down (%s%s%s; %u consecutive failures)",
			  checker->service, address, result, state->detail[0] ? ": " : "",
			  state->detail, state->failures);
	else
		log_info("service %s: backend %s: down -> up (%u consecutive successes)",
			 checker->service, address, state->successes);
}

/* A result into the backend's state; a change reaches the data plane. */
static void result_apply(struct checker *checker, enum check_failure result, const char *detail,
			 uint64_t duration_us)
{
	struct dataplane *dp = checker->health->daemon->dataplane;
	struct dp_service *service;
	struct dp_backend *backend = dataplane__backend_of(dp, checker->backend_id, &service);
	char address[INET_ADDRPORT_STRLEN];
	int change;

	if (!backend)
		return;
	change = backend_health_record(&backend->health, checker->check.rise, checker->check.fall,
				       result, duration_us, detail, time(NULL));
	log_debug("service %s: backend %s: check %s: %s%s%s in %llu us", checker->service,
		  health_address(checker, address, sizeof(address)),
		  checker->protocol ? checker->protocol->name : "exec", check_failure_name(result),
		  detail && detail[0] ? ": " : "", detail ? detail : "",
		  (unsigned long long)duration_us);
	if (!change)
		return;
	backend->since = backend->health.since;
	transition_log(checker, &backend->health, change);
	if (dataplane__backend_health_apply(dp, service, backend))
		log_warnx("service %s: backend %s: data plane update failed", checker->service,
			  address);
}

void health_finish(struct checker *checker, enum check_failure result, const char *detail)
{
	uint64_t duration_us = (health_now_ns() - checker->started_ns) / 1000;

	health_run_abort(checker);
	result_apply(checker, result, detail, duration_us);
	health_heap_update(checker, checker->scheduled_ns);
}

static void run_timeout(struct checker *checker)
{
	char detail[96];

	if (checker->protocol)
		socket_run_timeout(checker, detail, sizeof(detail));
	else
		snprintf(detail, sizeof(detail), "killed after %u ms", checker->check.timeout_ms);
	health_finish(checker, CHECK_FAIL_TIMEOUT, detail);
}

static void timers_expire(struct health *health)
{
	uint64_t now = health_now_ns();

	for (int budget = RUN_STARTS_MAX; budget > 0 && health->heap_count; budget--) {
		struct checker *checker = health->heap[0];

		if (checker->due_ns > now)
			break;
		if (checker->phase != PHASE_IDLE)
			run_timeout(checker);
		else
			run_start(checker, now);
	}
	health_timer_arm(health);
}

void health__run(struct health *health)
{
	struct epoll_event events[RUN_EVENTS_MAX];
	uint64_t expirations;
	int count;

	if (!health)
		return;
	count = epoll_wait(health->epoll_fd, events, RUN_EVENTS_MAX, 0);
	for (int i = 0; i < count; i++) {
		struct watch *watch = events[i].data.ptr;
		struct checker *checker = (struct checker *)watch;

		switch (watch->kind) {
		case WATCH_TIMER:
			if (read(health->timer_fd, &expirations, sizeof(expirations)) < 0 &&
			    errno != EAGAIN)
				log_warn("timerfd");
			health->armed_ns = 0;
			break;
		case WATCH_ORPHAN:
			exec_orphan_reap(health, (struct orphan *)watch);
			break;
		case WATCH_CHECKER:
			if (checker->phase == PHASE_EXEC)
				exec_run_event(checker);
			else if (checker->phase != PHASE_IDLE)
				socket_run_event(checker, events[i].events);
			break;
		}
	}
	exec_orphans_sweep(health);
	timers_expire(health);
}

int health__fd(const struct health *health)
{
	return health->epoll_fd;
}

const struct health_stats *health__stats(const struct health *health)
{
	return &health->stats;
}
