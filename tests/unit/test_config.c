// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the configuration parser: every field of good files, the
 * defaults, the value syntaxes, include, and the exact text of errors. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "test.h"

/* Parses text named "t.conf"; *errors gets what the parser wrote. */
static struct config *load(const char *text, char **errors, int *count)
{
	struct config *config;
	size_t size;
	FILE *stream = open_memstream(errors, &size);

	config = config_load_string("t.conf", text, stream, count);
	fclose(stream);
	return config;
}

/* Expects text to fail with exactly the error lines expected. */
static void expect_errors(const char *text, const char *expected, int expected_count)
{
	char *errors = NULL;
	int count = -1;
	struct config *config = load(text, &errors, &count);

	TEST_CHECK(config == NULL);
	TEST_CHECK_STR(errors, expected);
	TEST_CHECK_MSG(count == expected_count, "count %d, want %d", count, expected_count);
	config_free(config);
	free(errors);
}

static struct config *load_good(const char *text)
{
	char *errors = NULL;
	int count = -1;
	struct config *config = load(text, &errors, &count);

	TEST_CHECK_STR(errors, "");
	TEST_CHECK(count == 0);
	TEST_CHECK(config != NULL);
	free(errors);
	return config;
}

static bool address_is(const struct inet_addr *address, const char *text)
{
	struct inet_addr expected;

	return inet_addr_parse(text, &expected) == 0 && inet_addr_equal(address, &expected);
}

#define SERVICE_DR "mode dr; scheduler rr; "

static void test_full(void)
{
	struct config *config = load_good(
		"global {\n"
		"    node lb1\n"
		"    run_dir /run/xvs-test   # comment\n"
		"    api unix /run/xvs-test/api.sock\n"
		"    api http [::1]:9180\n"
		"    conn_table 64k\n"
		"    timeout tcp 10m; timeout tcp_fin 30s\n"
		"    timeout tcp_syn 1500ms\n"
		"    timeout udp 2h\n"
		"}\n"
		"interface eth0 { xdp native }\n"
		"interface eth1 {\n  type ethernet\n  xdp off\n}\n"
		"service dns {\n"
		"    vip 10.0.1.100\n"
		"    vip 10.0.1.101\n"
		"    port 53\n"
		"    proto udp\n"
		"    mode dr\n"
		"    scheduler rr\n"
		"    check none\n"
		"    backend 10.0.2.11 weight 3 max_conns 0\n"
		"    backend 10.0.2.12 weight 0\n"
		"}\n"
		"service web6 { vip 2001:db8::1; port 443; proto 6; " SERVICE_DR
		"backend 2001:db8::11 }\n");
	struct config_service *service;

	if (!config)
		return;
	TEST_CHECK_STR(config->path, "t.conf");
	TEST_CHECK_STR(config->global.node, "lb1");
	TEST_CHECK_STR(config->global.run_dir, "/run/xvs-test");
	TEST_CHECK_STR(config->global.api_unix, "/run/xvs-test/api.sock");
	TEST_CHECK(config->global.api_http_set);
	TEST_CHECK(address_is(&config->global.api_http_addr, "::1"));
	TEST_CHECK(config->global.api_http_port == 9180);
	TEST_CHECK(config->global.conn_table == 65536);
	TEST_CHECK(config->global.timeout_tcp_ms == 600000);
	TEST_CHECK(config->global.timeout_tcp_fin_ms == 30000);
	TEST_CHECK(config->global.timeout_tcp_syn_ms == 1500);
	TEST_CHECK(config->global.timeout_udp_ms == 7200000);
	TEST_CHECK(config->interface_count == 2);
	TEST_CHECK_STR(config->interfaces[0].name, "eth0");
	TEST_CHECK(config->interfaces[0].xdp == XDP_ATTACH_NATIVE);
	TEST_CHECK(config->interfaces[0].type == INTERFACE_ETHERNET);
	TEST_CHECK(config->interfaces[0].line == 11);
	TEST_CHECK(config->interfaces[1].xdp == XDP_ATTACH_OFF);
	TEST_CHECK(config->service_count == 2);
	service = &config->services[0];
	TEST_CHECK_STR(service->name, "dns");
	TEST_CHECK(service->line == 16);
	TEST_CHECK(service->vip_count == 2);
	TEST_CHECK(address_is(&service->vips[0], "10.0.1.100"));
	TEST_CHECK(address_is(&service->vips[1], "10.0.1.101"));
	TEST_CHECK(service->port == 53);
	TEST_CHECK(service->proto == IPPROTO_UDP);
	TEST_CHECK(service->mode == XVS_MODE_DR);
	TEST_CHECK(service->scheduler == XVS_SCHED_RR);
	TEST_CHECK(service->check.set && service->check.type == CHECK_NONE);
	TEST_CHECK(service->persistence == PERSIST_NONE);
	TEST_CHECK(service->persistence_mask == 32);
	TEST_CHECK(service->backend_count == 2);
	TEST_CHECK(address_is(&service->backends[0].addr, "10.0.2.11"));
	TEST_CHECK(service->backends[0].port == 0);
	TEST_CHECK(service->backends[0].weight == 3);
	TEST_CHECK(service->backends[0].max_conns == 0);
	TEST_CHECK(service->backends[0].line == 24);
	TEST_CHECK(service->backends[1].weight == 0);
	service = &config->services[1];
	TEST_CHECK_STR(service->name, "web6");
	TEST_CHECK(service->proto == IPPROTO_TCP && service->port == 443);
	TEST_CHECK(address_is(&service->vips[0], "2001:db8::1"));
	TEST_CHECK(address_is(&service->backends[0].addr, "2001:db8::11"));
	TEST_CHECK(service->backends[0].weight == 1);
	TEST_CHECK(service->persistence_mask == 128);
	TEST_CHECK(!service->check.set);
	config_free(config);
}

static void test_defaults(void)
{
	struct config *config = load_good("service empty { vip 10.0.0.1; port 80; proto tcp; "
					  SERVICE_DR "}\ninterface eth0 {}\n");
	char host[256] = "";

	if (!config)
		return;
	gethostname(host, sizeof(host));
	host[CONFIG_NAME_MAX - 1] = '\0';
	TEST_CHECK_STR(config->global.node, host);
	TEST_CHECK_STR(config->global.run_dir, "/run/xvs");
	TEST_CHECK_STR(config->global.api_unix, "/run/xvs/xvsd.sock");
	TEST_CHECK(!config->global.api_http_set);
	TEST_CHECK(config->global.conn_table == 1048576);
	TEST_CHECK(config->global.timeout_tcp_ms == 15 * 60000);
	TEST_CHECK(config->global.timeout_tcp_fin_ms == 2 * 60000);
	TEST_CHECK(config->global.timeout_tcp_syn_ms == 60000);
	TEST_CHECK(config->global.timeout_udp_ms == 5 * 60000);
	TEST_CHECK(config->interfaces[0].type == INTERFACE_ETHERNET);
	TEST_CHECK(config->interfaces[0].xdp == XDP_ATTACH_AUTO);
	TEST_CHECK(config->services[0].backend_count == 0);
	TEST_CHECK(config->services[0].check.type == CHECK_NONE);
	TEST_CHECK(config->services[0].check.interval_ms == 2000);
	TEST_CHECK(config->services[0].check.timeout_ms == 1000);
	TEST_CHECK(config->services[0].check.rise == 2);
	TEST_CHECK(config->services[0].check.fall == 3);
	config_free(config);

	/* The socket follows run_dir when api unix is not given. */
	config = load_good("global { run_dir /var/run/lb }\n");
	if (config)
		TEST_CHECK_STR(config->global.api_unix, "/var/run/lb/xvsd.sock");
	config_free(config);
}

static void test_durations_and_sizes(void)
{
	static const struct { const char *text; uint32_t ms; } durations[] = {
		{ "1", 1000 }, { "90", 90000 }, { "1000ms", 1000 }, { "45s", 45000 },
		{ "3m", 180000 }, { "24h", 86400000 },
	};
	static const struct { const char *text; uint32_t entries; } sizes[] = {
		{ "1024", 1024 }, { "1k", 1024 }, { "1m", 1048576 }, { "64m", 67108864 },
		{ "3000", 3000 },
	};
	char text[128];
	size_t i;

	for (i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		struct config *config;

		snprintf(text, sizeof(text), "global { timeout udp %s }", durations[i].text);
		config = load_good(text);
		TEST_CHECK_MSG(config && config->global.timeout_udp_ms == durations[i].ms,
			       "%s", durations[i].text);
		config_free(config);
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct config *config;

		snprintf(text, sizeof(text), "global { conn_table %s }", sizes[i].text);
		config = load_good(text);
		TEST_CHECK_MSG(config && config->global.conn_table == sizes[i].entries, "%s",
			       sizes[i].text);
		config_free(config);
	}
}

static void test_syntax(void)
{
	/* Quoting, escapes, comments, ";" and blank lines, blocks on one line. */
	struct config *config = load_good(
		"# leading comment\n\n"
		"global{node \"lb-2\";api unix \"/run/a \\\"b\\\" \\\\c\";}# trailing\n"
		"service \"s1\" { vip \"10.0.0.1\" ; port 80 ;; proto tcp; mode dr\n"
		"\tscheduler rr # tab and comment\r\n"
		"  backend 10.0.0.2 ; backend 10.0.0.3 weight 2 }\n");

	if (!config)
		return;
	TEST_CHECK_STR(config->global.node, "lb-2");
	TEST_CHECK_STR(config->global.api_unix, "/run/a \"b\" \\c");
	TEST_CHECK(config->service_count == 1);
	TEST_CHECK_STR(config->services[0].name, "s1");
	TEST_CHECK(config->services[0].backend_count == 2);
	TEST_CHECK(config->services[0].backends[1].weight == 2);
	TEST_CHECK(config->services[0].backends[1].line == 6);
	config_free(config);
}

static void write_file(const char *directory, const char *name, const char *text)
{
	char path[512];
	FILE *file;

	snprintf(path, sizeof(path), "%s/%s", directory, name);
	file = fopen(path, "w");
	TEST_CHECK(file != NULL);
	if (!file)
		return;
	fputs(text, file);
	fclose(file);
}

static void remove_files(const char *directory)
{
	static const char *const names[] = {
		"main.conf", "global.inc", "services.d/a.conf", "services.d/b.conf",
		"backends.inc", "bad.conf", "loop.conf", "services.d", "",
	};
	char path[512];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", directory, names[i]);
		remove(path);
	}
}

static void test_include(void)
{
	char directory[] = "/tmp/xvs-test-config-XXXXXX", path[512], expected[1024];
	struct config *config;
	char *errors = NULL;
	int count = -1;
	FILE *stream;
	size_t size;

	if (!mkdtemp(directory)) {
		TEST_CHECK(!"mkdtemp");
		return;
	}
	mkdir(strcat(strcpy(path, directory), "/services.d"), 0700);
	write_file(directory, "main.conf",
		   "global { include \"global.inc\" }\n"
		   "include \"services.d/*.conf\"\n"
		   "include \"nothing.d/*.conf\"  # no match: fine\n"
		   "service c { vip 10.0.0.3; port 80; proto tcp; " SERVICE_DR
		   "include \"backends.inc\" }\n");
	write_file(directory, "global.inc", "node included\n");
	write_file(directory, "services.d/b.conf",
		   "service b { vip 10.0.0.2; port 80; proto tcp; " SERVICE_DR "}");
	write_file(directory, "services.d/a.conf",
		   "service a { vip 10.0.0.1; port 80; proto tcp; " SERVICE_DR "}\n");
	write_file(directory, "backends.inc", "backend 10.1.0.1\nbackend 10.1.0.2\n");
	snprintf(path, sizeof(path), "%s/main.conf", directory);
	stream = open_memstream(&errors, &size);
	config = config_load(path, stream, &count);
	fclose(stream);
	TEST_CHECK_STR(errors, "");
	TEST_CHECK(config != NULL);
	if (config) {
		TEST_CHECK_STR(config->global.node, "included");
		TEST_CHECK(config->service_count == 3);
		TEST_CHECK_STR(config->services[0].name, "a"); /* glob order */
		TEST_CHECK_STR(config->services[1].name, "b");
		TEST_CHECK_STR(config->services[2].name, "c");
		TEST_CHECK(config->services[2].backend_count == 2);
	}
	config_free(config);
	free(errors);

	/* Errors name the included file; a missing literal path is an error. */
	write_file(directory, "bad.conf", "include \"backends.inc\"\ninclude \"missing.conf\"\n");
	snprintf(path, sizeof(path), "%s/bad.conf", directory);
	stream = open_memstream(&errors, &size);
	config = config_load(path, stream, &count);
	fclose(stream);
	snprintf(expected, sizeof(expected),
		 "%s/backends.inc:1:1: error: unknown block \"backend\" (expected global, interface, service or vrrp)\n"
		 "%s/backends.inc:2:1: error: unknown block \"backend\" (expected global, interface, service or vrrp)\n"
		 "%s/bad.conf:2:9: error: cannot read \"%s/missing.conf\": No such file or directory\n",
		 directory, directory, directory, directory);
	TEST_CHECK(config == NULL);
	TEST_CHECK_STR(errors, expected);
	TEST_CHECK(count == 3);
	free(errors);

	/* Nesting is limited. */
	write_file(directory, "loop.conf", "include \"loop.conf\"\n");
	snprintf(path, sizeof(path), "%s/loop.conf", directory);
	stream = open_memstream(&errors, &size);
	config = config_load(path, stream, &count);
	fclose(stream);
	snprintf(expected, sizeof(expected),
		 "%s/loop.conf:1:1: error: include nested too deeply (limit 8)\n", directory);
	TEST_CHECK(config == NULL);
	TEST_CHECK_STR(errors, expected);
	free(errors);

	remove_files(directory);
}

static void test_errors_values(void)
{
	expect_errors("global {\n conn_table 1g\n conn_table 128m\n}\n",
		      "t.conf:2:13: error: invalid conn_table \"1g\" (expected a number with optional k or m, 1k..64m)\n"
		      "t.conf:3:2: error: duplicate \"conn_table\" (first at line 2)\n", 2);
	expect_errors("global { conn_table 128m }",
		      "t.conf:1:21: error: conn_table 128m out of range (1k..64m)\n", 1);
	expect_errors("global { timeout tcp 0; timeout udp 25h; timeout tcp_fin 5x }",
		      "t.conf:1:22: error: timeout tcp 0 out of range (1s..24h)\n"
		      "t.conf:1:37: error: timeout udp 25h out of range (1s..24h)\n"
		      "t.conf:1:58: error: invalid timeout tcp_fin \"5x\" (expected a duration with ms, s, m or h, 1s..24h)\n",
		      3);
	expect_errors("global { node \"a b\"; run_dir run; api http 1.2.3.4 }",
		      "t.conf:1:15: error: invalid node name \"a b\" (expected 1..63 characters of A-Z a-z 0-9 _ . -)\n"
		      "t.conf:1:30: error: run_dir \"run\" is not an absolute path\n"
		      "t.conf:1:44: error: api http address \"1.2.3.4\" needs a port (expected ADDRESS:PORT or [IPV6]:PORT)\n",
		      3);
	expect_errors("service s { vip 10.0.0.1; port 0; proto tcp; " SERVICE_DR
		      "backend 10.0.0.2 weight 70000 }",
		      "t.conf:1:32: error: port 0 out of range (1..65535)\n"
		      "t.conf:1:93: error: weight 70000 out of range (0..65535)\n", 2);
	expect_errors("service s { vip 10.0.0.1; port 1; proto tcp; scheduler wrrr; mode dr }",
		      "t.conf:1:56: error: unknown scheduler \"wrrr\" (expected rr, wrr, lc, wlc, sh, dh or mh)\n",
		      1);
	expect_errors("service s { vip 10.0.0.1; port 1; proto 256; " SERVICE_DR "}",
		      "t.conf:1:41: error: proto 256 out of range (0..255)\n", 1);
	expect_errors("service s { vip 10.0.0.1; port 1; proto tpc; " SERVICE_DR "}",
		      "t.conf:1:41: error: unknown proto \"tpc\" (expected tcp, udp, esp, ah, gre, icmp, icmpv6, sctp or 0..255)\n",
		      1);
	expect_errors("service s { vip 10.0.0.1; port 1; proto tcp; " SERVICE_DR
		      "backend 10.0.0.2:99999 }",
		      "t.conf:1:77: error: port in backend \"10.0.0.2:99999\" out of range (1..65535)\n", 1);
}

static void test_errors_syntax(void)
{
	expect_errors("global {\n  node \"lb1\n}\n",
		      "t.conf:2:8: error: unterminated string\n", 1);
	expect_errors("service s {\n  vip 10.0.0.1\n",
		      "t.conf:3:1: error: missing \"}\" to close the service block of line 1\n", 1);
	expect_errors("}\nglobal { node a b }\nglobal x\n",
		      "t.conf:1:1: error: unexpected \"}\"\n"
		      "t.conf:2:17: error: unexpected \"b\" (expected end of statement)\n"
		      "t.conf:3:1: error: duplicate \"global\" (first at line 2)\n", 3);
	expect_errors("interface eth0 { xdp }\nservice s { prot tcp }\nservic x { }\n",
		      "t.conf:1:22: error: expected auto, native, generic or off after \"xdp\", got \"}\"\n"
		      "t.conf:2:13: error: unknown keyword \"prot\" in service block\n"
		      "t.conf:3:1: error: unknown block \"servic\" (expected global, interface, service or vrrp)\n",
		      3);
	expect_errors("global { node \"a\\qb\" }",
		      "t.conf:1:17: error: unknown escape in string (expected \\\", \\\\, \\n, \\r or \\t)\n", 1);
}

static void test_errors_semantics(void)
{
	expect_errors("service s { port 1 }\n",
		      "t.conf:1:1: error: service \"s\": at least one vip is required\n"
		      "t.conf:1:1: error: service \"s\": proto is required\n",
		      2);
	expect_errors("service s { vip 10.0.0.1; proto udp; " SERVICE_DR "}\n"
		      "service s { vip 10.0.0.1; port 5; proto udp; " SERVICE_DR "}\n"
		      "service t { vip 10.0.0.1; port 5; proto udp; " SERVICE_DR
		      "backend 10.0.0.9; backend 10.0.0.9 }\n",
		      "t.conf:1:1: error: service \"s\": port is required for proto udp\n"
		      "t.conf:2:9: error: duplicate service \"s\" (first at line 1)\n"
		      "t.conf:3:95: error: duplicate backend \"10.0.0.9\" (first at line 3)\n", 3);
	expect_errors("service a { vip 10.0.0.1; port 5; proto udp; " SERVICE_DR "}\n"
		      "service b { vip 10.0.0.1; port 5; proto udp; " SERVICE_DR "}\n",
		      "t.conf:2:17: error: vip 10.0.0.1 port 5 proto udp is already used by service \"a\" (line 1)\n",
		      1);
	expect_errors("service a { vip 10.0.0.1; port 5; proto udp; " SERVICE_DR
		      "backend 10.0.0.2:53; backend 2001:db8::1 }\n",
		      "t.conf:1:98: error: backend is IPv6 but the VIPs of service \"a\" are IPv4\n"
		      "t.conf:1:77: error: backend port needs mode nat or snat\n", 2);
}

static void test_errors_unsupported(void)
{
	expect_errors("service a { vip 10.0.0.1; vip ::1; port 5; proto esp; mode nat; "
		      "scheduler wlc; check tcp; persistence 5m mask 24; "
		      "backend 10.0.0.2 max_conns 10 check_port 7 }\n",
		      "t.conf:1:36: error: port needs proto tcp or udp\n"
		      "t.conf:1:31: error: service \"a\" has IPv6 VIPs but no backend that serves them in mode nat\n"
		      "t.conf:1:50: error: proto esp needs mode generic\n"
		      "t.conf:1:106: error: persistence mask with IPv4 and IPv6 VIPs in one service is not supported yet\n", 4);
	expect_errors("vrrp vi_1 { priority 100 }\n",
		      "t.conf:1:1: error: vrrp \"vi_1\" needs an interface\n"
		      "t.conf:1:1: error: vrrp \"vi_1\" needs at least one vip\n", 2);
}

/* Created interfaces: their settings and the type-dependent defaults. */
static void test_interfaces(void)
{
	struct config *config = load_good("interface v { type vlan; parent b; id 5; mtu 1400;"
					  " address 10.0.0.1/24; address 2001:db8::1/64 }\n"
					  "interface b { type bond; members e1 e2; xdp off }\n"
					  "interface l { type lacp; members e3; lacp_rate slow }\n"
					  "interface x { type bond; mode balance-xor;"
					  " xmit_hash_policy encap3+4; members e4 }\n"
					  "interface p { type veth-peer; namespace n }\n"
					  "interface w { type veth; peer p }\n");
	const struct config_interface *interface;

	TEST_CHECK(config != NULL);
	if (!config)
		return;
	interface = config_interface_find(config, "v");
	TEST_CHECK(interface && interface->type == INTERFACE_VLAN && interface->vlan_id == 5 &&
		   !strcmp(interface->parent, "b") && interface->mtu == 1400 &&
		   interface->address_count == 2 && interface->addresses[1].prefix_len == 64);
	interface = config_interface_find(config, "b");
	TEST_CHECK(interface && interface->bond_mode == BOND_MODE_ACTIVE_BACKUP &&
		   interface->member_count == 2 && !strcmp(interface->members[1], "e2"));
	interface = config_interface_find(config, "l");
	TEST_CHECK(interface && interface->bond_mode == BOND_MODE_8023AD &&
		   interface->xmit_hash_policy == BOND_HASH_LAYER3_4 && interface->lacp_rate_slow);
	interface = config_interface_find(config, "x");
	TEST_CHECK(interface && interface->bond_mode == BOND_MODE_BALANCE_XOR &&
		   interface->xmit_hash_policy == BOND_HASH_ENCAP3_4);
	interface = config_interface_find(config, "p");
	TEST_CHECK(interface && !strcmp(interface->namespace_name, "n"));
	TEST_CHECK(config_interface_created(interface) &&
		   !config_interface_created(&(struct config_interface){ 0 }));
	TEST_CHECK(config_interface_find(config, "e1") == NULL);
	config_free(config);
}

/* Macvlans: the mode (bond and macvlan share the keyword, each with its
 * values, whatever the order of type and mode), the default, a fixed MAC. */
static void test_macvlans(void)
{
	struct config *config = load_good("interface eth0 { xdp off }\n"
					  "interface m1 { mode private; type macvlan; parent eth0;"
					  " mac 02:00:5E:00:53:01; mtu 1400 }\n"
					  "interface m2 { type macvlan; parent eth0; xdp generic }\n"
					  "interface m3 { type macvlan; parent eth1; mode passthru }\n"
					  "interface b { type bond; mode balance-xor; members e1 }\n");
	const struct config_interface *interface;
	static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x01 };

	TEST_CHECK(config != NULL);
	if (!config)
		return;
	interface = config_interface_find(config, "m1");
	TEST_CHECK(interface && interface->type == INTERFACE_MACVLAN &&
		   interface->macvlan_mode == CONFIG_MACVLAN_PRIVATE && interface->mac_set &&
		   !memcmp(interface->mac, mac, sizeof(mac)) && !strcmp(interface->parent, "eth0"));
	interface = config_interface_find(config, "m2");
	TEST_CHECK(interface && interface->macvlan_mode == CONFIG_MACVLAN_BRIDGE &&
		   !interface->mac_set && config_interface_created(interface));
	interface = config_interface_find(config, "m3");
	TEST_CHECK(interface && interface->macvlan_mode == CONFIG_MACVLAN_PASSTHRU);
	interface = config_interface_find(config, "b");
	TEST_CHECK(interface && interface->bond_mode == BOND_MODE_BALANCE_XOR);
	config_free(config);
	expect_errors("interface m { mode bridge; type macvlan }\n"
		      "interface b { type bond; mode bridge; members e }\n"
		      "interface v { type vlan; parent e; id 2; mac 02:00:00:00:00:01 }\n"
		      "interface x { type macvlan; parent p4; mode passthru; mac 02:00:00:00:00:01;"
		      " xdp native }\n"
		      "interface y { type macvlan; parent p5; mac 1:2:3:4:5:6 }\n"
		      "interface z { type macvlan; parent p6; mac 03:00:00:00:00:01 }\n",
		      "t.conf:1:1: error: interface \"m\": type macvlan needs parent\n"
		      "t.conf:2:31: error: unknown bond mode \"bridge\" (expected balance-rr, "
		      "active-backup, balance-xor, broadcast, 802.3ad, balance-tlb or balance-alb)\n"
		      "t.conf:3:42: error: mac needs type macvlan\n"
		      "t.conf:4:78: error: xdp native: a macvlan has generic XDP only; use xdp "
		      "auto or generic\n"
		      "t.conf:4:55: error: mac with mode passthru: a passthru macvlan has its "
		      "parent's address (setting one would change the parent's)\n"
		      "t.conf:5:44: error: invalid mac \"1:2:3:4:5:6\" (expected six hex bytes "
		      "such as 02:00:5e:00:53:01)\n"
		      "t.conf:6:44: error: mac 03:00:00:00:00:01 is not a unicast address\n", 7);
}

/* Tenants: one VIP:port per namespace; interfaces of one name in several
 * namespaces; a tenant's services need an interface in its namespace. */
static void test_namespaces(void)
{
	struct config *config = load_good(
		"interface eth0 { }\n"
		"interface eth0 { namespace tenant-a }\n"
		"interface eth0 { namespace tenant-b; xdp generic }\n"
		"service a { vip 10.0.1.100; port 53; proto udp; " SERVICE_DR "namespace tenant-a }\n"
		"service b { vip 10.0.1.100; port 53; proto udp; " SERVICE_DR "namespace tenant-b }\n"
		"service h { vip 10.0.1.100; port 53; proto udp; " SERVICE_DR "}\n");

	if (config) {
		TEST_CHECK(config->interface_count == 3 && config->service_count == 3);
		TEST_CHECK_STR(config->interfaces[1].namespace_name, "tenant-a");
		TEST_CHECK_STR(config->services[1].namespace_name, "tenant-b");
		TEST_CHECK_STR(config->services[2].namespace_name, "");
	}
	config_free(config);
	expect_errors("interface eth0 { namespace a }\n"
		      "interface eth0 { namespace a }\n"
		      "service s { vip 10.0.0.1; port 5; proto udp; " SERVICE_DR "namespace a }\n"
		      "service t { vip 10.0.0.1; port 5; proto udp; " SERVICE_DR "namespace a }\n"
		      "service u { vip 10.0.0.1; port 6; proto udp; " SERVICE_DR "namespace b }\n"
		      "service v { vip 10.0.0.1; port 7; proto udp; " SERVICE_DR "namespace b }\n"
		      "service w { vip 10.0.0.1; port 8; proto udp; " SERVICE_DR "namespace .. }\n",
		      "t.conf:2:11: error: duplicate interface \"eth0\" (first at line 1)\n"
		      "t.conf:4:17: error: vip 10.0.0.1 port 5 proto udp is already used by service \"s\" (line 3)\n"
		      "t.conf:7:79: error: invalid namespace name \"..\"\n"
		      "t.conf:5:9: error: service \"u\": namespace \"b\" has no interface for the data plane; "
		      "add \"interface NAME { namespace b }\"\n", 4);
	expect_errors("interface eth0 { namespace a; xdp off }\n"
		      "service s { vip 10.0.0.1; port 5; proto udp; " SERVICE_DR "namespace a }\n",
		      "t.conf:2:9: error: service \"s\": namespace \"a\" has no interface for the data plane; "
		      "add \"interface NAME { namespace a }\"\n", 1);
}

static void test_names(void)
{
	TEST_CHECK_STR(config_mode_name(XVS_MODE_DR), "dr");
	TEST_CHECK_STR(config_mode_name(XVS_MODE_GENERIC), "generic");
	TEST_CHECK_STR(config_scheduler_name(XVS_SCHED_WLC), "wlc");
	TEST_CHECK_STR(config_scheduler_name(XVS_SCHED_MH), "mh");
	TEST_CHECK_STR(config_proto_name(IPPROTO_UDP), "udp");
	TEST_CHECK_STR(config_proto_name(IPPROTO_ICMPV6), "icmpv6");
	TEST_CHECK(config_proto_name(200) == NULL);
	config_free(NULL);
}

int main(void)
{
	TEST_RUN("config/full", test_full);
	TEST_RUN("config/defaults", test_defaults);
	TEST_RUN("config/durations_sizes", test_durations_and_sizes);
	TEST_RUN("config/syntax", test_syntax);
	TEST_RUN("config/include", test_include);
	TEST_RUN("config/errors_values", test_errors_values);
	TEST_RUN("config/errors_syntax", test_errors_syntax);
	TEST_RUN("config/errors_semantics", test_errors_semantics);
	TEST_RUN("config/errors_unsupported", test_errors_unsupported);
	TEST_RUN("config/namespaces", test_namespaces);
	TEST_RUN("config/interfaces", test_interfaces);
	TEST_RUN("config/macvlans", test_macvlans);
	TEST_RUN("config/names", test_names);
	return TEST_EXIT();
}
