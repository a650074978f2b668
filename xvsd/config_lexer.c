// SPDX-License-Identifier: GPL-2.0-only
/* The configuration file's tokenizer: words, "quoted strings", statement ends,
 * braces; with the line and column of every token for error messages. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"

void lexer_init(struct lexer *lexer, const char *file, const char *text, size_t length)
{
	memset(lexer, 0, sizeof(*lexer));
	lexer->file = file;
	lexer->text = text;
	lexer->length = length;
	lexer->line = 1;
	lexer->column = 1;
	/* Every token takes at least one byte of text and adds at most one NUL. */
	lexer->arena = malloc(2 * length + 2);
}

void lexer_free(struct lexer *lexer)
{
	free(lexer->arena);
	lexer->arena = NULL;
}

void config_error(struct config_parser *parser, const struct location *location,
		  const char *format, ...)
{
	va_list ap;

	parser->error_count++;
	if (!parser->errors)
		return;
	fprintf(parser->errors, "%s:%u:%u: error: ", location->file, location->line,
		location->column);
	va_start(ap, format);
	vfprintf(parser->errors, format, ap);
	va_end(ap);
	fputc('\n', parser->errors);
}

/* Text fit to be shown between quotes in a message: escaped and shortened.
 * Two results may be used in one message. */
const char *quoted(struct config_parser *parser, const char *text)
{
	char *buffer = parser->quote_buffers[parser->quote_next++ % 2];
	size_t size = sizeof(parser->quote_buffers[0]), used = 0;
	const unsigned char *c;

	for (c = (const unsigned char *)text; *c; c++) {
		if (used + 8 >= size) {
			memcpy(buffer + used, "...", 4);
			return buffer;
		}
		if (*c == '"' || *c == '\\')
			used += (size_t)snprintf(buffer + used, size - used, "\\%c", *c);
		else if (*c < ' ' || *c == 0x7f)
			used += (size_t)snprintf(buffer + used, size - used, "\\x%02x", *c);
		else
			buffer[used++] = (char)*c;
	}
	buffer[used] = '\0';
	return buffer;
}

/* A token as a message names it: "word", end of line, end of file. */
const char *token_describe(struct config_parser *parser, const struct token *token)
{
	char *buffer;

	if (token->type == TOKEN_EOF)
		return "end of file";
	if (token->type == TOKEN_END && token->text[0] == '\n')
		return "end of line";
	buffer = parser->quote_buffers[parser->quote_next % 2];
	quoted(parser, token->text);
	memmove(buffer + 1, buffer, strlen(buffer) + 1);
	buffer[0] = '"';
	strcat(buffer, "\"");
	return buffer;
}

/* "line 3" when there is in the same file as here, else "FILE:3". */
void location_reference(const struct location *here, const struct location *there,
			char *buffer, size_t size)
{
	if (!there->file) /* a setting that was never given: no line to point at */
		snprintf(buffer, size, "an earlier block");
	else if (here->file && strcmp(here->file, there->file) == 0)
		snprintf(buffer, size, "line %u", there->line);
	else
		snprintf(buffer, size, "%s:%u", there->file, there->line);
}

static void lexer_advance(struct lexer *lexer)
{
	if (lexer->text[lexer->position] == '\n') {
		lexer->line++;
		lexer->column = 1;
	} else {
		lexer->column++;
	}
	lexer->position++;
}

static bool is_word_byte(unsigned char c)
{
	return c > ' ' && c != 0x7f && c != '{' && c != '}' && c != ';' && c != '#' &&
	       c != '"';
}

static void lexer_skip_blanks(struct lexer *lexer)
{
	while (lexer->position < lexer->length) {
		char c = lexer->text[lexer->position];

		if (c == '#') {
			while (lexer->position < lexer->length &&
			       lexer->text[lexer->position] != '\n')
				lexer_advance(lexer);
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f') {
			lexer_advance(lexer);
		} else {
			return;
		}
	}
}

/* An escape other than \", \\, \n, \r and \t is an error rather than taken literally, so
 * that a later meaning for it cannot change what an old file says. */
static struct token lexer_string(struct config_parser *parser, struct lexer *lexer,
				 struct token token)
{
	char *out = lexer->arena + lexer->arena_used;
	size_t used = 0;
	bool bad = false;

	lexer_advance(lexer);
	for (;;) {
		struct location here = { lexer->file, lexer->line, lexer->column };
		unsigned char c;

		if (lexer->position >= lexer->length || lexer->text[lexer->position] == '\n') {
			config_error(parser, &token.location, "unterminated string");
			token.type = TOKEN_ERROR;
			return token;
		}
		c = (unsigned char)lexer->text[lexer->position];
		if (c == '"')
			break;
		if (c == '\\') {
			char escaped = lexer->position + 1 < lexer->length ?
					       lexer->text[lexer->position + 1] : '\0';

			if (escaped == '"' || escaped == '\\') {
				lexer_advance(lexer);
				c = (unsigned char)escaped;
			} else if (escaped == 'n' || escaped == 'r' || escaped == 't') {
				/* Line ends for check requests: send "PING\r\n". */
				lexer_advance(lexer);
				c = escaped == 'n' ? '\n' : escaped == 'r' ? '\r' : '\t';
			} else {
				config_error(parser, &here,
					     "unknown escape in string (expected \\\", \\\\, \\n, \\r or \\t)");
				bad = true;
			}
		} else if ((c < ' ' && c != '\t') || c == 0x7f) {
			config_error(parser, &here, "invalid character 0x%02x in string", c);
			bad = true;
		}
		out[used++] = (char)c;
		lexer_advance(lexer);
	}
	lexer_advance(lexer);
	out[used] = '\0';
	lexer->arena_used += used + 1;
	token.text = out;
	token.type = bad ? TOKEN_ERROR : TOKEN_STRING;
	return token;
}

static struct token lexer_scan(struct config_parser *parser, struct lexer *lexer)
{
	struct token token = { .type = TOKEN_EOF, .text = "end of file" };
	unsigned char c;
	char *out;

	lexer_skip_blanks(lexer);
	token.location = (struct location){ lexer->file, lexer->line, lexer->column };
	if (lexer->position >= lexer->length)
		return token;
	c = (unsigned char)lexer->text[lexer->position];
	switch (c) {
	case '\n':
		token.type = TOKEN_END;
		token.text = "\n";
		break;
	case ';':
		token.type = TOKEN_END;
		token.text = ";";
		break;
	case '{':
		token.type = TOKEN_OPEN;
		token.text = "{";
		break;
	case '}':
		token.type = TOKEN_CLOSE;
		token.text = "}";
		break;
	case '"':
		return lexer_string(parser, lexer, token);
	default:
		if (!is_word_byte(c)) {
			config_error(parser, &token.location, "invalid character 0x%02x", c);
			token.type = TOKEN_ERROR;
			token.text = "?";
			break;
		}
		out = lexer->arena + lexer->arena_used;
		while (lexer->position < lexer->length &&
		       is_word_byte((unsigned char)lexer->text[lexer->position])) {
			lexer->arena[lexer->arena_used++] = lexer->text[lexer->position];
			lexer_advance(lexer);
		}
		lexer->arena[lexer->arena_used++] = '\0';
		token.type = TOKEN_WORD;
		token.text = out;
		return token;
	}
	lexer_advance(lexer);
	return token;
}

struct token token_next(struct config_parser *parser)
{
	struct lexer *lexer = parser->lexer;

	if (lexer->has_peeked) {
		lexer->has_peeked = false;
		return lexer->peeked;
	}
	return lexer_scan(parser, lexer);
}

struct token token_peek(struct config_parser *parser)
{
	struct lexer *lexer = parser->lexer;

	if (!lexer->has_peeked) {
		lexer->peeked = lexer_scan(parser, lexer);
		lexer->has_peeked = true;
	}
	return lexer->peeked;
}

bool token_is_value(const struct token *token)
{
	return token->type == TOKEN_WORD || token->type == TOKEN_STRING;
}
