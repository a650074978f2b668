// SPDX-License-Identifier: GPL-2.0-only
/* BPF_PROG_TEST_RUN fixtures for nat in tenants: the same client flow to the same
 * VIP in two tenants makes two translations, and each reply finds only its own. */
#pragma GCC diagnostic ignored "-Wunused-function" /* lb_fixture.h serves many tests */
#define NAT_EXTRA_SERVICES 1
#include "nat_fixture.h"

/* Tenant 1's copy of NAT_UDP4 (10.0.0.120:53), its backend on port 5354. */
#define TENANT 1
#define TENANT_SERVICE NAT__END
#define TENANT_BACKEND_PORT 5354

static struct xvs_lb *host, *tenant;

/* Loads tenant 1's instance and gives it the host's redirect targets. */
static int tenant_open(void)
{
	const struct nat_def *def = nat_def(NAT_UDP4);
	uint32_t id = backend_id((enum fixture_service)TENANT_SERVICE, 0);
	struct xvs_backend_limits limits = { .weight = 1 };
	struct inet_addr vip, addr;
	struct xvs_service_key key;
	struct xvs_service value;
	struct xvs_backend backend;
	uint32_t ifindex[2] = { if_nametoindex("nat-be"), if_nametoindex("nat-cl") };
	int err = tenant_instance_load(skel, TENANT, NULL, &tenant);

	for (int i = 0; !err && i < 2; i++)
		err = bpf_map__update_elem(tenant->maps.tx_ports, &ifindex[i], sizeof(ifindex[i]),
					   &ifindex[i], sizeof(ifindex[i]), BPF_ANY);
	if (err || inet_addr_parse(def->vip, &vip) || inet_addr_parse(def->backend, &addr))
		return err ? err : -EINVAL;
	mapenc_service_key(&vip, def->port, def->proto, &key);
	mapenc_service_key_tenant(TENANT, &key);
	mapenc_service(TENANT_SERVICE, XVS_MODE_NAT, XVS_SCHED_RR, id, 1, &value);
	mapenc_backend(&addr, TENANT_BACKEND_PORT, TENANT_SERVICE, backend_mac, packet_lb_mac,
		       INGRESS_IFINDEX, &backend);
	err = bpf_map__update_elem(skel->maps.services, &key, sizeof(key), &value, sizeof(value),
				   BPF_NOEXIST);
	if (!err)
		err = bpf_map__update_elem(skel->maps.backends, &id, sizeof(id), &backend,
					   sizeof(backend), BPF_ANY);
	if (!err)
		err = bpf_map__update_elem(skel->maps.backend_limits, &id, sizeof(id), &limits,
					   sizeof(limits), BPF_ANY);
	if (!err)
		err = bpf_map__update_elem(skel->maps.service_slots, &id, sizeof(id), &id,
					   sizeof(id), BPF_ANY);
	return err;
}

/* The fixture's helpers run skel's program: point it at an instance. */
static void in_instance(struct xvs_lb *instance)
{
	skel = instance;
}

/* client:40000 -> VIP:53 leaves as client -> backend:PORT. */
static void client_to(uint16_t backend_port)
{
	const struct nat_def *def = nat_def(NAT_UDP4);
	uint8_t in[PACKET_MAX], want[PACKET_MAX];
	size_t len, want_len;

	len = nat_build(def, client_of(def), 40000, def->vip, def->port, 0, false, NULL, NULL, in);
	want_len = nat_build(def, client_of(def), 40000, def->backend, backend_port, 0, true,
			     backend_mac, backend_side_mac, want);
	expect_out(in, len, XDP_REDIRECT, want, want_len);
}

/* backend:PORT -> client:40000: translated to VIP:53 -> client, or (no
 * translation in this instance) passed untouched as no_service. */
static void reply_from(uint16_t backend_port, bool translated)
{
	const struct nat_def *def = nat_def(NAT_UDP4);
	uint8_t in[PACKET_MAX], want[PACKET_MAX];
	size_t len, want_len;

	len = nat_build(def, def->backend, backend_port, client_of(def), 40000, 0, false, NULL,
			NULL, in);
	if (!translated) {
		expect_pass(in, len, XVS_PASS_NO_SERVICE);
		return;
	}
	want_len = nat_build(def, def->vip, def->port, client_of(def), 40000, 0, true, client_mac,
			     client_side_mac, want);
	expect_out(in, len, XDP_REDIRECT, want, want_len);
}

static void test_same_flow_two_translations(void)
{
	in_instance(host);
	nat_reset();
	client_to(5353);
	in_instance(tenant);
	client_to(TENANT_BACKEND_PORT);
	TEST_CHECK_MSG(nat_flows_count() == 4, "%u nat_flows entries, want 4", nat_flows_count());
	/* Each reply is translated by its own tenant only. */
	reply_from(TENANT_BACKEND_PORT, true);
	reply_from(5353, false);
	in_instance(host);
	reply_from(5353, true);
	reply_from(TENANT_BACKEND_PORT, false);
}

int main(void)
{
	int err;

	if (fixture_skip("bpf/tenant_nat", false))
		return 0;
	err = nat_fixture_open();
	host = skel;
	if (!err)
		err = tenant_open();
	if (err) {
		xvs_lb__destroy(tenant);
		return fixture_load_failed("bpf/tenant_nat/load", err);
	}
	printf("PASS: bpf/tenant_nat/load\n");
	TEST_RUN("bpf/tenant_nat/same_flow_two_translations", test_same_flow_two_translations);
	xvs_lb__destroy(tenant);
	xvs_lb__destroy(host);
	return TEST_EXIT();
}
