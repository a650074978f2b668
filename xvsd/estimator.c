// SPDX-License-Identifier: GPL-2.0-only
/* Rate estimation like IPVS's estimator: every 2 seconds the counters are
 * sampled and each rate moves a quarter of the way toward the latest one. */
#include "estimator.h"

#include <string.h>

/* An exponentially weighted moving average with weight 1/4 per sample, in
 * integer arithmetic (IPVS: avg += (rate - avg) >> 2). */
static uint64_t average_update(uint64_t average, uint64_t rate)
{
	if (rate >= average)
		return average + (rate - average) / 4;
	return average - (average - rate) / 4;
}

void estimator_sample(struct estimator *estimator, const struct xvs_counters *now,
		      uint64_t interval_ms)
{
	const uint64_t current[5] = { now->conns, now->in_packets, now->out_packets,
				      now->in_bytes * 8, now->out_bytes * 8 };
	const uint64_t previous[5] = { estimator->last.conns, estimator->last.in_packets,
				       estimator->last.out_packets, estimator->last.in_bytes * 8,
				       estimator->last.out_bytes * 8 };

	if (estimator->samples == 0 || interval_ms == 0) {
		/* The first sample only sets the baseline. */
		estimator->last = *now;
		estimator->samples = 1;
		return;
	}
	for (int i = 0; i < 5; i++) {
		/* Counters only grow; a smaller value means they were reset. */
		uint64_t delta = current[i] >= previous[i] ? current[i] - previous[i] : 0;
		uint64_t rate_milli = delta * 1000000ULL / interval_ms;

		if (estimator->samples == 1)
			estimator->average_milli[i] = rate_milli;
		else
			estimator->average_milli[i] = average_update(estimator->average_milli[i],
								     rate_milli);
	}
	estimator->last = *now;
	estimator->samples++;
}

void estimator_rates(const struct estimator *estimator, struct rates *out)
{
	uint64_t value[5];

	/* Until two samples, no interval has been measured. */
	for (int i = 0; i < 5; i++)
		value[i] = estimator->samples > 1 ? (estimator->average_milli[i] + 500) / 1000 : 0;
	out->cps = value[0];
	out->in_pps = value[1];
	out->out_pps = value[2];
	out->in_bps = value[3];
	out->out_bps = value[4];
}
