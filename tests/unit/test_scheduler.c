// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the scheduler tables: IPVS's wrr sequence, and the Maglev
 * table's balance, stability and disruption when a backend goes. */
#include <stdlib.h>

#include "scheduler.h"
#include "test.h"
#include "xvs/xvs.h"

#define MAGLEV_BACKENDS 10

static void backend_at(struct scheduler_backend *backend, unsigned int n, uint32_t weight)
{
	char text[32];

	snprintf(text, sizeof(text), "10.2.%u.%u", n / 200, n % 200 + 1);
	memset(backend, 0, sizeof(*backend));
	inet_addr_parse(text, &backend->addr);
	backend->port = 80;
	backend->weight = weight;
}

static void test_wrr_ipvs_order(void)
{
	struct scheduler_backend backends[3];
	uint32_t sequence[16];
	const uint32_t want[6] = { 2, 1, 2, 0, 1, 2 };
	size_t length;

	for (unsigned int i = 0; i < 3; i++)
		backend_at(&backends[i], i, i + 1);
	length = scheduler_wrr_sequence(backends, 3, sequence, 16);
	TEST_CHECK_MSG(length == 6, "length %zu, want 6", length);
	TEST_CHECK(memcmp(sequence, want, sizeof(want)) == 0);
}

static void test_wrr_gcd_and_cap(void)
{
	struct scheduler_backend backends[2];
	uint32_t sequence[64], counts[2] = { 0, 0 };
	size_t length;

	backend_at(&backends[0], 0, 100);
	backend_at(&backends[1], 1, 300);
	length = scheduler_wrr_sequence(backends, 2, sequence, 64);
	TEST_CHECK_MSG(length == 4, "gcd not applied: length %zu", length);
	backend_at(&backends[0], 0, 1000);
	backend_at(&backends[1], 1, 2999);
	length = scheduler_wrr_sequence(backends, 2, sequence, 64);
	TEST_CHECK_MSG(length > 0 && length <= 64, "capped length %zu", length);
	for (size_t i = 0; i < length; i++)
		counts[sequence[i]]++;
	/* Scaled weights keep the 1:3 proportion within one entry. */
	TEST_CHECK_MSG(counts[0] * 3 + 3 >= counts[1] && counts[1] + 3 >= counts[0] * 3,
		       "counts %u:%u", counts[0], counts[1]);
}

static void maglev_counts(const uint32_t *table, uint32_t *counts, size_t count)
{
	memset(counts, 0, count * sizeof(*counts));
	for (uint32_t i = 0; i < XVS_SLOTS_MH; i++)
		counts[table[i]]++;
}

static void test_maglev_balance_and_stability(void)
{
	struct scheduler_backend backends[MAGLEV_BACKENDS];
	uint32_t *table = calloc(XVS_SLOTS_MH, sizeof(*table));
	uint32_t *again = calloc(XVS_SLOTS_MH, sizeof(*again));
	uint32_t counts[MAGLEV_BACKENDS], ideal = XVS_SLOTS_MH / MAGLEV_BACKENDS;

	for (unsigned int i = 0; i < MAGLEV_BACKENDS; i++)
		backend_at(&backends[i], i, 1);
	TEST_CHECK(scheduler_maglev_table(backends, MAGLEV_BACKENDS, table, XVS_SLOTS_MH) == 0);
	maglev_counts(table, counts, MAGLEV_BACKENDS);
	for (unsigned int i = 0; i < MAGLEV_BACKENDS; i++)
		TEST_CHECK_MSG(counts[i] * 100 >= ideal * 98 && counts[i] * 100 <= ideal * 102,
			       "backend %u has %u entries, ideal %u", i, counts[i], ideal);
	TEST_CHECK(scheduler_maglev_table(backends, MAGLEV_BACKENDS, again, XVS_SLOTS_MH) == 0);
	TEST_CHECK(memcmp(table, again, XVS_SLOTS_MH * sizeof(*table)) == 0);
	free(again);
	free(table);
}

static void test_maglev_weights(void)
{
	struct scheduler_backend backends[3];
	uint32_t *table = calloc(XVS_SLOTS_MH, sizeof(*table)), counts[3];

	for (unsigned int i = 0; i < 3; i++)
		backend_at(&backends[i], i, i + 1);
	TEST_CHECK(scheduler_maglev_table(backends, 3, table, XVS_SLOTS_MH) == 0);
	maglev_counts(table, counts, 3);
	for (unsigned int i = 0; i < 3; i++) {
		uint32_t ideal = XVS_SLOTS_MH * (i + 1) / 6;

		TEST_CHECK_MSG(counts[i] * 100 >= ideal * 97 && counts[i] * 100 <= ideal * 103,
			       "weight %u: %u entries, ideal %u", i + 1, counts[i], ideal);
	}
	free(table);
}

/* Removing one of N backends must move about 1/N of the table: the entries
 * of the removed backend, and few others. */
static void test_maglev_disruption(void)
{
	struct scheduler_backend backends[MAGLEV_BACKENDS], fewer[MAGLEV_BACKENDS - 1];
	uint32_t *before = calloc(XVS_SLOTS_MH, sizeof(*before));
	uint32_t *after = calloc(XVS_SLOTS_MH, sizeof(*after));
	const unsigned int removed = 3;
	uint32_t moved = 0;

	for (unsigned int i = 0, j = 0; i < MAGLEV_BACKENDS; i++) {
		backend_at(&backends[i], i, 1);
		if (i != removed)
			fewer[j++] = backends[i];
	}
	TEST_CHECK(scheduler_maglev_table(backends, MAGLEV_BACKENDS, before, XVS_SLOTS_MH) == 0);
	TEST_CHECK(scheduler_maglev_table(fewer, MAGLEV_BACKENDS - 1, after, XVS_SLOTS_MH) == 0);
	for (uint32_t i = 0; i < XVS_SLOTS_MH; i++) {
		/* Compare identities: indices above removed shift down by one. */
		uint32_t was = before[i], now = after[i] >= removed ? after[i] + 1 : after[i];

		moved += was != now;
	}
	printf("maglev: removing 1 of %d backends moved %u of %d entries (%.2f%%, 1/N = %.2f%%)\n",
	       MAGLEV_BACKENDS, moved, XVS_SLOTS_MH, 100.0 * moved / XVS_SLOTS_MH,
	       100.0 / MAGLEV_BACKENDS);
	/* 1/N + 2% of the table. */
	TEST_CHECK_MSG(moved * 100 <= XVS_SLOTS_MH * (100 / MAGLEV_BACKENDS + 2),
		       "moved %u entries", moved);
	free(after);
	free(before);
}

int main(void)
{
	TEST_RUN("wrr: 1:2:3 gives IPVS's sequence c b c a b c", test_wrr_ipvs_order);
	TEST_RUN("wrr: gcd reduction and the capacity cap keep proportions", test_wrr_gcd_and_cap);
	TEST_RUN("maglev: M/N entries each (2%), same input same table",
		 test_maglev_balance_and_stability);
	TEST_RUN("maglev: weights 1:2:3 give entries 1:2:3 (3%)", test_maglev_weights);
	TEST_RUN("maglev: removing 1 of N backends moves < 1/N + 2% of entries",
		 test_maglev_disruption);
	return TEST_EXIT();
}
