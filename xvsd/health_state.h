/* SPDX-License-Identifier: GPL-2.0-only */
/* A backend's health as its checks found it: the rise/fall state machine,
 * the counters the API and /metrics show, and the scheduling arithmetic. */
#ifndef XVSD_HEALTH_STATE_H
#define XVSD_HEALTH_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "check.h"

/* Upper bounds (seconds) of xvs_health_check_duration_seconds' buckets. */
#define HEALTH_DURATION_BUCKETS 12
extern const double health_duration_bounds[HEALTH_DURATION_BUCKETS];

struct backend_health {
	bool checked;                 /* the service has a check (else always up) */
	bool down;                    /* failed: out of scheduling */
	bool decided;                 /* a result came since the check started */
	time_t since;                 /* last change of down (wall clock) */
	time_t last_check;            /* wall clock of the last result; 0: none yet */
	enum check_failure last_result;
	char detail[96];              /* the last result's words */
	uint64_t latency_us;          /* duration of the last check */
	uint32_t successes, failures; /* consecutive */
	uint64_t checks, failed;      /* results, failed results */
	uint64_t results[CHECK_FAIL__COUNT]; /* by result, CHECK_FAIL_NONE = ok */
	uint64_t changes;             /* transitions up <-> down */
	uint64_t duration_buckets[HEALTH_DURATION_BUCKETS + 1]; /* last: +Inf */
	uint64_t duration_sum_us;
};

/* A check (re)starts: with first_decides the next result alone sets the
 * state (daemon start, adoption, a new backend); otherwise the state stays
 * and rise/fall count from zero (a changed check on reload). */
void backend_health_restart(struct backend_health *health, bool first_decides);
/* Records one result. Returns +1 when the backend came up, -1 when it went
 * down, 0 when its state stayed. */
int backend_health_record(struct backend_health *health, uint32_t rise, uint32_t fall,
			  enum check_failure result, uint64_t duration_us, const char *detail,
			  time_t now);

/* The start after scheduled: one interval later, or the first slot of the
 * same grid still ahead of now when checks fell behind (no backlog, and
 * lateness never accumulates). */
uint64_t health_next_start(uint64_t scheduled_ns, uint64_t interval_ns, uint64_t now_ns);
/* Offset of the index-th of count checks starting together, spread evenly
 * over one interval (no thundering herd). */
uint64_t health_spread(uint64_t interval_ns, size_t index, size_t count);

#endif
