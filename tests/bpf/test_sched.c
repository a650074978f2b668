// SPDX-License-Identifier: GPL-2.0-only
/* BPF_PROG_TEST_RUN fixtures for the schedulers and connection accounting:
 * slots filled by the daemon's own table code, counts checked exactly. */
#define CONN_TABLE 8192
#define FIXTURE_EXTRA_SERVICES S__COUNT
#define FIXTURE_EXTRA_BACKENDS (S__COUNT * 4)
#define FIXTURE_EXTRA_SLOTS (3 * XVS_SLOTS_WEIGHTED + 4 * XVS_SLOTS_LIST + XVS_SLOTS_MH)

enum sched_service { S_WRR, S_LC, S_WLC, S_SH, S_DH, S_MH, S_RR, S_TCP, S__COUNT };

#include "dataplane_internal.h"
/* The fixture's packet-level expectations are for its own services; these
 * cases use only part of it. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "lb_fixture.h"
#pragma GCC diagnostic pop

#define S_BACKENDS 3
#define DRAINED UINT32_MAX

static const uint8_t sched_schedulers[S__COUNT] = {
	[S_WRR] = XVS_SCHED_WRR, [S_LC] = XVS_SCHED_LC, [S_WLC] = XVS_SCHED_WLC,
	[S_SH] = XVS_SCHED_SH, [S_DH] = XVS_SCHED_DH, [S_MH] = XVS_SCHED_MH,
	[S_RR] = XVS_SCHED_RR, [S_TCP] = XVS_SCHED_RR,
};

/* Each service as the daemon holds it, so its slots come from dataplane.c. */
static struct config_backend sched_conf_backends[S__COUNT][S_BACKENDS];
static struct dp_backend sched_backends[S__COUNT][S_BACKENDS];
static struct config_service sched_confs[S__COUNT];
static struct dp_service sched_services[S__COUNT];

static uint32_t sched_backend_id(enum sched_service s, uint32_t index)
{
	return SVC__COUNT * SLOTS_PER_SERVICE + (uint32_t)s * 4 + index;
}

static void sched_vip(enum sched_service s, char *text, size_t size)
{
	snprintf(text, size, "10.0.9.%d", (int)s + 1);
}

/* Writes service s with the given weights and limits; slots through the
 * daemon's builders, limits as service_limits_write() does. */
static int sched_service_write(enum sched_service s, const uint32_t *weights,
			       const uint32_t *max_conns)
{
	struct dp_service *service = &sched_services[s];
	uint32_t capacity = dataplane_region_size(sched_schedulers[s]), count, *slots;
	struct xvs_service_key key;
	struct xvs_service value;
	struct inet_addr vip;
	char text[32];
	int err = 0;

	sched_vip(s, text, sizeof(text));
	inet_addr_parse(text, &vip);
	for (uint32_t i = 0; i < S_BACKENDS; i++) {
		struct xvs_backend_limits limits = { weights[i], max_conns ? max_conns[i] : 0 };
		uint32_t id = sched_backend_id(s, i);

		sched_conf_backends[s][i].weight = weights[i];
		sched_conf_backends[s][i].max_conns = limits.max_conns;
		err = err ?: bpf_map__update_elem(skel->maps.backend_limits, &id, sizeof(id),
						  &limits, sizeof(limits), BPF_ANY);
	}
	slots = calloc(capacity, sizeof(*slots));
	count = slots ? dataplane_service_table(service, vip.family, slots, capacity) : 0;
	for (uint32_t i = 0; i < count && !err; i++) {
		uint32_t slot = service->slot_base + i;

		err = bpf_map__update_elem(skel->maps.service_slots, &slot, sizeof(slot), &slots[i],
					   sizeof(slots[i]), BPF_ANY);
	}
	free(slots);
	mapenc_service_key(&vip, 1000, s == S_TCP ? IPPROTO_TCP : IPPROTO_UDP, &key);
	mapenc_service(service->id, XVS_MODE_DR, sched_schedulers[s], service->slot_base, count,
		       &value);
	return err ?: bpf_map__update_elem(skel->maps.services, &key, sizeof(key), &value,
					   sizeof(value), BPF_ANY);
}

static int sched_setup(void)
{
	uint32_t next_slot = SVC__COUNT * SLOTS_PER_SERVICE, ones[S_BACKENDS] = { 1, 1, 1 };
	int err = 0;

	for (int s = 0; s < S__COUNT && !err; s++) {
		struct dp_service *service = &sched_services[s];

		sched_confs[s].scheduler = sched_schedulers[s];
		service->conf = &sched_confs[s];
		service->id = SVC__COUNT + (uint32_t)s;
		service->slot_base = next_slot;
		next_slot += dataplane_region_size(sched_schedulers[s]);
		service->backends = sched_backends[s];
		service->backend_count = S_BACKENDS;
		for (uint32_t i = 0; i < S_BACKENDS; i++) {
			struct dp_backend *backend = &sched_backends[s][i];
			struct config_backend *conf = &sched_conf_backends[s][i];
			struct xvs_backend value;
			uint32_t id = sched_backend_id((enum sched_service)s, i);
			uint8_t dmac[6] = { 0x02, 0xbb, 0, 0, (uint8_t)(0x40 + s), (uint8_t)i };
			char text[32];

			snprintf(text, sizeof(text), "10.9.%d.%u", s, i + 1);
			inet_addr_parse(text, &conf->addr);
			backend->conf = conf;
			backend->id = id;
			backend->ready = true;
			mapenc_backend(&conf->addr, 0, service->id, dmac, packet_lb_mac,
				       INGRESS_IFINDEX, &value);
			err = err ?: bpf_map__update_elem(skel->maps.backends, &id, sizeof(id),
							  &value, sizeof(value), BPF_ANY);
		}
		err = err ?: sched_service_write((enum sched_service)s, ones, NULL);
	}
	return err;
}

/* Sends one packet of service s from saddr:sport; returns the backend index
 * it went to, or -1 when it was dropped. */
static int sched_send(enum sched_service s, const char *saddr, uint16_t sport, uint8_t flags)
{
	char vip[32];
	struct packet_spec spec = {
		.family = AF_INET, .proto = s == S_TCP ? IPPROTO_TCP : IPPROTO_UDP,
		.saddr = saddr, .daddr = vip, .sport = sport, .dport = 1000,
		.tcp_flags = flags, .payload = 16,
	};
	uint8_t pkt[PACKET_MAX];
	struct outcome out;
	size_t len;

	sched_vip(s, vip, sizeof(vip));
	len = packet_build(&spec, pkt);
	run_packet(pkt, len, &out);
	if (out.verdict != XDP_TX)
		return -1;
	TEST_CHECK_MSG(out.data[4] == 0x40 + s, "sent to a backend of service %d", out.data[4] - 0x40);
	return out.data[5];
}

static struct xvs_backend_conns sched_counts(enum sched_service s, uint32_t index)
{
	struct xvs_backend_conns counts = { 0 };
	uint32_t id = sched_backend_id(s, index);

	bpf_map__lookup_elem(skel->maps.backend_conns, &id, sizeof(id), &counts, sizeof(counts), 0);
	return counts;
}

static void sched_counts_set(enum sched_service s, uint32_t index, uint32_t active,
			     uint32_t inactive)
{
	struct xvs_backend_conns counts = { active, inactive };
	uint32_t id = sched_backend_id(s, index);

	bpf_map__update_elem(skel->maps.backend_conns, &id, sizeof(id), &counts, sizeof(counts),
			     BPF_ANY);
}

/* ---- schedulers ---- */

static void test_wrr_order(void)
{
	const uint32_t weights[S_BACKENDS] = { 1, 2, 3 }, want[12] = { 2, 1, 2, 0, 1, 2 };

	reset_flows();
	TEST_CHECK(sched_service_write(S_WRR, weights, NULL) == 0);
	for (uint16_t i = 0; i < 12; i++) {
		int got = sched_send(S_WRR, "192.0.2.1", (uint16_t)(40000 + i), 0);

		TEST_CHECK_MSG(got == (int)want[i % 6], "flow %u went to b%d, want b%u", i, got,
			       want[i % 6]);
	}
}

/* 6,000 new flows over wrr 1:2:3 land within 5% of 1,000/2,000/3,000. */
static void test_wrr_distribution(void)
{
	const uint32_t weights[S_BACKENDS] = { 1, 2, 3 };
	uint32_t counts[S_BACKENDS] = { 0 };
	char saddr[32];

	reset_flows();
	TEST_CHECK(sched_service_write(S_WRR, weights, NULL) == 0);
	for (uint32_t i = 0; i < 6000; i++) {
		int got;

		snprintf(saddr, sizeof(saddr), "198.18.%u.%u", i / 250, i % 250 + 1);
		got = sched_send(S_WRR, saddr, (uint16_t)(1024 + i % 50000), 0);
		if (got >= 0 && got < S_BACKENDS)
			counts[got]++;
	}
	printf("wrr 1:2:3 over 6000 flows: %u %u %u\n", counts[0], counts[1], counts[2]);
	for (uint32_t i = 0; i < S_BACKENDS; i++) {
		uint32_t ideal = 1000 * (i + 1);

		TEST_CHECK_MSG(counts[i] * 100 >= ideal * 95 && counts[i] * 100 <= ideal * 105,
			       "b%u got %u, ideal %u", i, counts[i], ideal);
	}
	TEST_CHECK(sched_counts(S_WRR, 2).inactive == counts[2]);
	reset_flows();
}

static void test_lc_wlc_least_loaded(void)
{
	const uint32_t weights[S_BACKENDS] = { 1, 100, 1 };

	reset_flows();
	TEST_CHECK(sched_service_write(S_LC, weights, NULL) == 0);
	TEST_CHECK(sched_service_write(S_WLC, weights, NULL) == 0);
	/* Overheads (active * 256 + inactive): 10, 256, 20. */
	for (int s = S_LC; s <= S_WLC; s++) {
		sched_counts_set((enum sched_service)s, 0, 0, 10);
		sched_counts_set((enum sched_service)s, 1, 1, 0);
		sched_counts_set((enum sched_service)s, 2, 0, 20);
	}
	/* lc: least overhead; wlc: least overhead / weight (256 / 100). */
	TEST_CHECK(sched_send(S_LC, "192.0.2.1", 40000, 0) == 0);
	TEST_CHECK(sched_send(S_WLC, "192.0.2.1", 40000, 0) == 1);
	/* The new flows count: b0 of lc now 11, still least. */
	TEST_CHECK(sched_counts(S_LC, 0).inactive == 11);
	TEST_CHECK(sched_send(S_LC, "192.0.2.1", 40001, 0) == 0);
	/* A tie goes to the first backend, as in IPVS. */
	sched_counts_set(S_LC, 0, 0, 20);
	TEST_CHECK(sched_send(S_LC, "192.0.2.1", 40002, 0) == 0);
	reset_flows();
}

static void test_sh_dh_same_address_same_backend(void)
{
	bool seen[S_BACKENDS] = { false };
	char saddr[32];
	int first;

	reset_flows();
	first = sched_send(S_SH, "192.0.2.7", 40000, 0);
	TEST_CHECK(first >= 0);
	for (uint16_t port = 40001; port < 40020; port++)
		TEST_CHECK(sched_send(S_SH, "192.0.2.7", port, 0) == first);
	for (int i = 0; i < 30; i++) {
		snprintf(saddr, sizeof(saddr), "198.19.0.%d", i + 1);
		first = sched_send(S_SH, saddr, 40000, 0);
		if (first >= 0)
			seen[first] = true;
	}
	TEST_CHECK_MSG(seen[0] && seen[1] && seen[2], "sources do not spread over backends");
	/* dh: one destination (the VIP), so every client gets the same. */
	first = sched_send(S_DH, "192.0.2.7", 40000, 0);
	TEST_CHECK(first >= 0);
	for (int i = 0; i < 20; i++) {
		snprintf(saddr, sizeof(saddr), "198.19.1.%d", i + 1);
		TEST_CHECK(sched_send(S_DH, saddr, 40000, 0) == first);
	}
	reset_flows();
}

/* mh: the same flow maps to the same backend with an empty table (what a
 * second balancer sees), and removing one of three backends moves only the
 * flows that were on it, plus a few. */
static void test_mh_consistent(void)
{
	const uint32_t all[S_BACKENDS] = { 1, 1, 1 }, without_b1[S_BACKENDS] = { 1, 0, 1 };
	int before[600], moved = 0, on_removed = 0;
	char saddr[32];

	reset_flows();
	TEST_CHECK(sched_service_write(S_MH, all, NULL) == 0);
	for (int i = 0; i < 600; i++) {
		snprintf(saddr, sizeof(saddr), "198.18.%d.%d", i / 200, i % 200 + 1);
		before[i] = sched_send(S_MH, saddr, (uint16_t)(30000 + i), 0);
	}
	reset_flows();
	for (int i = 0; i < 600; i += 7) {
		snprintf(saddr, sizeof(saddr), "198.18.%d.%d", i / 200, i % 200 + 1);
		TEST_CHECK(sched_send(S_MH, saddr, (uint16_t)(30000 + i), 0) == before[i]);
	}
	reset_flows();
	TEST_CHECK(sched_service_write(S_MH, without_b1, NULL) == 0);
	for (int i = 0; i < 600; i++) {
		int now;

		snprintf(saddr, sizeof(saddr), "198.18.%d.%d", i / 200, i % 200 + 1);
		now = sched_send(S_MH, saddr, (uint16_t)(30000 + i), 0);
		TEST_CHECK(now == 0 || now == 2);
		on_removed += before[i] == 1;
		moved += before[i] != 1 && now != before[i];
	}
	printf("mh: %d of 600 flows were on the removed backend; %d others moved\n", on_removed,
	       moved);
	TEST_CHECK_MSG(moved * 100 <= 600 * 3, "%d flows of kept backends moved", moved);
	TEST_CHECK(sched_service_write(S_MH, all, NULL) == 0);
	reset_flows();
}

/* Weight 0: the backend leaves the slots (as the daemon writes them), its
 * flows go on, new flows go elsewhere. */
static void test_drain(void)
{
	const uint32_t ones[S_BACKENDS] = { 1, 1, 1 }, drained[S_BACKENDS] = { 0, 1, 1 };

	reset_flows();
	TEST_CHECK(sched_service_write(S_RR, ones, NULL) == 0);
	TEST_CHECK(sched_send(S_RR, "192.0.2.1", 40000, 0) == 0);
	TEST_CHECK(sched_service_write(S_RR, drained, NULL) == 0);
	for (int i = 0; i < 3; i++)
		TEST_CHECK(sched_send(S_RR, "192.0.2.1", 40000, 0) == 0);
	for (uint16_t port = 40001; port < 40010; port++)
		TEST_CHECK(sched_send(S_RR, "192.0.2.1", port, 0) != 0);
	/* wlc leaves a weight-0 backend out even when its slot is there. */
	sched_counts_set(S_WLC, 0, 0, 0);
	sched_counts_set(S_WLC, 1, 5, 0);
	sched_counts_set(S_WLC, 2, 5, 0);
	TEST_CHECK(sched_service_write(S_WLC, ones, NULL) == 0);
	{
		uint32_t id = sched_backend_id(S_WLC, 0);
		struct xvs_backend_limits zero = { 0, 0 };

		bpf_map__update_elem(skel->maps.backend_limits, &id, sizeof(id), &zero,
				     sizeof(zero), BPF_ANY);
	}
	TEST_CHECK(sched_send(S_WLC, "192.0.2.1", 40000, 0) == 1);
	TEST_CHECK(sched_service_write(S_RR, ones, NULL) == 0);
	TEST_CHECK(sched_service_write(S_WLC, ones, NULL) == 0);
	reset_flows();
}

/* A backend at max_conns gets no new flow: rr and mh take the next slot,
 * lc leaves it out; with every backend full, new flows are dropped. */
static void test_max_conns(void)
{
	const uint32_t ones[S_BACKENDS] = { 1, 1, 1 }, limits[S_BACKENDS] = { 1, 2, 3 };
	struct verdict_counters before;
	uint32_t got[S_BACKENDS] = { 0 };

	reset_flows();
	TEST_CHECK(sched_service_write(S_RR, ones, limits) == 0);
	for (uint16_t port = 40000; port < 40006; port++) {
		int index = sched_send(S_RR, "192.0.2.1", port, 0);

		TEST_CHECK(index >= 0);
		if (index >= 0)
			got[index]++;
	}
	TEST_CHECK_MSG(got[0] == 1 && got[1] == 2 && got[2] == 3, "got %u %u %u", got[0],
		       got[1], got[2]);
	read_verdict_counters(&before);
	TEST_CHECK(sched_send(S_RR, "192.0.2.1", 40006, 0) == -1);
	check_verdict_counters(&before, XVS_DROP_NO_BACKEND, -1);
	/* An existing flow of a full backend continues. */
	TEST_CHECK(sched_send(S_RR, "192.0.2.1", 40000, 0) == 0);

	TEST_CHECK(sched_service_write(S_LC, ones, limits) == 0);
	sched_counts_set(S_LC, 0, 0, 1); /* full */
	sched_counts_set(S_LC, 1, 1, 0);
	sched_counts_set(S_LC, 2, 1, 0);
	TEST_CHECK(sched_send(S_LC, "192.0.2.1", 40000, 0) == 1);

	TEST_CHECK(sched_service_write(S_MH, ones, limits) == 0);
	sched_counts_set(S_MH, 0, 0, 1);
	sched_counts_set(S_MH, 1, 0, 2);
	for (uint16_t port = 40000; port < 40003; port++)
		TEST_CHECK(sched_send(S_MH, "192.0.2.9", port, 0) == 2);
	TEST_CHECK(sched_send(S_MH, "192.0.2.9", 40003, 0) == -1);
	TEST_CHECK(sched_service_write(S_RR, ones, NULL) == 0);
	TEST_CHECK(sched_service_write(S_LC, ones, NULL) == 0);
	TEST_CHECK(sched_service_write(S_MH, ones, NULL) == 0);
	reset_flows();
}

/* ---- exact connection counts ---- */

static void check_counts(enum sched_service s, uint32_t index, uint32_t active,
			 uint32_t inactive)
{
	struct xvs_backend_conns counts = sched_counts(s, index);

	TEST_CHECK_MSG(counts.active == active && counts.inactive == inactive,
		       "b%u: %u active %u inactive, want %u %u", index, counts.active,
		       counts.inactive, active, inactive);
}

/* Flows opened, established, reset and finished move between the counts;
 * the daemon's reaper (conntrack_reap) brings them back to zero. */
static void test_counts_exact(void)
{
	struct xvs_reap_args reaped;

	reset_flows();
	for (uint16_t port = 40000; port < 40006; port++)
		TEST_CHECK(sched_send(S_TCP, "192.0.2.1", port, PACKET_TCP_SYN) == (port - 40000) % 3);
	for (uint32_t i = 0; i < S_BACKENDS; i++)
		check_counts(S_TCP, i, 0, 2);
	for (uint16_t port = 40000; port < 40004; port++)
		sched_send(S_TCP, "192.0.2.1", port, PACKET_TCP_ACK);
	sched_send(S_TCP, "192.0.2.1", 40003, PACKET_TCP_ACK | PACKET_TCP_PSH);
	check_counts(S_TCP, 0, 2, 0);
	check_counts(S_TCP, 1, 1, 1);
	check_counts(S_TCP, 2, 1, 1);
	sched_send(S_TCP, "192.0.2.1", 40000, PACKET_TCP_RST);
	sched_send(S_TCP, "192.0.2.1", 40001, PACKET_TCP_FIN | PACKET_TCP_ACK);
	check_counts(S_TCP, 0, 1, 1);
	check_counts(S_TCP, 1, 0, 2);

	/* Nothing has expired: the reaper keeps every entry. */
	TEST_CHECK(conntrack_reap(skel, 0, &reaped) == 0);
	TEST_CHECK_MSG(reaped.live == 6 && reaped.reaped == 0, "live %llu reaped %llu",
		       (unsigned long long)reaped.live, (unsigned long long)reaped.reaped);
	fixture_timeouts(1);
	usleep(20000);
	/* Expired, but within the grace period: kept. */
	TEST_CHECK(conntrack_reap(skel, 1000000000ULL, &reaped) == 0);
	TEST_CHECK(reaped.reaped == 0);
	TEST_CHECK(conntrack_reap(skel, 0, &reaped) == 0);
	TEST_CHECK_MSG(reaped.live == 0 && reaped.reaped == 6, "live %llu reaped %llu",
		       (unsigned long long)reaped.live, (unsigned long long)reaped.reaped);
	for (uint32_t i = 0; i < S_BACKENDS; i++)
		check_counts(S_TCP, i, 0, 0);
	fixture_timeouts(0);
	reset_flows();
}

/* Makes every tracked entry look idle for age_ns (the data plane never
 * reads the timeouts of an entry seen in the last XVS_TIMEOUT_MIN_NS). */
static void conns_age(uint64_t age_ns)
{
	int fd = bpf_map__fd(skel->maps.conns);
	struct xvs_conn_key key, next;
	struct xvs_conn conn;
	void *previous = NULL;

	while (bpf_map_get_next_key(fd, previous, &next) == 0) {
		key = next;
		previous = &key;
		if (bpf_map_lookup_elem(fd, &key, &conn))
			continue;
		conn.last_seen_ns = monotonic_ago(age_ns);
		bpf_map_update_elem(fd, &key, &conn, BPF_EXIST);
	}
}

/* An expired entry reused in place for a new flow moves its count. */
static void test_counts_reuse_in_place(void)
{
	struct xvs_reap_args reaped;

	reset_flows();
	TEST_CHECK(sched_send(S_TCP, "192.0.2.1", 40000, PACKET_TCP_SYN) == 0);
	TEST_CHECK(sched_send(S_TCP, "192.0.2.1", 40000, PACKET_TCP_ACK) == 0);
	check_counts(S_TCP, 0, 1, 0);
	fixture_timeouts(1);
	conns_age(2 * XVS_TIMEOUT_MIN_NS);
	/* rr's next turn is b1; the old entry's count goes back. */
	TEST_CHECK(sched_send(S_TCP, "192.0.2.1", 40000, PACKET_TCP_SYN) == 1);
	fixture_timeouts(0);
	check_counts(S_TCP, 0, 0, 0);
	check_counts(S_TCP, 1, 0, 1);
	TEST_CHECK(conntrack_reap(skel, 0, &reaped) == 0 && reaped.live == 1);
	reset_flows();
}

/* An entry the reaper has claimed (token 0) is never revived by the data
 * plane: the packet is dropped, no count moves, and the reaper deletes it. */
static void test_claimed_entry_left_alone(void)
{
	struct xvs_conn_key key;
	struct xvs_conn conn = {
		.backend_id = sched_backend_id(S_TCP, 2),
		.service_id = SVC__COUNT + S_TCP, .state = XVS_CONN_TCP_ESTABLISHED,
	};
	struct inet_addr client, vip;
	struct verdict_counters before;
	struct xvs_reap_args reaped;

	reset_flows();
	/* Expired. */
	fixture_timeouts(FIXTURE_TIMEOUT_MS);
	conn.last_seen_ns = monotonic_ago(FIXTURE_EXPIRED_NS);
	inet_addr_parse("192.0.2.1", &client);
	inet_addr_parse("10.0.9.8", &vip);
	mapenc_conn_key(&client, 40000, &vip, 1000, IPPROTO_TCP, &key);
	TEST_CHECK(bpf_map__update_elem(skel->maps.conns, &key, sizeof(key), &conn, sizeof(conn),
					BPF_ANY) == 0);
	read_verdict_counters(&before);
	TEST_CHECK(sched_send(S_TCP, "192.0.2.1", 40000, PACKET_TCP_SYN) == -1);
	check_verdict_counters(&before, XVS_DROP_CONN_TABLE_FULL, -1);
	for (uint32_t i = 0; i < S_BACKENDS; i++)
		check_counts(S_TCP, i, 0, 0);
	TEST_CHECK(conntrack_reap(skel, 0, &reaped) == 0 && reaped.reaped == 1);
	/* The dropped packet took rr's turn of b0. */
	TEST_CHECK(sched_send(S_TCP, "192.0.2.1", 40000, PACKET_TCP_SYN) == 1);
	check_counts(S_TCP, 1, 0, 1);
	reset_flows();
}

int main(void)
{
	int err;

	if (fixture_skip("bpf/sched", false))
		return 0;
	err = ncpus > 0 ? fixture_open() : -EINVAL;
	if (!err)
		err = sched_setup();
	if (err)
		return fixture_load_failed("bpf/sched_load", err);
	TEST_RUN("bpf/sched_wrr_order", test_wrr_order);
	TEST_RUN("bpf/sched_wrr_distribution", test_wrr_distribution);
	TEST_RUN("bpf/sched_lc_wlc_least_loaded", test_lc_wlc_least_loaded);
	TEST_RUN("bpf/sched_sh_dh_same_address", test_sh_dh_same_address_same_backend);
	TEST_RUN("bpf/sched_mh_consistent", test_mh_consistent);
	TEST_RUN("bpf/sched_drain", test_drain);
	TEST_RUN("bpf/sched_max_conns", test_max_conns);
	TEST_RUN("bpf/counts_exact", test_counts_exact);
	TEST_RUN("bpf/counts_reuse_in_place", test_counts_reuse_in_place);
	TEST_RUN("bpf/counts_claimed_entry_left_alone", test_claimed_entry_left_alone);
	xvs_lb__destroy(skel);
	return TEST_EXIT();
}
