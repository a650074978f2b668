// SPDX-License-Identifier: GPL-2.0-only
/* The configuration's vrrp blocks: parsed and checked value by value so that
 * files stay valid when VRRP lands, but not stored yet (see config_supported.c). */
#include <errno.h>
#include <string.h>

#include "config_internal.h"

enum vrrp_value { VRRP_NUMBER, VRRP_DURATION, VRRP_ADDRESS, VRRP_PREFIX, VRRP_INTERFACE,
		  VRRP_CHOICE, VRRP_TEXT };

static const char *const yes_no[] = { "yes", "no" };
static const char *const methods[] = { "vrrp", "link", "gw", "link+gw" };

static const struct {
	const char *keyword;
	enum vrrp_value value;
	uint32_t min, max;            /* numbers; durations in ms */
	const char *const *choices;
	size_t choice_count;
} vrrp_settings[] = {
	{ "interface", VRRP_INTERFACE, 0, 0, NULL, 0 },
	{ "priority", VRRP_NUMBER, 1, 254, NULL, 0 },
	{ "advert", VRRP_DURATION, 10, 255000, NULL, 0 },
	{ "version", VRRP_NUMBER, 2, 3, NULL, 0 },
	{ "preempt", VRRP_CHOICE, 0, 0, yes_no, 2 },
	{ "vrid", VRRP_NUMBER, 1, 255, NULL, 0 },
	{ "unicast_peer", VRRP_ADDRESS, 0, 0, NULL, 0 },
	{ "method", VRRP_CHOICE, 0, 0, methods, 4 },
	{ "gateway", VRRP_ADDRESS, 0, 0, NULL, 0 },
	{ "vip", VRRP_PREFIX, 0, 0, NULL, 0 },
	{ "notify", VRRP_TEXT, 0, 0, NULL, 0 },
};

static int vrrp_setting_parse(struct config_parser *parser, void *object,
			      const struct token *keyword)
{
	char name[IFNAMSIZ];
	struct config_prefix prefix;
	struct inet_addr address;
	struct token token;
	uint64_t number;
	uint32_t ms;
	size_t i = 0;
	int choice, err;

	while (strcmp(vrrp_settings[i].keyword, keyword->text) != 0)
		i++;
	err = value_next(parser, keyword, "a value", &token);
	if (err)
		return err;
	switch (vrrp_settings[i].value) {
	case VRRP_NUMBER:
		return value_number(parser, &token, keyword->text, vrrp_settings[i].min,
				    vrrp_settings[i].max, &number);
	case VRRP_DURATION:
		return value_duration(parser, &token, keyword->text, vrrp_settings[i].min,
				      vrrp_settings[i].max, &ms);
	case VRRP_ADDRESS:
		return value_address(parser, &token, keyword->text, &address);
	case VRRP_PREFIX:
		return value_prefix(parser, &token, keyword->text, &prefix);
	case VRRP_INTERFACE:
		return value_name(parser, &token, "interface name", IFNAMSIZ - 1, name);
	case VRRP_CHOICE:
		return value_choice(parser, &token, keyword->text, vrrp_settings[i].choices,
				    vrrp_settings[i].choice_count, &choice);
	case VRRP_TEXT:
		if (token.text[0])
			return 0;
		config_error(parser, &token.location, "%s must not be empty", keyword->text);
		return -EINVAL;
	}
	return 0;
}

static const struct keyword vrrp_keywords[] = {
	{ "interface", vrrp_setting_parse, false },
	{ "priority", vrrp_setting_parse, false },
	{ "advert", vrrp_setting_parse, false },
	{ "version", vrrp_setting_parse, false },
	{ "preempt", vrrp_setting_parse, false },
	{ "vrid", vrrp_setting_parse, false },
	{ "unicast_peer", vrrp_setting_parse, true },
	{ "method", vrrp_setting_parse, false },
	{ "gateway", vrrp_setting_parse, true },
	{ "vip", vrrp_setting_parse, true },
	{ "notify", vrrp_setting_parse, false },
};

static const struct block_kind vrrp_kind = {
	"vrrp", vrrp_keywords, sizeof(vrrp_keywords) / sizeof(vrrp_keywords[0]),
};

int vrrp_block_parse(struct config_parser *parser, void *object,
		     const struct token *keyword)
{
	struct block_state state = { .seen_count = 0 };
	char name[CONFIG_NAME_MAX];
	struct token token;
	int err;

	err = value_next(parser, keyword, "an instance name", &token);
	if (err)
		return err;
	if (!value_name(parser, &token, "vrrp name", CONFIG_NAME_MAX - 1, name))
		supported_check_vrrp(parser, &token.location);
	return block_parse(parser, keyword, &vrrp_kind, NULL, &state);
}
