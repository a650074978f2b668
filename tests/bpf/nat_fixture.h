/* SPDX-License-Identifier: GPL-2.0-only */
/* The nat/snat fixture: a private network namespace whose FIB and static
 * neighbours bpf_fib_lookup uses, nat and snat services, packet helpers. */
#ifndef XVS_TESTS_BPF_NAT_FIXTURE_H
#define XVS_TESTS_BPF_NAT_FIXTURE_H

/* A test may ask for room for services of its own after the nat ones. */
#ifndef NAT_EXTRA_SERVICES
#define NAT_EXTRA_SERVICES 0
#endif
#define FIXTURE_EXTRA_SERVICES (NAT__END - SVC__COUNT + NAT_EXTRA_SERVICES)
#define FIXTURE_EXTRA_BACKENDS (FIXTURE_EXTRA_SERVICES * SLOTS_PER_SERVICE)
#define FIXTURE_EXTRA_SLOTS FIXTURE_EXTRA_BACKENDS
#define NAT__END (SVC__COUNT + 6)
#include <net/if.h>
#include <sys/mount.h>

#include "dataplane_internal.h"
#include "lb_fixture.h"

/* The balancer's side of the test network namespace: backends on "nat-be"
 * (10.9.0.0/24, 2001:db8:9::/64), clients (192.0.2.0/24, 2001:db8:c::/64) on
 * "nat-cl"; neighbours are static. */
static const uint8_t backend_side_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x09, 0x01 };
static const uint8_t client_side_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x0c, 0x01 };
static const uint8_t backend_mac[6] = { 0x02, 0xbe, 0x00, 0x00, 0x00, 0x11 };
static const uint8_t client_mac[6] = { 0x02, 0xc1, 0x00, 0x00, 0x00, 0x01 };

enum nat_service {
	NAT_UDP4 = SVC__COUNT, /* backend port 5353 */
	NAT_TCP6,              /* backend port 8080 */
	SNAT_TCP4,             /* source ports 2000-2001 only */
	SNAT_UDP6,
	NAT_NO_NEIGH,          /* backend whose MAC is unknown */
	NAT_TCP4,
};

struct nat_def {
	const char *vip;
	uint16_t port;
	uint8_t proto;
	uint8_t mode;
	const char *backend;
	uint16_t backend_port; /* 0: the service port */
	const char *snat;
};

static const struct nat_def nat_defs[NAT__END - SVC__COUNT] = {
	{ "10.0.0.120", 53, IPPROTO_UDP, XVS_MODE_NAT, "10.9.0.11", 5353, NULL },
	{ "2001:db8::120", 80, IPPROTO_TCP, XVS_MODE_NAT, "2001:db8:9::11", 8080, NULL },
	{ "10.0.0.121", 80, IPPROTO_TCP, XVS_MODE_SNAT, "10.9.0.11", 0, "10.9.0.1" },
	{ "2001:db8::121", 53, IPPROTO_UDP, XVS_MODE_SNAT, "2001:db8:9::11", 0, "2001:db8:9::1" },
	{ "10.0.0.122", 53, IPPROTO_UDP, XVS_MODE_NAT, "10.9.0.99", 0, NULL },
	{ "10.0.0.123", 80, IPPROTO_TCP, XVS_MODE_NAT, "10.9.0.11", 0, NULL },
};

static const struct nat_def *nat_def(enum nat_service svc)
{
	return &nat_defs[svc - SVC__COUNT];
}

static bool def_v6(const struct nat_def *def)
{
	return strchr(def->vip, ':') != NULL;
}

static int shell(const char *command)
{
	int status = system(command);

	if (status)
		printf("# %s: status %d\n", command, status);
	return status ? -EIO : 0;
}

/* A private network namespace with the routes and neighbours above. */
static int netns_setup(void)
{
	static const char *const commands[] = {
		"ip link set lo up",
		"ip link add nat-be address 02:00:00:00:09:01 type veth peer nat-be-peer",
		"ip link add nat-cl address 02:00:00:00:0c:01 type veth peer nat-cl-peer",
		"ip link set nat-be up && ip link set nat-be-peer up",
		"ip link set nat-cl up && ip link set nat-cl-peer up",
		"ip addr add 10.9.0.1/24 dev nat-be && ip addr add 192.0.2.254/24 dev nat-cl",
		"ip addr add 2001:db8:9::1/64 dev nat-be nodad",
		"ip addr add 2001:db8:c::fe/64 dev nat-cl nodad",
		"ip neigh replace 10.9.0.11 lladdr 02:be:00:00:00:11 dev nat-be nud permanent",
		"ip neigh replace 2001:db8:9::11 lladdr 02:be:00:00:00:11 dev nat-be nud permanent",
		"ip neigh replace 192.0.2.1 lladdr 02:c1:00:00:00:01 dev nat-cl nud permanent",
		"ip neigh replace 2001:db8:c::1 lladdr 02:c1:00:00:00:01 dev nat-cl nud permanent",
		"sysctl -qw net.ipv4.conf.lo.forwarding=1 net.ipv6.conf.lo.forwarding=1",
		"sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1",
	};

	if (unshare(CLONE_NEWNET))
		return -errno;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (shell(commands[i]))
			return -EIO;
	return 0;
}

/* backend_ifindex: nat-be, where the daemon would find every backend. */
static int nat_setup_service(enum nat_service svc, uint32_t backend_ifindex)
{
	const struct nat_def *def = nat_def(svc);
	uint32_t id = backend_id((enum fixture_service)svc, 0), service_id = (uint32_t)svc;
	struct xvs_backend_limits limits = { .weight = 1 };
	struct inet_addr vip, addr, snat;
	struct xvs_service_key key;
	struct xvs_service value;
	struct xvs_backend backend;
	struct xvs_snat sources;
	int err;

	if (inet_addr_parse(def->vip, &vip) || inet_addr_parse(def->backend, &addr))
		return -EINVAL;
	mapenc_service_key(&vip, def->port, def->proto, &key);
	mapenc_service(service_id, def->mode, XVS_SCHED_RR, id, 1, &value);
	err = bpf_map__update_elem(skel->maps.services, &key, sizeof(key), &value,
				   sizeof(value), BPF_NOEXIST);
	/* As the daemon writes it: the next hop and the egress MTU, which
	 * the data plane uses instead of a FIB lookup. The backend without a
	 * neighbour has no MTU (the daemon would not have resolved it), so its
	 * packets are routed with the FIB, which finds no neighbour. */
	if (svc == NAT_NO_NEIGH) {
		mapenc_backend(&addr, def->backend_port, service_id, backend_mac, packet_lb_mac,
			       INGRESS_IFINDEX, &backend);
	} else {
		mapenc_backend(&addr, def->backend_port, service_id, backend_mac,
			       backend_side_mac, backend_ifindex, &backend);
		mapenc_backend_tunnel(NULL, 1500, &backend);
	}
	if (!err)
		err = bpf_map__update_elem(skel->maps.backends, &id, sizeof(id), &backend,
					   sizeof(backend), BPF_ANY);
	if (!err)
		err = bpf_map__update_elem(skel->maps.backend_limits, &id, sizeof(id), &limits,
					   sizeof(limits), BPF_ANY);
	if (!err)
		err = bpf_map__update_elem(skel->maps.service_slots, &id, sizeof(id), &id,
					   sizeof(id), BPF_ANY);
	if (err || !def->snat)
		return err;
	if (inet_addr_parse(def->snat, &snat))
		return -EINVAL;
	mapenc_snat(&snat, 1, 2000, def_v6(def) ? 65535 : 2001, &sources);
	return bpf_map__update_elem(skel->maps.snat_sources, &service_id, sizeof(service_id),
				    &sources, sizeof(sources), BPF_ANY);
}

/* The network namespace, then fixture_open with the nat services. */
static int nat_fixture_open(void)
{
	uint32_t ifindex[2];
	int err = netns_setup();

	if (err)
		return err;
	ifindex[0] = if_nametoindex("nat-be");
	ifindex[1] = if_nametoindex("nat-cl");
	err = fixture_open();

	for (int svc = SVC__COUNT; !err && svc < NAT__END; svc++)
		err = nat_setup_service((enum nat_service)svc, ifindex[0]);
	for (int i = 0; !err && i < 2; i++)
		err = bpf_map__update_elem(skel->maps.tx_ports, &ifindex[i], sizeof(ifindex[i]),
					   &ifindex[i], sizeof(ifindex[i]), BPF_ANY);
	return err;
}

static void nat_flows_clear(void)
{
	map_clear(skel->maps.nat_flows);
}

static uint32_t nat_flows_count(void)
{
	struct xvs_conn_key key, next;
	int fd = bpf_map__fd(skel->maps.nat_flows);
	uint32_t count = 0;

	for (int err = bpf_map_get_next_key(fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(fd, &key, &next)) {
		key = next;
		count++;
	}
	return count;
}

/* A packet as packet_build makes it; ttl_less: as it leaves a router (TTL or
 * hop limit one less, IPv4 header checksum recomputed), with the MACs of
 * the hop from src_mac to dst_mac. */
static size_t nat_build(const struct nat_def *def, const char *saddr, uint16_t sport,
			const char *daddr, uint16_t dport, uint8_t flags, bool ttl_less,
			const uint8_t *dst_mac, const uint8_t *src_mac, uint8_t *buf)
{
	struct packet_spec spec = {
		.family = def_v6(def) ? AF_INET6 : AF_INET,
		.proto = def->proto,
		.saddr = saddr,
		.daddr = daddr,
		.sport = sport,
		.dport = dport,
		.tcp_flags = flags,
		.payload = 40,
	};
	size_t len = packet_build(&spec, buf);

	if (ttl_less) {
		if (def_v6(def)) {
			buf[14 + 7]--;
		} else {
			buf[14 + 8]--;
			packet_ipv4_recheck(buf, 14);
		}
	}
	if (dst_mac)
		memcpy(buf, dst_mac, 6);
	if (src_mac)
		memcpy(buf + 6, src_mac, 6);
	return len;
}

/* Sends in; the packet must leave with verdict and be exactly want (with
 * checksums: its checksums verify on their own too). */
static void expect_exact(const uint8_t *in, size_t len, int verdict, const uint8_t *want,
			 size_t want_len, bool checksums)
{
	struct verdict_counters before;
	struct outcome out;

	read_verdict_counters(&before);
	run_packet(in, len, &out);
	check_out(&out, verdict, want, want_len);
	if (checksums)
		TEST_CHECK(packet_checksums_ok(out.data, out.len));
	check_verdict_counters(&before, -1, -1);
}

static void expect_out(const uint8_t *in, size_t len, int verdict, const uint8_t *want,
		       size_t want_len)
{
	expect_exact(in, len, verdict, want, want_len, true);
}

/* Empties the flows and their translations. */
static void nat_reset(void)
{
	reset_flows();
	nat_flows_clear();
}

static const char *client_of(const struct nat_def *def)
{
	return def_v6(def) ? "2001:db8:c::1" : "192.0.2.1";
}

static uint16_t backend_port_of(const struct nat_def *def)
{
	return def->backend_port ? def->backend_port : def->port;
}

#endif /* XVS_TESTS_BPF_NAT_FIXTURE_H */
