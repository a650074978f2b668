/* SPDX-License-Identifier: GPL-2.0-only */
/* The interfaces of the configuration as the kernel should have them: created,
 * changed and deleted by the daemon, which only ever touches what it owns. */
#ifndef XVSD_INTERFACE_H
#define XVSD_INTERFACE_H

#include <stddef.h>

#include "config.h"

struct interfaces;

/* Creates and configures config's interfaces (before the data plane attaches
 * to them). On failure undoes what it did, writes the reason to error and
 * returns negative errno. */
int interfaces__open(const struct config *config, struct interfaces **out, char *error,
		     size_t error_size);
/* Converges the kernel to config: creates what is new, changes what differs,
 * re-creates owned interfaces whose kind, parent, id, mode or peer changed and
 * releases members that running (the configuration so far, or NULL) had.
 * Owned interfaces config no longer has stay until interfaces__prune. Checks
 * before it changes anything: an interface of the same name that xvsd did not
 * create, a missing parent or member fail with error (nothing changed).
 * Returns 0 or negative errno. */
int interfaces__apply(struct interfaces *interfaces, const struct config *running,
		      const struct config *config, char *error, size_t error_size);
/* Deletes the owned interfaces config does not have, removes the addresses
 * xvsd added on interfaces that running named and config does not, restores
 * saved MTUs and deletes namespaces xvsd created that config no longer uses. */
void interfaces__prune(struct interfaces *interfaces, const struct config *running,
		       const struct config *config);
/* Leaves the host as it was found: prunes everything, running being the
 * configuration applied last (or NULL). Accepts NULL. */
void interfaces__close(struct interfaces *interfaces, const struct config *running);

#endif
