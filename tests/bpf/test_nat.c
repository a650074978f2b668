// SPDX-License-Identifier: GPL-2.0-only
/* BPF_PROG_TEST_RUN fixtures for modes nat and snat: both directions byte for
 * byte (checksums recomputed independently), snat port allocation, the FIB. */
#pragma GCC diagnostic ignored "-Wunused-function" /* lb_fixture.h serves many tests */
#include "nat_fixture.h"

/* nat: client -> VIP:port leaves as client -> backend:port', and the reply
 * backend:port' -> client leaves as VIP:port -> client. */
static void nat_round_trip(enum nat_service svc, uint8_t flags)
{
	const struct nat_def *def = nat_def(svc);
	uint8_t in[PACKET_MAX], want[PACKET_MAX];
	struct xvs_counters before, after;
	size_t len, want_len;

	len = nat_build(def, client_of(def), 40000, def->vip, def->port, flags, false, NULL, NULL,
			in);
	want_len = nat_build(def, client_of(def), 40000, def->backend, backend_port_of(def), flags,
			     true, backend_mac, backend_side_mac, want);
	expect_out(in, len, XDP_REDIRECT, want, want_len);
	TEST_CHECK(nat_flows_count() == 2);

	read_counters(skel->maps.service_stats, (uint32_t)svc, &before);
	len = nat_build(def, def->backend, backend_port_of(def), client_of(def), 40000,
			flags | PACKET_TCP_ACK, false, NULL, NULL, in);
	want_len = nat_build(def, def->vip, def->port, client_of(def), 40000,
			     flags | PACKET_TCP_ACK, true, client_mac, client_side_mac, want);
	expect_out(in, len, XDP_REDIRECT, want, want_len);
	read_counters(skel->maps.service_stats, (uint32_t)svc, &after);
	TEST_CHECK(after.out_packets - before.out_packets == 1);
	TEST_CHECK(after.out_bytes - before.out_bytes == l3_bytes(in));
}

static void test_nat_udp4(void)
{
	nat_reset();
	nat_round_trip(NAT_UDP4, 0);
}

static void test_nat_tcp4(void)
{
	nat_reset();
	nat_round_trip(NAT_TCP4, PACKET_TCP_SYN);
}

static void test_nat_tcp6(void)
{
	nat_reset();
	nat_round_trip(NAT_TCP6, PACKET_TCP_SYN);
}

/* An IPv4 UDP checksum of 0 (none) stays 0 in both directions. */
static void test_nat_udp4_zero_checksum(void)
{
	const struct nat_def *def = nat_def(NAT_UDP4);
	uint8_t in[PACKET_MAX], want[PACKET_MAX];
	size_t len, want_len;

	nat_reset();
	len = nat_build(def, client_of(def), 40001, def->vip, def->port, 0, false, NULL, NULL, in);
	want_len = nat_build(def, client_of(def), 40001, def->backend, 5353, 0, true, backend_mac,
			     backend_side_mac, want);
	packet_put16(in + 14 + 20 + 6, 0);
	packet_put16(want + 14 + 20 + 6, 0);
	struct outcome out;

	run_packet(in, len, &out);
	TEST_CHECK(out.verdict == XDP_REDIRECT);
	TEST_CHECK(out.len == want_len && memcmp(out.data, want, want_len) == 0);
}

/* snat: the source becomes the snat address and a port of 2000-2001. */
static uint16_t snat_send(const struct nat_def *def, uint16_t client_port)
{
	uint8_t in[PACKET_MAX], want[PACKET_MAX];
	struct outcome out;
	uint16_t port;
	size_t len;

	len = nat_build(def, client_of(def), client_port, def->vip, def->port, PACKET_TCP_SYN,
			false, NULL, NULL, in);
	run_packet(in, len, &out);
	if (out.verdict != XDP_REDIRECT)
		return 0;
	port = (uint16_t)(out.data[14 + (def_v6(def) ? 40 : 20)] << 8 |
			  out.data[15 + (def_v6(def) ? 40 : 20)]);
	nat_build(def, def->snat, port, def->backend, backend_port_of(def), PACKET_TCP_SYN, true,
		  backend_mac, backend_side_mac, want);
	TEST_CHECK_MSG(out.len == len && memcmp(out.data, want, len) == 0,
		       "snat packet differs (source port %u)", port);
	TEST_CHECK(packet_checksums_ok(out.data, out.len));
	return port;
}

static void snat_reply(const struct nat_def *def, uint16_t port, uint16_t client_port)
{
	uint8_t in[PACKET_MAX], want[PACKET_MAX];
	size_t len, want_len;

	len = nat_build(def, def->backend, backend_port_of(def), def->snat, port, PACKET_TCP_ACK,
			false, NULL, NULL, in);
	want_len = nat_build(def, def->vip, def->port, client_of(def), client_port, PACKET_TCP_ACK,
			     true, client_mac, client_side_mac, want);
	expect_out(in, len, XDP_REDIRECT, want, want_len);
}

/* Two flows take the two ports; a third is refused (counted); the first
 * two carry on, replies included. */
static void test_snat_tcp4_ports(void)
{
	const struct nat_def *def = nat_def(SNAT_TCP4);
	uint8_t in[PACKET_MAX];
	uint16_t first, second;
	size_t len;

	nat_reset();
	first = snat_send(def, 40000);
	second = snat_send(def, 40001);
	TEST_CHECK_MSG(first >= 2000 && first <= 2001 && second >= 2000 && second <= 2001 &&
			       first != second, "ports %u and %u", first, second);
	len = nat_build(def, client_of(def), 40002, def->vip, def->port, PACKET_TCP_SYN, false,
			NULL, NULL, in);
	expect_drop(in, len, XVS_DROP_NAT_NO_PORT);
	TEST_CHECK(snat_send(def, 40000) == first);
	snat_reply(def, first, 40000);
	snat_reply(def, second, 40001);
}

static void test_snat_udp6(void)
{
	const struct nat_def *def = nat_def(SNAT_UDP6);
	uint16_t port;

	nat_reset();
	port = snat_send(def, 40000);
	TEST_CHECK(port >= 2000);
	snat_reply(def, port, 40000);
}

/* The next hop's MAC is unknown: the kernel gets the packet untouched. */
static void test_no_neigh(void)
{
	const struct nat_def *def = nat_def(NAT_NO_NEIGH);
	uint8_t in[PACKET_MAX];
	size_t len;

	nat_reset();
	len = nat_build(def, client_of(def), 40000, def->vip, def->port, 0, false, NULL, NULL, in);
	expect_pass(in, len, XVS_PASS_NO_NEIGH);
}

/* Toward the backend a packet goes to the next hop in the backend's entry
 * (the daemon resolved it), without a FIB lookup; one bigger than the
 * entry's MTU, or with no MTU there, is routed with the FIB. The entry
 * names another MAC than the kernel's neighbour to tell the two apart. */
static void test_next_hop_from_backend(void)
{
	static const uint8_t entry_mac[6] = { 0x02, 0xbe, 0x00, 0x00, 0x00, 0x22 };
	const struct nat_def *def = nat_def(NAT_UDP4);
	uint32_t id = backend_id((enum fixture_service)NAT_UDP4, 0);
	uint8_t in[PACKET_MAX], want[PACKET_MAX];
	struct xvs_backend saved, changed;
	size_t len, want_len;

	nat_reset();
	TEST_CHECK(bpf_map__lookup_elem(skel->maps.backends, &id, sizeof(id), &saved,
					sizeof(saved), 0) == 0);
	changed = saved;
	memcpy(changed.dmac, entry_mac, 6);
	bpf_map__update_elem(skel->maps.backends, &id, sizeof(id), &changed, sizeof(changed),
			     BPF_ANY);
	len = nat_build(def, client_of(def), 40000, def->vip, def->port, 0, false, NULL, NULL, in);
	want_len = nat_build(def, client_of(def), 40000, def->backend, backend_port_of(def), 0,
			     true, entry_mac, backend_side_mac, want);
	expect_out(in, len, XDP_REDIRECT, want, want_len);

	changed.mtu = (uint16_t)(l3_bytes(in) - 1);
	bpf_map__update_elem(skel->maps.backends, &id, sizeof(id), &changed, sizeof(changed),
			     BPF_ANY);
	nat_build(def, client_of(def), 40000, def->backend, backend_port_of(def), 0, true,
		  backend_mac, backend_side_mac, want);
	expect_out(in, len, XDP_REDIRECT, want, want_len);

	changed.mtu = 0;
	bpf_map__update_elem(skel->maps.backends, &id, sizeof(id), &changed, sizeof(changed),
			     BPF_ANY);
	expect_out(in, len, XDP_REDIRECT, want, want_len);
	bpf_map__update_elem(skel->maps.backends, &id, sizeof(id), &saved, sizeof(saved),
			     BPF_ANY);
}

/* route_generation of tenant 0, as xvsd keeps it. */
static void route_generation_set(uint32_t value)
{
	uint32_t key = 0;

	TEST_CHECK(bpf_map__update_elem(skel->maps.route_generation, &key, sizeof(key), &value,
					sizeof(value), BPF_ANY) == 0);
}

/* The reply-side nat_flows entry of a nat flow of def. */
static bool reply_entry(const struct nat_def *def, uint16_t client_port,
			struct xvs_conn_key *key, struct xvs_nat_flow *flow)
{
	struct inet_addr client, backend;

	inet_addr_parse(client_of(def), &client);
	inet_addr_parse(def->backend, &backend);
	mapenc_conn_key(&backend, backend_port_of(def), &client, client_port, def->proto, key);
	return bpf_map__lookup_elem(skel->maps.nat_flows, key, sizeof(*key), flow, sizeof(*flow),
				    0) == 0;
}

static void reply_entry_write(const struct xvs_conn_key *key, const struct xvs_nat_flow *flow)
{
	TEST_CHECK(bpf_map__update_elem(skel->maps.nat_flows, key, sizeof(*key), flow,
					sizeof(*flow), BPF_EXIST) == 0);
}

/* A nat reply as it must leave toward client MAC mac. */
static void reply_expect(const struct nat_def *def, const uint8_t *mac)
{
	uint8_t in[PACKET_MAX], want[PACKET_MAX];
	size_t len, want_len;

	len = nat_build(def, def->backend, backend_port_of(def), client_of(def), 40000, 0, false,
			NULL, NULL, in);
	want_len = nat_build(def, def->vip, def->port, client_of(def), 40000, 0, true, mac,
			     client_side_mac, want);
	expect_out(in, len, XDP_REDIRECT, want, want_len);
}

/* Toward the client a flow's replies use the next hop its last FIB lookup
 * found, while the route generation is the one of the lookup, for at most
 * the TTL, for packets from the same interface that fit the route's MTU.
 * The kernel's neighbour is changed behind the cache's back to tell a
 * cached next hop from a looked-up one. Generation 0: nothing cached. */
static void test_reply_hop_cache(void)
{
	static const uint8_t moved_mac[6] = { 0x02, 0xc1, 0x00, 0x00, 0x00, 0x02 };
	const struct nat_def *def = nat_def(NAT_UDP4);
	uint8_t in[PACKET_MAX];
	struct xvs_nat_flow flow;
	struct xvs_conn_key key;
	struct outcome out;
	size_t len;

	nat_reset();
	route_generation_set(1);
	len = nat_build(def, client_of(def), 40000, def->vip, def->port, 0, false, NULL, NULL, in);
	run_packet(in, len, &out);
	TEST_CHECK(out.verdict == XDP_REDIRECT);
	reply_expect(def, client_mac);
	TEST_CHECK(reply_entry(def, 40000, &key, &flow));
	TEST_CHECK(flow.hop_generation == 1 && !memcmp(flow.hop_dmac, client_mac, 6));
	TEST_CHECK(!memcmp(flow.hop_smac, client_side_mac, 6));
	TEST_CHECK_MSG(flow.hop_mtu == 1500, "hop_mtu %u", flow.hop_mtu);
	TEST_CHECK(flow.hop_ifindex == if_nametoindex("nat-cl"));

	/* The neighbour moves: the cache still answers, until a new generation. */
	TEST_CHECK(shell("ip neigh replace 192.0.2.1 lladdr 02:c1:00:00:00:02 dev nat-cl "
			 "nud permanent") == 0);
	reply_expect(def, client_mac);
	route_generation_set(2);
	reply_expect(def, moved_mac);
	TEST_CHECK(reply_entry(def, 40000, &key, &flow) && flow.hop_generation == 2);

	/* Older than the TTL: looked up again. */
	TEST_CHECK(shell("ip neigh replace 192.0.2.1 lladdr 02:c1:00:00:00:01 dev nat-cl "
			 "nud permanent") == 0);
	reply_expect(def, moved_mac);
	flow.hop_stamp -= XVS_HOP_TTL_TICKS + 1;
	reply_entry_write(&key, &flow);
	reply_expect(def, client_mac);

	/* Bigger than the cached MTU, or from another interface: looked up. */
	TEST_CHECK(shell("ip neigh replace 192.0.2.1 lladdr 02:c1:00:00:00:02 dev nat-cl "
			 "nud permanent") == 0);
	TEST_CHECK(reply_entry(def, 40000, &key, &flow));
	flow.hop_mtu = 60;
	reply_entry_write(&key, &flow);
	reply_expect(def, moved_mac);
	TEST_CHECK(reply_entry(def, 40000, &key, &flow) && flow.hop_mtu == 1500);
	TEST_CHECK(shell("ip neigh replace 192.0.2.1 lladdr 02:c1:00:00:00:01 dev nat-cl "
			 "nud permanent") == 0);
	flow.hop_iif = INGRESS_IFINDEX + 1;
	reply_entry_write(&key, &flow);
	reply_expect(def, client_mac);

	/* Generation 0 (no xvsd keeps it): every reply is looked up. */
	route_generation_set(0);
	nat_reset();
	run_packet(in, len, &out);
	reply_expect(def, client_mac);
	TEST_CHECK(reply_entry(def, 40000, &key, &flow) && flow.hop_generation == 0);
	TEST_CHECK(shell("ip neigh replace 192.0.2.1 lladdr 02:c1:00:00:00:02 dev nat-cl "
			 "nud permanent") == 0);
	reply_expect(def, moved_mac);
	TEST_CHECK(shell("ip neigh replace 192.0.2.1 lladdr 02:c1:00:00:00:01 dev nat-cl "
			 "nud permanent") == 0);
}

/* The cache keeps the route's MTU: a bigger reply is looked up, and
 * dropped as too big as without the cache; smaller ones still use it. */
static void test_reply_hop_cache_too_big(void)
{
	const struct nat_def *def = nat_def(NAT_UDP4);
	struct xvs_nat_flow flow;
	struct xvs_conn_key key;
	uint8_t in[PACKET_MAX];
	struct outcome out;
	size_t len;

	nat_reset();
	route_generation_set(1);
	TEST_CHECK(shell("ip route replace 192.0.2.0/24 dev nat-cl mtu lock 100") == 0);
	len = nat_build(def, client_of(def), 40000, def->vip, def->port, 0, false, NULL, NULL, in);
	run_packet(in, len, &out);
	reply_expect(def, client_mac);
	TEST_CHECK(reply_entry(def, 40000, &key, &flow) && flow.hop_generation == 1);
	TEST_CHECK_MSG(flow.hop_mtu == 100, "hop_mtu %u", flow.hop_mtu);
	struct packet_spec big = {
		.family = AF_INET,
		.proto = IPPROTO_UDP,
		.saddr = def->backend,
		.daddr = client_of(def),
		.sport = backend_port_of(def),
		.dport = 40000,
		.payload = 200,
	};

	len = packet_build(&big, in);
	expect_drop(in, len, XVS_DROP_TOO_BIG);
	reply_expect(def, client_mac);
	TEST_CHECK(shell("ip route replace 192.0.2.0/24 dev nat-cl") == 0);
	route_generation_set(0);
}

/* The conns entry of a client flow of def. */
static struct xvs_conn conn_of(const struct nat_def *def, uint16_t client_port)
{
	struct xvs_conn conn = { 0 };
	struct inet_addr client, vip;
	struct xvs_conn_key key;

	inet_addr_parse(client_of(def), &client);
	inet_addr_parse(def->vip, &vip);
	mapenc_conn_key(&client, client_port, &vip, def->port, def->proto, &key);
	TEST_CHECK(bpf_map__lookup_elem(skel->maps.conns, &key, sizeof(key), &conn,
					sizeof(conn), 0) == 0);
	return conn;
}

/* A tracked nat flow's packets leave the same way once its conns entry
 * records that the translation exists (no nat_flows lookup then). */
static void test_nat_tracked_from_conn(void)
{
	const struct nat_def *def = nat_def(NAT_UDP4);
	uint8_t in[PACKET_MAX], want[PACKET_MAX];
	size_t len, want_len;

	nat_reset();
	len = nat_build(def, client_of(def), 40000, def->vip, def->port, 0, false, NULL, NULL, in);
	want_len = nat_build(def, client_of(def), 40000, def->backend, backend_port_of(def), 0,
			     true, backend_mac, backend_side_mac, want);
	expect_out(in, len, XDP_REDIRECT, want, want_len);
	TEST_CHECK(conn_of(def, 40000).nat == 0);
	expect_out(in, len, XDP_REDIRECT, want, want_len);
	TEST_CHECK(conn_of(def, 40000).nat == XVS_CONN_NAT(0, 0));
	expect_out(in, len, XDP_REDIRECT, want, want_len);
	TEST_CHECK(nat_flows_count() == 2);

	/* Proof that nat_flows is not read: without its client-side entry
	 * the packet leaves the same (a lookup would have made it again). */
	struct inet_addr client, vip;
	struct xvs_conn_key key;

	inet_addr_parse(client_of(def), &client);
	inet_addr_parse(def->vip, &vip);
	mapenc_conn_key(&client, 40000, &vip, def->port, def->proto, &key);
	TEST_CHECK(bpf_map__delete_elem(skel->maps.nat_flows, &key, sizeof(key), 0) == 0);
	expect_out(in, len, XDP_REDIRECT, want, want_len);
	TEST_CHECK(nat_flows_count() == 1);
}

/* snat: the entry records which snat address (by index, for the
 * generation of snat_sources) and port the flow uses. When the service's
 * addresses change, the flow keeps its own (from nat_flows) and records the
 * new index, or records nothing when its address is gone. */
static void test_snat_tracked_from_conn(void)
{
	const struct nat_def *def = nat_def(SNAT_TCP4);
	uint32_t id = (uint32_t)SNAT_TCP4;
	struct xvs_snat saved, changed;
	struct inet_addr other;
	uint16_t port;

	nat_reset();
	TEST_CHECK(bpf_map__lookup_elem(skel->maps.snat_sources, &id, sizeof(id), &saved,
					sizeof(saved), 0) == 0);
	port = snat_send(def, 40000);
	TEST_CHECK(snat_send(def, 40000) == port);
	TEST_CHECK(conn_of(def, 40000).nat == XVS_CONN_NAT(0, saved.generation));
	TEST_CHECK(conn_of(def, 40000).nat_port == htons(port));
	TEST_CHECK(snat_send(def, 40000) == port);

	/* The flow's address moves to index 1 in a new generation. */
	changed = saved;
	inet_addr_parse("10.9.0.2", &other);
	inet_addr_to_xvs(&other, &changed.addrs[0]);
	changed.addrs[1] = saved.addrs[0];
	changed.count = 2;
	changed.generation = (uint8_t)(saved.generation + 1);
	bpf_map__update_elem(skel->maps.snat_sources, &id, sizeof(id), &changed, sizeof(changed),
			     BPF_ANY);
	TEST_CHECK(snat_send(def, 40000) == port);
	TEST_CHECK(conn_of(def, 40000).nat == XVS_CONN_NAT(1, changed.generation));
	TEST_CHECK(snat_send(def, 40000) == port);

	/* Its address is gone: it keeps it, and every packet looks it up. */
	changed.addrs[1] = changed.addrs[0];
	changed.generation++;
	bpf_map__update_elem(skel->maps.snat_sources, &id, sizeof(id), &changed, sizeof(changed),
			     BPF_ANY);
	TEST_CHECK(snat_send(def, 40000) == port);
	TEST_CHECK(conn_of(def, 40000).nat == 0);
	TEST_CHECK(snat_send(def, 40000) == port);
	snat_reply(def, port, 40000);
	bpf_map__update_elem(skel->maps.snat_sources, &id, sizeof(id), &saved, sizeof(saved),
			     BPF_ANY);
}

/* A reply that matches no flow is the kernel's. */
static void test_reply_without_flow(void)
{
	const struct nat_def *def = nat_def(NAT_UDP4);
	uint8_t in[PACKET_MAX];
	size_t len;

	nat_reset();
	len = nat_build(def, def->backend, 5353, client_of(def), 40000, 0, false, NULL, NULL, in);
	expect_pass(in, len, XVS_PASS_NO_SERVICE);
}

/* TTL 1: the kernel answers with time exceeded. */
static void test_ttl_expired(void)
{
	const struct nat_def *def = nat_def(NAT_UDP4);
	uint8_t in[PACKET_MAX];
	size_t len;

	nat_reset();
	len = nat_build(def, client_of(def), 40000, def->vip, def->port, 0, false, NULL, NULL, in);
	in[14 + 8] = 1;
	packet_ipv4_recheck(in, 14);
	expect_pass(in, len, XVS_PASS_UNSUPPORTED);
}

/* The reaper deletes a flow's translation with its conns entry. */
static void test_reaped_with_conn(void)
{
	const struct nat_def *def = nat_def(SNAT_TCP4);
	struct xvs_reap_args reaped;
	struct xvs_conn_key key;
	struct xvs_conn conn;
	struct inet_addr client, vip;

	nat_reset();
	TEST_CHECK(snat_send(def, 40000) != 0);
	TEST_CHECK(nat_flows_count() == 2);
	inet_addr_parse(client_of(def), &client);
	inet_addr_parse(def->vip, &vip);
	mapenc_conn_key(&client, 40000, &vip, def->port, def->proto, &key);
	TEST_CHECK(bpf_map__lookup_elem(skel->maps.conns, &key, sizeof(key), &conn,
					sizeof(conn), 0) == 0);
	fixture_timeouts(FIXTURE_TIMEOUT_MS);
	conn.last_seen_ns = monotonic_ago(FIXTURE_EXPIRED_NS);
	bpf_map__update_elem(skel->maps.conns, &key, sizeof(key), &conn, sizeof(conn), BPF_ANY);
	TEST_CHECK(conntrack_reap(skel, 0, &reaped) == 0);
	TEST_CHECK(reaped.reaped == 1);
	TEST_CHECK_MSG(nat_flows_count() == 0, "%u nat_flows entries left", nat_flows_count());
}

int main(void)
{
	int err;

	if (fixture_skip("bpf/nat", false))
		return 0;
	err = nat_fixture_open();
	if (err)
		return fixture_load_failed("bpf/nat_load", err);
	printf("PASS: bpf/nat_load\n");
	TEST_RUN("bpf/nat_udp4_port_translation", test_nat_udp4);
	TEST_RUN("bpf/nat_tcp4", test_nat_tcp4);
	TEST_RUN("bpf/nat_tcp6_port_translation", test_nat_tcp6);
	TEST_RUN("bpf/nat_udp4_zero_checksum", test_nat_udp4_zero_checksum);
	TEST_RUN("bpf/snat_tcp4_ports_exhausted", test_snat_tcp4_ports);
	TEST_RUN("bpf/snat_udp6", test_snat_udp6);
	TEST_RUN("bpf/nat_no_neigh", test_no_neigh);
	TEST_RUN("bpf/nat_next_hop_from_backend", test_next_hop_from_backend);
	TEST_RUN("bpf/nat_tracked_from_conn", test_nat_tracked_from_conn);
	TEST_RUN("bpf/snat_tracked_from_conn", test_snat_tracked_from_conn);
	TEST_RUN("bpf/nat_reply_without_flow", test_reply_without_flow);
	TEST_RUN("bpf/nat_reply_hop_cache", test_reply_hop_cache);
	TEST_RUN("bpf/nat_reply_hop_cache_too_big", test_reply_hop_cache_too_big);
	TEST_RUN("bpf/nat_ttl_expired", test_ttl_expired);
	TEST_RUN("bpf/nat_reaped_with_conn", test_reaped_with_conn);
	xvs_lb__destroy(skel);
	return TEST_EXIT();
}
