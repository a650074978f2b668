/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the configuration parser's files (xvsd/config*.c) and nothing else:
 * tokens, the lexer, the parser state, the value parsers and block helpers. */
#ifndef XVSD_CONFIG_INTERNAL_H
#define XVSD_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

#define CONFIG_INCLUDE_DEPTH_MAX 8

/* Where something was written; file points into the parser's file list. */
struct location {
	const char *file;
	unsigned int line, column; /* 1-based; line 0: not given */
};

enum token_type {
	TOKEN_WORD,   /* a bare word */
	TOKEN_STRING, /* a "quoted" string, unescaped */
	TOKEN_END,    /* newline or ";" */
	TOKEN_OPEN,   /* "{" */
	TOKEN_CLOSE,  /* "}" */
	TOKEN_EOF,
	TOKEN_ERROR,  /* a bad token, already reported */
};

struct token {
	enum token_type type;
	const char *text; /* lives as long as the file's lexer */
	struct location location;
};

struct lexer {
	const char *file;
	const char *text;
	size_t length, position;
	unsigned int line, column;
	char *arena; /* token texts: at most 2 * length + 2 bytes */
	size_t arena_used;
	struct token peeked;
	bool has_peeked;
};

/* Single-valued settings already given in a block, to report repeats. */
#define BLOCK_SETTINGS_MAX 32
struct block_state {
	struct {
		char key[32];
		struct location location;
	} seen[BLOCK_SETTINGS_MAX];
	size_t seen_count;
};

struct config_parser {
	struct config *config;
	FILE *errors;
	int error_count;
	struct lexer *lexer;        /* the file being read */
	int include_depth;
	char **files;               /* every file name a location may point to */
	size_t file_count;
	struct location *service_locations;   /* parallel to config->services */
	struct location *interface_locations; /* parallel to config->interfaces */
	struct vrrp_source *vrrp_sources;     /* parallel to config->vrrps */
	struct interface_parse *interface_parses; /* parallel too: where settings were */
	char quote_buffers[2][160];
	unsigned int quote_next;
};

/* A keyword handler reads the rest of its statement after the keyword.
 * Returns STATEMENT_DONE when it consumed a whole block, 0 when the end of the
 * statement should follow, or a negative errno after reporting an error (the
 * rest of the statement is then skipped). */
#define STATEMENT_DONE 1
struct keyword {
	const char *name;
	int (*parse)(struct config_parser *parser, void *object, const struct token *keyword);
	bool repeatable;
};

struct block_kind {
	const char *name; /* "service", ... for "unknown keyword ... in service block" */
	const struct keyword *keywords;
	size_t keyword_count;
};

/* What a service block said and where: for checks made at the block's end. */
struct backend_source {
	struct location address, max_conns, check_port;
};

struct service_parse {
	struct config_service service;
	struct location block, name;
	struct location port, proto, mode, scheduler, persistence, mask_location, snat;
	struct location namespace_name, check, tunnel_source;
	struct location generic_delivery;
	struct location down_backend;         /* line 0: the default by proto */
	unsigned int mask;                    /* as given; checked against the family */
	struct location *vips;                /* parallel to service.vips */
	struct backend_source *backends;      /* parallel to service.backends */
};

struct interface_parse {
	struct config_interface interface;
	struct location block, name;
	struct location type, xdp, parent, id, mtu, address, members, peer, namespace_name;
	struct location mode, lacp_rate, xmit_hash_policy, mac;
	struct token mode_value;              /* read once the block's type is known */
	struct location *member_locations;    /* parallel to interface.members */
	struct location *address_locations;   /* parallel to interface.addresses */
};

/* What a vrrp block said and where. */
struct vrrp_source {
	struct location block, name, interface, version, vrid, advert, preempt;
	struct location preempt_delay, method, gateway_v4, gateway_v6;
};

struct vrrp_parse {
	struct config_vrrp vrrp;
	struct vrrp_source source;
	struct location *vips;                /* parallel to vrrp.vips */
	struct location *vip_interfaces;      /* parallel too; line 0: not given */
	struct location *peers;               /* parallel to vrrp.unicast_peers */
};

/* config_lexer.c */
void lexer_init(struct lexer *lexer, const char *file, const char *text, size_t length);
void lexer_free(struct lexer *lexer);
struct token token_next(struct config_parser *parser);
struct token token_peek(struct config_parser *parser);
bool token_is_value(const struct token *token);
void config_error(struct config_parser *parser, const struct location *location,
		  const char *format, ...) __attribute__((format(printf, 3, 4)));
const char *quoted(struct config_parser *parser, const char *text);
const char *token_describe(struct config_parser *parser, const struct token *token);
void location_reference(const struct location *here, const struct location *there,
			char *buffer, size_t size);

/* config.c */
int value_next(struct config_parser *parser, const struct token *keyword,
	       const char *expected, struct token *value);
void parse_statements(struct config_parser *parser, const struct block_kind *kind,
		      void *object, struct block_state *state, const struct location *open);
int block_open(struct config_parser *parser, const struct token *keyword);
int block_parse(struct config_parser *parser, const struct token *keyword,
		const struct block_kind *kind, void *object, struct block_state *state);
int keyword_number(struct config_parser *parser, const struct token *keyword,
		   const char *what, uint64_t min, uint64_t max, uint64_t *value);
int keyword_duration(struct config_parser *parser, const struct token *keyword,
		     const char *what, uint32_t min_ms, uint32_t max_ms, uint32_t *value);
int keyword_choice(struct config_parser *parser, const struct token *keyword,
		   const char *what, const char *const *names, size_t count, int *value,
		   struct token *chosen);
void *array_reserve(void *array, size_t count, size_t item_size);
int out_of_memory(struct config_parser *parser, const struct location *location);

/* config_value.c */
int value_number(struct config_parser *parser, const struct token *token,
		 const char *what, uint64_t min, uint64_t max, uint64_t *value);
int value_duration(struct config_parser *parser, const struct token *token,
		   const char *what, uint32_t min_ms, uint32_t max_ms, uint32_t *value);
int value_size(struct config_parser *parser, const struct token *token,
	       const char *what, uint32_t min, uint32_t max, uint32_t *value);
int value_name(struct config_parser *parser, const struct token *token,
	       const char *what, size_t max_length, char *name);
int value_namespace(struct config_parser *parser, const struct token *token, char *name);
int value_path(struct config_parser *parser, const struct token *token,
	       const char *what, char *path, size_t size);
int value_address(struct config_parser *parser, const struct token *token,
		  const char *what, struct inet_addr *address);
int value_address_port(struct config_parser *parser, const struct token *token,
		       const char *what, bool port_required, struct inet_addr *address,
		       uint16_t *port);
int value_prefix(struct config_parser *parser, const struct token *token,
		 const char *what, struct config_prefix *prefix);
int value_choice(struct config_parser *parser, const struct token *token,
		 const char *what, const char *const *names, size_t count, int *value);
int value_proto(struct config_parser *parser, const struct token *token, uint8_t *proto);
const char *format_duration(uint32_t ms, char *buffer, size_t size);
const char *format_choices(const char *const *names, size_t count, uint32_t mask,
			   char *buffer, size_t size);
extern const char *const config_mode_names[XVS_MODE__MAX];
extern const char *const config_scheduler_names[XVS_SCHED__MAX];
extern const char *const config_check_names[CHECK_EXEC + 1];
extern const char *const config_interface_type_names[INTERFACE_TYPE_COUNT];

/* config_interface.c */
int interface_block_parse(struct config_parser *parser, void *object,
			  const struct token *keyword);
void interface_free(struct config_interface *interface);
void interface_parse_free(struct interface_parse *parse); /* its locations only */

/* config_topology.c: checks across interface blocks, after the whole file */
void topology_check(struct config_parser *parser);

/* config_backend.c */
int service_check_parse(struct config_parser *parser, void *object,
			const struct token *keyword);
int service_backend_parse(struct config_parser *parser, void *object,
			  const struct token *keyword);
void check_free(struct config_check *check);

/* config_service.c */
void service_free(struct config_service *service);
int service_block_parse(struct config_parser *parser, void *object,
			const struct token *keyword);

/* config_vrrp.c */
int vrrp_block_parse(struct config_parser *parser, void *object,
		     const struct token *keyword);
void vrrp_free(struct config_vrrp *vrrp);

/* config_vrrp_check.c */
void vrrp_check_block(struct config_parser *parser, const struct vrrp_parse *parse);
void vrrp_check_all(struct config_parser *parser); /* at the end of the file */

/* config_namespace.c */
/* Checks made once the whole file is read: every namespace of a service has
 * an interface (with XDP) in it. */
void namespace_check(struct config_parser *parser);

/* config_supported.c */
void supported_check_interface(struct config_parser *parser,
			       const struct interface_parse *parse);
void supported_check_service(struct config_parser *parser,
			     const struct service_parse *parse);

#endif
