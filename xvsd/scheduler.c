// SPDX-License-Identifier: GPL-2.0-only
/* The tables behind the weighted and hashing schedulers: IPVS's weighted
 * round-robin sequence and the Maglev lookup table. Integer maths only. */
#include "scheduler.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint32_t gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static uint32_t weights_gcd(const uint32_t *weights, size_t count)
{
	uint32_t g = 0;

	for (size_t i = 0; i < count; i++)
		g = gcd(weights[i], g);
	return g ? g : 1;
}

/* Weights that give a sequence of capacity entries at most. */
static void wrr_weights(const struct scheduler_backend *backends, size_t count,
			size_t capacity, uint32_t *weights)
{
	uint64_t total = 0;
	uint32_t g;

	for (size_t i = 0; i < count; i++)
		weights[i] = backends[i].weight ? backends[i].weight : 1;
	g = weights_gcd(weights, count);
	for (size_t i = 0; i < count; i++) {
		weights[i] /= g;
		total += weights[i];
	}
	if (total <= capacity)
		return;
	/* Scale into capacity - count, then the at-least-1 floor adds count
	 * at most. */
	for (size_t i = 0; i < count; i++) {
		uint64_t scaled = (uint64_t)weights[i] * (capacity - count) / total;

		weights[i] = scaled ? (uint32_t)scaled : 1;
	}
}

size_t scheduler_wrr_sequence(const struct scheduler_backend *backends, size_t count,
			      uint32_t *out, size_t capacity)
{
	uint32_t *weights, g, max_weight = 0;
	int64_t current = 0;
	size_t length = 0, total = 0, i = count - 1;

	if (count == 0 || capacity < count)
		return 0;
	weights = calloc(count, sizeof(*weights));
	if (!weights)
		return 0;
	wrr_weights(backends, count, capacity, weights);
	g = weights_gcd(weights, count);
	for (size_t j = 0; j < count; j++) {
		total += weights[j] / g;
		if (weights[j] > max_weight)
			max_weight = weights[j];
	}
	/* ip_vs_wrr_schedule(): walk the backends, lowering the current
	 * weight by gcd each lap; a backend is taken while its weight reaches
	 * the current weight. One period is total entries long. */
	while (length < total) {
		i = (i + 1) % count;
		if (i == 0) {
			current -= g;
			if (current <= 0)
				current = max_weight;
		}
		if (weights[i] >= current)
			out[length++] = (uint32_t)i;
	}
	free(weights);
	return length;
}

/* 64-bit FNV-1a of a backend's identity, then a splitmix64 finaliser. */
static uint64_t identity_hash(const struct scheduler_backend *backend, uint64_t seed)
{
	const uint8_t *bytes = backend->addr.family == AF_INET6
				       ? backend->addr.v6.s6_addr
				       : (const uint8_t *)&backend->addr.v4;
	size_t length = backend->addr.family == AF_INET6 ? 16 : 4;
	uint64_t hash = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < length; i++)
		hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
	hash = (hash ^ (backend->port >> 8)) * 0x100000001b3ULL;
	hash = (hash ^ (backend->port & 0xff)) * 0x100000001b3ULL;
	hash ^= hash >> 30;
	hash *= 0xbf58476d1ce4e5b9ULL;
	hash ^= hash >> 27;
	hash *= 0x94d049bb133111ebULL;
	return hash ^ (hash >> 31);
}

/* Places backend index in its next preferred free entry (one is free). */
static void maglev_place(uint32_t *table, uint32_t size, uint64_t *position, uint64_t skip,
			 uint32_t index)
{
	while (table[*position] != UINT32_MAX)
		*position = (*position + skip) % size;
	table[*position] = index;
	*position = (*position + skip) % size;
}

int scheduler_maglev_table(const struct scheduler_backend *backends, size_t count,
			   uint32_t *table, uint32_t size)
{
	uint64_t *position, *skip;
	uint32_t *turns, filled = 0;
	int ret = -ENOMEM;

	if (count == 0 || size < 2 || count > size)
		return -EINVAL;
	position = calloc(count, sizeof(*position));
	skip = calloc(count, sizeof(*skip));
	turns = calloc(count, sizeof(*turns));
	if (!position || !skip || !turns)
		goto cleanup;
	for (size_t i = 0; i < count; i++) {
		position[i] = identity_hash(&backends[i], 0) % size;
		skip[i] = identity_hash(&backends[i], 0x5bd1e9955bd1e995ULL) % (size - 1) + 1;
		turns[i] = backends[i].weight ? backends[i].weight : 1;
	}
	{
		uint32_t g = weights_gcd(turns, count);

		for (size_t i = 0; i < count; i++)
			turns[i] /= g;
	}
	memset(table, 0xff, (size_t)size * sizeof(*table));
	while (filled < size) {
		for (size_t i = 0; i < count && filled < size; i++)
			for (uint32_t t = 0; t < turns[i] && filled < size; t++) {
				maglev_place(table, size, &position[i], skip[i], (uint32_t)i);
				filled++;
			}
	}
	ret = 0;
cleanup:
	free(turns);
	free(skip);
	free(position);
	return ret;
}
