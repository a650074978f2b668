// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the userspace side of the ABI: address parsing/formatting and
 * the encoding of map keys and values in lib/mapenc.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "addr.h"
#include "mapenc.h"
#include "test.h"

static void test_addr_parse(void)
{
	struct inet_addr addr;
	uint16_t port;
	char text[INET_ADDRPORT_STRLEN];

	TEST_CHECK(inet_addr_parse("10.0.1.100", &addr) == 0 && addr.family == AF_INET);
	TEST_CHECK(inet_addr_parse("2001:db8::1", &addr) == 0 && addr.family == AF_INET6);
	TEST_CHECK(inet_addr_parse("10.0.1.256", &addr) == -EINVAL);
	TEST_CHECK(inet_addr_parse("", &addr) == -EINVAL);
	TEST_CHECK(inet_addr_port_parse("10.0.2.13:5353", &addr, &port) == 0 && port == 5353);
	TEST_CHECK_STR(inet_addr_port_format(&addr, port, text, sizeof(text)), "10.0.2.13:5353");
	TEST_CHECK(inet_addr_port_parse("[2001:db8::13]:5353", &addr, &port) == 0 &&
		   port == 5353 && addr.family == AF_INET6);
	TEST_CHECK_STR(inet_addr_port_format(&addr, port, text, sizeof(text)),
		       "[2001:db8::13]:5353");
	TEST_CHECK(inet_addr_port_parse("2001:db8::13", &addr, &port) == 0 && port == 0);
	TEST_CHECK(inet_addr_port_parse("[2001:db8::13]", &addr, &port) == 0 && port == 0);
	TEST_CHECK(inet_addr_port_parse("10.0.2.13:0", &addr, &port) == -ERANGE);
	TEST_CHECK(inet_addr_port_parse("10.0.2.13:65536", &addr, &port) == -ERANGE);
	TEST_CHECK(inet_addr_port_parse("10.0.2.13:", &addr, &port) == -ERANGE);
	TEST_CHECK(inet_addr_port_parse("[10.0.2.13]:53", &addr, &port) == -EINVAL);
	TEST_CHECK(inet_addr_port_parse("[2001:db8::1", &addr, &port) == -EINVAL);
}

static void test_service_key(void)
{
	struct xvs_service_key key;
	struct inet_addr vip;

	inet_addr_parse("10.0.1.100", &vip);
	mapenc_service_key(&vip, 53, IPPROTO_UDP, &key);
	TEST_CHECK(key.addr.v4 == htonl(0x0a000164));
	TEST_CHECK(key.addr.v6[1] == 0 && key.addr.v6[2] == 0 && key.addr.v6[3] == 0);
	TEST_CHECK(key.port == htons(53));
	TEST_CHECK(key.proto == IPPROTO_UDP && key.family == XVS_AF_INET);
	TEST_CHECK(key.tenant == XVS_TENANT_HOST && key.pad[0] == 0 && key.pad[1] == 0);
	/* The same VIP of another tenant is another key. */
	{
		struct xvs_service_key other = key;

		mapenc_service_key_tenant(3, &other);
		TEST_CHECK(other.tenant == 3 && memcmp(&other, &key, sizeof(key)) != 0);
	}

	inet_addr_parse("2001:db8::1", &vip);
	mapenc_service_key(&vip, 443, IPPROTO_TCP, &key);
	TEST_CHECK(key.addr.bytes[0] == 0x20 && key.addr.bytes[1] == 0x01 &&
		   key.addr.bytes[15] == 0x01);
	TEST_CHECK(key.family == XVS_AF_INET6 && key.port == htons(443));
}

static void test_backend(void)
{
	static const uint8_t dmac[6] = { 2, 0, 0, 0, 0, 0x11 };
	static const uint8_t smac[6] = { 2, 0, 0, 0, 0, 0x02 };
	struct xvs_backend value;
	struct inet_addr addr;

	inet_addr_parse("10.0.1.11", &addr);
	mapenc_backend(&addr, 0, 7, dmac, smac, 3, &value);
	TEST_CHECK(value.flags & XVS_BACKEND_F_READY);
	TEST_CHECK(value.ifindex == 3 && value.service_id == 7 && value.port == 0);
	TEST_CHECK(memcmp(value.dmac, dmac, 6) == 0 && memcmp(value.smac, smac, 6) == 0);
	/* Unknown neighbour: never READY, MACs zero. */
	mapenc_backend(&addr, 5353, 7, NULL, NULL, 0, &value);
	TEST_CHECK(!(value.flags & XVS_BACKEND_F_READY));
	TEST_CHECK(value.port == htons(5353) && value.dmac[5] == 0);
}

static void test_settings_and_counters(void)
{
	uint32_t timeout_ms[XVS_CONN_STATE__MAX] = { 60000, 900000, 120000, 10000, 300000 };
	struct xvs_counters percpu[3] = {
		{ 1, 2, 3, 4, 5 }, { 10, 20, 30, 40, 50 }, { 100, 200, 300, 400, 500 },
	};
	struct xvs_counters total;
	struct xvs_settings settings;

	mapenc_settings(timeout_ms, &settings);
	TEST_CHECK(settings.timeout_ns[XVS_CONN_TCP_ESTABLISHED] == 900000ULL * 1000000ULL);
	TEST_CHECK(settings.timeout_ns[XVS_CONN_UDP] == 300ULL * 1000000000ULL);
	mapenc_counters_sum(percpu, 3, &total);
	TEST_CHECK(total.conns == 111 && total.in_packets == 222 && total.in_bytes == 333);
	TEST_CHECK(total.out_packets == 444 && total.out_bytes == 555);
	TEST_CHECK_STR(mapenc_conn_state_name(XVS_CONN_TCP_ESTABLISHED), "ESTABLISHED");
	TEST_CHECK_STR(mapenc_conn_state_name(200), "UNKNOWN");
}

static void test_conn_key(void)
{
	struct inet_addr client, vip;
	struct xvs_conn_key key;

	inet_addr_parse("10.0.0.2", &client);
	inet_addr_parse("10.0.1.100", &vip);
	mapenc_conn_key(&client, 40000, &vip, 53, IPPROTO_UDP, &key);
	TEST_CHECK(key.saddr.v4 == htonl(0x0a000002) && key.daddr.v4 == htonl(0x0a000164));
	TEST_CHECK(key.sport == htons(40000) && key.dport == htons(53));
	TEST_CHECK(key.proto == IPPROTO_UDP && key.family == XVS_AF_INET);
	TEST_CHECK(key.tenant == XVS_TENANT_HOST);
	mapenc_conn_key_tenant(2, &key);
	TEST_CHECK(key.tenant == 2 && key.sport == htons(40000));
}

static void test_tenant(void)
{
	struct xvs_tenant value;
	char longer[100];

	mapenc_tenant("tenant-a", &value);
	TEST_CHECK_STR(value.namespace_name, "tenant-a");
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	mapenc_tenant(longer, &value);
	TEST_CHECK(strlen(value.namespace_name) == sizeof(value.namespace_name) - 1);
}

int main(void)
{
	TEST_RUN("mapenc/addr_parse", test_addr_parse);
	TEST_RUN("mapenc/service_key", test_service_key);
	TEST_RUN("mapenc/backend", test_backend);
	TEST_RUN("mapenc/settings_and_counters", test_settings_and_counters);
	TEST_RUN("mapenc/conn_key", test_conn_key);
	TEST_RUN("mapenc/tenant", test_tenant);
	return TEST_EXIT();
}
