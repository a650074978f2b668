// SPDX-License-Identifier: GPL-2.0-only
/* BPF_PROG_TEST_RUN fixtures for tenants: instances of xvs_lb loaded by the
 * daemon's tenant.c share the maps, yet overlapping services and flows stay apart. */
#pragma GCC diagnostic ignored "-Wunused-function" /* lb_fixture.h serves many tests */
#define FIXTURE_EXTRA_SERVICES 3
#define FIXTURE_EXTRA_BACKENDS 8
#define FIXTURE_EXTRA_SLOTS 8
#include "lb_fixture.h"

#include "dataplane_internal.h"

/* Tenant services: the VIP and port of SVC_UDP4 in tenants 1 and 2, and the
 * VIP and port of SVC_REDIRECT in tenant 1 (backend on another interface). */
enum tenant_service { TS_A, TS_B, TS_A_REDIRECT, TS__COUNT };

static const struct {
	uint16_t tenant;
	enum fixture_service like;  /* same VIP, port and protocol */
	uint32_t backend_count;
	uint32_t ifindex;
} tenant_defs[TS__COUNT] = {
	[TS_A] = { 1, SVC_UDP4, 2, INGRESS_IFINDEX },
	[TS_B] = { 2, SVC_UDP4, 2, INGRESS_IFINDEX },
	[TS_A_REDIRECT] = { 1, SVC_REDIRECT, 1, REDIRECT_IFINDEX },
};

static struct xvs_lb *instances[3]; /* by tenant id; [0] is the fixture's */

static uint32_t tenant_service_id(enum tenant_service ts)
{
	return SVC__COUNT + (uint32_t)ts;
}

static uint32_t tenant_backend_id(enum tenant_service ts, uint32_t index)
{
	return SVC__COUNT * SLOTS_PER_SERVICE + (uint32_t)ts * 2 + index;
}

/* Tenant backends have MACs 02:cc:00:00:TS:INDEX. */
static void tenant_dmac(enum tenant_service ts, uint32_t index, uint8_t mac[6])
{
	const uint8_t base[6] = { 0x02, 0xcc, 0x00, 0x00, (uint8_t)ts, (uint8_t)index };

	memcpy(mac, base, 6);
}

static int tenant_service_setup(enum tenant_service ts)
{
	const struct service_def *def = &service_defs[tenant_defs[ts].like];
	uint32_t id = tenant_service_id(ts);
	struct xvs_service_key key;
	struct xvs_service value;
	struct inet_addr vip, addr;
	int err;

	inet_addr_parse(def->vip, &vip);
	mapenc_service_key(&vip, def->port, def->proto, &key);
	mapenc_service_key_tenant(tenant_defs[ts].tenant, &key);
	mapenc_service(id, XVS_MODE_DR, XVS_SCHED_RR, tenant_backend_id(ts, 0),
		       tenant_defs[ts].backend_count, &value);
	err = bpf_map__update_elem(skel->maps.services, &key, sizeof(key), &value, sizeof(value),
				   BPF_NOEXIST);
	for (uint32_t i = 0; !err && i < tenant_defs[ts].backend_count; i++) {
		struct xvs_backend_limits limits = { .weight = 1 };
		uint32_t backend = tenant_backend_id(ts, i);
		struct xvs_backend entry;
		uint8_t dmac[6];
		char text[32];

		snprintf(text, sizeof(text), "10.9.%d.%u", ts, i + 1);
		inet_addr_parse(text, &addr);
		tenant_dmac(ts, i, dmac);
		mapenc_backend(&addr, def->port, id, dmac, packet_lb_mac, tenant_defs[ts].ifindex,
			       &entry);
		err = bpf_map__update_elem(skel->maps.backends, &backend, sizeof(backend), &entry,
					   sizeof(entry), BPF_ANY);
		if (!err)
			err = bpf_map__update_elem(skel->maps.backend_limits, &backend,
						   sizeof(backend), &limits, sizeof(limits),
						   BPF_ANY);
		if (!err)
			err = bpf_map__update_elem(skel->maps.service_slots, &backend,
						   sizeof(backend), &backend, sizeof(backend),
						   BPF_ANY);
	}
	return err;
}

static int tenants_open(void)
{
	int err = 0;

	instances[0] = skel;
	for (uint16_t tenant = 1; tenant < 3 && !err; tenant++)
		err = tenant_instance_load(skel, tenant, NULL, &instances[tenant]);
	for (int ts = 0; ts < TS__COUNT && !err; ts++)
		err = tenant_service_setup((enum tenant_service)ts);
	return err;
}

static void run_in(uint16_t tenant, const uint8_t *in, size_t len, struct outcome *out)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = (uint32_t)len,
		    .data_out = out->data, .data_size_out = sizeof(out->data), .repeat = 1);
	int err;

	memset(out->data, 0, sizeof(out->data));
	err = bpf_prog_test_run_opts(bpf_program__fd(instances[tenant]->progs.xvs_lb), &opts);
	TEST_CHECK_MSG(err == 0, "bpf_prog_test_run_opts: %s", strerror(-err));
	out->verdict = err ? -1 : (int)opts.retval;
	out->len = opts.data_size_out;
}

/* A packet received by tenant's instance must leave by DR to the backend
 * whose MAC is want_mac; the service counters of service_id move by one. */
static void expect_dr_in(uint16_t tenant, const uint8_t *in, size_t len, int verdict,
			 const uint8_t want_mac[6], uint32_t service_id, bool new_conn)
{
	struct xvs_counters before, after;
	struct outcome out;

	read_counters(skel->maps.service_stats, service_id, &before);
	run_in(tenant, in, len, &out);
	read_counters(skel->maps.service_stats, service_id, &after);
	TEST_CHECK_MSG(out.verdict == verdict, "tenant %u: verdict %s, want %s", tenant,
		       verdict_name(out.verdict), verdict_name(verdict));
	TEST_CHECK_MSG(out.len == len && memcmp(out.data, want_mac, 6) == 0 &&
			       memcmp(out.data + 12, in + 12, len - 12) == 0,
		       "tenant %u: sent to ..:%02x:%02x:%02x, want ..:%02x:%02x:%02x", tenant,
		       out.data[3], out.data[4], out.data[5], want_mac[3], want_mac[4],
		       want_mac[5]);
	TEST_CHECK(after.in_packets - before.in_packets == 1);
	TEST_CHECK(after.conns - before.conns == (uint64_t)new_conn);
}

static void tenant_conn_check(uint16_t tenant, uint16_t sport, uint32_t service_id,
			      uint32_t backend)
{
	struct xvs_conn_key key;
	struct xvs_conn conn;

	conn_key_for(SVC_UDP4, sport, &key);
	mapenc_conn_key_tenant(tenant, &key);
	if (bpf_map__lookup_elem(skel->maps.conns, &key, sizeof(key), &conn, sizeof(conn), 0)) {
		TEST_CHECK_MSG(0, "tenant %u: no conns entry for port %u", tenant, sport);
		return;
	}
	TEST_CHECK_MSG(conn.service_id == service_id && conn.backend_id == backend,
		       "tenant %u: service %u backend %u, want %u and %u", tenant,
		       conn.service_id, conn.backend_id, service_id, backend);
}

/* One packet, the same bytes, into the host and two tenants: each picks its
 * own service's backend. */
static void test_same_vip_own_backends(void)
{
	uint8_t pkt[PACKET_MAX], mac[6];
	size_t len;

	reset_flows();
	len = build_for(SVC_UDP4, 41000, 0, pkt);
	tenant_dmac(TS_A, 0, mac);
	expect_dr_in(1, pkt, len, XDP_TX, mac, tenant_service_id(TS_A), true);
	tenant_dmac(TS_B, 0, mac);
	expect_dr_in(2, pkt, len, XDP_TX, mac, tenant_service_id(TS_B), true);
	backend_dmac(SVC_UDP4, 0, mac);
	expect_dr_in(0, pkt, len, XDP_TX, mac, SVC_UDP4, true);
}

/* Identical 5-tuples of three tenants are three conns entries, each on its
 * tenant's backend; later packets stick to them. */
static void test_conns_apart(void)
{
	uint8_t pkt[PACKET_MAX], mac[6];
	size_t len;

	reset_flows();
	len = build_for(SVC_UDP4, 41001, 0, pkt);
	/* Move tenant 1's rr cursor first: its flow lands on backend 1. */
	{
		uint8_t other[PACKET_MAX];
		size_t other_len = build_for(SVC_UDP4, 41002, 0, other);

		tenant_dmac(TS_A, 0, mac);
		expect_dr_in(1, other, other_len, XDP_TX, mac, tenant_service_id(TS_A), true);
	}
	tenant_dmac(TS_A, 1, mac);
	expect_dr_in(1, pkt, len, XDP_TX, mac, tenant_service_id(TS_A), true);
	tenant_dmac(TS_B, 0, mac);
	expect_dr_in(2, pkt, len, XDP_TX, mac, tenant_service_id(TS_B), true);
	backend_dmac(SVC_UDP4, 0, mac);
	expect_dr_in(0, pkt, len, XDP_TX, mac, SVC_UDP4, true);
	tenant_conn_check(1, 41001, tenant_service_id(TS_A), tenant_backend_id(TS_A, 1));
	tenant_conn_check(2, 41001, tenant_service_id(TS_B), tenant_backend_id(TS_B, 0));
	tenant_conn_check(0, 41001, SVC_UDP4, backend_id(SVC_UDP4, 0));
	/* The same flow again: tracked, no new connection anywhere. */
	tenant_dmac(TS_A, 1, mac);
	expect_dr_in(1, pkt, len, XDP_TX, mac, tenant_service_id(TS_A), false);
	tenant_dmac(TS_B, 0, mac);
	expect_dr_in(2, pkt, len, XDP_TX, mac, tenant_service_id(TS_B), false);
}

/* A tenant never sees another tenant's (or the host's) services. */
static void test_other_services_invisible(void)
{
	struct verdict_counters before;
	uint8_t pkt[PACKET_MAX];
	struct outcome out;
	size_t len;

	reset_flows();
	len = build_for(SVC_TCP4, 41003, PACKET_TCP_SYN, pkt); /* host only */
	read_verdict_counters(&before);
	run_in(1, pkt, len, &out);
	TEST_CHECK(out.verdict == XDP_PASS);
	check_unchanged(pkt, len, &out);
	check_verdict_counters(&before, -1, XVS_PASS_NO_SERVICE);
}

/* tx_ports is each instance's own: the host may redirect to an interface
 * that tenant 1 may not until its own tx_ports names it. */
static void test_tx_ports_own(void)
{
	uint32_t key = REDIRECT_IFINDEX, value = INGRESS_IFINDEX;
	struct verdict_counters before;
	uint8_t pkt[PACKET_MAX], mac[6];
	struct outcome out;
	size_t len;

	reset_flows();
	len = build_for(SVC_REDIRECT, 41004, 0, pkt);
	backend_dmac(SVC_REDIRECT, 0, mac);
	expect_dr_in(0, pkt, len, XDP_REDIRECT, mac, SVC_REDIRECT, true);
	read_verdict_counters(&before);
	run_in(1, pkt, len, &out);
	TEST_CHECK(out.verdict == XDP_DROP);
	check_verdict_counters(&before, XVS_DROP_NO_BACKEND, -1);
	TEST_CHECK(bpf_map__update_elem(instances[1]->maps.tx_ports, &key, sizeof(key), &value,
					sizeof(value), BPF_ANY) == 0);
	tenant_dmac(TS_A_REDIRECT, 0, mac);
	len = build_for(SVC_REDIRECT, 41005, 0, pkt);
	expect_dr_in(1, pkt, len, XDP_REDIRECT, mac, tenant_service_id(TS_A_REDIRECT), true);
}

int main(void)
{
	int err;

	if (fixture_skip("bpf/tenant", true))
		return 0;
	err = fixture_open();
	if (!err)
		err = tenants_open();
	if (err) {
		for (int i = 1; i < 3; i++)
			xvs_lb__destroy(instances[i]);
		return fixture_load_failed("bpf/tenant/load", err);
	}
	printf("PASS: bpf/tenant/load\n");
	TEST_RUN("bpf/tenant/same_vip_own_backends", test_same_vip_own_backends);
	TEST_RUN("bpf/tenant/conns_apart", test_conns_apart);
	TEST_RUN("bpf/tenant/other_services_invisible", test_other_services_invisible);
	TEST_RUN("bpf/tenant/tx_ports_own", test_tx_ports_own);
	for (int i = 1; i < 3; i++)
		xvs_lb__destroy(instances[i]);
	xvs_lb__destroy(skel);
	return TEST_EXIT();
}
