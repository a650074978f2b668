// SPDX-License-Identifier: GPL-2.0-only
/* BPF_PROG_TEST_RUN fixtures for ICMP errors quoting balanced flows: sent on
 * to a dr backend, translated outer and inner for nat and snat both ways. */
#pragma GCC diagnostic ignored "-Wunused-function" /* lb_fixture.h serves many tests */
#include "nat_fixture.h"

#define ICMP_QUOTE_ALL 0xffff /* quote the whole packet (UDP: its checksum) */

/* An ICMP error (IPv4: fragmentation needed, IPv6: packet too big) from src
 * to dst quoting quoted_len bytes of the IP packet quoted, checksums all
 * computed here. */
static size_t icmp_build(bool v6, const char *src, const char *dst, uint8_t ttl,
			 const uint8_t *quoted, size_t quoted_len, const uint8_t *dst_mac,
			 const uint8_t *src_mac, uint8_t *buf)
{
	size_t header = v6 ? 40 : 20, icmp_len = 8 + quoted_len;
	uint8_t *ip = buf + 14, *icmp = ip + header;
	uint32_t sum;

	memset(buf, 0, PACKET_MAX);
	memcpy(buf, dst_mac, 6);
	memcpy(buf + 6, src_mac, 6);
	packet_put16(buf + 12, v6 ? 0x86dd : 0x0800);
	icmp[0] = v6 ? 2 : 3;
	icmp[1] = v6 ? 0 : 4;
	packet_put16(icmp + 6, 1400);
	memcpy(icmp + 8, quoted, quoted_len);
	if (v6) {
		ip[0] = 0x60;
		packet_put16(ip + 4, (uint16_t)icmp_len);
		ip[6] = 58;
		ip[7] = ttl;
		inet_pton(AF_INET6, src, ip + 8);
		inet_pton(AF_INET6, dst, ip + 24);
		sum = packet_sum(ip + 8, 32, 0) + 58 + (uint32_t)icmp_len;
	} else {
		ip[0] = 0x45;
		packet_put16(ip + 2, (uint16_t)(header + icmp_len));
		ip[8] = ttl;
		ip[9] = 1;
		inet_pton(AF_INET, src, ip + 12);
		inet_pton(AF_INET, dst, ip + 16);
		packet_put16(ip + 10, packet_fold(packet_sum(ip, header, 0)));
		sum = 0;
	}
	packet_put16(icmp + 2, packet_fold(packet_sum(icmp, icmp_len, sum)));
	return 14 + header + icmp_len;
}

/* The IP packet of a flow packet as quoted: all of it, or its IP header and
 * 8 bytes of L4. */
static size_t quote_of(const struct nat_def *def, const char *saddr, uint16_t sport,
		       const char *daddr, uint16_t dport, size_t limit, uint8_t *quoted)
{
	uint8_t buf[PACKET_MAX];
	size_t len = nat_build(def, saddr, sport, daddr, dport, PACKET_TCP_ACK, false, NULL,
			       NULL, buf) - 14;

	if (limit != ICMP_QUOTE_ALL)
		len = (def_v6(def) ? 40 : 20) + limit;
	memcpy(quoted, buf + 14, len);
	return len;
}

/* The error in must leave as want (TX or REDIRECT) byte for byte. */
static void expect_icmp(const uint8_t *in, size_t len, int verdict, const uint8_t *want,
			size_t want_len)
{
	expect_exact(in, len, verdict, want, want_len, false);
}

/* Opens a flow of svc from the client's port 40000; returns the source port
 * the balancer chose toward the backend (nat: the client's). */
static uint16_t open_flow(const struct nat_def *def)
{
	uint8_t in[PACKET_MAX];
	struct outcome out;
	size_t len;

	len = nat_build(def, client_of(def), 40000, def->vip, def->port, PACKET_TCP_SYN, false,
			NULL, NULL, in);
	run_packet(in, len, &out);
	TEST_CHECK(out.verdict == XDP_REDIRECT);
	return (uint16_t)(out.data[14 + (def_v6(def) ? 40 : 20)] << 8 |
			  out.data[15 + (def_v6(def) ? 40 : 20)]);
}

/* nat, toward the client: a router behind the balancer could not forward
 * client -> backend:5353; the client gets it about client -> VIP:53. */
static void test_nat_udp4_to_client(void)
{
	const struct nat_def *def = nat_def(NAT_UDP4);
	uint8_t quoted[PACKET_MAX], in[PACKET_MAX], want[PACKET_MAX];
	size_t quoted_len, len, want_len;

	nat_reset();
	open_flow(def);
	quoted_len = quote_of(def, client_of(def), 40000, def->backend, 5353, ICMP_QUOTE_ALL,
			      quoted);
	len = icmp_build(false, "10.9.0.254", client_of(def), 64, quoted, quoted_len,
			 packet_lb_mac, backend_mac, in);
	quoted_len = quote_of(def, client_of(def), 40000, def->vip, 53, ICMP_QUOTE_ALL, quoted);
	want_len = icmp_build(false, "10.9.0.254", client_of(def), 63, quoted, quoted_len,
			      client_mac, client_side_mac, want);
	expect_icmp(in, len, XDP_REDIRECT, want, want_len);
}

/* nat, toward the backend: the client's router could not forward a reply
 * VIP:53 -> client; the backend gets it about backend:5353 -> client. */
static void test_nat_udp4_to_backend(void)
{
	const struct nat_def *def = nat_def(NAT_UDP4);
	uint8_t quoted[PACKET_MAX], in[PACKET_MAX], want[PACKET_MAX];
	size_t quoted_len, len, want_len;

	nat_reset();
	open_flow(def);
	quoted_len = quote_of(def, def->vip, 53, client_of(def), 40000, ICMP_QUOTE_ALL, quoted);
	len = icmp_build(false, "192.0.2.254", def->vip, 64, quoted, quoted_len, packet_lb_mac,
			 client_mac, in);
	quoted_len = quote_of(def, def->backend, 5353, client_of(def), 40000, ICMP_QUOTE_ALL,
			      quoted);
	want_len = icmp_build(false, "192.0.2.254", def->backend, 63, quoted, quoted_len,
			      backend_mac, backend_side_mac, want);
	expect_icmp(in, len, XDP_REDIRECT, want, want_len);
}

/* snat both ways, TCP quoted by its first 8 bytes: the outer addresses
 * become the balancer's own on each side. */
static void test_snat_tcp4_both_ways(void)
{
	const struct nat_def *def = nat_def(SNAT_TCP4);
	uint8_t quoted[PACKET_MAX], in[PACKET_MAX], want[PACKET_MAX];
	size_t quoted_len, len, want_len;
	uint16_t port;

	nat_reset();
	port = open_flow(def);
	quoted_len = quote_of(def, def->snat, port, def->backend, 80, 8, quoted);
	len = icmp_build(false, "10.9.0.254", def->snat, 64, quoted, quoted_len, packet_lb_mac,
			 backend_mac, in);
	quoted_len = quote_of(def, client_of(def), 40000, def->vip, 80, 8, quoted);
	want_len = icmp_build(false, def->vip, client_of(def), 63, quoted, quoted_len,
			      client_mac, client_side_mac, want);
	expect_icmp(in, len, XDP_REDIRECT, want, want_len);

	quoted_len = quote_of(def, def->vip, 80, client_of(def), 40000, 8, quoted);
	len = icmp_build(false, "192.0.2.254", def->vip, 64, quoted, quoted_len, packet_lb_mac,
			 client_mac, in);
	quoted_len = quote_of(def, def->backend, 80, def->snat, port, 8, quoted);
	want_len = icmp_build(false, def->snat, def->backend, 63, quoted, quoted_len,
			      backend_mac, backend_side_mac, want);
	expect_icmp(in, len, XDP_REDIRECT, want, want_len);
}

/* snat over IPv6: packet too big toward the client, UDP quoted whole. */
static void test_snat_udp6_too_big(void)
{
	const struct nat_def *def = nat_def(SNAT_UDP6);
	uint8_t quoted[PACKET_MAX], in[PACKET_MAX], want[PACKET_MAX];
	size_t quoted_len, len, want_len;
	uint16_t port;

	nat_reset();
	port = open_flow(def);
	quoted_len = quote_of(def, def->snat, port, def->backend, 53, ICMP_QUOTE_ALL, quoted);
	len = icmp_build(true, "2001:db8:9::fe", def->snat, 64, quoted, quoted_len,
			 packet_lb_mac, backend_mac, in);
	quoted_len = quote_of(def, client_of(def), 40000, def->vip, 53, ICMP_QUOTE_ALL, quoted);
	want_len = icmp_build(true, def->vip, client_of(def), 63, quoted, quoted_len, client_mac,
			      client_side_mac, want);
	expect_icmp(in, len, XDP_REDIRECT, want, want_len);
}

/* dr: an error about a reply the backend sent (VIP -> client) goes to the
 * flow's backend, only the MACs changed. */
static void test_dr_udp4(void)
{
	struct packet_spec spec = {
		.family = AF_INET, .proto = IPPROTO_UDP, .saddr = "192.0.2.1",
		.daddr = "10.0.0.100", .sport = 40000, .dport = 53, .payload = 16,
	};
	uint8_t pkt[PACKET_MAX], quoted[PACKET_MAX], in[PACKET_MAX], want[PACKET_MAX];
	size_t len, quoted_len;

	reset_flows();
	len = packet_build(&spec, pkt);
	expect_forward(pkt, len, XDP_TX, SVC_UDP4, 0, true);
	spec.saddr = "10.0.0.100";
	spec.daddr = "192.0.2.1";
	spec.sport = 53;
	spec.dport = 40000;
	quoted_len = packet_build(&spec, quoted) - 14;
	len = icmp_build(false, "192.0.2.254", "10.0.0.100", 64, quoted + 14, quoted_len,
			 packet_lb_mac, packet_router_mac, in);
	memcpy(want, in, len);
	backend_dmac(SVC_UDP4, 0, want);
	memcpy(want + 6, packet_lb_mac, 6);
	expect_icmp(in, len, XDP_TX, want, len);
}

/* An error quoting no balanced flow, and an echo request with no generic
 * service: both the kernel's, counted apart. */
static void test_no_flow(void)
{
	const struct nat_def *def = nat_def(NAT_UDP4);
	uint8_t quoted[PACKET_MAX], in[PACKET_MAX];
	size_t quoted_len, len;

	nat_reset();
	quoted_len = quote_of(def, def->vip, 53, client_of(def), 40009, 8, quoted);
	len = icmp_build(false, "192.0.2.254", def->vip, 64, quoted, quoted_len, packet_lb_mac,
			 client_mac, in);
	expect_pass(in, len, XVS_PASS_ICMP_NO_FLOW);
	in[14 + 20] = 8; /* echo request */
	expect_pass(in, len, XVS_PASS_UNSUPPORTED);
}

int main(void)
{
	int err;

	if (fixture_skip("bpf/icmp", false))
		return 0;
	err = nat_fixture_open();
	if (err)
		return fixture_load_failed("bpf/icmp_load", err);
	printf("PASS: bpf/icmp_load\n");
	TEST_RUN("bpf/icmp_nat_udp4_frag_needed_to_client", test_nat_udp4_to_client);
	TEST_RUN("bpf/icmp_nat_udp4_frag_needed_to_backend", test_nat_udp4_to_backend);
	TEST_RUN("bpf/icmp_snat_tcp4_both_ways", test_snat_tcp4_both_ways);
	TEST_RUN("bpf/icmp_snat_udp6_packet_too_big", test_snat_udp6_too_big);
	TEST_RUN("bpf/icmp_dr_udp4_to_backend", test_dr_udp4);
	TEST_RUN("bpf/icmp_no_flow", test_no_flow);
	xvs_lb__destroy(skel);
	return TEST_EXIT();
}
