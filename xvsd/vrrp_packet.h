/* SPDX-License-Identifier: GPL-2.0-only */
/* VRRP adverts on the wire (RFC 5798 version 3, RFC 3768 version 2): building
 * and checking them, with no I/O, so the unit tests and the fuzzer reach all of it. */
#ifndef XVSD_VRRP_PACKET_H
#define XVSD_VRRP_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define VRRP_PROTOCOL 112
#define VRRP_TTL 255
#define VRRP_ADDRESSES_MAX 32          /* per advert; CONFIG_VRRP_VIPS_MAX */
#define VRRP_HEADER_LENGTH 8
#define VRRP_V2_AUTH_LENGTH 8          /* version 2: authentication data, zeros */
#define VRRP_IPV4_HEADER_LENGTH 20
#define VRRP_PACKET_MAX 1500

/* Why an advert was dropped: the reasons counted per instance. The first ones
 * are found by the codec, the last ones by the instance that receives it. */
enum vrrp_drop {
	VRRP_ACCEPT = 0,
	VRRP_DROP_TRUNCATED,          /* shorter than its headers or its addresses */
	VRRP_DROP_TTL,                /* TTL or hop limit not 255 */
	VRRP_DROP_VERSION,            /* not 2 or 3, or not the instance's version */
	VRRP_DROP_TYPE,               /* not an advertisement (type 1) */
	VRRP_DROP_CHECKSUM,
	VRRP_DROP_AUTH,               /* version 2: authentication type other than 0 */
	VRRP_DROP_ADDRESS_COUNT,      /* count of addresses not the instance's */
	VRRP_DROP_VRID,               /* no instance on this interface has its vrid */
	VRRP_DROP_PEER,               /* unicast: the source is not a unicast_peer */
	VRRP_DROP_INTERVAL,           /* version 2: interval not the instance's */
	VRRP_DROP__MAX,
};

struct vrrp_advert {
	uint8_t version;              /* 2 or 3 */
	uint8_t vrid;
	uint8_t priority;             /* 0: the master stops */
	uint16_t interval_cs;         /* centiseconds (version 2: seconds * 100) */
	uint8_t ttl;                  /* decode: the received TTL or hop limit */
	struct inet_addr source, destination;
	uint8_t address_count;
	struct inet_addr addresses[VRRP_ADDRESSES_MAX];
};

/* "truncated", "ttl", ... for counters, the API and metrics labels. */
const char *vrrp_packet__drop_name(enum vrrp_drop reason);

/* The VRRP message of advert (source and destination give the checksum's
 * pseudo-header in version 3) into buffer. Returns its length, or -EINVAL
 * (a field that does not fit) or -ENOSPC. */
int vrrp_packet__encode(const struct vrrp_advert *advert, uint8_t *buffer, size_t size);
/* The same behind an IPv4 header (TTL 255, protocol 112), for IP_HDRINCL. */
int vrrp_packet__encode_ipv4(const struct vrrp_advert *advert, uint8_t *buffer,
			     size_t size);

/* Checks the VRRP message in data (advert->source, destination and ttl set by
 * the caller) and fills advert. Returns VRRP_ACCEPT or why it is dropped. */
enum vrrp_drop vrrp_packet__decode(const uint8_t *data, size_t length,
				   struct vrrp_advert *advert);
/* The same from an IPv4 packet as a raw socket reads it (header included). */
enum vrrp_drop vrrp_packet__decode_ipv4(const uint8_t *packet, size_t length,
					struct vrrp_advert *advert);

/* RFC 1071 sum, for the codec and for ARP/ND messages. */
uint16_t vrrp_packet__checksum(const void *data, size_t length, uint32_t sum);

#endif
