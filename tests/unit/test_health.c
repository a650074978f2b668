// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the health state machine (rise, fall, the first result after
 * a start, a restart on reload, counters) and the check schedule arithmetic;
 * and of the tcp and udp check protocols. */
#include <sys/socket.h>

#include "health_state.h"
#include "test.h"

#define MS 1000000ULL

static int record(struct backend_health *health, enum check_failure result)
{
	return backend_health_record(health, 2, 3, result, 1500, "why", 1000);
}

static void test_first_result_decides(void)
{
	struct backend_health health = { 0 };

	/* A new backend starts up; its first failure takes it down at once. */
	backend_health_restart(&health, true);
	TEST_CHECK(!health.down);
	TEST_CHECK(record(&health, CHECK_FAIL_REFUSED) == -1);
	TEST_CHECK(health.down && health.since == 1000 && health.changes == 1);
	/* Then rise applies: two successes. */
	TEST_CHECK(record(&health, CHECK_FAIL_NONE) == 0 && health.down);
	TEST_CHECK(record(&health, CHECK_FAIL_NONE) == 1 && !health.down);
	/* Adopted down: the first success brings it up. */
	health = (struct backend_health){ .down = true };
	backend_health_restart(&health, true);
	TEST_CHECK(record(&health, CHECK_FAIL_NONE) == 1 && !health.down);
}

static void test_fall_and_rise(void)
{
	struct backend_health health = { 0 };

	backend_health_restart(&health, true);
	TEST_CHECK(record(&health, CHECK_FAIL_NONE) == 0);
	TEST_CHECK(record(&health, CHECK_FAIL_TIMEOUT) == 0);
	TEST_CHECK(record(&health, CHECK_FAIL_TIMEOUT) == 0);
	/* A success in between starts the count again. */
	TEST_CHECK(record(&health, CHECK_FAIL_NONE) == 0 && health.failures == 0);
	TEST_CHECK(record(&health, CHECK_FAIL_TIMEOUT) == 0);
	TEST_CHECK(record(&health, CHECK_FAIL_GARBAGE) == 0);
	TEST_CHECK(record(&health, CHECK_FAIL_TIMEOUT) == -1 && health.down);
	TEST_CHECK(health.failures == 3 && health.successes == 0);
	TEST_CHECK(record(&health, CHECK_FAIL_TIMEOUT) == 0 && health.failures == 4);
	TEST_CHECK(record(&health, CHECK_FAIL_NONE) == 0);
	TEST_CHECK(record(&health, CHECK_FAIL_NONE) == 1 && !health.down);
	TEST_CHECK(health.checks == 10 && health.failed == 6);
	TEST_CHECK(health.results[CHECK_FAIL_TIMEOUT] == 5 &&
		   health.results[CHECK_FAIL_GARBAGE] == 1 && health.results[CHECK_FAIL_NONE] == 4);
	TEST_CHECK(health.changes == 2);
	TEST_CHECK_STR(health.detail, "why");
	TEST_CHECK(health.latency_us == 1500 && health.duration_sum_us == 15000);
}

static void test_restart_keeps_state(void)
{
	struct backend_health health = { 0 };

	backend_health_restart(&health, true);
	record(&health, CHECK_FAIL_REFUSED);
	TEST_CHECK(health.down);
	/* A changed check on reload: still down, rise counts from zero. */
	record(&health, CHECK_FAIL_NONE);
	backend_health_restart(&health, false);
	TEST_CHECK(health.down && health.successes == 0);
	TEST_CHECK(record(&health, CHECK_FAIL_NONE) == 0 && health.down);
	TEST_CHECK(record(&health, CHECK_FAIL_NONE) == 1);
	/* Up, restarted: one failure is not enough (fall 3). */
	backend_health_restart(&health, false);
	TEST_CHECK(record(&health, CHECK_FAIL_REFUSED) == 0 && !health.down);
}

static void test_duration_buckets(void)
{
	struct backend_health health = { 0 };
	uint64_t total = 0;

	backend_health_record(&health, 1, 1, CHECK_FAIL_NONE, 100, NULL, 1);      /* 0.1 ms */
	backend_health_record(&health, 1, 1, CHECK_FAIL_NONE, 1000, NULL, 1);     /* 1 ms */
	backend_health_record(&health, 1, 1, CHECK_FAIL_TIMEOUT, 9000000, NULL, 1); /* 9 s */
	TEST_CHECK(health.duration_buckets[0] == 1);
	TEST_CHECK(health.duration_buckets[1] == 1);
	TEST_CHECK(health.duration_buckets[HEALTH_DURATION_BUCKETS] == 1);
	for (int i = 0; i <= HEALTH_DURATION_BUCKETS; i++)
		total += health.duration_buckets[i];
	TEST_CHECK(total == 3 && health.detail[0] == '\0');
	/* An out-of-range result counts as internal, not out of bounds. */
	backend_health_record(&health, 1, 1, (enum check_failure)99, 1, "x", 1);
	TEST_CHECK(health.results[CHECK_FAIL_INTERNAL] == 1);
}

static void test_schedule(void)
{
	/* On time: one interval after the scheduled start, whatever the run took. */
	TEST_CHECK(health_next_start(1000 * MS, 1000 * MS, 1003 * MS) == 2000 * MS);
	/* Late by less than an interval: the grid holds (no drift). */
	TEST_CHECK(health_next_start(1000 * MS, 1000 * MS, 1900 * MS) == 2000 * MS);
	TEST_CHECK(health_next_start(1000 * MS, 1000 * MS, 2000 * MS) == 2000 * MS);
	/* More than an interval behind: the next slot of the grid still ahead. */
	TEST_CHECK(health_next_start(1000 * MS, 1000 * MS, 3500 * MS) == 4000 * MS);
	TEST_CHECK(health_next_start(1000 * MS, 1000 * MS, 4000 * MS) == 4000 * MS);
	/* 1000 runs, each started 3 ms late: no lateness accumulates. */
	uint64_t scheduled = 0;

	for (int i = 0; i < 1000; i++)
		scheduled = health_next_start(scheduled, 200 * MS, scheduled + 3 * MS);
	TEST_CHECK(scheduled == 1000ULL * 200 * MS);
}

static void test_spread(void)
{
	/* 500 checks over 1 s: 2 ms apart, the last before the interval ends. */
	TEST_CHECK(health_spread(1000 * MS, 0, 500) == 0);
	TEST_CHECK(health_spread(1000 * MS, 1, 500) == 2 * MS);
	TEST_CHECK(health_spread(1000 * MS, 499, 500) == 998 * MS);
	TEST_CHECK(health_spread(1000 * MS, 0, 1) == 0);
	TEST_CHECK(health_spread(1000 * MS, 3, 0) == 0);
	/* No overflow with long intervals and many checks. */
	TEST_CHECK(health_spread(3600000 * MS, 9999, 10000) == 3600000 * MS / 10000 * 9999);
}

static void test_tcp_udp_protocols(void)
{
	struct config_check check = { .type = CHECK_TCP };
	struct check_context context = { .check = &check };
	uint8_t buffer[64];

	/* tcp without send: nothing to send, the connect is the test. */
	TEST_CHECK(check_tcp.request(&context, buffer, sizeof(buffer)) == 0);
	check.send = "PING\r\n";
	TEST_CHECK(check_tcp.request(&context, buffer, sizeof(buffer)) == 6);
	TEST_CHECK(memcmp(buffer, "PING\r\n", 6) == 0);
	TEST_CHECK(check_tcp.request(&context, buffer, 3) == 3);
	TEST_CHECK(check_tcp.reply(&context, buffer, 0, false) == CHECK_MORE);
	TEST_CHECK(check_tcp.reply(&context, (const uint8_t *)"x", 1, false) == CHECK_UP);
	TEST_CHECK(check_tcp.reply(&context, buffer, 0, true) == -CHECK_FAIL_CLOSED);
	TEST_CHECK(check_udp.request(&context, buffer, sizeof(buffer)) == 6);
	TEST_CHECK(check_udp.reply(&context, (const uint8_t *)"", 0, false) == CHECK_UP);
	TEST_CHECK(check_udp.socket_type == SOCK_DGRAM && check_tcp.socket_type == SOCK_STREAM);
	TEST_CHECK(check_protocol_of(CHECK_TCP) == &check_tcp);
	TEST_CHECK(check_protocol_of(CHECK_EXEC) == NULL);
	TEST_CHECK_STR(check_failure_name(CHECK_FAIL_REFUSED), "refused");
}

int main(void)
{
	TEST_RUN("health/first_result_decides", test_first_result_decides);
	TEST_RUN("health/fall_and_rise", test_fall_and_rise);
	TEST_RUN("health/restart_keeps_state", test_restart_keeps_state);
	TEST_RUN("health/duration_buckets", test_duration_buckets);
	TEST_RUN("health/schedule", test_schedule);
	TEST_RUN("health/spread", test_spread);
	TEST_RUN("health/tcp_udp_protocols", test_tcp_udp_protocols);
	return TEST_EXIT();
}
