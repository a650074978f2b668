// SPDX-License-Identifier: GPL-2.0-only
/* BPF_PROG_TEST_RUN fixtures for xvs_lb: packet in -> verdict + packet out,
 * with maps filled through lib/mapenc.c and counters checked after each case. */
#pragma GCC diagnostic ignored "-Wunused-function" /* lb_fixture.h serves many tests */
#include "lb_fixture.h"

/* ---- forwarding ---- */

static void test_udp4_dr_tx(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = build_for(SVC_UDP4, 40000, 0, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_UDP4, 0, true);
	check_conn(SVC_UDP4, 40000, XVS_CONN_UDP, 0);
}

static void test_tcp4_syn(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = build_for(SVC_TCP4, 40000, PACKET_TCP_SYN, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_TCP4, 0, true);
	check_conn(SVC_TCP4, 40000, XVS_CONN_TCP_SYN, 0);
}

static void test_udp6_dr_tx(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	/* SVC_UDP6 is wlc: over idle backends of equal weight it alternates
	 * (a tie goes to the first). */
	for (uint16_t i = 0; i < 4; i++) {
		len = build_for(SVC_UDP6, (uint16_t)(40000 + i), 0, pkt);
		expect_forward(pkt, len, XDP_TX, SVC_UDP6, i % 2, true);
	}
	check_conn(SVC_UDP6, 40000, XVS_CONN_UDP, 0);
}

static void test_tcp6_dr_tx(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = build_for(SVC_TCP6, 40000, PACKET_TCP_SYN, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_TCP6, 0, true);
	len = build_for(SVC_TCP6, 40000, PACKET_TCP_ACK, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_TCP6, 0, false);
	check_conn(SVC_TCP6, 40000, XVS_CONN_TCP_ESTABLISHED, 0);
}

static void test_no_service(void)
{
	struct packet_spec spec = {
		.family = AF_INET, .proto = IPPROTO_TCP, .saddr = "192.0.2.1",
		.daddr = "10.0.0.100", .sport = 40000, .dport = 443,
		.tcp_flags = PACKET_TCP_SYN, .payload = 0,
	};
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = packet_build(&spec, pkt);
	expect_pass(pkt, len, XVS_PASS_NO_SERVICE);
	/* Same port, other protocol: UDP 5000 is not the TCP service. */
	spec.proto = IPPROTO_UDP;
	spec.dport = 5000;
	len = packet_build(&spec, pkt);
	expect_pass(pkt, len, XVS_PASS_NO_SERVICE);
}

static void test_rr_order(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	for (uint16_t i = 0; i < 6; i++) {
		len = build_for(SVC_UDP4, (uint16_t)(41000 + i), 0, pkt);
		expect_forward(pkt, len, XDP_TX, SVC_UDP4, i % 3, true);
	}
}

static void test_same_flow_sticks(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = build_for(SVC_UDP4, 42000, 0, pkt);
	/* rr would give b1, b2, b0: the conn table keeps b0. */
	for (int i = 0; i < 4; i++)
		expect_forward(pkt, len, XDP_TX, SVC_UDP4, 0, i == 0);
	len = build_for(SVC_UDP4, 42001, 0, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_UDP4, 1, true);
}

static void test_userspace_entry_honoured(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	/* An entry written through mapenc_conn_key must be the one the data
	 * plane finds. */
	reset_flows();
	TEST_CHECK(conn_write(SVC_UDP4, 43000, 2, XVS_CONN_UDP, monotonic_ns()) == 0);
	len = build_for(SVC_UDP4, 43000, 0, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_UDP4, 2, false);
	TEST_CHECK(conn_write(SVC_TCP6, 43000, 1, XVS_CONN_TCP_ESTABLISHED, monotonic_ns()) == 0);
	len = build_for(SVC_TCP6, 43000, PACKET_TCP_ACK, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_TCP6, 1, false);
}

/* last_seen_ns is rewritten at most every XVS_LAST_SEEN_REFRESH_NS, and an
 * entry stamped by another CPU after this packet's clock read (last_seen in
 * the future) is current, not expired. */
static void test_last_seen_refresh(void)
{
	uint64_t recent = monotonic_ns(), future = recent + 5 * XVS_TIMEOUT_MIN_NS;
	uint8_t pkt[PACKET_MAX];
	struct xvs_conn conn;
	size_t len;

	reset_flows();
	TEST_CHECK(conn_write(SVC_UDP4, 43100, 2, XVS_CONN_UDP, future) == 0);
	len = build_for(SVC_UDP4, 43100, 0, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_UDP4, 2, false);
	TEST_CHECK(conn_read(SVC_UDP4, 43100, &conn) == 0 && conn.last_seen_ns == future);

	reset_flows();
	TEST_CHECK(conn_write(SVC_UDP4, 43101, 1, XVS_CONN_UDP, recent) == 0);
	len = build_for(SVC_UDP4, 43101, 0, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_UDP4, 1, false);
	TEST_CHECK(conn_read(SVC_UDP4, 43101, &conn) == 0);
	/* Rewritten only if the stamp was older than the refresh interval. */
	TEST_CHECK(conn.last_seen_ns == recent ||
		   conn.last_seen_ns > recent + XVS_LAST_SEEN_REFRESH_NS);
}

static void test_expired_rescheduled(void)
{
	uint8_t pkt[PACKET_MAX];
	struct xvs_conn conn;
	uint64_t old;
	size_t len;

	reset_flows();
	fixture_timeouts(FIXTURE_TIMEOUT_MS);
	old = monotonic_ago(FIXTURE_EXPIRED_NS);
	TEST_CHECK(conn_write(SVC_UDP4, 44000, 2, XVS_CONN_UDP, old) == 0);
	len = build_for(SVC_UDP4, 44000, 0, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_UDP4, 0, true);
	check_conn(SVC_UDP4, 44000, XVS_CONN_UDP, 0);
	TEST_CHECK(conn_read(SVC_UDP4, 44000, &conn) == 0 && conn.last_seen_ns > old);
	/* Within the timeout of its state the same entry is kept. */
	expect_forward(pkt, len, XDP_TX, SVC_UDP4, 0, false);
}

static void test_backend_gone_rescheduled(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	/* A live entry whose backend is not READY (index 3 was never filled
	 * in) moves to a usable backend, as a new connection. */
	reset_flows();
	TEST_CHECK(conn_write(SVC_UDP4, 44100, 3, XVS_CONN_UDP, monotonic_ns()) == 0);
	len = build_for(SVC_UDP4, 44100, 0, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_UDP4, 0, true);
	check_conn(SVC_UDP4, 44100, XVS_CONN_UDP, 0);
	/* An entry left by another service (ids reused after a reload) is not
	 * trusted either. */
	TEST_CHECK(conn_write(SVC_UDP4, 44101, 2, XVS_CONN_UDP, monotonic_ns()) == 0);
	{
		struct xvs_conn conn;
		struct xvs_conn_key key;

		conn_key_for(SVC_UDP4, 44101, &key);
		TEST_CHECK(conn_read(SVC_UDP4, 44101, &conn) == 0);
		conn.service_id = SVC_TCP4;
		TEST_CHECK(bpf_map__update_elem(skel->maps.conns, &key, sizeof(key), &conn,
						sizeof(conn), BPF_EXIST) == 0);
	}
	len = build_for(SVC_UDP4, 44101, 0, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_UDP4, 1, true);
	check_conn(SVC_UDP4, 44101, XVS_CONN_UDP, 1);
}

static void test_tcp_states(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = build_for(SVC_TCP4, 45000, PACKET_TCP_SYN, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_TCP4, 0, true);
	check_conn(SVC_TCP4, 45000, XVS_CONN_TCP_SYN, 0);
	len = build_for(SVC_TCP4, 45000, PACKET_TCP_ACK, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_TCP4, 0, false);
	check_conn(SVC_TCP4, 45000, XVS_CONN_TCP_ESTABLISHED, 0);
	len = build_for(SVC_TCP4, 45000, PACKET_TCP_ACK | PACKET_TCP_PSH, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_TCP4, 0, false);
	check_conn(SVC_TCP4, 45000, XVS_CONN_TCP_ESTABLISHED, 0);
	len = build_for(SVC_TCP4, 45000, PACKET_TCP_FIN | PACKET_TCP_ACK, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_TCP4, 0, false);
	check_conn(SVC_TCP4, 45000, XVS_CONN_TCP_FIN, 0);
	len = build_for(SVC_TCP4, 45000, PACKET_TCP_ACK, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_TCP4, 0, false);
	check_conn(SVC_TCP4, 45000, XVS_CONN_TCP_FIN, 0);
	len = build_for(SVC_TCP4, 45000, PACKET_TCP_RST, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_TCP4, 0, false);
	check_conn(SVC_TCP4, 45000, XVS_CONN_TCP_CLOSE, 0);

	/* RST straight from ESTABLISHED. */
	len = build_for(SVC_TCP4, 45001, PACKET_TCP_ACK, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_TCP4, 1, true);
	check_conn(SVC_TCP4, 45001, XVS_CONN_TCP_ESTABLISHED, 1);
	len = build_for(SVC_TCP4, 45001, PACKET_TCP_RST | PACKET_TCP_ACK, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_TCP4, 1, false);
	check_conn(SVC_TCP4, 45001, XVS_CONN_TCP_CLOSE, 1);
}

static void test_syn_after_fin(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = build_for(SVC_TCP4, 46000, PACKET_TCP_SYN, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_TCP4, 0, true);
	len = build_for(SVC_TCP4, 46000, PACKET_TCP_FIN | PACKET_TCP_ACK, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_TCP4, 0, false);
	/* The client reuses its port: a new connection, scheduled afresh. */
	len = build_for(SVC_TCP4, 46000, PACKET_TCP_SYN, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_TCP4, 1, true);
	check_conn(SVC_TCP4, 46000, XVS_CONN_TCP_SYN, 1);
	/* Same after RST. */
	len = build_for(SVC_TCP4, 46000, PACKET_TCP_RST, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_TCP4, 1, false);
	len = build_for(SVC_TCP4, 46000, PACKET_TCP_SYN, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_TCP4, 2, true);
	/* A retransmitted SYN of a live SYN entry is the same connection. */
	expect_forward(pkt, len, XDP_TX, SVC_TCP4, 2, false);
}

static void test_redirect(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = build_for(SVC_REDIRECT, 47000, 0, pkt);
	expect_forward(pkt, len, XDP_REDIRECT, SVC_REDIRECT, 0, true);
}

static void test_redirect_without_tx_port(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = build_for(SVC_NO_TX_PORT, 47000, 0, pkt);
	expect_drop(pkt, len, XVS_DROP_NO_BACKEND);
}

/* A packet of svc from port sport is dropped for want of a backend, and no
 * flow is remembered. */
static void expect_no_backend(enum fixture_service svc, uint16_t sport)
{
	uint8_t pkt[PACKET_MAX];
	size_t len = build_for(svc, sport, 0, pkt);

	expect_drop(pkt, len, XVS_DROP_NO_BACKEND);
	TEST_CHECK(conn_read(svc, sport, &(struct xvs_conn){ 0 }) == -ENOENT);
}

static void test_no_backend(void)
{
	struct xvs_counters before, after;

	reset_flows();
	read_counters(skel->maps.service_stats, SVC_EMPTY, &before);
	expect_no_backend(SVC_EMPTY, 48000);
	read_counters(skel->maps.service_stats, SVC_EMPTY, &after);
	TEST_CHECK(after.conns == before.conns && after.in_packets == before.in_packets);
}

static void test_backend_not_ready(void)
{
	reset_flows();
	expect_no_backend(SVC_NOT_READY, 48000);
}

static void test_mode_not_built(void)
{
	reset_flows();
	expect_no_backend(SVC_NAT, 48000);
}

static void test_conn_table_full(void)
{
	uint64_t now = monotonic_ns();
	uint8_t pkt[PACKET_MAX];
	size_t len;
	int err;

	reset_flows();
	for (uint16_t i = 0; i < CONN_TABLE; i++) {
		err = conn_write(SVC_UDP4, (uint16_t)(50000 + i), 1, XVS_CONN_UDP, now);
		TEST_CHECK_MSG(err == 0, "filling entry %u: %s", i, strerror(-err));
	}
	err = conn_write(SVC_UDP4, 50000 + CONN_TABLE, 1, XVS_CONN_UDP, now);
	TEST_CHECK_MSG(err == -E2BIG, "entry past the size: %d", err);

	len = build_for(SVC_UDP4, 49000, 0, pkt);
	expect_drop(pkt, len, XVS_DROP_CONN_TABLE_FULL);
	len = build_for(SVC_TCP4, 49000, PACKET_TCP_SYN, pkt);
	expect_drop(pkt, len, XVS_DROP_CONN_TABLE_FULL);
	/* Established flows keep going. */
	len = build_for(SVC_UDP4, 50007, 0, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_UDP4, 1, false);
	/* An expired entry is reused in place: no free slot needed. The
	 * refused UDP flow above already took rr's turn of b0. */
	fixture_timeouts(FIXTURE_TIMEOUT_MS);
	TEST_CHECK(conn_write(SVC_UDP4, 50009, 2, XVS_CONN_UDP, monotonic_ago(FIXTURE_EXPIRED_NS)) == 0);
	len = build_for(SVC_UDP4, 50009, 0, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_UDP4, 1, true);
	check_conn(SVC_UDP4, 50009, XVS_CONN_UDP, 1);
	reset_flows();
}

static void test_vlan(void)
{
	struct packet_spec spec = {
		.family = AF_INET, .proto = IPPROTO_UDP, .saddr = "192.0.2.1",
		.daddr = "10.0.0.100", .sport = 51000, .dport = 53, .vlan = 42, .payload = 20,
	};
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = packet_build(&spec, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_UDP4, 0, true);
	spec.family = AF_INET6;
	spec.saddr = "2001:db8:c::1";
	spec.daddr = "2001:db8::100";
	len = packet_build(&spec, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_UDP6, 0, true);
	/* QinQ: two tags are left to the kernel. */
	memmove(pkt + 16, pkt + 12, len - 12);
	packet_put16(pkt + 12, 0x88a8);
	packet_put16(pkt + 14, 7);
	expect_pass(pkt, len + 4, XVS_PASS_UNSUPPORTED);
}

static void test_ipv4_options(void)
{
	struct packet_spec spec = {
		.family = AF_INET, .proto = IPPROTO_UDP, .saddr = "192.0.2.1",
		.daddr = "10.0.0.100", .sport = 52000, .dport = 53, .ip_options = 4,
		.payload = 10,
	};
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = packet_build(&spec, pkt);
	TEST_CHECK(pkt[14] == 0x46);
	expect_forward(pkt, len, XDP_TX, SVC_UDP4, 0, true);
	spec.proto = IPPROTO_TCP;
	spec.dport = 5000;
	spec.ip_options = 40; /* IHL 15, the most there is */
	spec.tcp_flags = PACKET_TCP_SYN;
	len = packet_build(&spec, pkt);
	TEST_CHECK(pkt[14] == 0x4f);
	expect_forward(pkt, len, XDP_TX, SVC_TCP4, 0, true);
	check_conn(SVC_TCP4, 52000, XVS_CONN_TCP_SYN, 0);
}

/* ---- packets the data plane must leave alone ---- */

static void test_truncated(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = build_for(SVC_UDP4, 53000, 0, pkt);
	expect_pass(pkt, 14, XVS_PASS_UNSUPPORTED);      /* Ethernet only */
	expect_pass(pkt, 14 + 10, XVS_PASS_UNSUPPORTED); /* IP header cut */
	expect_pass(pkt, len - 1, XVS_PASS_UNSUPPORTED); /* shorter than tot_len */
	len = build_for(SVC_UDP6, 53000, 0, pkt);
	expect_pass(pkt, 14 + 30, XVS_PASS_UNSUPPORTED); /* IPv6 header cut */
	expect_pass(pkt, len - 1, XVS_PASS_UNSUPPORTED); /* shorter than payload_len */

	/* TCP cut before the ports: nothing says which service. */
	len = build_for(SVC_TCP4, 53000, PACKET_TCP_SYN, pkt);
	packet_put16(pkt + 16, 20 + 2);
	packet_ipv4_recheck(pkt, 14);
	expect_pass(pkt, 14 + 20 + 2, XVS_PASS_UNSUPPORTED);
	/* TCP cut after the ports, to a service: a counted drop. */
	len = build_for(SVC_TCP4, 53000, PACKET_TCP_SYN, pkt);
	packet_put16(pkt + 16, 20 + 10);
	packet_ipv4_recheck(pkt, 14);
	expect_drop(pkt, 14 + 20 + 10, XVS_DROP_MALFORMED);
	/* The same to a port without a service goes to the kernel. */
	packet_put16(pkt + 14 + 20 + 2, 5001);
	expect_pass(pkt, 14 + 20 + 10, XVS_PASS_UNSUPPORTED);
	/* UDP header cut after the ports, to a service. */
	len = build_for(SVC_UDP4, 53000, 0, pkt);
	packet_put16(pkt + 16, 20 + 6);
	packet_ipv4_recheck(pkt, 14);
	expect_drop(pkt, 14 + 20 + 6, XVS_DROP_MALFORMED);
	TEST_CHECK(conn_read(SVC_UDP4, 53000, &(struct xvs_conn){ 0 }) == -ENOENT);
}

static void test_bad_headers(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = build_for(SVC_UDP4, 54000, 0, pkt);
	pkt[14] = 0x44; /* IHL 4 */
	packet_ipv4_recheck(pkt, 14);
	expect_pass(pkt, len, XVS_PASS_UNSUPPORTED);

	len = build_for(SVC_UDP4, 54000, 0, pkt);
	packet_put16(pkt + 16, 19); /* tot_len below the header */
	packet_ipv4_recheck(pkt, 14);
	expect_pass(pkt, len, XVS_PASS_UNSUPPORTED);

	len = build_for(SVC_UDP4, 54000, 0, pkt);
	pkt[14] = 0x65; /* version 6 in an IPv4 ethertype */
	expect_pass(pkt, len, XVS_PASS_UNSUPPORTED);

	len = build_for(SVC_TCP4, 54000, PACKET_TCP_SYN, pkt);
	pkt[14 + 20 + 12] = 4 << 4; /* TCP doff 4, to a service */
	expect_drop(pkt, len, XVS_DROP_MALFORMED);

	len = build_for(SVC_UDP4, 54000, 0, pkt);
	pkt[14 + 9] = IPPROTO_ICMP;
	packet_ipv4_recheck(pkt, 14);
	expect_pass(pkt, len, XVS_PASS_UNSUPPORTED);
	TEST_CHECK(conn_read(SVC_UDP4, 54000, &(struct xvs_conn){ 0 }) == -ENOENT);
}

static void test_fragments(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = build_for(SVC_UDP4, 55000, 0, pkt);
	packet_put16(pkt + 14 + 6, 0x2000); /* MF, offset 0 */
	packet_ipv4_recheck(pkt, 14);
	expect_pass(pkt, len, XVS_PASS_FRAGMENT);
	packet_put16(pkt + 14 + 6, 0x0010); /* last fragment, offset 128 */
	packet_ipv4_recheck(pkt, 14);
	expect_pass(pkt, len, XVS_PASS_FRAGMENT);

	len = build_for(SVC_UDP6, 55000, 0, pkt);
	pkt[14 + 6] = 44; /* a fragment header follows */
	expect_pass(pkt, len, XVS_PASS_FRAGMENT);
}

static void test_ipv6_extension_header(void)
{
	uint8_t pkt[PACKET_MAX];
	size_t len;

	reset_flows();
	len = build_for(SVC_UDP6, 56000, 0, pkt);
	pkt[14 + 6] = 0; /* hop-by-hop options */
	expect_pass(pkt, len, XVS_PASS_UNSUPPORTED);
	pkt[14 + 6] = 60; /* destination options */
	expect_pass(pkt, len, XVS_PASS_UNSUPPORTED);
}

static void test_not_ip(void)
{
	uint8_t pkt[64] = { 0 };

	reset_flows();
	memset(pkt, 0xff, 6); /* ARP request, broadcast */
	memcpy(pkt + 6, packet_router_mac, 6);
	packet_put16(pkt + 12, 0x0806);
	packet_put16(pkt + 14, 1);
	packet_put16(pkt + 16, 0x0800);
	pkt[18] = 6;
	pkt[19] = 4;
	packet_put16(pkt + 20, 1);
	expect_pass(pkt, 42, XVS_PASS_NOT_IP);
	packet_put16(pkt + 12, 0x88cc); /* LLDP */
	expect_pass(pkt, 60, XVS_PASS_NOT_IP);
}

int main(void)
{
	int err;

	if (fixture_skip("bpf", true))
		return 0;
	if (ncpus <= 0) {
		printf("FAIL: bpf/load: cannot count CPUs\n");
		return 1;
	}

	err = fixture_open();
	if (err)
		return fixture_load_failed("bpf/load", err);
	printf("PASS: bpf/load\n");

	TEST_RUN("bpf/udp4_dr_tx", test_udp4_dr_tx);
	TEST_RUN("bpf/tcp4_syn", test_tcp4_syn);
	TEST_RUN("bpf/udp6_dr_tx", test_udp6_dr_tx);
	TEST_RUN("bpf/tcp6_dr_tx", test_tcp6_dr_tx);
	TEST_RUN("bpf/no_service", test_no_service);
	TEST_RUN("bpf/rr_order", test_rr_order);
	TEST_RUN("bpf/same_flow_sticks", test_same_flow_sticks);
	TEST_RUN("bpf/userspace_entry_honoured", test_userspace_entry_honoured);
	TEST_RUN("bpf/last_seen_refresh", test_last_seen_refresh);
	TEST_RUN("bpf/expired_rescheduled", test_expired_rescheduled);
	TEST_RUN("bpf/backend_gone_rescheduled", test_backend_gone_rescheduled);
	TEST_RUN("bpf/tcp_states", test_tcp_states);
	TEST_RUN("bpf/syn_after_fin", test_syn_after_fin);
	TEST_RUN("bpf/redirect", test_redirect);
	TEST_RUN("bpf/redirect_without_tx_port", test_redirect_without_tx_port);
	TEST_RUN("bpf/no_backend", test_no_backend);
	TEST_RUN("bpf/backend_not_ready", test_backend_not_ready);
	TEST_RUN("bpf/mode_not_built", test_mode_not_built);
	TEST_RUN("bpf/conn_table_full", test_conn_table_full);
	TEST_RUN("bpf/vlan", test_vlan);
	TEST_RUN("bpf/ipv4_options", test_ipv4_options);
	TEST_RUN("bpf/truncated", test_truncated);
	TEST_RUN("bpf/bad_headers", test_bad_headers);
	TEST_RUN("bpf/fragments", test_fragments);
	TEST_RUN("bpf/ipv6_extension_header", test_ipv6_extension_header);
	TEST_RUN("bpf/not_ip", test_not_ip);

	xvs_lb__destroy(skel);
	return TEST_EXIT();
}
