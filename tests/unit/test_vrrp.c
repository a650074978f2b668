// SPDX-License-Identifier: GPL-2.0-only
/* VRRP: the advert codec against packets built by another implementation (scapy),
 * every reason to drop an advert, and automatic vrids of the configuration. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "test.h"
#include "vrrp_packet.h"

/* scapy 2.5: IP(src="10.0.1.2", dst="224.0.0.18")/VRRPv3(vrid=51, priority=150,
 * ipcount=2, adv=100, addrlist=["10.0.1.100", "10.0.1.101"]), the VRRP part. */
static const char v3_ipv4_hex[] = "31339602006436080a0001640a000165";
/* IPv6(src="fe80::1", dst="ff02::12")/VRRPv3(vrid=7, priority=100, ipcount=1,
 * adv=100, addrlist=["2001:db8::100"]) */
static const char v3_ipv6_hex[] = "3107640100643dbb20010db8000000000000000000000100";
/* IP(...)/VRRP(vrid=51, priority=150, ipcount=1, adv=1, addrlist=["10.0.1.100"]) */
static const char v2_hex[] = "2133960100013d660a0001640000000000000000";

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned int byte;

		sscanf(hex + 2 * i, "%2x", &byte);
		out[i] = (uint8_t)byte;
	}
	return n;
}

static void address(struct inet_addr *out, const char *text)
{
	memset(out, 0, sizeof(*out));
	if (inet_addr_parse(text, out))
		abort();
}

static void advert_v3_ipv4(struct vrrp_advert *advert)
{
	memset(advert, 0, sizeof(*advert));
	advert->version = 3;
	advert->vrid = 51;
	advert->priority = 150;
	advert->interval_cs = 100;
	advert->ttl = 255;
	address(&advert->source, "10.0.1.2");
	address(&advert->destination, "224.0.0.18");
	advert->address_count = 2;
	address(&advert->addresses[0], "10.0.1.100");
	address(&advert->addresses[1], "10.0.1.101");
}

static void advert_v3_ipv6(struct vrrp_advert *advert)
{
	memset(advert, 0, sizeof(*advert));
	advert->version = 3;
	advert->vrid = 7;
	advert->priority = 100;
	advert->interval_cs = 100;
	advert->ttl = 255;
	address(&advert->source, "fe80::1");
	address(&advert->destination, "ff02::12");
	advert->address_count = 1;
	address(&advert->addresses[0], "2001:db8::100");
}

static void advert_v2(struct vrrp_advert *advert)
{
	advert_v3_ipv4(advert);
	advert->version = 2;
	advert->address_count = 1;
}

static void check_encode(const struct vrrp_advert *advert, const char *hex)
{
	uint8_t expected[128], buffer[128];
	size_t length = unhex(hex, expected);
	int ret = vrrp_packet__encode(advert, buffer, sizeof(buffer));

	TEST_CHECK_MSG(ret == (int)length, "length %d, want %zu", ret, length);
	TEST_CHECK(ret > 0 && memcmp(buffer, expected, length) == 0);
}

static void test_encode(void)
{
	struct vrrp_advert advert;
	uint8_t buffer[128];

	advert_v3_ipv4(&advert);
	check_encode(&advert, v3_ipv4_hex);
	advert_v3_ipv6(&advert);
	check_encode(&advert, v3_ipv6_hex);
	advert_v2(&advert);
	check_encode(&advert, v2_hex);
	TEST_CHECK(vrrp_packet__encode(&advert, buffer, 19) == -ENOSPC);
	advert.interval_cs = 150; /* version 2 counts whole seconds */
	TEST_CHECK(vrrp_packet__encode(&advert, buffer, sizeof(buffer)) == -EINVAL);
	advert_v3_ipv6(&advert);
	advert.version = 2;
	TEST_CHECK(vrrp_packet__encode(&advert, buffer, sizeof(buffer)) == -EINVAL);
	advert_v3_ipv4(&advert);
	advert.interval_cs = 4096;
	TEST_CHECK(vrrp_packet__encode(&advert, buffer, sizeof(buffer)) == -EINVAL);
}

/* Decodes hex with the addresses and TTL of template. */
static enum vrrp_drop decode_hex(const struct vrrp_advert *template, const char *hex,
				 size_t cut, struct vrrp_advert *out)
{
	uint8_t packet[128];
	size_t length = unhex(hex, packet);

	*out = *template;
	return vrrp_packet__decode(packet, length - cut, out);
}

static void test_decode(void)
{
	struct vrrp_advert template, decoded;
	char text[INET6_ADDRSTRLEN];

	advert_v3_ipv4(&template);
	TEST_CHECK(decode_hex(&template, v3_ipv4_hex, 0, &decoded) == VRRP_ACCEPT);
	TEST_CHECK(decoded.version == 3 && decoded.vrid == 51 && decoded.priority == 150);
	TEST_CHECK(decoded.interval_cs == 100 && decoded.address_count == 2);
	TEST_CHECK_STR(inet_addr_format(&decoded.addresses[1], text, sizeof(text)),
		       "10.0.1.101");
	advert_v3_ipv6(&template);
	TEST_CHECK(decode_hex(&template, v3_ipv6_hex, 0, &decoded) == VRRP_ACCEPT);
	TEST_CHECK_STR(inet_addr_format(&decoded.addresses[0], text, sizeof(text)),
		       "2001:db8::100");
	advert_v2(&template);
	TEST_CHECK(decode_hex(&template, v2_hex, 0, &decoded) == VRRP_ACCEPT);
	TEST_CHECK(decoded.version == 2 && decoded.interval_cs == 100);
}

/* Encodes advert, sets the byte at offset to value, optionally fixes the checksum
 * (version 2 style) and decodes the first length - cut bytes. */
static enum vrrp_drop decode_mutated(const struct vrrp_advert *advert, size_t offset,
				     uint8_t value, bool fix_checksum, size_t cut)
{
	uint8_t packet[256];
	struct vrrp_advert decoded = *advert;
	int length = vrrp_packet__encode(advert, packet, sizeof(packet));

	if (length < 0)
		return VRRP_DROP__MAX;
	if (offset < (size_t)length)
		packet[offset] = value;
	if (fix_checksum) {
		/* The sum over the message alone: right for version 2, wrong
		 * for version 3 (which adds the pseudo-header). */
		uint16_t sum;

		packet[6] = packet[7] = 0;
		sum = vrrp_packet__checksum(packet, (size_t)length, 0);
		packet[6] = (uint8_t)(sum >> 8);
		packet[7] = (uint8_t)sum;
	}
	return vrrp_packet__decode(packet, (size_t)length - cut, &decoded);
}

static void test_hostile(void)
{
	struct vrrp_advert advert, decoded;
	uint8_t packet[256];
	int length;

	advert_v3_ipv4(&advert);
	for (size_t cut = 1; cut <= 16; cut++)
		TEST_CHECK_MSG(decode_mutated(&advert, 99, 0, false, cut) == VRRP_DROP_TRUNCATED,
			       "cut %zu", cut);
	TEST_CHECK(decode_mutated(&advert, 0, 0x41, false, 0) == VRRP_DROP_VERSION);
	TEST_CHECK(decode_mutated(&advert, 0, 0x11, false, 0) == VRRP_DROP_VERSION);
	TEST_CHECK(decode_mutated(&advert, 0, 0x32, false, 0) == VRRP_DROP_TYPE);
	TEST_CHECK(decode_mutated(&advert, 2, 151, false, 0) == VRRP_DROP_CHECKSUM);
	TEST_CHECK(decode_mutated(&advert, 7, 0, false, 0) == VRRP_DROP_CHECKSUM);
	TEST_CHECK(decode_mutated(&advert, 3, 200, false, 0) == VRRP_DROP_TRUNCATED);
	advert.ttl = 254;
	TEST_CHECK(decode_mutated(&advert, 99, 0, false, 0) == VRRP_DROP_TTL);
	advert.ttl = 64;
	TEST_CHECK(decode_mutated(&advert, 99, 0, false, 0) == VRRP_DROP_TTL);

	/* Version 3 over IPv4 without the pseudo-header (a v2-style checksum). */
	advert_v3_ipv4(&advert);
	TEST_CHECK(decode_mutated(&advert, 99, 0, true, 0) == VRRP_DROP_CHECKSUM);
	/* A checksum made for other addresses. */
	length = vrrp_packet__encode(&advert, packet, sizeof(packet));
	decoded = advert;
	address(&decoded.source, "10.0.1.3");
	TEST_CHECK(vrrp_packet__decode(packet, (size_t)length, &decoded) == VRRP_DROP_CHECKSUM);

	advert_v2(&advert);
	TEST_CHECK(decode_mutated(&advert, 4, 1, true, 0) == VRRP_DROP_AUTH);
	TEST_CHECK(decode_mutated(&advert, 4, 1, false, 0) == VRRP_DROP_CHECKSUM);
	TEST_CHECK(decode_mutated(&advert, 99, 0, false, 1) == VRRP_DROP_TRUNCATED);
	/* More addresses than any instance has, with the bytes to hold them. */
	advert_v3_ipv4(&advert);
	advert.address_count = VRRP_ADDRESSES_MAX;
	for (int i = 0; i < VRRP_ADDRESSES_MAX; i++)
		advert.addresses[i] = advert.addresses[0];
	length = vrrp_packet__encode(&advert, packet, sizeof(packet));
	TEST_CHECK(length == 8 + 4 * VRRP_ADDRESSES_MAX);
	packet[3] = VRRP_ADDRESSES_MAX + 1;
	memset(packet + length, 0, 4);
	decoded = advert;
	TEST_CHECK(vrrp_packet__decode(packet, (size_t)length + 4, &decoded) != VRRP_ACCEPT);
	/* Version 2 over IPv6 is not a thing. */
	advert_v3_ipv6(&advert);
	length = vrrp_packet__encode(&advert, packet, sizeof(packet));
	packet[0] = 0x21;
	decoded = advert;
	TEST_CHECK(vrrp_packet__decode(packet, (size_t)length, &decoded) == VRRP_DROP_VERSION);
	/* Nothing to read at all. */
	decoded = advert;
	TEST_CHECK(vrrp_packet__decode(packet, 0, &decoded) == VRRP_DROP_TRUNCATED);
}

static void test_ipv4(void)
{
	struct vrrp_advert advert, decoded;
	uint8_t packet[256];
	char text[INET6_ADDRSTRLEN];
	int length;

	advert_v3_ipv4(&advert);
	length = vrrp_packet__encode_ipv4(&advert, packet, sizeof(packet));
	TEST_CHECK(length == 20 + 16);
	TEST_CHECK(packet[8] == 255 && packet[9] == 112);
	TEST_CHECK(vrrp_packet__checksum(packet, 20, 0) == 0);
	memset(&decoded, 0, sizeof(decoded));
	TEST_CHECK(vrrp_packet__decode_ipv4(packet, (size_t)length, &decoded) == VRRP_ACCEPT);
	TEST_CHECK_STR(inet_addr_format(&decoded.source, text, sizeof(text)), "10.0.1.2");
	TEST_CHECK(decoded.vrid == 51 && decoded.ttl == 255);
	TEST_CHECK(vrrp_packet__decode_ipv4(packet, (size_t)length - 1, &decoded) ==
		   VRRP_DROP_TRUNCATED);
	TEST_CHECK(vrrp_packet__decode_ipv4(packet, 19, &decoded) == VRRP_DROP_TRUNCATED);
	packet[8] = 1;
	TEST_CHECK(vrrp_packet__decode_ipv4(packet, (size_t)length, &decoded) == VRRP_DROP_TTL);
	packet[8] = 255;
	packet[9] = 17;
	TEST_CHECK(vrrp_packet__decode_ipv4(packet, (size_t)length, &decoded) == VRRP_DROP_TYPE);
	packet[9] = 112;
	packet[0] = 0x44; /* header shorter than 20 bytes */
	TEST_CHECK(vrrp_packet__decode_ipv4(packet, (size_t)length, &decoded) ==
		   VRRP_DROP_TRUNCATED);
	packet[0] = 0x4f; /* header longer than the packet */
	TEST_CHECK(vrrp_packet__decode_ipv4(packet, (size_t)length, &decoded) ==
		   VRRP_DROP_TRUNCATED);
	TEST_CHECK_STR(vrrp_packet__drop_name(VRRP_DROP_PEER), "unknown_peer");
}

static struct config *load(const char *text)
{
	return config_load_string("t.conf", text, NULL, NULL);
}

static void test_automatic_vrid(void)
{
	static const char text[] =
		"vrrp a { interface eth0; vip 10.0.0.1/24 }\n"
		"vrrp b { interface eth0; vip 10.0.0.2/24 }\n"
		"vrrp c { interface eth1; vip 10.0.0.3/24 }\n";
	struct config *first = load(text), *again = load(text), *clash;
	char forced[512];

	TEST_CHECK(first && again);
	if (!first || !again)
		goto out;
	for (size_t i = 0; i < 3; i++) {
		TEST_CHECK(first->vrrps[i].vrid_automatic && first->vrrps[i].vrid >= 1);
		TEST_CHECK(first->vrrps[i].vrid == again->vrrps[i].vrid);
	}
	TEST_CHECK(first->vrrps[0].vrid != first->vrrps[1].vrid);
	/* A given vrid on the hash's slot pushes the automatic one further. */
	snprintf(forced, sizeof(forced),
		 "vrrp x { interface eth0; vrid %u; vip 10.0.0.9/24 }\n%s",
		 first->vrrps[0].vrid, text);
	clash = load(forced);
	TEST_CHECK(clash != NULL);
	if (clash) {
		TEST_CHECK(clash->vrrps[1].vrid_wanted == first->vrrps[0].vrid);
		TEST_CHECK(clash->vrrps[1].vrid != first->vrrps[0].vrid);
		TEST_CHECK(clash->vrrps[1].vrid != clash->vrrps[2].vrid);
		/* Same interface name elsewhere: its own vrid space. */
		TEST_CHECK(clash->vrrps[3].vrid == first->vrrps[2].vrid);
	}
	config_free(clash);
out:
	config_free(first);
	config_free(again);
}

/* vip ... interface IFNAME: where each VIP lives, and a reload sees a move. */
static void test_vip_interface(void)
{
	struct config *pair = load("vrrp p { interface eth0; vip 10.0.0.1/24;"
				   " vip 10.1.0.1/24 interface eth1; vip 10.2.0.1 interface eth0 }\n");
	struct config *moved = load("vrrp p { interface eth0; vip 10.0.0.1/24;"
				    " vip 10.1.0.1/24 interface eth2; vip 10.2.0.1 interface eth0 }\n");
	struct config *same = load("vrrp p { interface eth0; vip 10.0.0.1/24;"
				   " vip 10.1.0.1/24 interface eth1; vip 10.2.0.1 }\n");

	TEST_CHECK(pair && moved && same);
	if (pair && moved && same) {
		TEST_CHECK(pair->vrrps[0].vip_count == 3);
		TEST_CHECK(!strcmp(config_vrrp_vip_interface(&pair->vrrps[0], 0), "eth0"));
		TEST_CHECK(!strcmp(config_vrrp_vip_interface(&pair->vrrps[0], 1), "eth1"));
		TEST_CHECK(!strcmp(config_vrrp_vip_interface(&pair->vrrps[0], 2), "eth0"));
		TEST_CHECK(!config_vrrp_equal(&pair->vrrps[0], &moved->vrrps[0]));
		/* The block's own interface named or not: the same instance. */
		TEST_CHECK(config_vrrp_equal(&pair->vrrps[0], &same->vrrps[0]));
	}
	config_free(pair);
	config_free(moved);
	config_free(same);
}

int main(void)
{
	TEST_RUN("vrrp/encode", test_encode);
	TEST_RUN("vrrp/decode", test_decode);
	TEST_RUN("vrrp/hostile", test_hostile);
	TEST_RUN("vrrp/ipv4", test_ipv4);
	TEST_RUN("vrrp/automatic_vrid", test_automatic_vrid);
	TEST_RUN("vrrp/vip_interface", test_vip_interface);
	return TEST_EXIT();
}
