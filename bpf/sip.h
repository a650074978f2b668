/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The SIP Call-ID scanner for persistence sip-callid: finds the Call-ID (or
 * compact i:) header in a UDP payload and hashes its value with FNV-1a 64. */
#ifndef XVS_BPF_SIP_H
#define XVS_BPF_SIP_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>

#include "maps.h"
#include "parse.h"

/* Bytes of payload looked at: a Call-ID must end within them. */
#define SIP_SCAN_BYTES 1500
/* Bytes of a Call-ID value that are hashed; the rest is ignored. */
#define SIP_CALLID_MAX 256
#define SIP_SCRATCH_MASK (sizeof(struct sip_scratch) - 1)

#define FNV64_OFFSET 0xcbf29ce484222325ULL
#define FNV64_PRIME 0x100000001b3ULL

/* "call-id" as little-endian bytes: byte n is the n-th letter. */
#define SIP_CALLID_WORD 0x64692d6c6c6163ULL
#define SIP_CALLID_LENGTH 7
/* Longer names need not be counted: none of them is a Call-ID. */
#define SIP_NAME_CAP (SIP_CALLID_LENGTH + 1)

enum sip_state {
	SIP_LINE_START, /* first byte of a line */
	SIP_NAME,       /* in a header name */
	SIP_NAME_SPACE, /* blanks between a header name and its colon */
	SIP_VALUE_SPACE, /* blanks after the colon of Call-ID */
	SIP_VALUE,      /* in the Call-ID value */
	SIP_SKIP_LINE,  /* in a line of no interest */
};

/* The scanner's bpf_loop context, on the stack: what does not change from
 * one step to the next. What the scan has read so far is in loop_state
 * (map memory, see bpf/maps.h: 6.1 would take its values at the call for
 * constants of every step). */
struct sip_scan_context {
	const __u8 *bytes; /* the payload copy, SIP_SCRATCH_MASK + 1 bytes */
	struct sip_scan_state *scan;
	__u32 length;
};

static __always_inline __u8 sip_lower(__u8 c)
{
	return c >= 'A' && c <= 'Z' ? c | 0x20 : c;
}

static __always_inline bool sip_blank(__u8 c)
{
	return c == ' ' || c == '\t';
}

/* Whether the header name read so far is Call-ID or its compact form i. */
static __always_inline bool sip_name_is_callid(const struct sip_scan_state *scan)
{
	return (scan->callid_name && scan->name_length == SIP_CALLID_LENGTH) ||
	       (scan->name_length == 1 && scan->hash == 'i');
}

/* A byte of a header name; the hash field holds its first letter meanwhile. */
static __always_inline void sip_name_byte(struct sip_scan_state *scan, __u8 c)
{
	__u32 at = scan->name_length;

	if (at == 0)
		scan->hash = c;
	if (at >= SIP_CALLID_LENGTH || ((SIP_CALLID_WORD >> (at * 8)) & 0xff) != c)
		scan->callid_name = false;
	if (at < SIP_NAME_CAP)
		scan->name_length = at + 1;
}

static __always_inline long sip_colon(struct sip_scan_state *scan)
{
	if (sip_name_is_callid(scan)) {
		scan->state = SIP_VALUE_SPACE;
		scan->hash = FNV64_OFFSET;
		scan->value_bytes = false;
	} else {
		scan->state = SIP_SKIP_LINE;
	}
	return 0;
}

static __always_inline long sip_line_start(struct sip_scan_state *scan, __u8 c)
{
	/* An empty line ends the headers: the body is not looked at. */
	if (c == '\r' || c == '\n')
		return 1;
	/* A line starting blank continues the previous header. */
	if (sip_blank(c) || c == ':') {
		scan->state = SIP_SKIP_LINE;
		return 0;
	}
	scan->state = SIP_NAME;
	scan->name_length = 0;
	scan->callid_name = true;
	sip_name_byte(scan, sip_lower(c));
	return 0;
}

/* Index: the verifier knows nothing of it, so the length test below adds no
 * states. */
static __always_inline long sip_value(struct sip_scan_state *scan, __u32 index, __u8 c)
{
	/* Call-IDs hold no blanks (RFC 3261 callid = word ["@" word]):
	 * dropping them trims the value and ignores stray ones. */
	if (c == '\r' || c == '\n') {
		scan->found = scan->value_bytes;
		return 1;
	}
	if (sip_blank(c) || index - scan->value_start >= SIP_CALLID_MAX)
		return 0;
	scan->hash = (scan->hash ^ c) * FNV64_PRIME;
	scan->value_bytes = true;
	return 0;
}

static long sip_scan_step(__u32 index, struct sip_scan_context *context)
{
	struct sip_scan_state *scan = context->scan;
	__u8 c;

	if (index >= context->length)
		return 1;
	c = context->bytes[index & SIP_SCRATCH_MASK];
	switch (scan->state) {
	case SIP_LINE_START:
		return sip_line_start(scan, c);
	case SIP_NAME:
		if (c == ':')
			return sip_colon(scan);
		if (sip_blank(c))
			scan->state = SIP_NAME_SPACE;
		else if (c == '\n')
			scan->state = SIP_LINE_START;
		else if (c != '\r')
			sip_name_byte(scan, sip_lower(c));
		return 0;
	case SIP_NAME_SPACE:
		if (c == ':')
			return sip_colon(scan);
		if (c == '\n')
			scan->state = SIP_LINE_START;
		else if (!sip_blank(c))
			scan->state = SIP_SKIP_LINE;
		return 0;
	case SIP_VALUE_SPACE:
		if (sip_blank(c))
			return 0;
		scan->state = SIP_VALUE;
		scan->value_start = index;
		return sip_value(scan, index, c);
	case SIP_VALUE:
		return sip_value(scan, index, c);
	default:
		if (c == '\n')
			scan->state = SIP_LINE_START;
		return 0;
	}
}

/* Hashes the Call-ID of a UDP SIP message into *hash. False when the first
 * SIP_SCAN_BYTES of the payload hold no complete Call-ID header line before
 * the end of the headers (or the payload cannot be read). */
static __always_inline bool sip_callid_hash(struct xdp_md *ctx, const struct packet *pkt,
					    __u64 *hash)
{
	struct sip_scan_context context;
	__u32 zero = 0, length;
	struct sip_scratch *scratch;
	struct loop_state *state;

	if (pkt->l4_bytes <= sizeof(struct udphdr))
		return false;
	length = pkt->l4_bytes - sizeof(struct udphdr);
	if (length > SIP_SCAN_BYTES)
		length = SIP_SCAN_BYTES;
	scratch = bpf_map_lookup_elem(&sip_scratch, &zero);
	state = bpf_map_lookup_elem(&loop_state, &zero);
	if (!scratch || !state)
		return false;
	/* A bounded copy: the verifier sees 1..SIP_SCAN_BYTES. */
	if (length < 1 || length > SIP_SCAN_BYTES)
		return false;
	/* Linux 6.1's verifier learns no lower bound from "length != 0": a mask
	 * and an addition give it 1..sizeof(bytes) (the same value here). */
	_Static_assert(!(sizeof(scratch->bytes) & (sizeof(scratch->bytes) - 1)) &&
			       SIP_SCAN_BYTES <= sizeof(scratch->bytes),
		       "scratch size: a power of two, at least SIP_SCAN_BYTES");
	length = ((length - 1) & (sizeof(scratch->bytes) - 1)) + 1;
	if (bpf_xdp_load_bytes(ctx, pkt->l4_offset + sizeof(struct udphdr), scratch->bytes,
			       length))
		return false;
	state->sip = (struct sip_scan_state){ .state = SIP_LINE_START };
	context.bytes = scratch->bytes;
	context.scan = &state->sip;
	context.length = length;
	bpf_loop(SIP_SCAN_BYTES, sip_scan_step, &context, 0);
	*hash = state->sip.hash;
	return state->sip.found;
}

#endif /* XVS_BPF_SIP_H */
