// SPDX-License-Identifier: GPL-2.0-only
/* The radius check: Status-Server (RFC 5997) signed with the shared secret;
 * up on Access-Accept or Accounting-Response whose authenticators verify. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "check_text.h"

#define RADIUS_HEADER_SIZE 20
#define RADIUS_AUTHENTICATOR_SIZE 16
#define RADIUS_PACKET_MAX 4096        /* RFC 2865 3 */
#define RADIUS_ACCESS_ACCEPT 2
#define RADIUS_ACCESS_REJECT 3
#define RADIUS_ACCOUNTING_RESPONSE 5
#define RADIUS_STATUS_SERVER 12
#define RADIUS_MESSAGE_AUTHENTICATOR 80
#define RADIUS_MESSAGE_AUTHENTICATOR_SIZE (2 + 16)
#define RADIUS_REQUEST_SIZE (RADIUS_HEADER_SIZE + RADIUS_MESSAGE_AUTHENTICATOR_SIZE)

static uint8_t radius_id(const struct check_context *context)
{
	return (uint8_t)context->sequence;
}

/* HMAC-MD5 of packet with the secret (RFC 2869 5.14, RFC 3579 3.2). */
static int radius_hmac(const struct check_context *context, const uint8_t *packet,
		       size_t length, uint8_t out[16])
{
	const char *secret = context->check->secret;
	unsigned int out_length = 0;

	if (!HMAC(EVP_md5(), secret, (int)strlen(secret), packet, length, out, &out_length) ||
	    out_length != 16)
		return -EIO;
	return 0;
}

static int radius_request(struct check_context *context, uint8_t *buffer, size_t size)
{
	uint8_t *attribute = buffer + RADIUS_HEADER_SIZE;

	if (!context->check->secret)
		return -EINVAL;
	if (size < RADIUS_REQUEST_SIZE)
		return -ENOSPC;
	buffer[0] = RADIUS_STATUS_SERVER;
	buffer[1] = radius_id(context);
	buffer[2] = 0;
	buffer[3] = RADIUS_REQUEST_SIZE;
	memcpy(buffer + 4, context->nonce, RADIUS_AUTHENTICATOR_SIZE);
	attribute[0] = RADIUS_MESSAGE_AUTHENTICATOR;
	attribute[1] = RADIUS_MESSAGE_AUTHENTICATOR_SIZE;
	memset(attribute + 2, 0, 16);
	if (radius_hmac(context, buffer, RADIUS_REQUEST_SIZE, attribute + 2))
		return -EIO;
	return RADIUS_REQUEST_SIZE;
}

/* Response Authenticator: MD5(Code+ID+Length+RequestAuth+Attributes+Secret). */
static int radius_response_authenticator(const struct check_context *context,
					 const uint8_t *packet, size_t length, uint8_t out[16])
{
	const char *secret = context->check->secret;
	EVP_MD_CTX *digest = EVP_MD_CTX_new();
	unsigned int out_length = 0;
	int ret = -EIO;

	if (!digest)
		return -ENOMEM;
	if (EVP_DigestInit_ex(digest, EVP_md5(), NULL) &&
	    EVP_DigestUpdate(digest, packet, 4) &&
	    EVP_DigestUpdate(digest, context->nonce, RADIUS_AUTHENTICATOR_SIZE) &&
	    EVP_DigestUpdate(digest, packet + RADIUS_HEADER_SIZE, length - RADIUS_HEADER_SIZE) &&
	    EVP_DigestUpdate(digest, secret, strlen(secret)) &&
	    EVP_DigestFinal_ex(digest, out, &out_length) && out_length == 16)
		ret = 0;
	EVP_MD_CTX_free(digest);
	return ret;
}

/* A response's Message-Authenticator is the HMAC of the response with the
 * request's authenticator in place and the attribute's value zeroed. */
static int radius_message_authenticator_valid(const struct check_context *context,
					      const uint8_t *packet, size_t length,
					      size_t attribute)
{
	uint8_t copy[RADIUS_PACKET_MAX], computed[16];

	memcpy(copy, packet, length);
	memcpy(copy + 4, context->nonce, RADIUS_AUTHENTICATOR_SIZE);
	memset(copy + attribute + 2, 0, 16);
	if (radius_hmac(context, copy, length, computed))
		return -EIO;
	return CRYPTO_memcmp(computed, packet + attribute + 2, 16) == 0;
}

/* Walks the attributes; returns the offset of the Message-Authenticator, 0
 * when there is none, or -EINVAL when an attribute is malformed. */
static long radius_attributes_walk(const uint8_t *packet, size_t length)
{
	size_t offset = RADIUS_HEADER_SIZE, found = 0;

	while (offset < length) {
		if (offset + 2 > length || packet[offset + 1] < 2 ||
		    offset + packet[offset + 1] > length)
			return -EINVAL;
		if (packet[offset] == RADIUS_MESSAGE_AUTHENTICATOR) {
			if (packet[offset + 1] != RADIUS_MESSAGE_AUTHENTICATOR_SIZE || found)
				return -EINVAL;
			found = offset;
		}
		offset += packet[offset + 1];
	}
	return (long)found;
}

static const char *radius_code_name(uint8_t code)
{
	switch (code) {
	case RADIUS_ACCESS_ACCEPT: return "Access-Accept";
	case RADIUS_ACCESS_REJECT: return "Access-Reject";
	case RADIUS_ACCOUNTING_RESPONSE: return "Accounting-Response";
	default: return NULL;
	}
}

/* Whether both authenticators prove the reply was made with our secret:
 * CHECK_UP, or a failure. */
static int radius_authenticators_judge(struct check_context *context, const uint8_t *packet,
				       size_t length, size_t message_authenticator)
{
	uint8_t expected[16];
	int valid;

	if (radius_response_authenticator(context, packet, length, expected))
		return check_judged(context, -CHECK_FAIL_INTERNAL, "MD5 failed");
	if (CRYPTO_memcmp(expected, packet + 4, 16) != 0)
		return check_judged(context, -CHECK_FAIL_STATUS,
				    "bad Response Authenticator (is the secret the same?)");
	if (!message_authenticator)
		return CHECK_UP;
	valid = radius_message_authenticator_valid(context, packet, length,
						   message_authenticator);
	if (valid < 0)
		return check_judged(context, -CHECK_FAIL_INTERNAL, "HMAC-MD5 failed");
	if (!valid)
		return check_judged(context, -CHECK_FAIL_STATUS, "bad Message-Authenticator");
	return CHECK_UP;
}

static int radius_reply(struct check_context *context, const uint8_t *data, size_t length,
			bool closed)
{
	const char *name;
	size_t declared;
	long message_authenticator;
	int ret;

	(void)closed;
	if (length < RADIUS_HEADER_SIZE)
		return check_judged(context, -CHECK_FAIL_GARBAGE, "%zu bytes: not RADIUS", length);
	declared = (size_t)(data[2] << 8 | data[3]);
	/* Octets past Length are padding to ignore (RFC 2865 3). */
	if (declared < RADIUS_HEADER_SIZE || declared > RADIUS_PACKET_MAX || declared > length)
		return check_judged(context, -CHECK_FAIL_GARBAGE, "bad Length %zu in %zu bytes",
				    declared, length);
	if (data[1] != radius_id(context))
		return check_judged(context, CHECK_MORE, "ignored a reply with another id");
	name = radius_code_name(data[0]);
	if (!name)
		return check_judged(context, -CHECK_FAIL_GARBAGE, "code %u is no reply to "
				    "Status-Server", data[0]);
	message_authenticator = radius_attributes_walk(data, declared);
	if (message_authenticator < 0)
		return check_judged(context, -CHECK_FAIL_GARBAGE, "malformed attributes");
	if (!context->check->secret)
		return check_judged(context, -CHECK_FAIL_INTERNAL, "no secret");
	ret = radius_authenticators_judge(context, data, declared, (size_t)message_authenticator);
	if (ret != CHECK_UP)
		return ret;
	if (data[0] == RADIUS_ACCESS_REJECT)
		return check_judged(context, -CHECK_FAIL_STATUS, "Access-Reject");
	return check_judged(context, CHECK_UP, "%s", name);
}

const struct check_protocol check_radius = {
	.name = "radius",
	.socket_type = SOCK_DGRAM,
	.reply_max = RADIUS_PACKET_MAX,
	.request = radius_request,
	.reply = radius_reply,
};
