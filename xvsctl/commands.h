/* SPDX-License-Identifier: GPL-2.0-only */
/* xvsctl subcommands that run on the host itself, without the daemon: the
 * backend-side decapsulation program and the backend doctor. */
#ifndef XVSCTL_COMMANDS_H
#define XVSCTL_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

/* Prints "xvsctl: MESSAGE" on stderr and returns 1 (the exit status). */
int xvsctl_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* xvsctl decap (attach | detach) DEV */
int command_decap(int argc, char **argv);
/* xvsctl doctor (dr | tun) VIP */
int command_doctor(int argc, char **argv);
/* The XDP program on ifindex: 0 and *mode (XDP_FLAGS_DRV_MODE or SKB_MODE)
 * when it is xvs_decap, -ENOENT when none, -EEXIST when another (name set). */
int decap_query(unsigned int ifindex, uint32_t *mode, char *name, size_t name_size);

#endif
