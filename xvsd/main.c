// SPDX-License-Identifier: GPL-2.0-only
/* xvsd, the daemon: reads the configuration, loads and attaches the data
 * plane, serves the API, and undoes everything it did when told to stop. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "api.h"
#include "config.h"
#include "daemon.h"
#include "dataplane.h"
#include "health.h"
#include "interface.h"
#include "log.h"
#include "stats.h"

#define TICK_MS 100

static void usage(FILE *out)
{
	fprintf(out,
		"usage: xvsd [-f FILE] [-t] [-d] [-V]\n"
		"  -f FILE  configuration file (default " CONFIG_DEFAULT_FILE ")\n"
		"  -t       check the configuration and exit\n"
		"  -d       debug logging\n"
		"  -V       print the version and exit\n");
}

/* Holds run_dir for this daemon; a second daemon on the same run_dir fails.
 * *created tells whether run_dir was made here (and so is removed at exit). */
static int run_dir_lock(const char *run_dir, bool *created)
{
	char path[512];
	int fd;

	*created = mkdir(run_dir, 0755) == 0;
	if (!*created && errno != EEXIST) {
		log_error("run_dir %s: %s", run_dir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/xvsd.lock", run_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		char pid[32] = "";
		ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);

		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		log_error("another xvsd (pid %s) is running with run_dir %s",
			  pid[0] ? pid : "?", run_dir);
		close(fd);
		return -1;
	}
	if (ftruncate(fd, 0) == 0)
		dprintf(fd, "%d\n", (int)getpid());
	return fd;
}

static int signals_open(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int ticker_open(void)
{
	struct itimerspec interval = {
		.it_interval = { .tv_nsec = TICK_MS * 1000000L },
		.it_value = { .tv_nsec = TICK_MS * 1000000L },
	};
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd >= 0)
		timerfd_settime(fd, 0, &interval, NULL);
	return fd;
}

static int epoll_watch(int epoll_fd, int fd)
{
	struct epoll_event event = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event);
}

static uint64_t monotonic_us(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000ULL + (uint64_t)now.tv_nsec / 1000;
}

_Static_assert(LOOP_TURN_BUCKETS == HEALTH_LATENESS_BUCKETS, "loop turn buckets");

static void loop_turn_record(struct loop_stats *stats, uint64_t took_us)
{
	size_t bucket = 0;

	while (bucket < LOOP_TURN_BUCKETS &&
	       (double)took_us / 1e6 > health_lateness_bounds[bucket])
		bucket++;
	stats->buckets[bucket]++;
	stats->turns++;
	stats->sum_us += took_us;
	if (took_us > stats->longest_us)
		stats->longest_us = took_us;
}

/* Returns true to keep running. */
static bool signal_handle(struct daemon *daemon, int fd)
{
	struct signalfd_siginfo info;

	while (read(fd, &info, sizeof(info)) == sizeof(info)) {
		if (info.ssi_signo == SIGHUP) {
			daemon__reload(daemon);
			continue;
		}
		log_info("signal %u: stopping", info.ssi_signo);
		return false;
	}
	return true;
}

static int event_loop(struct daemon *daemon, struct api *api)
{
	int epoll_fd, signal_fd, tick_fd, vrrp_fd, upkeep_fd, route_fd, api_fds[2], api_count;
	int ret = 0;
	unsigned int ticks = 0;
	bool running = true;

	epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	signal_fd = signals_open();
	tick_fd = ticker_open();
	if (epoll_fd < 0 || signal_fd < 0 || tick_fd < 0 || epoll_watch(epoll_fd, signal_fd) ||
	    epoll_watch(epoll_fd, tick_fd)) {
		log_warn("event loop");
		ret = -1;
		goto out;
	}
	vrrp_fd = vrrp__fd(daemon->vrrp);
	epoll_watch(epoll_fd, vrrp_fd);
	upkeep_fd = dataplane__upkeep_fd(daemon->dataplane);
	epoll_watch(epoll_fd, upkeep_fd);
	api_count = api__fds(api, api_fds, 2);
	for (int i = 0; i < api_count; i++)
		epoll_watch(epoll_fd, api_fds[i]);
	if (daemon->health)
		epoll_watch(epoll_fd, health__fd(daemon->health));
	route_fd = dataplane__route_fd(daemon->dataplane);
	if (route_fd >= 0)
		epoll_watch(epoll_fd, route_fd);
	sd_notify(0, "READY=1");
	log_info("ready: %zu services", daemon->config->service_count);
	while (running) {
		struct epoll_event events[8];
		uint64_t turn_started;
		/* The API may have work without a readable socket (a response
		 * streamed in steps): it says so by a timeout of 0. */
		int n = epoll_wait(epoll_fd, events, 8, api__timeout(api));

		if (n < 0 && errno != EINTR) {
			log_warn("epoll_wait");
			ret = -1;
			break;
		}
		turn_started = monotonic_us();
		if (n == 0)
			api__run(api);
		for (int i = 0; i < n; i++) {
			int fd = events[i].data.fd;
			uint64_t expirations;

			if (fd == signal_fd) {
				running = signal_handle(daemon, fd);
			} else if (fd == vrrp_fd) {
				vrrp__run(daemon->vrrp);
			} else if (fd == upkeep_fd) {
				dataplane__upkeep(daemon->dataplane);
			} else if (fd == tick_fd) {
				if (read(fd, &expirations, sizeof(expirations)) < 0)
					continue;
				dataplane__tick(daemon->dataplane);
				if (ticks++ % (ESTIMATOR_INTERVAL_MS / TICK_MS) == 0)
					stats__estimate(daemon);
				api__run(api); /* connection timeouts */
			} else if (fd == route_fd) {
				dataplane__route_run(daemon->dataplane);
			} else if (daemon->health && fd == health__fd(daemon->health)) {
				health__run(daemon->health);
			} else {
				api__run(api);
			}
		}
		loop_turn_record(&daemon->loop, monotonic_us() - turn_started);
	}
	sd_notify(0, "STOPPING=1");
out:
	if (tick_fd >= 0)
		close(tick_fd);
	if (signal_fd >= 0)
		close(signal_fd);
	if (epoll_fd >= 0)
		close(epoll_fd);
	return ret;
}

/* Leaves run_dir as it was found: the lock file goes (while still held, so
 * no other daemon can have taken it), and the directory if it was made here. */
static void run_dir_unlock(const char *run_dir, int lock_fd, bool created)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/xvsd.lock", run_dir);
	unlink(path);
	close(lock_fd);
	if (created)
		rmdir(run_dir); /* fails, harmlessly, if something else lives there */
}

static int daemon_run(struct daemon *daemon)
{
	struct api *api = NULL;
	char error[512];
	bool run_dir_created;
	int lock_fd, ret;

	lock_fd = run_dir_lock(daemon->config->global.run_dir, &run_dir_created);
	if (lock_fd < 0)
		return 1;
	/* Interfaces first: the data plane attaches to them. */
	ret = interfaces__open(daemon->config, &daemon->interfaces, error, sizeof(error));
	if (ret) {
		log_error("%s", error);
		goto out;
	}
	ret = dataplane__open(daemon->config, &daemon->dataplane);
	if (ret)
		goto out;
	interfaces__prune(daemon->interfaces, NULL, daemon->config);
	ret = vrrp__open(daemon->config, &daemon->vrrp);
	if (ret)
		goto out;
	ret = api__open(daemon, &api);
	if (ret)
		goto out;
	ret = health__open(daemon, &daemon->health);
	if (ret)
		goto out;
	ret = event_loop(daemon, api);
out:
	health__close(daemon->health);
	daemon->health = NULL;
	api__close(api);
	vrrp__close(daemon->vrrp);
	daemon->vrrp = NULL;
	dataplane__close(daemon->dataplane);
	daemon->dataplane = NULL;
	interfaces__close(daemon->interfaces, daemon->config);
	daemon->interfaces = NULL;
	run_dir_unlock(daemon->config->global.run_dir, lock_fd, run_dir_created);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct daemon daemon = { .config_path = CONFIG_DEFAULT_FILE };
	enum log_level level = LOG_LEVEL_INFO;
	bool check_only = false;
	int errors = 0, opt, ret;

	while ((opt = getopt(argc, argv, "f:tdVh")) != -1) {
		switch (opt) {
		case 'f':
			daemon.config_path = optarg;
			break;
		case 't':
			check_only = true;
			break;
		case 'd':
			level = LOG_LEVEL_DEBUG;
			break;
		case 'V':
			printf("xvsd %s\n", XVS_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("xvsd", level);
	daemon.config = config_load(daemon.config_path, stderr, &errors);
	if (!daemon.config)
		return 1;
	if (check_only) {
		printf("%s: configuration ok\n", daemon.config_path);
		config_free(daemon.config);
		return 0;
	}
	daemon.started = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &daemon.started_monotonic);
	ret = daemon_run(&daemon);
	config_free(daemon.config);
	free(daemon.last_reload_errors);
	return ret;
}
