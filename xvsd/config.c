// SPDX-License-Identifier: GPL-2.0-only
/* The configuration parser's core: reading files and includes, the statement
 * loop every block shares, the top level, and the global and vrrp blocks. */
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_internal.h"

void *array_reserve(void *array, size_t count, size_t item_size)
{
	/* The capacity is the next power of two: full when count is one. */
	if (count & (count - 1))
		return array;
	return realloc(array, (count ? count * 2 : 1) * item_size);
}

int out_of_memory(struct config_parser *parser, const struct location *location)
{
	config_error(parser, location, "out of memory");
	return -ENOMEM;
}

static int setting_claim(struct config_parser *parser, struct block_state *state,
			 const char *key, const struct location *location)
{
	char first[300];
	size_t i;

	for (i = 0; i < state->seen_count; i++) {
		if (strcmp(state->seen[i].key, key) == 0) {
			location_reference(location, &state->seen[i].location, first,
					   sizeof(first));
			config_error(parser, location, "duplicate \"%s\" (first at %s)", key,
				     first);
			return -EEXIST;
		}
	}
	if (state->seen_count < BLOCK_SETTINGS_MAX) {
		snprintf(state->seen[i].key, sizeof(state->seen[i].key), "%s", key);
		state->seen[i].location = *location;
		state->seen_count++;
	}
	return 0;
}

int value_next(struct config_parser *parser, const struct token *keyword,
	       const char *expected, struct token *value)
{
	struct token token = token_peek(parser);

	if (token_is_value(&token)) {
		*value = token_next(parser);
		return 0;
	}
	if (token.type == TOKEN_ERROR) {
		token_next(parser);
		return -EINVAL;
	}
	config_error(parser, &token.location, "expected %s after \"%s\", got %s", expected,
		     quoted(parser, keyword->text), token_describe(parser, &token));
	return -EINVAL;
}

static void block_skip(struct config_parser *parser)
{
	unsigned int depth = 1;

	while (depth) {
		struct token token = token_next(parser);

		if (token.type == TOKEN_EOF)
			return;
		if (token.type == TOKEN_OPEN)
			depth++;
		else if (token.type == TOKEN_CLOSE)
			depth--;
	}
}

/* After an error: the rest of the statement goes, up to its end or a block
 * it opens; a "}" stays for the enclosing block. */
static void statement_skip(struct config_parser *parser)
{
	for (;;) {
		struct token token = token_peek(parser);

		if (token.type == TOKEN_EOF || token.type == TOKEN_CLOSE)
			return;
		token_next(parser);
		if (token.type == TOKEN_END)
			return;
		if (token.type == TOKEN_OPEN) {
			block_skip(parser);
			return;
		}
	}
}

static int statement_end(struct config_parser *parser)
{
	struct token token = token_peek(parser);

	if (token.type == TOKEN_END) {
		token_next(parser);
		return 0;
	}
	if (token.type == TOKEN_CLOSE || token.type == TOKEN_EOF)
		return 0;
	if (token.type != TOKEN_ERROR)
		config_error(parser, &token.location, "unexpected %s (expected end of statement)",
			     token_describe(parser, &token));
	return -EINVAL;
}

int block_open(struct config_parser *parser, const struct token *keyword)
{
	struct token token = token_peek(parser);

	if (token.type == TOKEN_OPEN) {
		token_next(parser);
		return 0;
	}
	if (token.type != TOKEN_ERROR)
		config_error(parser, &token.location, "expected \"{\" to open the %s block, got %s",
			     keyword->text, token_describe(parser, &token));
	return -EINVAL;
}

static int read_file(const char *path, char **text, size_t *length)
{
	size_t size = 4096, used = 0;
	char *buffer = NULL, *bigger;
	FILE *file;
	int err = 0;

	file = fopen(path, "re");
	if (!file)
		return -errno;
	for (;;) {
		bigger = realloc(buffer, size);
		if (!bigger) {
			err = -ENOMEM;
			break;
		}
		buffer = bigger;
		used += fread(buffer + used, 1, size - used, file);
		if (used < size) {
			if (ferror(file))
				err = errno ? -errno : -EIO;
			break;
		}
		size *= 2;
	}
	fclose(file);
	if (err) {
		free(buffer);
		return err;
	}
	*text = buffer;
	*length = used;
	return 0;
}

static const char *file_name_keep(struct config_parser *parser, const char *name)
{
	char **files = array_reserve(parser->files, parser->file_count, sizeof(*files));
	char *copy;

	if (!files)
		return NULL;
	parser->files = files;
	copy = strdup(name);
	if (copy)
		parser->files[parser->file_count++] = copy;
	return copy;
}

/* Parses the statements of one file as if they stood in the block kind. */
static int text_parse(struct config_parser *parser, const char *file, const char *text,
		      size_t length, const struct block_kind *kind, void *object,
		      struct block_state *state)
{
	struct lexer lexer, *outer = parser->lexer;
	const char *name = file_name_keep(parser, file);
	struct location start = { file, 1, 1 };

	if (!name)
		return out_of_memory(parser, outer ? &outer->peeked.location : &start);
	lexer_init(&lexer, name, text, length);
	if (!lexer.arena)
		return out_of_memory(parser, &start);
	parser->lexer = &lexer;
	parse_statements(parser, kind, object, state, NULL);
	parser->lexer = outer;
	lexer_free(&lexer);
	return 0;
}

static void include_file(struct config_parser *parser, const char *path,
			 const struct location *location, const struct block_kind *kind,
			 void *object, struct block_state *state)
{
	size_t length;
	char *text;
	int err;

	err = read_file(path, &text, &length);
	if (err) {
		config_error(parser, location, "cannot read \"%s\": %s", quoted(parser, path),
			     strerror(-err));
		return;
	}
	parser->include_depth++;
	text_parse(parser, path, text, length, kind, object, state);
	parser->include_depth--;
	free(text);
}

/* include "GLOB": relative to the including file's directory; a pattern
 * matching nothing is fine, a literal path must exist. */
static int include_parse(struct config_parser *parser, const struct block_kind *kind,
			 void *object, struct block_state *state,
			 const struct token *keyword)
{
	const char *file = parser->lexer->file, *slash = strrchr(file, '/');
	int directory = slash ? (int)(slash - file + 1) : 0;
	struct token pattern;
	char path[4096];
	glob_t matches;
	size_t i;
	int err;

	err = value_next(parser, keyword, "a file name or pattern", &pattern);
	if (err || (err = statement_end(parser)) < 0)
		return err;
	if (parser->include_depth >= CONFIG_INCLUDE_DEPTH_MAX) {
		config_error(parser, &keyword->location,
			     "include nested too deeply (limit %d)", CONFIG_INCLUDE_DEPTH_MAX);
		return STATEMENT_DONE;
	}
	if (pattern.text[0] == '/')
		directory = 0;
	snprintf(path, sizeof(path), "%.*s%s", directory, file, pattern.text);
	if (!strpbrk(pattern.text, "*?[")) {
		include_file(parser, path, &pattern.location, kind, object, state);
		return STATEMENT_DONE;
	}
	err = glob(path, 0, NULL, &matches);
	if (err == 0) {
		for (i = 0; i < matches.gl_pathc; i++)
			include_file(parser, matches.gl_pathv[i], &pattern.location, kind,
				     object, state);
	} else if (err != GLOB_NOMATCH) {
		config_error(parser, &pattern.location, "cannot expand \"%s\"",
			     quoted(parser, path));
	}
	globfree(&matches);
	return STATEMENT_DONE;
}

static int statement_parse(struct config_parser *parser, const struct block_kind *kind,
			   void *object, struct block_state *state,
			   const struct token *token)
{
	const struct keyword *keyword = NULL;
	char choices[256];
	size_t i;

	if (token->type == TOKEN_WORD && strcmp(token->text, "include") == 0)
		return include_parse(parser, kind, object, state, token);
	for (i = 0; i < kind->keyword_count; i++)
		if (strcmp(token->text, kind->keywords[i].name) == 0)
			keyword = &kind->keywords[i];
	if (!keyword && kind->name) {
		config_error(parser, &token->location, "unknown keyword \"%s\" in %s block",
			     quoted(parser, token->text), kind->name);
		return -ENOENT;
	}
	if (!keyword) {
		const char *names[8];

		for (i = 0; i < kind->keyword_count && i < 8; i++)
			names[i] = kind->keywords[i].name;
		format_choices(names, i, UINT32_MAX, choices, sizeof(choices));
		config_error(parser, &token->location, "unknown block \"%s\" (expected %s)",
			     quoted(parser, token->text), choices);
		return -ENOENT;
	}
	if (!keyword->repeatable &&
	    setting_claim(parser, state, keyword->name, &token->location) < 0)
		return -EEXIST;
	return keyword->parse(parser, object, token);
}

/* The statements of a block up to its "}" (open: where it opened), or of a
 * file up to its end (open: NULL). */
void parse_statements(struct config_parser *parser, const struct block_kind *kind,
		      void *object, struct block_state *state, const struct location *open)
{
	for (;;) {
		struct token token = token_next(parser);
		int err;

		switch (token.type) {
		case TOKEN_END:
			continue;
		case TOKEN_EOF:
			if (open)
				config_error(parser, &token.location,
					     "missing \"}\" to close the %s block of line %u",
					     kind->name, open->line);
			return;
		case TOKEN_CLOSE:
			if (open)
				return;
			config_error(parser, &token.location, "unexpected \"}\"");
			continue;
		case TOKEN_OPEN:
			config_error(parser, &token.location, "unexpected \"{\"");
			block_skip(parser);
			continue;
		case TOKEN_ERROR:
			statement_skip(parser);
			continue;
		default:
			break;
		}
		err = statement_parse(parser, kind, object, state, &token);
		if (err < 0 || (err != STATEMENT_DONE && statement_end(parser) < 0))
			statement_skip(parser);
	}
}

/* Parses a block's "{ ... }" after its header. */
int block_parse(struct config_parser *parser, const struct token *keyword,
		const struct block_kind *kind, void *object, struct block_state *state)
{
	struct location open = token_peek(parser).location;

	if (block_open(parser, keyword) < 0)
		return -EINVAL;
	parse_statements(parser, kind, object, state, &open);
	return STATEMENT_DONE;
}

int keyword_number(struct config_parser *parser, const struct token *keyword,
		   const char *what, uint64_t min, uint64_t max, uint64_t *value)
{
	struct token token;
	int err = value_next(parser, keyword, "a number", &token);

	return err ? err : value_number(parser, &token, what, min, max, value);
}

int keyword_duration(struct config_parser *parser, const struct token *keyword,
		     const char *what, uint32_t min_ms, uint32_t max_ms, uint32_t *value)
{
	struct token token;
	int err = value_next(parser, keyword, "a duration", &token);

	return err ? err : value_duration(parser, &token, what, min_ms, max_ms, value);
}

int keyword_choice(struct config_parser *parser, const struct token *keyword,
		   const char *what, const char *const *names, size_t count, int *value,
		   struct token *chosen)
{
	struct token token;
	char expected[300], choices[256];
	int err;

	format_choices(names, count, UINT32_MAX, choices, sizeof(choices));
	snprintf(expected, sizeof(expected), "%s", choices);
	err = value_next(parser, keyword, expected, &token);
	if (!err)
		err = value_choice(parser, &token, what, names, count, value);
	if (!err && chosen)
		*chosen = token;
	return err;
}

struct global_parse {
	struct config_global *global;
	struct block_state state;
};

static int global_node_parse(struct config_parser *parser, void *object,
			     const struct token *keyword)
{
	struct global_parse *parse = object;
	struct token token;
	int err = value_next(parser, keyword, "a node name", &token);

	return err ? err : value_name(parser, &token, "node name", CONFIG_NAME_MAX - 1,
				      parse->global->node);
}

static int global_run_dir_parse(struct config_parser *parser, void *object,
				const struct token *keyword)
{
	struct global_parse *parse = object;
	struct token token;
	int err = value_next(parser, keyword, "a directory", &token);

	/* Room for the default socket name after it. */
	return err ? err : value_path(parser, &token, "run_dir", parse->global->run_dir,
				      sizeof(parse->global->run_dir) - strlen("/xvsd.sock"));
}

static int global_api_parse(struct config_parser *parser, void *object,
			    const struct token *keyword)
{
	static const char *const kinds[] = { "unix", "http" };
	struct global_parse *parse = object;
	struct config_global *global = parse->global;
	struct token kind_token, token;
	char key[32];
	int kind, err;

	err = keyword_choice(parser, keyword, "api", kinds, 2, &kind, &kind_token);
	if (err)
		return err;
	snprintf(key, sizeof(key), "api %s", kinds[kind]);
	err = setting_claim(parser, &parse->state, key, &keyword->location);
	if (err)
		return err;
	if (kind == 0) {
		err = value_next(parser, &kind_token, "a socket path", &token);
		return err ? err : value_path(parser, &token, "api unix path", global->api_unix,
					      sizeof(global->api_unix));
	}
	err = value_next(parser, &kind_token, "ADDRESS:PORT", &token);
	if (!err)
		err = value_address_port(parser, &token, "api http address", true,
					 &global->api_http_addr, &global->api_http_port);
	global->api_http_set = !err;
	return err;
}

static int global_conn_table_parse(struct config_parser *parser, void *object,
				   const struct token *keyword)
{
	struct global_parse *parse = object;
	struct token token;
	int err = value_next(parser, keyword, "a size", &token);

	return err ? err : value_size(parser, &token, "conn_table", 1024, 64 * 1048576,
				      &parse->global->conn_table);
}

static int global_timeout_parse(struct config_parser *parser, void *object,
				const struct token *keyword)
{
	static const char *const states[] = { "tcp", "tcp_fin", "tcp_syn", "udp" };
	struct global_parse *parse = object;
	struct config_global *global = parse->global;
	uint32_t *fields[] = { &global->timeout_tcp_ms, &global->timeout_tcp_fin_ms,
			       &global->timeout_tcp_syn_ms, &global->timeout_udp_ms };
	struct token state_token;
	char key[32];
	int state, err;

	err = keyword_choice(parser, keyword, "timeout", states, 4, &state, &state_token);
	if (err)
		return err;
	snprintf(key, sizeof(key), "timeout %s", states[state]);
	err = setting_claim(parser, &parse->state, key, &keyword->location);
	return err ? err : keyword_duration(parser, &state_token, key,
						 (uint32_t)(XVS_TIMEOUT_MIN_NS / 1000000), 86400000,
					    fields[state]);
}

static const struct keyword global_keywords[] = {
	{ "node", global_node_parse, false },
	{ "run_dir", global_run_dir_parse, false },
	{ "api", global_api_parse, true },
	{ "conn_table", global_conn_table_parse, false },
	{ "timeout", global_timeout_parse, true },
};

static const struct block_kind global_kind = {
	"global", global_keywords, sizeof(global_keywords) / sizeof(global_keywords[0]),
};

static int global_block_parse(struct config_parser *parser, void *object,
			      const struct token *keyword)
{
	struct global_parse parse = { .global = &parser->config->global };

	return block_parse(parser, keyword, &global_kind, &parse, &parse.state);
}

static const struct keyword top_keywords[] = {
	{ "global", global_block_parse, false },
	{ "interface", interface_block_parse, true },
	{ "service", service_block_parse, true },
	{ "vrrp", vrrp_block_parse, true },
};

static const struct block_kind top_kind = {
	NULL, top_keywords, sizeof(top_keywords) / sizeof(top_keywords[0]),
};

static void config_defaults(struct config *config)
{
	struct config_global *global = &config->global;
	char host[256] = "localhost";

	if (gethostname(host, sizeof(host)) < 0)
		strcpy(host, "localhost");
	host[sizeof(global->node) - 1] = '\0';
	memcpy(global->node, host, strlen(host) + 1);
	strcpy(global->run_dir, CONFIG_DEFAULT_RUN_DIR);
	global->conn_table = XVS_DEFAULT_CONN_TABLE;
	global->timeout_tcp_ms = 15 * 60000;
	global->timeout_tcp_fin_ms = 2 * 60000;
	global->timeout_tcp_syn_ms = 60000;
	global->timeout_udp_ms = 5 * 60000;
}

static void parser_free(struct config_parser *parser)
{
	size_t i;

	for (i = 0; i < parser->file_count; i++)
		free(parser->files[i]);
	free(parser->files);
	free(parser->service_locations);
	free(parser->interface_locations);
	free(parser->vrrp_sources);
	for (i = 0; parser->config && i < parser->config->interface_count; i++)
		interface_parse_free(&parser->interface_parses[i]);
	free(parser->interface_parses);
}

static struct config *config_parse(const char *name, const char *text, size_t length,
				   FILE *errors, int *error_count)
{
	struct config_parser parser = { .errors = errors };
	struct location start = { name, 1, 1 };
	struct block_state state = { .seen_count = 0 };
	struct config *config = calloc(1, sizeof(*config));

	if (!config || !(config->path = strdup(name))) {
		out_of_memory(&parser, &start);
	} else {
		parser.config = config;
		config_defaults(config);
		text_parse(&parser, name, text, length, &top_kind, NULL, &state);
		namespace_check(&parser);
		topology_check(&parser);
		if (!parser.error_count)
			vrrp_check_all(&parser);
		if (!config->global.api_unix[0])
			snprintf(config->global.api_unix, sizeof(config->global.api_unix),
				 "%.*s/xvsd.sock", (int)sizeof(config->global.api_unix) - 11,
				 config->global.run_dir);
	}
	parser_free(&parser);
	if (error_count)
		*error_count = parser.error_count;
	if (parser.error_count) {
		config_free(config);
		return NULL;
	}
	return config;
}

struct config *config_load_string(const char *name, const char *text, FILE *errors,
				  int *error_count)
{
	return config_parse(name, text, strlen(text), errors, error_count);
}

struct config *config_load(const char *path, FILE *errors, int *error_count)
{
	struct config *config;
	size_t length;
	char *text;
	int err;

	err = read_file(path, &text, &length);
	if (err) {
		if (errors)
			fprintf(errors, "%s:1:1: error: cannot read \"%s\": %s\n", path, path,
				strerror(-err));
		if (error_count)
			*error_count = 1;
		return NULL;
	}
	config = config_parse(path, text, length, errors, error_count);
	free(text);
	return config;
}

void config_free(struct config *config)
{
	size_t i;

	if (!config)
		return;
	for (i = 0; i < config->interface_count; i++)
		interface_free(&config->interfaces[i]);
	free(config->interfaces);
	for (i = 0; i < config->service_count; i++)
		service_free(&config->services[i]);
	free(config->services);
	for (i = 0; i < config->vrrp_count; i++)
		vrrp_free(&config->vrrps[i]);
	free(config->vrrps);
	free(config->path);
	free(config);
}
