// SPDX-License-Identifier: GPL-2.0-only
/* A service's backend lines and its health check line: the options each takes
 * and which options fit which check type. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

enum check_option {
	OPTION_PORT, OPTION_ADDRESS, OPTION_PATH, OPTION_HOST, OPTION_EXPECT, OPTION_BODY,
	OPTION_QUERY, OPTION_SEND, OPTION_SECRET, OPTION_INTERVAL, OPTION_TIMEOUT,
	OPTION_RISE, OPTION_FALL, OPTION__COUNT
};

#define CHECK_BIT(type) (1u << (type))
#define CHECKS_HTTP (CHECK_BIT(CHECK_HTTP) | CHECK_BIT(CHECK_HTTPS))
#define CHECKS_NETWORK (CHECKS_HTTP | CHECK_BIT(CHECK_TCP) | CHECK_BIT(CHECK_UDP) | \
			CHECK_BIT(CHECK_DNS) | CHECK_BIT(CHECK_SIP) | CHECK_BIT(CHECK_RADIUS))
#define CHECKS_ALL (CHECKS_NETWORK | CHECK_BIT(CHECK_EXEC))

/* Each option and the check types it applies to. */
static const struct {
	const char *name;
	uint32_t types;
} check_options[OPTION__COUNT] = {
	[OPTION_PORT] = { "port", CHECKS_NETWORK },
	[OPTION_ADDRESS] = { "address", CHECKS_NETWORK },
	[OPTION_PATH] = { "path", CHECKS_HTTP },
	[OPTION_HOST] = { "host", CHECKS_HTTP },
	[OPTION_EXPECT] = { "expect", CHECKS_HTTP },
	[OPTION_BODY] = { "body", CHECKS_HTTP },
	[OPTION_QUERY] = { "query", CHECK_BIT(CHECK_DNS) },
	[OPTION_SEND] = { "send", CHECK_BIT(CHECK_TCP) | CHECK_BIT(CHECK_UDP) },
	[OPTION_SECRET] = { "secret", CHECK_BIT(CHECK_RADIUS) },
	[OPTION_INTERVAL] = { "interval", CHECKS_ALL },
	[OPTION_TIMEOUT] = { "timeout", CHECKS_ALL },
	[OPTION_RISE] = { "rise", CHECKS_ALL },
	[OPTION_FALL] = { "fall", CHECKS_ALL },
};

void check_free(struct config_check *check)
{
	free(check->path);
	free(check->host);
	free(check->body);
	free(check->query);
	free(check->send);
	free(check->secret);
	free(check->command);
}

static char **check_text_field(struct config_check *check, enum check_option option)
{
	switch (option) {
	case OPTION_PATH: return &check->path;
	case OPTION_HOST: return &check->host;
	case OPTION_BODY: return &check->body;
	case OPTION_QUERY: return &check->query;
	case OPTION_SEND: return &check->send;
	case OPTION_SECRET: return &check->secret;
	default: return NULL;
	}
}

static int check_text_set(struct config_parser *parser, const struct token *value,
			  const char *what, char **field)
{
	if (!value->text[0]) {
		config_error(parser, &value->location, "%s must not be empty", what);
		return -EINVAL;
	}
	*field = strdup(value->text);
	return *field ? 0 : out_of_memory(parser, &value->location);
}

/* A DNS name as the dns check sends it: "." or labels of 1..63 bytes, at
 * most 253 characters, an optional final dot. */
static bool check_query_valid(const char *name)
{
	size_t length = strlen(name), label;

	if (strcmp(name, ".") == 0)
		return true;
	if (length > 254 || (length == 254 && name[253] != '.'))
		return false;
	while (*name) {
		label = strcspn(name, ".");
		if (label == 0 || label > 63)
			return false;
		name += label;
		if (*name)
			name++;
	}
	return true;
}

/* Text that goes into a request line must not break it: path and host are
 * visible ASCII without spaces (a path starts with "/"), a query is a name. */
static int check_request_text_valid(struct config_parser *parser, const struct token *value,
				    enum check_option option)
{
	const char *text = value->text;
	size_t i;

	if (option == OPTION_QUERY) {
		if (check_query_valid(text))
			return 0;
		config_error(parser, &value->location, "check query \"%s\" is not a DNS name "
			     "(labels of 1 to 63 characters, 253 in all)", quoted(parser, text));
		return -EINVAL;
	}
	for (i = 0; text[i]; i++)
		if ((unsigned char)text[i] <= ' ' || (unsigned char)text[i] >= 0x7f)
			break;
	if (text[i] || (option == OPTION_PATH && text[0] != '/')) {
		config_error(parser, &value->location, "check %s \"%s\" must be %s",
			     check_options[option].name, quoted(parser, text),
			     option == OPTION_PATH ?
			     "visible ASCII without spaces, starting with \"/\"" :
			     "visible ASCII without spaces");
		return -EINVAL;
	}
	return 0;
}

static int check_option_set(struct config_parser *parser, struct config_check *check,
			    enum check_option option, const struct token *value)
{
	char what[32];
	uint64_t number;
	int err;

	snprintf(what, sizeof(what), "check %s", check_options[option].name);
	switch (option) {
	case OPTION_PORT:
		err = value_number(parser, value, what, 1, 65535, &number);
		check->port = (uint16_t)number;
		return err;
	case OPTION_ADDRESS:
		err = value_address(parser, value, what, &check->address);
		check->address_set = !err;
		return err;
	case OPTION_EXPECT:
		err = value_number(parser, value, what, 100, 599, &number);
		check->expect = (uint16_t)number;
		return err;
	case OPTION_INTERVAL:
		return value_duration(parser, value, what, 100, 3600000, &check->interval_ms);
	case OPTION_TIMEOUT:
		return value_duration(parser, value, what, 10, 3600000, &check->timeout_ms);
	case OPTION_RISE:
	case OPTION_FALL:
		err = value_number(parser, value, what, 1, 100, &number);
		*(option == OPTION_RISE ? &check->rise : &check->fall) = (uint32_t)number;
		return err;
	case OPTION_PATH:
	case OPTION_HOST:
	case OPTION_QUERY:
		err = check_text_set(parser, value, what, check_text_field(check, option));
		return err ? err : check_request_text_valid(parser, value, option);
	default:
		return check_text_set(parser, value, what, check_text_field(check, option));
	}
}

static int check_option_parse(struct config_parser *parser, struct config_check *check,
			      uint32_t *seen)
{
	struct token name = token_next(parser), value;
	const char *names[OPTION__COUNT];
	char choices[256];
	size_t option;

	for (option = 0; option < OPTION__COUNT; option++) {
		names[option] = check_options[option].name;
		if (strcmp(name.text, names[option]) == 0)
			break;
	}
	if (option == OPTION__COUNT) {
		format_choices(names, OPTION__COUNT, UINT32_MAX, choices, sizeof(choices));
		config_error(parser, &name.location, "unknown check option \"%s\" (expected %s)",
			     quoted(parser, name.text), choices);
		return -EINVAL;
	}
	if (!(check_options[option].types & CHECK_BIT(check->type))) {
		config_error(parser, &name.location, "check option \"%s\" is not valid for check %s",
			     name.text, config_check_names[check->type]);
		return -EINVAL;
	}
	if (*seen & (1u << option)) {
		config_error(parser, &name.location, "duplicate check option \"%s\"", name.text);
		return -EEXIST;
	}
	*seen |= 1u << option;
	if (value_next(parser, &name, "a value", &value))
		return -EINVAL;
	return check_option_set(parser, check, (enum check_option)option, &value);
}

/* check TYPE ["COMMAND"] [OPTION VALUE]... */
int service_check_parse(struct config_parser *parser, void *object,
			const struct token *keyword)
{
	struct service_parse *parse = object;
	struct config_check *check = &parse->service.check;
	char timeout[16], interval[16];
	struct token type_token, token;
	uint32_t seen = 0;
	int type, err;

	err = keyword_choice(parser, keyword, "check", config_check_names, CHECK_EXEC + 1,
			     &type, &type_token);
	if (err)
		return err;
	check->type = (enum check_type)type;
	check->set = true;
	parse->check = type_token.location;
	if (check->type == CHECK_EXEC) {
		err = value_next(parser, &type_token, "a command", &token);
		if (err || (err = check_text_set(parser, &token, "check exec command",
						 &check->command)))
			return err;
	}
	for (token = token_peek(parser); token_is_value(&token); token = token_peek(parser)) {
		err = check_option_parse(parser, check, &seen);
		if (err)
			return err;
	}
	if (check->type == CHECK_RADIUS && !check->secret) {
		config_error(parser, &type_token.location,
			     "check radius needs a secret (secret \"SHARED SECRET\")");
		return -EINVAL;
	}
	if (check->type != CHECK_NONE && check->timeout_ms >= check->interval_ms) {
		config_error(parser, &keyword->location,
			     "check timeout %s must be less than interval %s",
			     format_duration(check->timeout_ms, timeout, sizeof(timeout)),
			     format_duration(check->interval_ms, interval, sizeof(interval)));
		return -EINVAL;
	}
	return 0;
}

static int backend_option_parse(struct config_parser *parser, struct config_backend *backend,
				struct backend_source *source, uint32_t *seen)
{
	static const char *const names[] = { "weight", "max_conns", "check_port" };
	static const uint64_t max[] = { 65535, UINT32_MAX, 65535 };
	struct token name = token_next(parser);
	uint64_t value;
	int option, err;

	err = value_choice(parser, &name, "backend option", names, 3, &option);
	if (err)
		return err;
	if (*seen & (1u << option)) {
		config_error(parser, &name.location, "duplicate backend option \"%s\"", name.text);
		return -EEXIST;
	}
	*seen |= 1u << option;
	err = keyword_number(parser, &name, names[option], option == 2 ? 1 : 0, max[option],
			     &value);
	if (err)
		return err;
	if (option == 0) {
		backend->weight = (uint32_t)value;
	} else if (option == 1) {
		backend->max_conns = (uint32_t)value;
		source->max_conns = name.location;
	} else {
		backend->check_port = (uint16_t)value;
		source->check_port = name.location;
	}
	return 0;
}

static int backend_add(struct config_parser *parser, struct service_parse *parse,
		       const struct config_backend *backend,
		       const struct backend_source *source)
{
	struct config_service *service = &parse->service;
	struct config_backend *backends;
	struct backend_source *sources;

	backends = array_reserve(service->backends, service->backend_count,
				 sizeof(*backends));
	if (backends)
		service->backends = backends;
	sources = array_reserve(parse->backends, service->backend_count, sizeof(*sources));
	if (sources)
		parse->backends = sources;
	if (!backends || !sources)
		return out_of_memory(parser, &source->address);
	backends[service->backend_count] = *backend;
	sources[service->backend_count++] = *source;
	return 0;
}

/* backend ADDRESS[:PORT] [weight N] [max_conns N] [check_port N] */
int service_backend_parse(struct config_parser *parser, void *object,
			  const struct token *keyword)
{
	struct service_parse *parse = object;
	struct config_service *service = &parse->service;
	struct config_backend backend = { .weight = 1, .line = keyword->location.line };
	struct backend_source source = { .address = keyword->location };
	struct token token;
	uint32_t seen = 0;
	char first[300];
	size_t i;
	int err;

	err = value_next(parser, keyword, "an address", &token);
	if (!err)
		err = value_address_port(parser, &token, "backend", false, &backend.addr,
					 &backend.port);
	if (err)
		return err;
	source.address = token.location;
	for (i = 0; i < service->backend_count; i++) {
		if (inet_addr_equal(&service->backends[i].addr, &backend.addr) &&
		    service->backends[i].port == backend.port) {
			location_reference(&token.location, &parse->backends[i].address, first,
					   sizeof(first));
			config_error(parser, &token.location,
				     "duplicate backend \"%s\" (first at %s)",
				     quoted(parser, token.text), first);
			return -EEXIST;
		}
	}
	for (token = token_peek(parser); token_is_value(&token); token = token_peek(parser)) {
		err = backend_option_parse(parser, &backend, &source, &seen);
		if (err)
			return err;
	}
	return backend_add(parser, parse, &backend, &source);
}
