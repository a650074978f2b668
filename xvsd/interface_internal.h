/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by interface.c (convergence) and interface_state.c (what to restore
 * on interfaces the daemon does not own) and nothing else. */
#ifndef XVSD_INTERFACE_INTERNAL_H
#define XVSD_INTERFACE_INTERNAL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "interface.h"
#include "link.h"

struct saved_mtu {
	char name[IFNAMSIZ];
	uint32_t mtu;                     /* before xvsd changed it */
};

struct interfaces {
	char owner[160];                  /* "xvs:NODE[:RUN_DIR]": alias prefix of owned links */
	char state_path[300];
	struct saved_mtu *mtus;
	size_t mtu_count;
	char (*namespaces)[CONFIG_NAME_MAX]; /* created by xvsd for veth-peers */
	size_t namespace_count;
};

/* interface.c */
bool interface_owned(const struct interfaces *interfaces, const struct link_info *link);

/* interface_state.c */
struct saved_mtu *state_mtu_find(struct interfaces *interfaces, const char *name);
/* Records name's original MTU unless one is recorded already. */
int state_mtu_save(struct interfaces *interfaces, const char *name, uint32_t mtu);
void state_mtu_forget(struct interfaces *interfaces, struct saved_mtu *saved);
bool state_namespace_created(const struct interfaces *interfaces, const char *name);
int state_namespace_add(struct interfaces *interfaces, const char *name);
void state_namespace_forget(struct interfaces *interfaces, size_t index);
int state_load(struct interfaces *interfaces);
void state_save(struct interfaces *interfaces);

#endif
