/* SPDX-License-Identifier: GPL-2.0-only */
/* A packet builder for the BPF fixtures: Ethernet (+ optional VLAN tag),
 * IPv4 (+ options) or IPv6, TCP or UDP, with correct checksums. */
#ifndef XVS_TESTS_BPF_PACKET_H
#define XVS_TESTS_BPF_PACKET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define PACKET_MAX 1600

/* MACs of the client-side router and of the balancer's interface. */
static const uint8_t packet_router_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xaa };
static const uint8_t packet_lb_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

#define PACKET_TCP_FIN 0x01
#define PACKET_TCP_SYN 0x02
#define PACKET_TCP_RST 0x04
#define PACKET_TCP_PSH 0x08
#define PACKET_TCP_ACK 0x10

struct packet_spec {
	int family;            /* AF_INET or AF_INET6 */
	uint8_t proto;         /* IPPROTO_TCP or IPPROTO_UDP */
	const char *saddr;
	const char *daddr;
	uint16_t sport;
	uint16_t dport;
	uint8_t tcp_flags;     /* PACKET_TCP_* */
	uint16_t vlan;         /* 802.1Q tag id; 0 = untagged */
	uint8_t ip_options;    /* IPv4 option bytes (multiple of 4, NOPs + EOL) */
	uint16_t payload;      /* payload bytes (a counting pattern) */
};

static inline uint32_t packet_sum(const uint8_t *data, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(data[i] << 8 | data[i + 1]);
	if (len & 1)
		sum += (uint32_t)(data[len - 1] << 8);
	return sum;
}

static inline uint16_t packet_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static inline void packet_put16(uint8_t *at, uint16_t value)
{
	at[0] = (uint8_t)(value >> 8);
	at[1] = (uint8_t)value;
}

/* Writes the packet into buf (PACKET_MAX bytes) and returns its length, or 0
 * if an address does not parse. */
static inline size_t packet_build(const struct packet_spec *spec, uint8_t *buf)
{
	bool v6 = spec->family == AF_INET6;
	size_t l2 = spec->vlan ? 18 : 14;
	size_t ip_header = v6 ? 40 : 20u + spec->ip_options;
	size_t l4_header = spec->proto == IPPROTO_TCP ? 20 : 8;
	size_t l4_bytes = l4_header + spec->payload;
	uint8_t *ip = buf + l2, *l4 = ip + ip_header;
	uint8_t saddr[16], daddr[16];
	size_t addr_len = v6 ? 16 : 4;
	uint32_t sum;

	memset(buf, 0, PACKET_MAX);
	if (inet_pton(spec->family, spec->saddr, saddr) != 1 ||
	    inet_pton(spec->family, spec->daddr, daddr) != 1)
		return 0;

	memcpy(buf, packet_lb_mac, 6);
	memcpy(buf + 6, packet_router_mac, 6);
	if (spec->vlan) {
		packet_put16(buf + 12, 0x8100);
		packet_put16(buf + 14, spec->vlan);
	}
	packet_put16(buf + l2 - 2, v6 ? 0x86dd : 0x0800);

	if (v6) {
		ip[0] = 0x60;
		packet_put16(ip + 4, (uint16_t)l4_bytes);
		ip[6] = spec->proto;
		ip[7] = 64;
		memcpy(ip + 8, saddr, 16);
		memcpy(ip + 24, daddr, 16);
	} else {
		ip[0] = (uint8_t)(0x40 | (ip_header / 4));
		packet_put16(ip + 2, (uint16_t)(ip_header + l4_bytes));
		packet_put16(ip + 4, 0x1234);
		packet_put16(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = spec->proto;
		memcpy(ip + 12, saddr, 4);
		memcpy(ip + 16, daddr, 4);
		for (size_t i = 0; i < spec->ip_options; i++)
			ip[20 + i] = i + 1 < spec->ip_options ? 1 : 0; /* NOP.. EOL */
		packet_put16(ip + 10, packet_fold(packet_sum(ip, ip_header, 0)));
	}

	packet_put16(l4, spec->sport);
	packet_put16(l4 + 2, spec->dport);
	if (spec->proto == IPPROTO_TCP) {
		packet_put16(l4 + 4, 0x0102);
		packet_put16(l4 + 6, 0x0304);
		if (spec->tcp_flags & PACKET_TCP_ACK)
			packet_put16(l4 + 10, 0x0506);
		l4[12] = 5 << 4;
		l4[13] = spec->tcp_flags;
		packet_put16(l4 + 14, 65535);
	} else {
		packet_put16(l4 + 4, (uint16_t)l4_bytes);
	}
	for (size_t i = 0; i < spec->payload; i++)
		l4[l4_header + i] = (uint8_t)i;

	/* Pseudo-header: addresses, protocol, L4 length. */
	sum = packet_sum(saddr, addr_len, 0);
	sum = packet_sum(daddr, addr_len, sum);
	sum += spec->proto;
	sum += (uint32_t)l4_bytes;
	sum = packet_fold(packet_sum(l4, l4_bytes, sum));
	if (spec->proto == IPPROTO_UDP && sum == 0)
		sum = 0xffff;
	packet_put16(l4 + (spec->proto == IPPROTO_TCP ? 16 : 6), (uint16_t)sum);
	return l2 + ip_header + l4_bytes;
}

/* Recomputes the IPv4 header checksum of a packet edited by a fixture. */
static inline void packet_ipv4_recheck(uint8_t *buf, size_t l2)
{
	uint8_t *ip = buf + l2;
	size_t header = (size_t)(ip[0] & 0x0f) * 4;

	packet_put16(ip + 10, 0);
	packet_put16(ip + 10, packet_fold(packet_sum(ip, header, 0)));
}

/* Checks the checksums of an untagged or tagged IPv4/IPv6 TCP/UDP packet as
 * built above: true when both verify. */
static inline bool packet_checksums_ok(const uint8_t *buf, size_t len)
{
	size_t l2 = (buf[12] == 0x81 && buf[13] == 0x00) ? 18 : 14;
	const uint8_t *ip = buf + l2;
	bool v6 = (ip[0] >> 4) == 6;
	size_t ip_header = v6 ? 40 : (size_t)(ip[0] & 0x0f) * 4;
	size_t addr_len = v6 ? 16 : 4;
	const uint8_t *addrs = v6 ? ip + 8 : ip + 12;
	uint8_t proto = v6 ? ip[6] : ip[9];
	size_t l4_bytes = len - l2 - ip_header;
	uint32_t sum;

	if (!v6 && packet_fold(packet_sum(ip, ip_header, 0)) != 0)
		return false;
	sum = packet_sum(addrs, 2 * addr_len, 0);
	sum += proto;
	sum += (uint32_t)l4_bytes;
	return packet_fold(packet_sum(ip + ip_header, l4_bytes, sum)) == 0;
}

#endif /* XVS_TESTS_BPF_PACKET_H */
