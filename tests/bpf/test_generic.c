// SPDX-License-Identifier: GPL-2.0-only
/* BPF_PROG_TEST_RUN fixtures for mode generic: ESP, GRE and ICMP to a backend
 * chosen by source address hash, delivered as in dr or encapsulated as in tun. */
#pragma GCC diagnostic ignored "-Wunused-function" /* lb_fixture.h serves many tests */
#define FIXTURE_EXTRA_SERVICES (GEN__END - SVC__COUNT)
#define FIXTURE_EXTRA_BACKENDS (FIXTURE_EXTRA_SERVICES * SLOTS_PER_SERVICE)
#define FIXTURE_EXTRA_SLOTS FIXTURE_EXTRA_BACKENDS
#define GEN__END (SVC__COUNT + 4)
#include "lb_fixture.h"

enum generic_service {
	GEN_ESP4 = SVC__COUNT, /* dr, two backends */
	GEN_GRE6,              /* dr, two backends */
	GEN_ICMP4_TUN,         /* tun, one backend */
	GEN_TCP_AS_GENERIC,    /* a TCP service marked generic: refused */
};

struct generic_def {
	const char *vip;
	uint8_t proto;
	uint16_t port;
	bool tun;
	uint32_t backends;
};

static const struct generic_def generic_defs[GEN__END - SVC__COUNT] = {
	{ "10.0.0.130", 50, 0, false, 2 },
	{ "2001:db8::130", 47, 0, false, 2 },
	{ "10.0.0.131", 1, 0, true, 1 },
	{ "10.0.0.132", IPPROTO_TCP, 80, false, 1 },
};

static const struct generic_def *generic_def(enum generic_service svc)
{
	return &generic_defs[svc - SVC__COUNT];
}

static int generic_setup_service(enum generic_service svc)
{
	const struct generic_def *def = generic_def(svc);
	bool v6 = strchr(def->vip, ':') != NULL;
	struct inet_addr vip, addr, source;
	struct xvs_service_key key;
	struct xvs_service value;
	int err;

	if (inet_addr_parse(def->vip, &vip) || inet_addr_parse("10.0.0.1", &source))
		return -EINVAL;
	mapenc_service_key(&vip, def->port, def->proto, &key);
	mapenc_service((uint32_t)svc, XVS_MODE_GENERIC, XVS_SCHED_RR,
		       backend_id((enum fixture_service)svc, 0), def->backends, &value);
	if (def->tun)
		value.flags |= XVS_SERVICE_F_GENERIC_TUN;
	err = bpf_map__update_elem(skel->maps.services, &key, sizeof(key), &value,
				   sizeof(value), BPF_NOEXIST);
	for (uint32_t i = 0; !err && i < def->backends; i++) {
		uint32_t id = backend_id((enum fixture_service)svc, i);
		struct xvs_backend backend;
		uint8_t dmac[6];
		char text[64];

		snprintf(text, sizeof(text), v6 ? "2001:db8:1::%d:%u" : "10.1.%d.%u", svc, i + 1);
		if (inet_addr_parse(text, &addr))
			return -EINVAL;
		backend_dmac((enum fixture_service)svc, i, dmac);
		mapenc_backend(&addr, 0, (uint32_t)svc, dmac, packet_lb_mac, INGRESS_IFINDEX,
			       &backend);
		if (def->tun)
			mapenc_backend_tunnel(&source, 1500, &backend);
		err = bpf_map__update_elem(skel->maps.backends, &id, sizeof(id), &backend,
					   sizeof(backend), BPF_ANY);
		if (!err)
			err = bpf_map__update_elem(skel->maps.service_slots, &id, sizeof(id), &id,
						   sizeof(id), BPF_ANY);
	}
	return err;
}

/* Ethernet + IP + 24 payload bytes of protocol proto (no ports). */
static size_t generic_build(const char *saddr, const char *daddr, uint8_t proto, uint8_t *buf)
{
	bool v6 = strchr(daddr, ':') != NULL;
	uint8_t *ip = buf + 14;
	size_t header = v6 ? 40 : 20, payload = 24;

	memset(buf, 0, PACKET_MAX);
	memcpy(buf, packet_lb_mac, 6);
	memcpy(buf + 6, packet_router_mac, 6);
	packet_put16(buf + 12, v6 ? 0x86dd : 0x0800);
	if (v6) {
		ip[0] = 0x60;
		packet_put16(ip + 4, (uint16_t)payload);
		ip[6] = proto;
		ip[7] = 64;
		inet_pton(AF_INET6, saddr, ip + 8);
		inet_pton(AF_INET6, daddr, ip + 24);
	} else {
		ip[0] = 0x45;
		packet_put16(ip + 2, (uint16_t)(header + payload));
		ip[8] = 64;
		ip[9] = proto;
		inet_pton(AF_INET, saddr, ip + 12);
		inet_pton(AF_INET, daddr, ip + 16);
		packet_put16(ip + 10, packet_fold(packet_sum(ip, header, 0)));
	}
	for (size_t i = 0; i < payload; i++)
		ip[header + i] = (uint8_t)(0xa0 + i);
	return 14 + header + payload;
}

/* The backend index the packet went to (by its destination MAC), or -1. */
static int generic_send(const uint8_t *in, size_t len, enum generic_service svc,
			struct outcome *out)
{
	run_packet(in, len, out);
	if (out->verdict != XDP_TX)
		return -1;
	for (uint32_t i = 0; i < generic_def(svc)->backends; i++) {
		uint8_t dmac[6];

		backend_dmac((enum fixture_service)svc, i, dmac);
		if (!memcmp(out->data, dmac, 6))
			return (int)i;
	}
	return -1;
}

/* ESP over IPv4, delivered as in dr: only the MACs change; one source always
 * reaches one backend, sources spread over both; no connection state. */
static void test_esp4_dr(void)
{
	uint8_t in[PACKET_MAX], want[PACKET_MAX];
	struct xvs_counters before, after;
	int seen[2] = { 0, 0 }, first;
	struct outcome out;
	char client[32];
	size_t len;

	reset_flows();
	read_counters(skel->maps.service_stats, GEN_ESP4, &before);
	for (int c = 1; c <= 32; c++) {
		snprintf(client, sizeof(client), "192.0.2.%d", c);
		len = generic_build(client, generic_def(GEN_ESP4)->vip, 50, in);
		first = generic_send(in, len, GEN_ESP4, &out);
		TEST_CHECK_MSG(first >= 0, "client %s: verdict %s", client, verdict_name(out.verdict));
		if (first < 0)
			return;
		memcpy(want, in, len);
		memcpy(want, out.data, 6);
		memcpy(want + 6, packet_lb_mac, 6);
		TEST_CHECK(out.len == len && memcmp(out.data, want, len) == 0);
		TEST_CHECK(generic_send(in, len, GEN_ESP4, &out) == first);
		seen[first]++;
	}
	read_counters(skel->maps.service_stats, GEN_ESP4, &after);
	TEST_CHECK_MSG(seen[0] > 4 && seen[1] > 4, "spread %d/%d", seen[0], seen[1]);
	TEST_CHECK(after.in_packets - before.in_packets == 64);
	TEST_CHECK(after.in_bytes - before.in_bytes == 64 * 44);
	TEST_CHECK(after.conns == before.conns);
	TEST_CHECK(bpf_map_get_next_key(bpf_map__fd(skel->maps.conns), NULL,
					&(struct xvs_conn_key){ 0 }) == -ENOENT);
}

static void test_gre6_dr(void)
{
	uint8_t in[PACKET_MAX];
	struct outcome out;
	size_t len;

	reset_flows();
	len = generic_build("2001:db8:c::1", generic_def(GEN_GRE6)->vip, 47, in);
	TEST_CHECK(generic_send(in, len, GEN_GRE6, &out) >= 0);
	TEST_CHECK(out.len == len && memcmp(out.data + 12, in + 12, len - 12) == 0);
}

/* ICMP echo with generic_delivery tun: IPv4 in IPv4 toward the backend. */
static void test_icmp4_tun(void)
{
	uint8_t in[PACKET_MAX];
	struct outcome out;
	size_t len;

	reset_flows();
	len = generic_build("192.0.2.1", generic_def(GEN_ICMP4_TUN)->vip, 1, in);
	in[14 + 20] = 8; /* echo request */
	TEST_CHECK(generic_send(in, len, GEN_ICMP4_TUN, &out) == 0);
	TEST_CHECK_MSG(out.len == len + 20, "%u bytes out", out.len);
	TEST_CHECK(out.data[14] == 0x45 && out.data[14 + 9] == 4);
	TEST_CHECK(packet_fold(packet_sum(out.data + 14, 20, 0)) == 0);
	TEST_CHECK(memcmp(out.data + 34, in + 14, len - 14) == 0);
}

/* No generic service for the protocol: the kernel's (counted). */
static void test_no_generic_service(void)
{
	uint8_t in[PACKET_MAX];
	size_t len;

	reset_flows();
	len = generic_build("192.0.2.1", generic_def(GEN_ESP4)->vip, 51, in); /* AH */
	expect_pass(in, len, XVS_PASS_UNSUPPORTED);
}

/* A TCP packet to a service whose mode says generic is refused, counted. */
static void test_tcp_never_generic(void)
{
	struct packet_spec spec = {
		.family = AF_INET, .proto = IPPROTO_TCP, .saddr = "192.0.2.1",
		.daddr = generic_def(GEN_TCP_AS_GENERIC)->vip, .sport = 40000, .dport = 80,
		.tcp_flags = PACKET_TCP_SYN, .payload = 8,
	};
	uint8_t in[PACKET_MAX];
	size_t len = packet_build(&spec, in);

	reset_flows();
	expect_drop(in, len, XVS_DROP_NO_BACKEND);
}

int main(void)
{
	int err;

	if (fixture_skip("bpf/generic", false))
		return 0;
	err = fixture_open();
	for (int svc = SVC__COUNT; !err && svc < GEN__END; svc++)
		err = generic_setup_service((enum generic_service)svc);
	if (err)
		return fixture_load_failed("bpf/generic_load", err);
	printf("PASS: bpf/generic_load\n");
	TEST_RUN("bpf/generic_esp4_dr_source_hash", test_esp4_dr);
	TEST_RUN("bpf/generic_gre6_dr", test_gre6_dr);
	TEST_RUN("bpf/generic_icmp4_tun", test_icmp4_tun);
	TEST_RUN("bpf/generic_no_service", test_no_generic_service);
	TEST_RUN("bpf/generic_tcp_refused", test_tcp_never_generic);
	xvs_lb__destroy(skel);
	return TEST_EXIT();
}
