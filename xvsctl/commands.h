/* SPDX-License-Identifier: GPL-2.0-only */
/* xvsctl subcommands in files of their own: the backend-side decapsulation
 * program, the backend doctor (both without the daemon) and VRRP state. */
#ifndef XVSCTL_COMMANDS_H
#define XVSCTL_COMMANDS_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/* Prints "xvsctl: MESSAGE" on stderr and returns 1 (the exit status). */
int xvsctl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* GET path from the daemon: 0 and *document, or 1 with the error printed. */
int xvsctl_api_get(const char *path, struct json_object **document);
/* Prints a document as --json does. */
void xvsctl_json_print(struct json_object *document);
/* xvsctl vrrp [--json] */
int command_vrrp(int argc, char **argv);
/* xvsctl decap (attach | detach) DEV */
int command_decap(int argc, char **argv);
/* xvsctl doctor (dr | tun) VIP */
int command_doctor(int argc, char **argv);
/* The XDP program on ifindex: 0 and *mode (XDP_FLAGS_DRV_MODE or SKB_MODE)
 * when it is xvs_decap, -ENOENT when none, -EEXIST when another (name set). */
int decap_query(unsigned int ifindex, uint32_t *mode, char *name, size_t name_size);

#endif
