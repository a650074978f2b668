/* SPDX-License-Identifier: GPL-2.0-only */
/* What the health engine's files share (health.c: scheduling and results;
 * health_socket.c: network checks and TLS; health_exec.c: commands). */
#ifndef XVSD_HEALTH_INTERNAL_H
#define XVSD_HEALTH_INTERNAL_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "check.h"
#include "config.h"
#include "health.h"

/* Request bytes a protocol may build. */
#define HEALTH_REQUEST_MAX 4096
/* Datagrams read in one check before the replies count as garbage. */
#define HEALTH_DATAGRAMS_MAX 64

/* What an epoll event's data.ptr points to. */
enum watch_kind { WATCH_TIMER, WATCH_CHECKER, WATCH_ORPHAN };
struct watch {
	enum watch_kind kind;
};

enum run_phase {
	PHASE_IDLE = 0, PHASE_CONNECT, PHASE_HANDSHAKE, PHASE_SEND, PHASE_RECEIVE, PHASE_EXEC,
};

/* One backend's check: what to run, when, and the run in flight. */
struct checker {
	struct watch watch;
	struct health *health;
	/* which backend: service name and the backend line's address and port */
	char service[CONFIG_NAME_MAX];
	struct inet_addr backend_address;
	uint16_t backend_port;           /* as configured; 0: the service's */
	uint32_t backend_id;
	/* what to run (a copy: reloads free the configuration) */
	struct config_check check;
	const struct check_protocol *protocol; /* NULL: exec */
	struct inet_addr target;
	uint16_t target_port;
	uint16_t service_port;           /* the backend's port for exec's environment */
	uint8_t service_proto;
	char namespace_name[CONFIG_NAME_MAX];
	int netns_fd;                    /* opened at the first run; -1 */
	/* when */
	uint64_t scheduled_ns;           /* this run's (or the next run's) start */
	uint64_t due_ns;                 /* heap key: start, or the run's deadline */
	size_t heap_index;
	bool visited;                    /* health__sync's mark */
	/* the run in flight */
	enum run_phase phase;
	uint64_t started_ns;
	int fd;                          /* socket or pidfd; -1 */
	uint32_t events;                 /* registered with epoll; 0: not */
	pid_t pid;
	SSL *ssl;
	struct check_context context;
	uint8_t *request;
	size_t request_length, request_sent;
	uint8_t *reply;
	size_t reply_length, reply_capacity;
	unsigned int datagrams;
	uint32_t sequence;
};

/* A killed command not reaped yet. */
struct orphan {
	struct watch watch;
	struct orphan *next;
	int pidfd;
	pid_t pid;
};

struct health {
	struct daemon *daemon;
	int epoll_fd, timer_fd;
	struct watch timer_watch;
	struct checker **heap;           /* by due_ns, smallest first */
	size_t heap_count, heap_capacity;
	struct checker **checkers;
	size_t checker_count;
	struct orphan *orphans;
	SSL_CTX *tls;
	uint64_t armed_ns;               /* timer_fd's expiry; 0: disarmed */
	struct health_stats stats;
};

/* health.c */
uint64_t health_now_ns(void);
int health_heap_push(struct health *health, struct checker *checker);
void health_heap_remove(struct health *health, struct checker *checker);
void health_heap_update(struct checker *checker, uint64_t due_ns);
void health_timer_arm(struct health *health);
/* Stops the run in flight without a result (reload, shutdown). */
void health_run_abort(struct checker *checker);
/* Registers fd for events (0: removes it) under the checker's watch. */
int health_watch(struct checker *checker, int fd, uint32_t events);
/* Ends the run in flight with result (CHECK_FAIL_NONE: up). */
void health_finish(struct checker *checker, enum check_failure result, const char *detail);
const char *health_address(const struct checker *checker, char *buffer, size_t size);

/* health_socket.c */
int socket_run_start(struct checker *checker);
void socket_run_event(struct checker *checker, uint32_t events);
void socket_run_timeout(struct checker *checker, char *detail, size_t size);
void socket_run_stop(struct checker *checker);
SSL_CTX *socket_tls_context(void);

/* health_exec.c */
int exec_run_start(struct checker *checker);
void exec_run_event(struct checker *checker);
/* Kills the command; what is not reaped at once becomes an orphan. */
void exec_run_stop(struct checker *checker);
void exec_orphan_reap(struct health *health, struct orphan *orphan);
void exec_orphans_sweep(struct health *health);
void exec_orphans_kill(struct health *health);

#endif
