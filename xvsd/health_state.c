// SPDX-License-Identifier: GPL-2.0-only
/* A backend's health as its checks found it: the rise/fall state machine,
 * the counters the API and /metrics show, and the scheduling arithmetic. */
#include "health_state.h"

#include <stdio.h>
#include <string.h>

const double health_duration_bounds[HEALTH_DURATION_BUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
};

void backend_health_restart(struct backend_health *health, bool first_decides)
{
	health->checked = true;
	health->successes = 0;
	health->failures = 0;
	if (first_decides)
		health->decided = false;
}

static void duration_record(struct backend_health *health, uint64_t duration_us)
{
	size_t bucket = 0;

	while (bucket < HEALTH_DURATION_BUCKETS &&
	       (double)duration_us / 1e6 > health_duration_bounds[bucket])
		bucket++;
	health->duration_buckets[bucket]++;
	health->duration_sum_us += duration_us;
	health->latency_us = duration_us;
}

int backend_health_record(struct backend_health *health, uint32_t rise, uint32_t fall,
			  enum check_failure result, uint64_t duration_us, const char *detail,
			  time_t now)
{
	bool first = !health->decided;
	int change = 0;

	if ((unsigned int)result >= CHECK_FAIL__COUNT)
		result = CHECK_FAIL_INTERNAL;
	health->checks++;
	health->results[result]++;
	health->last_result = result;
	health->last_check = now;
	health->decided = true;
	snprintf(health->detail, sizeof(health->detail), "%s", detail ? detail : "");
	duration_record(health, duration_us);
	if (result == CHECK_FAIL_NONE) {
		health->failures = 0;
		if (health->successes < UINT32_MAX)
			health->successes++;
		if (health->down && (first || health->successes >= rise))
			change = 1;
	} else {
		health->failed++;
		health->successes = 0;
		if (health->failures < UINT32_MAX)
			health->failures++;
		if (!health->down && (first || health->failures >= fall))
			change = -1;
	}
	if (change) {
		health->down = change < 0;
		health->since = now;
		health->changes++;
	}
	return change;
}

uint64_t health_next_start(uint64_t scheduled_ns, uint64_t interval_ns, uint64_t now_ns)
{
	uint64_t next = scheduled_ns + interval_ns;

	if (interval_ns == 0)
		return now_ns;
	if (next < now_ns)
		next += (now_ns - next + interval_ns - 1) / interval_ns * interval_ns;
	return next;
}

uint64_t health_spread(uint64_t interval_ns, size_t index, size_t count)
{
	if (count == 0 || index >= count)
		return 0;
	return (uint64_t)((unsigned __int128)interval_ns * index / count);
}
