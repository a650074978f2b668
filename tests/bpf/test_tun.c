// SPDX-License-Identifier: GPL-2.0-only
/* BPF_PROG_TEST_RUN fixtures for mode tun: IP-in-IP output byte for byte, the
 * ICMP too-big answers, and the backend-side decapsulation program xvs_decap. */
#pragma GCC diagnostic ignored "-Wunused-function" /* lb_fixture.h serves many tests */
/* Room for the tunnel services (enum tun_service) after the fixture's. */
#define FIXTURE_EXTRA_SERVICES 5
#define FIXTURE_EXTRA_BACKENDS (FIXTURE_EXTRA_SERVICES * SLOTS_PER_SERVICE)
#define FIXTURE_EXTRA_SLOTS FIXTURE_EXTRA_BACKENDS
#include "lb_fixture.h"
#include "xvs_decap.skel.h"

/* Tunnel services, after the fixture's own; one backend each. */
enum tun_service {
	TUN_V4 = SVC__COUNT, /* IPv4 in IPv4 */
	TUN_V6,              /* IPv6 in IPv6 */
	TUN_V4_IN_V6,        /* IPv4 in IPv6 */
	TUN_V4_SMALL,        /* egress MTU 1400 */
	TUN_V6_SMALL,
	TUN__END
};

struct tun_def {
	const char *vip;
	const char *backend;
	const char *source;
	uint16_t mtu;
};

static const struct tun_def tun_defs[TUN__END - SVC__COUNT] = {
	{ "10.0.0.110", "10.2.0.1", "10.0.0.1", 1500 },
	{ "2001:db8::110", "2001:db8:2::1", "2001:db8::1", 1500 },
	{ "10.0.0.111", "2001:db8:2::2", "2001:db8::1", 1500 },
	{ "10.0.0.112", "10.2.0.3", "10.0.0.1", 1400 },
	{ "2001:db8::112", "2001:db8:2::3", "2001:db8::1", 1400 },
};

_Static_assert(TUN__END - SVC__COUNT == FIXTURE_EXTRA_SERVICES, "FIXTURE_EXTRA_SERVICES");

#define TUN_PORT 53

static struct xvs_decap *decap;

static const struct tun_def *tun_def(enum tun_service svc)
{
	return &tun_defs[svc - SVC__COUNT];
}

static int tun_setup_service(enum tun_service svc)
{
	const struct tun_def *def = tun_def(svc);
	uint32_t id = backend_id((enum fixture_service)svc, 0);
	struct inet_addr vip, addr, source;
	struct xvs_service_key key;
	struct xvs_service value;
	struct xvs_backend backend;
	uint8_t dmac[6];
	int err;

	if (inet_addr_parse(def->vip, &vip) || inet_addr_parse(def->backend, &addr) ||
	    inet_addr_parse(def->source, &source))
		return -EINVAL;
	mapenc_service_key(&vip, TUN_PORT, IPPROTO_UDP, &key);
	mapenc_service((uint32_t)svc, XVS_MODE_TUN, XVS_SCHED_RR, id, 1, &value);
	err = bpf_map__update_elem(skel->maps.services, &key, sizeof(key), &value,
				   sizeof(value), BPF_NOEXIST);
	if (err)
		return err;
	backend_dmac((enum fixture_service)svc, 0, dmac);
	mapenc_backend(&addr, 0, (uint32_t)svc, dmac, packet_lb_mac, INGRESS_IFINDEX, &backend);
	mapenc_backend_tunnel(&source, def->mtu, &backend);
	err = bpf_map__update_elem(skel->maps.backends, &id, sizeof(id), &backend,
				   sizeof(backend), BPF_ANY);
	if (!err)
		err = bpf_map__update_elem(skel->maps.service_slots, &id, sizeof(id), &id,
					   sizeof(id), BPF_ANY);
	return err;
}

/* fixture_open with room for the tunnel services, and xvs_decap. */
static int tun_fixture_open(void)
{
	int err = fixture_open();

	for (int svc = SVC__COUNT; !err && svc < TUN__END; svc++)
		err = tun_setup_service((enum tun_service)svc);
	if (err)
		return err;
	decap = xvs_decap__open_and_load();
	return decap ? 0 : -errno;
}

static size_t tun_build(enum tun_service svc, uint16_t payload, uint8_t *buf)
{
	const struct tun_def *def = tun_def(svc);
	bool v6 = strchr(def->vip, ':') != NULL;
	struct packet_spec spec = {
		.family = v6 ? AF_INET6 : AF_INET,
		.proto = IPPROTO_UDP,
		.saddr = v6 ? "2001:db8:c::1" : "192.0.2.1",
		.daddr = def->vip,
		.sport = 40000,
		.dport = TUN_PORT,
		.payload = payload,
	};

	return packet_build(&spec, buf);
}

/* The outer header the tunnel must add in front of inner (an IP packet of
 * inner_len bytes); returns its length. */
static size_t outer_header(enum tun_service svc, const uint8_t *inner, size_t inner_len,
			   uint8_t *out)
{
	const struct tun_def *def = tun_def(svc);
	bool inner_v6 = (inner[0] >> 4) == 6;

	if (strchr(def->backend, ':')) {
		memset(out, 0, 40);
		out[0] = 0x60 | (inner_v6 ? inner[0] & 0x0f : inner[1] >> 4);
		out[1] = inner_v6 ? inner[1] & 0xf0 : (uint8_t)(inner[1] << 4);
		packet_put16(out + 4, (uint16_t)inner_len);
		out[6] = inner_v6 ? 41 : 4;
		out[7] = 64;
		inet_pton(AF_INET6, def->source, out + 8);
		inet_pton(AF_INET6, def->backend, out + 24);
		return 40;
	}
	memset(out, 0, 20);
	out[0] = 0x45;
	out[1] = inner[1];
	packet_put16(out + 2, (uint16_t)(inner_len + 20));
	memcpy(out + 4, inner + 4, 2);   /* identification */
	out[6] = inner[6] & 0x40;        /* DF */
	out[8] = 64;
	out[9] = 4;
	inet_pton(AF_INET, def->source, out + 12);
	inet_pton(AF_INET, def->backend, out + 16);
	packet_put16(out + 10, packet_fold(packet_sum(out, 20, 0)));
	return 20;
}

/* A packet of svc must leave encapsulated toward its backend, inner untouched. */
static void expect_tunnel(const uint8_t *in, size_t len, enum tun_service svc)
{
	uint32_t id = backend_id((enum fixture_service)svc, 0);
	struct xvs_counters before_backend, after_backend;
	struct verdict_counters before;
	uint8_t want[PACKET_MAX + 40];
	struct outcome out;
	size_t outer;

	outer = outer_header(svc, in + 14, len - 14, want + 14);
	backend_dmac((enum fixture_service)svc, 0, want);
	memcpy(want + 6, packet_lb_mac, 6);
	packet_put16(want + 12, outer == 40 ? 0x86dd : 0x0800);
	memcpy(want + 14 + outer, in + 14, len - 14);

	read_verdict_counters(&before);
	read_counters(skel->maps.backend_stats, id, &before_backend);
	run_packet(in, len, &out);
	read_counters(skel->maps.backend_stats, id, &after_backend);
	TEST_CHECK_MSG(out.verdict == XDP_TX, "verdict %s, want XDP_TX",
		       verdict_name(out.verdict));
	TEST_CHECK_MSG(out.len == len + outer, "%u bytes out, want %zu", out.len, len + outer);
	for (size_t i = 0; i < len + outer && i < out.len; i++) {
		if (out.data[i] != want[i]) {
			TEST_CHECK_MSG(0, "byte %zu is %02x, want %02x", i, out.data[i], want[i]);
			break;
		}
	}
	check_verdict_counters(&before, -1, -1);
	TEST_CHECK(after_backend.in_packets - before_backend.in_packets == 1);
	TEST_CHECK(after_backend.in_bytes - before_backend.in_bytes == l3_bytes(in));
}

static void test_v4_in_v4(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = tun_build(TUN_V4, 32, pkt);
	expect_tunnel(pkt, len, TUN_V4);
	/* DF clear is copied too. */
	pkt[14 + 6] = 0;
	packet_ipv4_recheck(pkt, 14);
	expect_tunnel(pkt, len, TUN_V4);
	/* Largest that fits: 1480 + 20 = the MTU. */
	len = tun_build(TUN_V4, 1480 - 28, pkt);
	expect_tunnel(pkt, len, TUN_V4);
}

static void test_v6_in_v6(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = tun_build(TUN_V6, 32, pkt);
	pkt[14] = 0x6b; /* traffic class 0xb8: copied to the outer header */
	pkt[15] = 0x80;
	expect_tunnel(pkt, len, TUN_V6);
}

static void test_v4_in_v6(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = tun_build(TUN_V4_IN_V6, 32, pkt);
	pkt[15] = 0xb8; /* DSCP EF */
	packet_ipv4_recheck(pkt, 14);
	expect_tunnel(pkt, len, TUN_V4_IN_V6);
}

/* The answer to a too-big packet: MACs swapped, IP from the VIP to the client,
 * the ICMP error (8 bytes) and the quoted part of the packet. */
static size_t too_big_answer(const uint8_t *in, size_t quoted, uint32_t mtu, uint8_t *want)
{
	bool v6 = (in[14] >> 4) == 6;
	size_t ip_len = v6 ? 40 : 20;
	uint8_t *ip = want + 14, *icmp = ip + ip_len;
	uint32_t sum;

	memset(want, 0, 14 + ip_len + 8);
	memcpy(want, in + 6, 6);
	memcpy(want + 6, in, 6);
	packet_put16(want + 12, v6 ? 0x86dd : 0x0800);
	memcpy(icmp + 8, in + 14, quoted);
	if (v6) {
		ip[0] = 0x60;
		packet_put16(ip + 4, (uint16_t)(8 + quoted));
		ip[6] = 58;
		ip[7] = 64;
		memcpy(ip + 8, in + 14 + 24, 16);
		memcpy(ip + 24, in + 14 + 8, 16);
		icmp[0] = 2;
		packet_put16(icmp + 4, (uint16_t)(mtu >> 16));
		packet_put16(icmp + 6, (uint16_t)mtu);
		sum = packet_sum(ip + 8, 32, 0) + 58 + (uint32_t)(8 + quoted);
		packet_put16(icmp + 2, packet_fold(packet_sum(icmp, 8 + quoted, sum)));
	} else {
		ip[0] = 0x45;
		packet_put16(ip + 2, (uint16_t)(28 + quoted));
		ip[8] = 64;
		ip[9] = 1;
		memcpy(ip + 12, in + 14 + 16, 4);
		memcpy(ip + 16, in + 14 + 12, 4);
		packet_put16(ip + 10, packet_fold(packet_sum(ip, 20, 0)));
		icmp[0] = 3;
		icmp[1] = 4;
		packet_put16(icmp + 6, (uint16_t)mtu);
		packet_put16(icmp + 2, packet_fold(packet_sum(icmp, 8 + quoted, 0)));
	}
	return 14 + ip_len + 8 + quoted;
}

static void expect_too_big(const uint8_t *in, size_t len, size_t quoted, uint32_t mtu)
{
	struct verdict_counters before;
	uint8_t want[PACKET_MAX];
	struct outcome out;
	size_t want_len = too_big_answer(in, quoted, mtu, want);

	read_verdict_counters(&before);
	run_packet(in, len, &out);
	check_out(&out, XDP_TX, want, want_len);
	/* Independently of the expected bytes: the checksums verify. */
	if (out.len == want_len && (in[14] >> 4) == 4) {
		TEST_CHECK(packet_fold(packet_sum(out.data + 14, 20, 0)) == 0);
		TEST_CHECK(packet_fold(packet_sum(out.data + 34, 8 + quoted, 0)) == 0);
	} else if (out.len == want_len) {
		uint32_t sum = packet_sum(out.data + 22, 32, 0) + 58 + (uint32_t)(8 + quoted);

		TEST_CHECK(packet_fold(packet_sum(out.data + 54, 8 + quoted, sum)) == 0);
	}
	check_verdict_counters(&before, XVS_DROP_TOO_BIG, -1);
}

static void test_v4_too_big_df(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	/* 1381 bytes + 20 > 1400: ICMP with next-hop MTU 1380, header + 8 quoted. */
	len = tun_build(TUN_V4_SMALL, 1381 - 28, pkt);
	expect_too_big(pkt, len, 28, 1380);
	/* 1380 fits. */
	len = tun_build(TUN_V4_SMALL, 1380 - 28, pkt);
	expect_tunnel(pkt, len, TUN_V4_SMALL);
}

static void test_v4_too_big_no_df(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = tun_build(TUN_V4_SMALL, 1400, pkt);
	pkt[14 + 6] = 0;
	packet_ipv4_recheck(pkt, 14);
	expect_drop(pkt, len, XVS_DROP_TOO_BIG);
}

static void test_v6_too_big(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	/* 1361 + 40 > 1400: PTB with MTU 1360 quoting 1232 bytes (1280 in all). */
	len = tun_build(TUN_V6_SMALL, 1361 - 48, pkt);
	expect_too_big(pkt, len, 1232, 1360);
	len = tun_build(TUN_V6_SMALL, 1360 - 48, pkt);
	expect_tunnel(pkt, len, TUN_V6_SMALL);
}

/* An ICMP error about a reply the backend sent (VIP -> client) goes to the
 * flow's backend through the tunnel, like the flow's own packets. */
static void test_icmp_error_to_backend(void)
{
	struct packet_spec reply = {
		.family = AF_INET, .proto = IPPROTO_UDP, .saddr = tun_def(TUN_V4)->vip,
		.daddr = "192.0.2.1", .sport = TUN_PORT, .dport = 40000, .payload = 32,
	};
	uint8_t pkt[PACKET_MAX], quoted[PACKET_MAX];
	uint8_t *ip = pkt + 14, *icmp = ip + 20;
	size_t len;

	reset_flows();
	len = tun_build(TUN_V4, 32, pkt);
	expect_tunnel(pkt, len, TUN_V4);
	packet_build(&reply, quoted);
	memset(pkt + 12, 0, PACKET_MAX - 12); /* MACs stay */
	packet_put16(pkt + 12, 0x0800);
	ip[0] = 0x45;
	packet_put16(ip + 2, 20 + 8 + 28);
	ip[8] = 64;
	ip[9] = IPPROTO_ICMP;
	inet_pton(AF_INET, "192.0.2.254", ip + 12);
	inet_pton(AF_INET, tun_def(TUN_V4)->vip, ip + 16);
	packet_put16(ip + 10, packet_fold(packet_sum(ip, 20, 0)));
	icmp[0] = 3; /* destination unreachable */
	icmp[1] = 4; /* fragmentation needed */
	packet_put16(icmp + 6, 1400);
	memcpy(icmp + 8, quoted + 14, 28);
	packet_put16(icmp + 2, packet_fold(packet_sum(icmp, 36, 0)));
	expect_tunnel(pkt, 14 + 20 + 36, TUN_V4);
}

#include "decap_cases.h"

int main(void)
{
	int err;

	if (fixture_skip("bpf/tun", true))
		return 0;
	err = ncpus > 0 ? tun_fixture_open() : -EINVAL;
	if (err) {
		xvs_decap__destroy(decap);
		return fixture_load_failed("bpf/tun/load", err);
	}
	printf("PASS: bpf/tun/load\n");

	TEST_RUN("bpf/tun/v4_in_v4", test_v4_in_v4);
	TEST_RUN("bpf/tun/v6_in_v6", test_v6_in_v6);
	TEST_RUN("bpf/tun/v4_in_v6", test_v4_in_v6);
	TEST_RUN("bpf/tun/v4_too_big_df", test_v4_too_big_df);
	TEST_RUN("bpf/tun/v4_too_big_no_df", test_v4_too_big_no_df);
	TEST_RUN("bpf/tun/v6_too_big", test_v6_too_big);
	TEST_RUN("bpf/tun/icmp_error_to_backend", test_icmp_error_to_backend);
	decap_cases_run();

	xvs_decap__destroy(decap);
	xvs_lb__destroy(skel);
	return TEST_EXIT();
}
