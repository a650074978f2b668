// SPDX-License-Identifier: GPL-2.0-only
/* What the daemon changed on interfaces it does not own, kept in
 * RUN_DIR/interfaces.state so that a restart still restores it: the original
 * MTU of ethernet interfaces, and the namespaces it created for veth-peers. */
#include "interface_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static int mtu_record_add(struct interfaces *interfaces, const char *name, uint32_t mtu)
{
	struct saved_mtu *grown;

	grown = realloc(interfaces->mtus, (interfaces->mtu_count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	interfaces->mtus = grown;
	snprintf(grown[interfaces->mtu_count].name, IFNAMSIZ, "%s", name);
	grown[interfaces->mtu_count++].mtu = mtu;
	return 0;
}

struct saved_mtu *state_mtu_find(struct interfaces *interfaces, const char *name)
{
	for (size_t i = 0; i < interfaces->mtu_count; i++)
		if (!strcmp(interfaces->mtus[i].name, name))
			return &interfaces->mtus[i];
	return NULL;
}

int state_mtu_save(struct interfaces *interfaces, const char *name, uint32_t mtu)
{
	if (state_mtu_find(interfaces, name))
		return 0; /* the first value is the original */
	return mtu_record_add(interfaces, name, mtu);
}

void state_mtu_forget(struct interfaces *interfaces, struct saved_mtu *saved)
{
	*saved = interfaces->mtus[--interfaces->mtu_count];
}

bool state_namespace_created(const struct interfaces *interfaces, const char *name)
{
	for (size_t i = 0; i < interfaces->namespace_count; i++)
		if (!strcmp(interfaces->namespaces[i], name))
			return true;
	return false;
}

int state_namespace_add(struct interfaces *interfaces, const char *name)
{
	char (*grown)[CONFIG_NAME_MAX];

	if (state_namespace_created(interfaces, name))
		return 0;
	grown = realloc(interfaces->namespaces,
			(interfaces->namespace_count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	interfaces->namespaces = grown;
	snprintf(grown[interfaces->namespace_count++], CONFIG_NAME_MAX, "%s", name);
	return 0;
}

void state_namespace_forget(struct interfaces *interfaces, size_t index)
{
	memcpy(interfaces->namespaces[index],
	       interfaces->namespaces[--interfaces->namespace_count], CONFIG_NAME_MAX);
}

/* Lines "mtu NAME VALUE" and "namespace NAME"; others are skipped. */
int state_load(struct interfaces *interfaces)
{
	char line[256], name[CONFIG_NAME_MAX];
	unsigned int mtu;
	FILE *file = fopen(interfaces->state_path, "re");
	int ret = 0;

	if (!file)
		return errno == ENOENT ? 0 : -errno;
	while (!ret && fgets(line, sizeof(line), file)) {
		if (sscanf(line, "mtu %15s %u", name, &mtu) == 2)
			ret = mtu_record_add(interfaces, name, mtu);
		else if (sscanf(line, "namespace %63s", name) == 1)
			ret = state_namespace_add(interfaces, name);
	}
	fclose(file);
	if (interfaces->mtu_count || interfaces->namespace_count)
		log_info("interfaces: %zu saved MTUs and %zu namespaces from %s",
			 interfaces->mtu_count, interfaces->namespace_count,
			 interfaces->state_path);
	return ret;
}

/* Written anew (through a temporary file) after every change; removed when
 * there is nothing to restore. */
void state_save(struct interfaces *interfaces)
{
	char temporary[sizeof(interfaces->state_path) + 8];
	FILE *file;

	if (!interfaces->mtu_count && !interfaces->namespace_count) {
		if (unlink(interfaces->state_path) && errno != ENOENT)
			log_warn("interfaces: %s", interfaces->state_path);
		return;
	}
	snprintf(temporary, sizeof(temporary), "%s.new", interfaces->state_path);
	file = fopen(temporary, "we");
	if (!file) {
		log_warn("interfaces: %s", temporary);
		return;
	}
	fprintf(file, "# xvsd: what to restore on interfaces it does not own\n");
	for (size_t i = 0; i < interfaces->mtu_count; i++)
		fprintf(file, "mtu %s %u\n", interfaces->mtus[i].name, interfaces->mtus[i].mtu);
	for (size_t i = 0; i < interfaces->namespace_count; i++)
		fprintf(file, "namespace %s\n", interfaces->namespaces[i]);
	if (fclose(file) || rename(temporary, interfaces->state_path))
		log_warn("interfaces: %s", interfaces->state_path);
}
