/* SPDX-License-Identifier: GPL-2.0-only */
/* The xvs_lb fixture: services and backends filled through lib/mapenc.c,
 * a test_run wrapper, and expectations that check verdict, bytes and counters. */
#ifndef XVS_TESTS_BPF_LB_FIXTURE_H
#define XVS_TESTS_BPF_LB_FIXTURE_H

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "addr.h"
#include "mapenc.h"
#include "packet.h"
#include "test.h"
#include "xvs_lb.skel.h"

/* Small on purpose: the table-full case fills it. A test file may define
 * these before including this header: a bigger table, and room for its own
 * services, backends and slots after the fixture's. */
#ifndef CONN_TABLE
#define CONN_TABLE 64
#endif
#ifndef FIXTURE_EXTRA_SERVICES
#define FIXTURE_EXTRA_SERVICES 0
#endif
#ifndef FIXTURE_EXTRA_BACKENDS
#define FIXTURE_EXTRA_BACKENDS 0
#endif
#ifndef FIXTURE_EXTRA_SLOTS
#define FIXTURE_EXTRA_SLOTS 0
#endif
/* BPF_PROG_TEST_RUN runs XDP as if received on the loopback device. */
#define INGRESS_IFINDEX 1
/* A tx_ports key with no such device: its value sends to loopback, which is
 * all bpf_redirect_map needs to return XDP_REDIRECT under test_run. */
#define REDIRECT_IFINDEX 9999
/* A backend interface without a tx_ports entry. */
#define MISSING_IFINDEX 8888
#define SLOTS_PER_SERVICE 4

enum fixture_service {
	SVC_UDP4,
	SVC_TCP4,
	SVC_UDP6,
	SVC_TCP6,
	SVC_REDIRECT,
	SVC_EMPTY,
	SVC_NOT_READY,
	SVC_NAT,
	SVC_NO_TX_PORT,
	SVC__COUNT
};

struct service_def {
	const char *vip;
	uint16_t port;
	uint8_t proto;
	uint8_t mode;
	uint8_t scheduler;
	uint32_t backend_count;
	uint32_t ifindex;
	bool ready;
};

static const struct service_def service_defs[SVC__COUNT] = {
	[SVC_UDP4] = { "10.0.0.100", 53, IPPROTO_UDP, XVS_MODE_DR, XVS_SCHED_RR, 3, INGRESS_IFINDEX, true },
	[SVC_TCP4] = { "10.0.0.100", 5000, IPPROTO_TCP, XVS_MODE_DR, XVS_SCHED_RR, 3, INGRESS_IFINDEX, true },
	/* wlc over idle backends of equal weight alternates like rr. */
	[SVC_UDP6] = { "2001:db8::100", 53, IPPROTO_UDP, XVS_MODE_DR, XVS_SCHED_WLC, 2, INGRESS_IFINDEX, true },
	[SVC_TCP6] = { "2001:db8::100", 5000, IPPROTO_TCP, XVS_MODE_DR, XVS_SCHED_RR, 2, INGRESS_IFINDEX, true },
	[SVC_REDIRECT] = { "10.0.0.101", 53, IPPROTO_UDP, XVS_MODE_DR, XVS_SCHED_RR, 1, REDIRECT_IFINDEX, true },
	[SVC_EMPTY] = { "10.0.0.102", 53, IPPROTO_UDP, XVS_MODE_DR, XVS_SCHED_RR, 0, INGRESS_IFINDEX, true },
	[SVC_NOT_READY] = { "10.0.0.103", 53, IPPROTO_UDP, XVS_MODE_DR, XVS_SCHED_RR, 1, INGRESS_IFINDEX, false },
	/* A mode this program does not know (SVC_NAT's name is historical). */
	[SVC_NAT] = { "10.0.0.104", 53, IPPROTO_UDP, XVS_MODE__MAX, XVS_SCHED_RR, 1, INGRESS_IFINDEX, true },
	[SVC_NO_TX_PORT] = { "10.0.0.105", 53, IPPROTO_UDP, XVS_MODE_DR, XVS_SCHED_RR, 1, MISSING_IFINDEX, true },
};

/* IPVS default timeouts, in enum xvs_conn_state order. */
static const uint32_t timeouts_ms[XVS_CONN_STATE__MAX] = { 60000, 900000, 120000, 10000, 300000 };

static struct xvs_lb *skel;
static int ncpus;

struct outcome {
	int verdict;
	uint8_t data[PACKET_MAX];
	uint32_t len;
};

/* Every drop and pass counter, to assert that exactly one moved. */
struct verdict_counters {
	uint64_t drops[XVS_DROP__MAX];
	uint64_t passes[XVS_PASS__MAX];
};

static uint32_t backend_id(enum fixture_service svc, uint32_t index)
{
	return (uint32_t)svc * SLOTS_PER_SERVICE + index;
}

static void backend_dmac(enum fixture_service svc, uint32_t index, uint8_t mac[6])
{
	const uint8_t base[6] = { 0x02, 0xbb, 0x00, 0x00, (uint8_t)svc, (uint8_t)index };

	memcpy(mac, base, 6);
}

static uint64_t monotonic_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
}

/* The timeout of every connection state for a case that lets entries
 * expire: an expired stamp is then a few seconds old, which a clock counting
 * from boot has (make test-vm runs the fixtures seconds after the guest
 * booted, and IPVS's 5 min for UDP would need 5 min of uptime); and the
 * entries the case just wrote stay current for that long, even under a slow
 * emulator. */
#define FIXTURE_TIMEOUT_MS 3000u
/* An age by which an entry has expired under FIXTURE_TIMEOUT_MS. */
#define FIXTURE_EXPIRED_NS ((FIXTURE_TIMEOUT_MS + 1000) * 1000000ULL)
/* The oldest stamp monotonic_ago() waits for on a younger clock. */
#define FIXTURE_AGE_MAX_NS (10 * 1000000000ULL)

/* A CLOCK_MONOTONIC stamp (the clock of bpf_ktime_get_ns) age_ns in the
 * past. The clock starts at boot: on a machine up for less than age_ns,
 * now - age_ns would wrap into the far future, which the data plane takes
 * for a stamp of another CPU (current, never expired). So this waits until
 * the clock is older than age_ns, FIXTURE_AGE_MAX_NS at most. */
static uint64_t monotonic_ago(uint64_t age_ns)
{
	struct timespec until = { .tv_sec = (time_t)((age_ns + 1000000ULL) / 1000000000ULL),
				  .tv_nsec = (long)((age_ns + 1000000ULL) % 1000000000ULL) };
	uint64_t now = monotonic_ns();

	if (age_ns > FIXTURE_AGE_MAX_NS) {
		printf("FAIL: %s: an age of %llu ms: more than the fixtures wait for\n",
		       test_case_name, (unsigned long long)(age_ns / 1000000ULL));
		test_case_failed = 1;
	} else if (now <= age_ns) {
		/* Until the clock reads age_ns + 1 ms (after a signal: again, a few times). */
		for (int tries = 0; tries < 10; tries++) {
			if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) != EINTR)
				break;
		}
		now = monotonic_ns();
	}
	return now > age_ns ? now - age_ns : 0;
}

/* Every connection state's timeout: ms, or IPVS's defaults for 0. */
static void fixture_timeouts(uint32_t ms)
{
	uint32_t all[XVS_CONN_STATE__MAX], zero = 0;
	struct xvs_settings settings;

	for (int i = 0; i < XVS_CONN_STATE__MAX; i++)
		all[i] = ms ? ms : timeouts_ms[i];
	mapenc_settings(all, &settings);
	TEST_CHECK(bpf_map__update_elem(skel->maps.settings, &zero, sizeof(zero), &settings,
					sizeof(settings), BPF_ANY) == 0);
}

static int setup_service(enum fixture_service svc)
{
	const struct service_def *def = &service_defs[svc];
	struct xvs_service_key key;
	struct xvs_service value;
	struct inet_addr vip;
	int err;

	if (inet_addr_parse(def->vip, &vip))
		return -EINVAL;
	mapenc_service_key(&vip, def->port, def->proto, &key);
	mapenc_service((uint32_t)svc, def->mode, def->scheduler, backend_id(svc, 0),
		       def->backend_count, &value);
	err = bpf_map__update_elem(skel->maps.services, &key, sizeof(key), &value,
				   sizeof(value), BPF_NOEXIST);
	if (err)
		return err;

	for (uint32_t i = 0; i < def->backend_count; i++) {
		struct xvs_backend_limits limits = { .weight = 1 };
		uint32_t id = backend_id(svc, i);
		struct xvs_backend backend;
		struct inet_addr addr;
		uint8_t dmac[6];
		char text[64];

		if (vip.family == AF_INET)
			snprintf(text, sizeof(text), "10.1.%d.%u", svc, i + 1);
		else
			snprintf(text, sizeof(text), "2001:db8:1::%d:%u", svc, i + 1);
		if (inet_addr_parse(text, &addr))
			return -EINVAL;
		backend_dmac(svc, i, dmac);
		mapenc_backend(&addr, def->port, (uint32_t)svc, def->ready ? dmac : NULL,
			       def->ready ? packet_lb_mac : NULL, def->ifindex, &backend);
		err = bpf_map__update_elem(skel->maps.backends, &id, sizeof(id), &backend,
					   sizeof(backend), BPF_ANY);
		if (!err)
			err = bpf_map__update_elem(skel->maps.backend_limits, &id, sizeof(id),
						   &limits, sizeof(limits), BPF_ANY);
		if (!err)
			err = bpf_map__update_elem(skel->maps.service_slots, &id, sizeof(id),
						   &id, sizeof(id), BPF_ANY);
		if (err)
			return err;
	}
	return 0;
}

static int setup_maps(void)
{
	uint32_t zero = 0, redirect_key = REDIRECT_IFINDEX, redirect_dev = INGRESS_IFINDEX;
	struct xvs_settings settings;
	int err;

	mapenc_settings(timeouts_ms, &settings);
	err = bpf_map__update_elem(skel->maps.settings, &zero, sizeof(zero), &settings,
				   sizeof(settings), BPF_ANY);
	if (err)
		return err;
	err = bpf_map__update_elem(skel->maps.tx_ports, &redirect_key, sizeof(redirect_key),
				   &redirect_dev, sizeof(redirect_dev), BPF_ANY);
	if (err)
		return err;
	for (int svc = 0; svc < SVC__COUNT; svc++) {
		err = setup_service((enum fixture_service)svc);
		if (err)
			return err;
	}
	return 0;
}

/* Deletes every entry of a hash map. */
static void map_clear(struct bpf_map *map)
{
	uint8_t key[bpf_map__key_size(map)];
	int fd = bpf_map__fd(map);

	while (bpf_map_get_next_key(fd, NULL, key) == 0)
		bpf_map_delete_elem(fd, key);
}

/* What a case may rely on at its start, whatever the case before did or
 * failed to undo: an empty connection, persistence and translation table,
 * zero connection counts, every rr cursor rewound, IPVS's timeouts. */
static void reset_flows(void)
{
	struct xvs_service_state state = { 0 };
	struct xvs_backend_conns zero_conns = { 0 };

	map_clear(skel->maps.conns);
	map_clear(skel->maps.persist);
	map_clear(skel->maps.nat_flows);
	fixture_timeouts(0);
	for (uint32_t id = 0; id < bpf_map__max_entries(skel->maps.backend_conns); id++)
		bpf_map__update_elem(skel->maps.backend_conns, &id, sizeof(id), &zero_conns,
				     sizeof(zero_conns), BPF_ANY);
	for (uint32_t svc = 0; svc < SVC__COUNT + FIXTURE_EXTRA_SERVICES; svc++)
		bpf_map__update_elem(skel->maps.service_state, &svc, sizeof(svc), &state,
				     sizeof(state), BPF_ANY);
}

static void read_counters(struct bpf_map *map, uint32_t id, struct xvs_counters *total)
{
	struct xvs_counters percpu[ncpus];

	memset(total, 0, sizeof(*total));
	if (bpf_map__lookup_elem(map, &id, sizeof(id), percpu, sizeof(percpu), 0) == 0)
		mapenc_counters_sum(percpu, ncpus, total);
}

static uint64_t read_u64_counter(struct bpf_map *map, uint32_t index)
{
	uint64_t percpu[ncpus], total = 0;

	if (bpf_map__lookup_elem(map, &index, sizeof(index), percpu, sizeof(percpu), 0))
		return 0;
	for (int i = 0; i < ncpus; i++)
		total += percpu[i];
	return total;
}

static void read_verdict_counters(struct verdict_counters *out)
{
	for (uint32_t i = 0; i < XVS_DROP__MAX; i++)
		out->drops[i] = read_u64_counter(skel->maps.drops, i);
	for (uint32_t i = 0; i < XVS_PASS__MAX; i++)
		out->passes[i] = read_u64_counter(skel->maps.passes, i);
}

static void run_packet(const uint8_t *in, size_t len, struct outcome *out)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = (uint32_t)len,
		    .data_out = out->data, .data_size_out = sizeof(out->data), .repeat = 1);
	int err;

	memset(out->data, 0, sizeof(out->data));
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xvs_lb), &opts);
	TEST_CHECK_MSG(err == 0, "bpf_prog_test_run_opts: %s", strerror(-err));
	out->verdict = err ? -1 : (int)opts.retval;
	out->len = opts.data_size_out;
}

/* Asserts that, since before, only drops[drop] (or passes[pass]) grew by one;
 * -1 selects neither. */
static void check_verdict_counters(const struct verdict_counters *before, int drop, int pass)
{
	struct verdict_counters after;

	read_verdict_counters(&after);
	for (int i = 0; i < XVS_DROP__MAX; i++)
		TEST_CHECK_MSG(after.drops[i] - before->drops[i] == (uint64_t)(i == drop),
			       "drops[%d] moved by %llu", i,
			       (unsigned long long)(after.drops[i] - before->drops[i]));
	for (int i = 0; i < XVS_PASS__MAX; i++)
		TEST_CHECK_MSG(after.passes[i] - before->passes[i] == (uint64_t)(i == pass),
			       "passes[%d] moved by %llu", i,
			       (unsigned long long)(after.passes[i] - before->passes[i]));
}

static const char *verdict_name(int verdict)
{
	static const char *const names[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					     "XDP_REDIRECT" };

	return verdict >= 0 && verdict <= XDP_REDIRECT ? names[verdict] : "?";
}

/* Asserts the verdict and that out is want byte for byte (the first byte
 * that differs is named). */
static void check_out(const struct outcome *out, int verdict, const uint8_t *want,
		      size_t want_len)
{
	TEST_CHECK_MSG(out->verdict == verdict, "verdict %s, want %s", verdict_name(out->verdict),
		       verdict_name(verdict));
	TEST_CHECK_MSG(out->len == want_len, "%u bytes out, want %zu", out->len, want_len);
	for (size_t i = 0; i < want_len && i < out->len; i++) {
		if (out->data[i] != want[i]) {
			TEST_CHECK_MSG(0, "byte %zu is %02x, want %02x", i, out->data[i], want[i]);
			break;
		}
	}
}

static void check_unchanged(const uint8_t *in, size_t len, const struct outcome *out)
{
	TEST_CHECK_MSG(out->len == len && memcmp(out->data, in, len) == 0,
		       "packet changed (%u bytes out, %zu in)", out->len, len);
}

/* Sends a packet that must come out untouched with verdict, counted under
 * drops[drop] or passes[pass] (-1: neither). */
static void expect_untouched(const uint8_t *in, size_t len, int verdict, int drop, int pass)
{
	struct verdict_counters before;
	struct outcome out;

	read_verdict_counters(&before);
	run_packet(in, len, &out);
	TEST_CHECK_MSG(out.verdict == verdict, "verdict %s, want %s", verdict_name(out.verdict),
		       verdict_name(verdict));
	check_unchanged(in, len, &out);
	check_verdict_counters(&before, drop, pass);
}

/* Sends a packet the kernel should get untouched, counted under reason. */
static void expect_pass(const uint8_t *in, size_t len, enum xvs_pass_reason reason)
{
	expect_untouched(in, len, XDP_PASS, -1, (int)reason);
}

static void expect_drop(const uint8_t *in, size_t len, enum xvs_drop_reason reason)
{
	expect_untouched(in, len, XDP_DROP, (int)reason, -1);
}

/* IP total length of a built packet: what in_bytes counts. */
static uint32_t l3_bytes(const uint8_t *in)
{
	size_t l2 = (in[12] == 0x81 && in[13] == 0x00) ? 18 : 14;
	const uint8_t *ip = in + l2;

	if ((ip[0] >> 4) == 6)
		return 40u + (uint32_t)(ip[4] << 8 | ip[5]);
	return (uint32_t)(ip[2] << 8 | ip[3]);
}

/* Sends a packet that must leave with verdict, rewritten for DR to backend
 * index of svc and otherwise byte for byte the same; checks the counters.
 * new_conn says whether the packet opens a connection. */
static void expect_forward(const uint8_t *in, size_t len, int verdict,
			   enum fixture_service svc, uint32_t index, bool new_conn)
{
	struct xvs_counters service_before, service_after, backend_before, backend_after;
	uint32_t id = backend_id(svc, index);
	struct verdict_counters before;
	uint8_t want[PACKET_MAX];
	struct outcome out;

	memcpy(want, in, len);
	backend_dmac(svc, index, want);
	memcpy(want + 6, packet_lb_mac, 6);

	read_verdict_counters(&before);
	read_counters(skel->maps.service_stats, (uint32_t)svc, &service_before);
	read_counters(skel->maps.backend_stats, id, &backend_before);
	run_packet(in, len, &out);
	read_counters(skel->maps.service_stats, (uint32_t)svc, &service_after);
	read_counters(skel->maps.backend_stats, id, &backend_after);

	TEST_CHECK_MSG(out.verdict == verdict, "verdict %s, want %s",
		       verdict_name(out.verdict), verdict_name(verdict));
	TEST_CHECK_MSG(out.len == len && memcmp(out.data, want, len) == 0,
		       "packet out differs from DR to backend %u (dmac ..:%02x:%02x)", index,
		       out.data[4], out.data[5]);
	TEST_CHECK(packet_checksums_ok(out.data, out.len));
	check_verdict_counters(&before, -1, -1);
	TEST_CHECK(service_after.in_packets - service_before.in_packets == 1);
	TEST_CHECK(backend_after.in_packets - backend_before.in_packets == 1);
	TEST_CHECK(service_after.in_bytes - service_before.in_bytes == l3_bytes(in));
	TEST_CHECK(backend_after.in_bytes - backend_before.in_bytes == l3_bytes(in));
	TEST_CHECK_MSG(service_after.conns - service_before.conns == new_conn,
		       "service conns moved by %llu, want %d",
		       (unsigned long long)(service_after.conns - service_before.conns), new_conn);
	TEST_CHECK(backend_after.conns - backend_before.conns == new_conn);
}

/* A packet of svc from client port sport. */
static size_t build_for(enum fixture_service svc, uint16_t sport, uint8_t tcp_flags,
			uint8_t *buf)
{
	const struct service_def *def = &service_defs[svc];
	bool v6 = strchr(def->vip, ':') != NULL;
	struct packet_spec spec = {
		.family = v6 ? AF_INET6 : AF_INET,
		.proto = def->proto,
		.saddr = v6 ? "2001:db8:c::1" : "192.0.2.1",
		.daddr = def->vip,
		.sport = sport,
		.dport = def->port,
		.tcp_flags = tcp_flags,
		.payload = 32,
	};

	return packet_build(&spec, buf);
}

static void conn_key_for(enum fixture_service svc, uint16_t sport, struct xvs_conn_key *key)
{
	const struct service_def *def = &service_defs[svc];
	bool v6 = strchr(def->vip, ':') != NULL;
	struct inet_addr client, vip;

	inet_addr_parse(v6 ? "2001:db8:c::1" : "192.0.2.1", &client);
	inet_addr_parse(def->vip, &vip);
	mapenc_conn_key(&client, sport, &vip, def->port, def->proto, key);
}

static int conn_read(enum fixture_service svc, uint16_t sport, struct xvs_conn *conn)
{
	struct xvs_conn_key key;

	conn_key_for(svc, sport, &key);
	return bpf_map__lookup_elem(skel->maps.conns, &key, sizeof(key), conn, sizeof(*conn), 0);
}

/* Adds delta to the count an account token names (tests run single-threaded:
 * a read-modify-write is enough). */
static void counts_add(uint32_t account, int delta)
{
	uint32_t id = XVS_ACCOUNT_BACKEND(account);
	struct xvs_backend_conns counts;

	if (!account || bpf_map__lookup_elem(skel->maps.backend_conns, &id, sizeof(id), &counts,
					     sizeof(counts), 0))
		return;
	if (XVS_ACCOUNT_ACTIVE(account))
		counts.active += (uint32_t)delta;
	else
		counts.inactive += (uint32_t)delta;
	bpf_map__update_elem(skel->maps.backend_conns, &id, sizeof(id), &counts, sizeof(counts),
			     BPF_ANY);
}

static int conn_write(enum fixture_service svc, uint16_t sport, uint32_t index, uint8_t state,
		      uint64_t last_seen_ns)
{
	uint32_t id = backend_id(svc, index);
	struct xvs_conn conn = {
		.last_seen_ns = last_seen_ns,
		.backend_id = id,
		.service_id = (uint32_t)svc,
		.state = state,
		.account = XVS_ACCOUNT(id, state == XVS_CONN_TCP_ESTABLISHED ? 1u : 0u),
	};
	struct xvs_conn_key key;
	struct xvs_conn old;
	int err;

	/* As the data plane would: the entry holds one count, and one it
	 * replaces gives its own back. */
	conn_key_for(svc, sport, &key);
	if (bpf_map__lookup_elem(skel->maps.conns, &key, sizeof(key), &old, sizeof(old), 0) == 0)
		counts_add(old.account, -1);
	err = bpf_map__update_elem(skel->maps.conns, &key, sizeof(key), &conn, sizeof(conn),
				   BPF_ANY);
	if (!err)
		counts_add(conn.account, 1);
	return err;
}

/* Checks the state and backend of a tracked flow. */
static void check_conn(enum fixture_service svc, uint16_t sport, uint8_t state, uint32_t index)
{
	struct xvs_conn conn;

	if (conn_read(svc, sport, &conn)) {
		TEST_CHECK_MSG(0, "no conns entry for port %u", sport);
		return;
	}
	TEST_CHECK_MSG(conn.state == state, "state %s, want %s",
		       mapenc_conn_state_name(conn.state), mapenc_conn_state_name(state));
	TEST_CHECK(conn.backend_id == backend_id(svc, index));
	TEST_CHECK(conn.service_id == (uint32_t)svc);
}

#define FIXTURE_BACKENDS (SVC__COUNT * SLOTS_PER_SERVICE + FIXTURE_EXTRA_BACKENDS)

/* Opens the skeleton with small maps, loads it and fills the services. */
static int fixture_open(void)
{
	int err;

	skel = xvs_lb__open();
	if (!skel)
		return -errno;
	err = bpf_map__set_max_entries(skel->maps.conns, CONN_TABLE);
	/* Preallocated tables the cases put a few entries in: at their
	 * defaults (2 M translations, 256 K persistence entries) each load
	 * took some 320 MB, of make test-vm's 1 GB guest too. */
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.nat_flows, 2 * CONN_TABLE);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.persist, CONN_TABLE);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.services, 64);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.backends, FIXTURE_BACKENDS);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.service_slots,
					       SVC__COUNT * SLOTS_PER_SERVICE + FIXTURE_EXTRA_SLOTS);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.backend_stats, FIXTURE_BACKENDS);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.backend_conns, FIXTURE_BACKENDS);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.backend_limits, FIXTURE_BACKENDS);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.service_state,
					       SVC__COUNT + FIXTURE_EXTRA_SERVICES);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.service_stats,
					       SVC__COUNT + FIXTURE_EXTRA_SERVICES);
	if (!err)
		err = xvs_lb__load(skel);
	if (!err)
		err = setup_maps();
	return err;
}

/* The start of every test's main: skips (true) unless root and, with
 * probe_xdp, unless XDP programs load here; pins to one CPU, which keeps rr
 * and the per-CPU counters in step with the order of the cases; counts the
 * CPUs into ncpus. */
static bool fixture_skip(const char *suite, bool probe_xdp)
{
	cpu_set_t cpus;

	if (geteuid() != 0) {
		printf("SKIP: %s: not root\n", suite);
		return true;
	}
	if (probe_xdp && libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL) != 1) {
		printf("SKIP: %s: XDP programs cannot be loaded here\n", suite);
		return true;
	}
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		perror("sched_setaffinity");
	ncpus = libbpf_num_possible_cpus();
	return false;
}

/* Reports a fixture that did not load as case name and frees the skeleton;
 * returns main's exit status. */
static int fixture_load_failed(const char *name, int err)
{
	printf("FAIL: %s: %s\n", name, strerror(-err));
	xvs_lb__destroy(skel);
	return 1;
}

#endif /* XVS_TESTS_BPF_LB_FIXTURE_H */
