/* SPDX-License-Identifier: GPL-2.0-only */
/* Rate estimation like IPVS's estimator: every 2 seconds the counters are
 * sampled and each rate moves a quarter of the way toward the latest one. */
#ifndef XVSD_ESTIMATOR_H
#define XVSD_ESTIMATOR_H

#include <stdint.h>

#include "xvs/xvs.h"

#define ESTIMATOR_INTERVAL_MS 2000

/* Rates per second; cps, pps and bps as the API shows them. */
struct rates {
	uint64_t cps;
	uint64_t in_pps;
	uint64_t out_pps;
	uint64_t in_bps;
	uint64_t out_bps;
};

/* One estimated object (a service or a backend). Averages are kept in
 * thousandths of a unit per second so small rates do not round to zero. */
struct estimator {
	struct xvs_counters last;
	uint64_t average_milli[5];
	uint64_t samples;
};

/* Feeds the counters read now, interval_ms after the previous sample. */
void estimator_sample(struct estimator *estimator, const struct xvs_counters *now,
		      uint64_t interval_ms);
void estimator_rates(const struct estimator *estimator, struct rates *out);

#endif
