/* SPDX-License-Identifier: GPL-2.0-only */
/* Cases for xvs_decap, the backend-side program: an encapsulated frame must
 * come out as the inner frame exactly; anything else must pass untouched. */
#ifndef XVS_TESTS_BPF_DECAP_CASES_H
#define XVS_TESTS_BPF_DECAP_CASES_H

/* Included by test_tun.c after the fixture. */

static void decap_run(const uint8_t *in, size_t len, struct outcome *out)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = (uint32_t)len,
		    .data_out = out->data, .data_size_out = sizeof(out->data), .repeat = 1);
	int err;

	memset(out->data, 0, sizeof(out->data));
	err = bpf_prog_test_run_opts(bpf_program__fd(decap->progs.xvs_decap), &opts);
	TEST_CHECK_MSG(err == 0, "bpf_prog_test_run_opts: %s", strerror(-err));
	out->verdict = err ? -1 : (int)opts.retval;
	out->len = opts.data_size_out;
}

/* Wraps the inner frame (untagged) in an outer header of family outer_family
 * toward the host; returns the encapsulated frame's length. */
static size_t decap_wrap(const uint8_t *inner, size_t len, int outer_family, uint8_t *out)
{
	bool inner_v6 = (inner[14] >> 4) == 6;
	size_t outer = outer_family == AF_INET6 ? 40 : 20;
	uint8_t *ip = out + 14;

	memcpy(out, inner, 12);
	memset(ip, 0, outer);
	if (outer_family == AF_INET6) {
		packet_put16(out + 12, 0x86dd);
		ip[0] = 0x60;
		packet_put16(ip + 4, (uint16_t)(len - 14));
		ip[6] = inner_v6 ? 41 : 4;
		ip[7] = 64;
		inet_pton(AF_INET6, "2001:db8::1", ip + 8);
		inet_pton(AF_INET6, "2001:db8:2::1", ip + 24);
	} else {
		packet_put16(out + 12, 0x0800);
		ip[0] = 0x45;
		packet_put16(ip + 2, (uint16_t)(len - 14 + 20));
		ip[8] = 64;
		ip[9] = inner_v6 ? 41 : 4;
		inet_pton(AF_INET, "10.0.0.1", ip + 12);
		inet_pton(AF_INET, "10.2.0.1", ip + 16);
		packet_put16(ip + 10, packet_fold(packet_sum(ip, 20, 0)));
	}
	memcpy(out + 14 + outer, inner + 14, len - 14);
	return len + outer;
}

static void expect_decap(int inner_family, int outer_family)
{
	struct packet_spec spec = {
		.family = inner_family, .proto = IPPROTO_TCP,
		.saddr = inner_family == AF_INET6 ? "2001:db8:c::1" : "192.0.2.1",
		.daddr = inner_family == AF_INET6 ? "2001:db8::110" : "10.0.0.110",
		.sport = 40000, .dport = 80, .tcp_flags = PACKET_TCP_SYN, .payload = 20,
	};
	uint8_t inner[PACKET_MAX], wrapped[PACKET_MAX + 40];
	struct outcome out;
	size_t len, wrapped_len;

	len = packet_build(&spec, inner);
	wrapped_len = decap_wrap(inner, len, outer_family, wrapped);
	decap_run(wrapped, wrapped_len, &out);
	TEST_CHECK_MSG(out.verdict == XDP_PASS, "verdict %s", verdict_name(out.verdict));
	TEST_CHECK_MSG(out.len == len && memcmp(out.data, inner, len) == 0,
		       "inner frame not restored (%u bytes out, want %zu)", out.len, len);
	TEST_CHECK(packet_checksums_ok(out.data, out.len));
}

static void test_decap_v4(void)
{
	expect_decap(AF_INET, AF_INET);
}

static void test_decap_v6(void)
{
	expect_decap(AF_INET6, AF_INET6);
	expect_decap(AF_INET, AF_INET6);
}

static void expect_decap_untouched(const uint8_t *in, size_t len)
{
	struct outcome out;

	decap_run(in, len, &out);
	TEST_CHECK_MSG(out.verdict == XDP_PASS, "verdict %s", verdict_name(out.verdict));
	check_unchanged(in, len, &out);
}

static void test_decap_not_tunnel(void)
{
	uint8_t pkt[PACKET_MAX], wrapped[PACKET_MAX + 40];
	size_t len;

	len = tun_build(TUN_V4, 32, pkt);
	expect_decap_untouched(pkt, len);
	len = tun_build(TUN_V6, 32, pkt);
	expect_decap_untouched(pkt, len);
	/* Broadcast frames are not for this host's tunnel. */
	len = decap_wrap(pkt, len, AF_INET6, wrapped);
	memset(wrapped, 0xff, 6);
	expect_decap_untouched(wrapped, len);
}

static void test_decap_truncated(void)
{
	uint8_t inner[PACKET_MAX], wrapped[PACKET_MAX + 40];
	size_t len;

	len = tun_build(TUN_V4, 32, inner);
	decap_wrap(inner, len, AF_INET, wrapped);
	/* Outer header cut short, then the inner header cut short. */
	expect_decap_untouched(wrapped, 14 + 12);
	expect_decap_untouched(wrapped, 14 + 20 + 10);
	len = tun_build(TUN_V6, 32, inner);
	decap_wrap(inner, len, AF_INET6, wrapped);
	expect_decap_untouched(wrapped, 14 + 30);
	expect_decap_untouched(wrapped, 14 + 40 + 20);
}

static void decap_cases_run(void)
{
	TEST_RUN("bpf/decap/v4_outer", test_decap_v4);
	TEST_RUN("bpf/decap/v6_outer", test_decap_v6);
	TEST_RUN("bpf/decap/not_tunnel", test_decap_not_tunnel);
	TEST_RUN("bpf/decap/truncated", test_decap_truncated);
}

#endif /* XVS_TESTS_BPF_DECAP_CASES_H */
