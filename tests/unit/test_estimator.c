// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the rate estimator: baseline, convergence to a steady rate,
 * decay when traffic stops, counter resets. */
#include "estimator.h"
#include "test.h"

static void feed(struct estimator *estimator, struct xvs_counters *counters,
		 uint64_t conns, uint64_t packets, uint64_t bytes, int samples)
{
	for (int i = 0; i < samples; i++) {
		counters->conns += conns;
		counters->in_packets += packets;
		counters->in_bytes += bytes;
		estimator_sample(estimator, counters, ESTIMATOR_INTERVAL_MS);
	}
}

static void test_baseline(void)
{
	struct xvs_counters counters = { 1000, 1000000, 0, 64000000, 0 };
	struct estimator estimator = { 0 };
	struct rates rates;

	/* Counters that were already high at start-up are not a rate. */
	estimator_sample(&estimator, &counters, ESTIMATOR_INTERVAL_MS);
	estimator_rates(&estimator, &rates);
	TEST_CHECK(rates.cps == 0 && rates.in_pps == 0 && rates.in_bps == 0);
}

static void test_steady_rate(void)
{
	struct xvs_counters counters = { 0 };
	struct estimator estimator = { 0 };
	struct rates rates;

	estimator_sample(&estimator, &counters, ESTIMATOR_INTERVAL_MS);
	/* 2 s intervals: 200 conns, 20000 packets, 1 MB each -> 100 cps,
	 * 10000 pps, 4 Mbit/s. */
	feed(&estimator, &counters, 200, 20000, 1000000, 1);
	estimator_rates(&estimator, &rates);
	TEST_CHECK_MSG(rates.cps == 100, "cps %lu", (unsigned long)rates.cps);
	TEST_CHECK_MSG(rates.in_pps == 10000, "pps %lu", (unsigned long)rates.in_pps);
	TEST_CHECK_MSG(rates.in_bps == 4000000, "bps %lu", (unsigned long)rates.in_bps);
	TEST_CHECK(rates.out_pps == 0 && rates.out_bps == 0);
	feed(&estimator, &counters, 200, 20000, 1000000, 20);
	estimator_rates(&estimator, &rates);
	TEST_CHECK(rates.cps == 100 && rates.in_pps == 10000);
}

static void test_decay_and_step(void)
{
	struct xvs_counters counters = { 0 };
	struct estimator estimator = { 0 };
	struct rates rates;

	estimator_sample(&estimator, &counters, ESTIMATOR_INTERVAL_MS);
	feed(&estimator, &counters, 0, 2000, 0, 5);  /* 1000 pps */
	feed(&estimator, &counters, 0, 0, 0, 1);     /* stops: a quarter of the way to 0 */
	estimator_rates(&estimator, &rates);
	TEST_CHECK_MSG(rates.in_pps == 750, "pps %lu", (unsigned long)rates.in_pps);
	feed(&estimator, &counters, 0, 0, 0, 40);
	estimator_rates(&estimator, &rates);
	TEST_CHECK_MSG(rates.in_pps == 0, "pps %lu", (unsigned long)rates.in_pps);
	feed(&estimator, &counters, 0, 4000, 0, 1);  /* a step up to 2000 pps */
	estimator_rates(&estimator, &rates);
	TEST_CHECK_MSG(rates.in_pps == 500, "pps %lu", (unsigned long)rates.in_pps);
}

static void test_counter_reset(void)
{
	struct xvs_counters counters = { 0, 100000, 0, 0, 0 };
	struct estimator estimator = { 0 };
	struct rates rates;

	estimator_sample(&estimator, &counters, ESTIMATOR_INTERVAL_MS);
	counters.in_packets = 10; /* the data plane was reloaded */
	estimator_sample(&estimator, &counters, ESTIMATOR_INTERVAL_MS);
	estimator_rates(&estimator, &rates);
	TEST_CHECK(rates.in_pps == 0);
}

int main(void)
{
	TEST_RUN("estimator/baseline", test_baseline);
	TEST_RUN("estimator/steady_rate", test_steady_rate);
	TEST_RUN("estimator/decay_and_step", test_decay_and_step);
	TEST_RUN("estimator/counter_reset", test_counter_reset);
	return TEST_EXIT();
}
