// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer harness for the VRRP advert parser: any bytes, as an IPv4 packet or
 * as an IPv6 payload, are accepted or dropped with a reason, never crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vrrp_packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vrrp_advert advert;
	uint8_t again[VRRP_PACKET_MAX];
	enum vrrp_drop verdict;

	if (size < 1)
		return 0;
	memset(&advert, 0, sizeof(advert));
	if (data[0] & 1) {
		verdict = vrrp_packet__decode_ipv4(data + 1, size - 1, &advert);
	} else {
		advert.source.family = advert.destination.family = AF_INET6;
		advert.source.v6.s6_addr[0] = 0xfe;
		advert.destination.v6.s6_addr[0] = 0xff;
		advert.ttl = data[0] & 2 ? 255 : 64;
		verdict = vrrp_packet__decode(data + 1, size - 1, &advert);
	}
	if (verdict >= VRRP_DROP__MAX || !vrrp_packet__drop_name(verdict))
		abort();
	/* What was accepted encodes again, to a message that is accepted. */
	if (verdict == VRRP_ACCEPT) {
		struct vrrp_advert decoded = advert;
		int length = vrrp_packet__encode(&advert, again, sizeof(again));

		if (length > 0 && vrrp_packet__decode(again, (size_t)length, &decoded) != VRRP_ACCEPT)
			abort();
	}
	return 0;
}
