/* SPDX-License-Identifier: GPL-2.0-only */
/* Human-readable tables of the API's JSON documents (ipvsadm -Ln style). */
#ifndef XVSCTL_TABLE_H
#define XVSCTL_TABLE_H

#include <json-c/json.h>
#include <stdio.h>

enum list_view { LIST_PLAIN, LIST_STATS, LIST_RATE };

void table_services(FILE *out, struct json_object *document, enum list_view view);
void table_conns(FILE *out, struct json_object *document);

#endif
