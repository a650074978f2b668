// SPDX-License-Identifier: GPL-2.0-only
/* VRRP adverts on the wire: version 3 (RFC 5798, IPv4 and IPv6, checksum with a
 * pseudo-header) and version 2 (RFC 3768, IPv4, no pseudo-header, auth data). */
#include "vrrp_packet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

static const char *const drop_names[VRRP_DROP__MAX] = {
	[VRRP_ACCEPT] = "accepted",
	[VRRP_DROP_TRUNCATED] = "truncated",
	[VRRP_DROP_TTL] = "ttl",
	[VRRP_DROP_VERSION] = "version",
	[VRRP_DROP_TYPE] = "type",
	[VRRP_DROP_CHECKSUM] = "checksum",
	[VRRP_DROP_AUTH] = "auth",
	[VRRP_DROP_ADDRESS_COUNT] = "address_count",
	[VRRP_DROP_VRID] = "vrid",
	[VRRP_DROP_PEER] = "unknown_peer",
	[VRRP_DROP_INTERVAL] = "interval",
};

const char *vrrp_packet__drop_name(enum vrrp_drop reason)
{
	return (unsigned int)reason < VRRP_DROP__MAX ? drop_names[reason] : "?";
}

uint16_t vrrp_packet__checksum(const void *data, size_t length, uint32_t sum)
{
	const uint8_t *bytes = data;
	size_t i;

	for (i = 0; i + 1 < length; i += 2)
		sum += (uint32_t)bytes[i] << 8 | bytes[i + 1];
	if (length & 1)
		sum += (uint32_t)bytes[length - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t address_length(int family)
{
	return family == AF_INET ? 4 : 16;
}

static const void *address_bytes(const struct inet_addr *address)
{
	return address->family == AF_INET ? (const void *)&address->v4
					  : (const void *)&address->v6;
}

/* Sum of the pseudo-header (RFC 2460 8.1; its IPv4 form for IPv4), not folded. */
static uint32_t pseudo_header_sum(const struct inet_addr *source,
				  const struct inet_addr *destination, size_t length)
{
	uint8_t header[40] = { 0 };
	size_t size = address_length(source->family);
	uint32_t sum = 0;

	memcpy(header, address_bytes(source), size);
	memcpy(header + size, address_bytes(destination), size);
	for (size_t i = 0; i < 2 * size; i += 2)
		sum += (uint32_t)header[i] << 8 | header[i + 1];
	return sum + VRRP_PROTOCOL + (uint32_t)(length & 0xffff) + (uint32_t)(length >> 16);
}

static uint16_t advert_checksum(const struct vrrp_advert *advert, const uint8_t *data,
				size_t length)
{
	uint32_t sum = 0;

	if (advert->version == 3)
		sum = pseudo_header_sum(&advert->source, &advert->destination, length);
	return vrrp_packet__checksum(data, length, sum);
}

static bool advert_valid(const struct vrrp_advert *advert)
{
	int family = advert->source.family;

	if (advert->version != 2 && advert->version != 3)
		return false;
	if (family != AF_INET && family != AF_INET6)
		return false;
	if (advert->version == 2 && (family != AF_INET || advert->interval_cs % 100 ||
				     advert->interval_cs / 100 > 255))
		return false;
	if (advert->version == 3 && (advert->interval_cs > 0xfff ||
				     advert->destination.family != family))
		return false;
	if (advert->address_count > VRRP_ADDRESSES_MAX)
		return false;
	for (size_t i = 0; i < advert->address_count; i++)
		if (advert->addresses[i].family != family)
			return false;
	return true;
}

int vrrp_packet__encode(const struct vrrp_advert *advert, uint8_t *buffer, size_t size)
{
	size_t address_size, length;
	uint16_t checksum;

	if (!advert_valid(advert))
		return -EINVAL;
	address_size = address_length(advert->source.family);
	length = VRRP_HEADER_LENGTH + advert->address_count * address_size +
		 (advert->version == 2 ? VRRP_V2_AUTH_LENGTH : 0);
	if (length > size)
		return -ENOSPC;
	memset(buffer, 0, length);
	buffer[0] = (uint8_t)(advert->version << 4 | 1);
	buffer[1] = advert->vrid;
	buffer[2] = advert->priority;
	buffer[3] = advert->address_count;
	if (advert->version == 2) {
		buffer[4] = 0; /* no authentication */
		buffer[5] = (uint8_t)(advert->interval_cs / 100);
	} else {
		buffer[4] = (uint8_t)(advert->interval_cs >> 8);
		buffer[5] = (uint8_t)advert->interval_cs;
	}
	for (size_t i = 0; i < advert->address_count; i++)
		memcpy(buffer + VRRP_HEADER_LENGTH + i * address_size,
		       address_bytes(&advert->addresses[i]), address_size);
	checksum = advert_checksum(advert, buffer, length);
	buffer[6] = (uint8_t)(checksum >> 8);
	buffer[7] = (uint8_t)checksum;
	return (int)length;
}

int vrrp_packet__encode_ipv4(const struct vrrp_advert *advert, uint8_t *buffer,
			     size_t size)
{
	uint8_t *header = buffer;
	uint16_t checksum;
	int length;

	if (size < VRRP_IPV4_HEADER_LENGTH || advert->source.family != AF_INET)
		return size < VRRP_IPV4_HEADER_LENGTH ? -ENOSPC : -EINVAL;
	length = vrrp_packet__encode(advert, buffer + VRRP_IPV4_HEADER_LENGTH,
				     size - VRRP_IPV4_HEADER_LENGTH);
	if (length < 0)
		return length;
	length += VRRP_IPV4_HEADER_LENGTH;
	memset(header, 0, VRRP_IPV4_HEADER_LENGTH);
	header[0] = 0x45;
	header[1] = 0xc0; /* precedence "internetwork control", as routing protocols */
	header[2] = (uint8_t)(length >> 8);
	header[3] = (uint8_t)length;
	header[8] = VRRP_TTL;
	header[9] = VRRP_PROTOCOL;
	memcpy(header + 12, &advert->source.v4, 4);
	memcpy(header + 16, &advert->destination.v4, 4);
	checksum = vrrp_packet__checksum(header, VRRP_IPV4_HEADER_LENGTH, 0);
	header[10] = (uint8_t)(checksum >> 8);
	header[11] = (uint8_t)checksum;
	return length;
}

static enum vrrp_drop decode_fields(const uint8_t *data, size_t length,
				    struct vrrp_advert *advert)
{
	int family = advert->source.family;
	size_t address_size = address_length(family), needed;

	advert->vrid = data[1];
	advert->priority = data[2];
	advert->address_count = data[3];
	if (advert->version == 2) {
		if (family != AF_INET)
			return VRRP_DROP_VERSION;
		advert->interval_cs = (uint16_t)(data[5] * 100);
	} else {
		advert->interval_cs = (uint16_t)((data[4] & 0x0f) << 8 | data[5]);
	}
	needed = VRRP_HEADER_LENGTH + (size_t)advert->address_count * address_size +
		 (advert->version == 2 ? VRRP_V2_AUTH_LENGTH : 0);
	if (length < needed)
		return VRRP_DROP_TRUNCATED;
	if (advert_checksum(advert, data, length) != 0)
		return VRRP_DROP_CHECKSUM;
	if (advert->version == 2 && data[4] != 0)
		return VRRP_DROP_AUTH;
	if (advert->address_count > VRRP_ADDRESSES_MAX)
		return VRRP_DROP_ADDRESS_COUNT;
	for (size_t i = 0; i < advert->address_count; i++) {
		struct inet_addr *address = &advert->addresses[i];

		memset(address, 0, sizeof(*address));
		address->family = family;
		memcpy(family == AF_INET ? (void *)&address->v4 : (void *)&address->v6,
		       data + VRRP_HEADER_LENGTH + i * address_size, address_size);
	}
	return VRRP_ACCEPT;
}

enum vrrp_drop vrrp_packet__decode(const uint8_t *data, size_t length,
				   struct vrrp_advert *advert)
{
	int family = advert->source.family;

	if (family != AF_INET && family != AF_INET6)
		return VRRP_DROP_TRUNCATED;
	advert->address_count = 0;
	if (length < VRRP_HEADER_LENGTH)
		return VRRP_DROP_TRUNCATED;
	if (advert->ttl != VRRP_TTL)
		return VRRP_DROP_TTL;
	advert->version = data[0] >> 4;
	if (advert->version != 2 && advert->version != 3)
		return VRRP_DROP_VERSION;
	if ((data[0] & 0x0f) != 1)
		return VRRP_DROP_TYPE;
	return decode_fields(data, length, advert);
}

enum vrrp_drop vrrp_packet__decode_ipv4(const uint8_t *packet, size_t length,
					struct vrrp_advert *advert)
{
	size_t header_length, total;

	if (length < VRRP_IPV4_HEADER_LENGTH || packet[0] >> 4 != 4)
		return VRRP_DROP_TRUNCATED;
	header_length = (size_t)(packet[0] & 0x0f) * 4;
	total = (size_t)packet[2] << 8 | packet[3];
	if (header_length < VRRP_IPV4_HEADER_LENGTH || total < header_length || total > length)
		return VRRP_DROP_TRUNCATED;
	if (packet[9] != VRRP_PROTOCOL)
		return VRRP_DROP_TYPE;
	memset(&advert->source, 0, sizeof(advert->source));
	memset(&advert->destination, 0, sizeof(advert->destination));
	advert->source.family = advert->destination.family = AF_INET;
	memcpy(&advert->source.v4, packet + 12, 4);
	memcpy(&advert->destination.v4, packet + 16, 4);
	advert->ttl = packet[8];
	return vrrp_packet__decode(packet + header_length, total - header_length, advert);
}
