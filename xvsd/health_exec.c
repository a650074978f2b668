// SPDX-License-Identifier: GPL-2.0-only
/* exec checks: /bin/sh -c COMMAND in its own process group, watched through
 * a pidfd (no SIGCHLD handler); exit 0 is up; at the deadline the whole group
 * is killed. A command runs inside the service's namespace when it has one. */
#include "health_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "netns.h"

extern char **environ;

#define ENVIRONMENT_OWN 3

/* The daemon's environment without our names, then ours. */
static char **environment_build(const struct checker *checker, char own[][INET6_ADDRSTRLEN + 64])
{
	static const char *const names[ENVIRONMENT_OWN] = {
		"XVS_SERVICE=", "XVS_BACKEND_ADDRESS=", "XVS_BACKEND_PORT=",
	};
	size_t count = 0, kept = 0;
	char address[INET6_ADDRSTRLEN];
	char **environment;

	while (environ[count])
		count++;
	environment = calloc(count + ENVIRONMENT_OWN + 1, sizeof(*environment));
	if (!environment)
		return NULL;
	for (size_t i = 0; i < count; i++) {
		bool ours = false;

		for (int n = 0; n < ENVIRONMENT_OWN; n++)
			ours |= !strncmp(environ[i], names[n], strlen(names[n]));
		if (!ours)
			environment[kept++] = environ[i];
	}
	snprintf(own[0], sizeof(own[0]), "XVS_SERVICE=%s", checker->service);
	snprintf(own[1], sizeof(own[1]), "XVS_BACKEND_ADDRESS=%s",
		 inet_addr_format(&checker->backend_address, address, sizeof(address)));
	snprintf(own[2], sizeof(own[2]), "XVS_BACKEND_PORT=%u",
		 checker->backend_port ? checker->backend_port : checker->service_port);
	for (int n = 0; n < ENVIRONMENT_OWN; n++)
		environment[kept++] = own[n];
	return environment;
}

struct spawn {
	const char *command;
	char **environment;
	pid_t pid;
};

/* posix_spawn (no copy of the daemon's memory): a new process group,
 * default signals and mask, stdin and stdout on /dev/null (stderr stays:
 * the command's complaints reach the daemon's log). */
static int spawn_run(void *arg)
{
	struct spawn *spawn = arg;
	char *argv[] = { "sh", "-c", (char *)spawn->command, NULL };
	posix_spawn_file_actions_t actions;
	posix_spawnattr_t attributes;
	sigset_t all, none;
	int ret;

	sigfillset(&all);
	sigemptyset(&none);
	posix_spawn_file_actions_init(&actions);
	posix_spawnattr_init(&attributes);
	posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
						      POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attributes, 0);
	posix_spawnattr_setsigmask(&attributes, &none);
	posix_spawnattr_setsigdefault(&attributes, &all);
	ret = posix_spawn(&spawn->pid, "/bin/sh", &actions, &attributes, argv,
			  spawn->environment);
	posix_spawnattr_destroy(&attributes);
	posix_spawn_file_actions_destroy(&actions);
	return -ret;
}

int exec_run_start(struct checker *checker)
{
	char own[ENVIRONMENT_OWN][INET6_ADDRSTRLEN + 64];
	struct spawn spawn = { .command = checker->check.command };
	int ret;

	checker->phase = PHASE_EXEC;
	checker->pid = 0;
	if (checker->namespace_name[0] && checker->netns_fd < 0) {
		ret = netns_open(checker->namespace_name);
		if (ret < 0) {
			char detail[96];

			snprintf(detail, sizeof(detail), "namespace %s: %s",
				 checker->namespace_name, strerror(-ret));
			health_finish(checker, CHECK_FAIL_INTERNAL, detail);
			return 0;
		}
		checker->netns_fd = ret;
	}
	spawn.environment = environment_build(checker, own);
	if (!spawn.environment)
		return -ENOMEM;
	ret = netns_run(checker->netns_fd, spawn_run, &spawn);
	free(spawn.environment);
	if (ret < 0)
		return ret;
	checker->pid = spawn.pid;
	checker->fd = pidfd_open(spawn.pid, 0);
	if (checker->fd < 0)
		return -errno; /* exec_run_stop kills and reaps by pid */
	return health_watch(checker, checker->fd, EPOLLIN);
}

/* The group goes too: a check leaves no process behind. The leader is a
 * zombie until reaped, so its pid still names the group. */
static bool reap(int pidfd, pid_t pid, siginfo_t *info)
{
	kill(-pid, SIGKILL);
	memset(info, 0, sizeof(*info));
	if (pidfd >= 0)
		return waitid(P_PIDFD, (id_t)pidfd, info, WEXITED | WNOHANG) == 0 && info->si_pid;
	return waitpid(pid, NULL, WNOHANG) == pid;
}

void exec_run_event(struct checker *checker)
{
	char detail[96];
	siginfo_t info;

	if (!reap(checker->fd, checker->pid, &info))
		return;
	checker->pid = 0;
	if (info.si_code == CLD_EXITED && info.si_status == 0) {
		health_finish(checker, CHECK_FAIL_NONE, "exit status 0");
		return;
	}
	if (info.si_code == CLD_EXITED)
		snprintf(detail, sizeof(detail), "exit status %d", info.si_status);
	else
		snprintf(detail, sizeof(detail), "killed by signal %d", info.si_status);
	health_finish(checker, CHECK_FAIL_EXIT, detail);
}

static void orphan_add(struct health *health, int pidfd, pid_t pid)
{
	struct orphan *orphan = calloc(1, sizeof(*orphan));
	struct epoll_event event = { .events = EPOLLIN };

	if (pidfd < 0 || !orphan) {
		/* Without a pidfd: reaped by the next waitpid that finds it. */
		log_warnx("process %d killed, not reaped yet", (int)pid);
		free(orphan);
		if (pidfd >= 0)
			close(pidfd);
		return;
	}
	orphan->watch.kind = WATCH_ORPHAN;
	orphan->pidfd = pidfd;
	orphan->pid = pid;
	event.data.ptr = &orphan->watch;
	epoll_ctl(health->epoll_fd, EPOLL_CTL_ADD, pidfd, &event);
	orphan->next = health->orphans;
	health->orphans = orphan;
}

void exec_run_stop(struct checker *checker)
{
	siginfo_t info;

	if (checker->pid > 0 && !reap(checker->fd, checker->pid, &info)) {
		if (checker->fd >= 0 && checker->events)
			epoll_ctl(checker->health->epoll_fd, EPOLL_CTL_DEL, checker->fd, NULL);
		orphan_add(checker->health, checker->fd, checker->pid);
		checker->fd = -1;
	}
	if (checker->fd >= 0 && checker->events)
		epoll_ctl(checker->health->epoll_fd, EPOLL_CTL_DEL, checker->fd, NULL);
	if (checker->fd >= 0)
		close(checker->fd);
	checker->fd = -1;
	checker->events = 0;
	checker->pid = 0;
}

/* Reaped orphans are freed by exec_orphans_sweep, after the batch of events
 * that may still name them. */
void exec_orphan_reap(struct health *health, struct orphan *orphan)
{
	siginfo_t info;

	if (orphan->pidfd < 0 || !reap(orphan->pidfd, orphan->pid, &info))
		return;
	epoll_ctl(health->epoll_fd, EPOLL_CTL_DEL, orphan->pidfd, NULL);
	close(orphan->pidfd);
	orphan->pidfd = -1;
}

void exec_orphans_sweep(struct health *health)
{
	struct orphan **link = &health->orphans;

	while (*link) {
		struct orphan *orphan = *link;

		if (orphan->pidfd >= 0) {
			link = &orphan->next;
			continue;
		}
		*link = orphan->next;
		free(orphan);
	}
}

void exec_orphans_kill(struct health *health)
{
	while (health->orphans) {
		struct orphan *orphan = health->orphans;
		siginfo_t info;

		health->orphans = orphan->next;
		if (orphan->pidfd >= 0) {
			kill(-orphan->pid, SIGKILL);
			/* Killed: returns as soon as the kernel has torn it down. */
			waitid(P_PIDFD, (id_t)orphan->pidfd, &info, WEXITED);
			close(orphan->pidfd);
		}
		free(orphan);
	}
}
