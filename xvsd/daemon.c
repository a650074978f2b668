// SPDX-License-Identifier: GPL-2.0-only
/* Reload of the configuration file (SIGHUP, xvsctl reload, POST
 * /api/v1/reload): parse, validate, apply the difference or keep running. */
#include "daemon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "health.h"
#include "interface.h"
#include "log.h"

static void errors_log(const char *errors)
{
	const char *line = errors;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		int length = end ? (int)(end - line) : (int)strlen(line);

		log_error("reload: %.*s", length, line);
		line = end ? end + 1 : NULL;
	}
}

static void result_record(struct daemon *daemon, bool ok, char *errors)
{
	free(daemon->last_reload_errors);
	daemon->last_reload = time(NULL);
	daemon->last_reload_ok = ok;
	daemon->last_reload_errors = errors;
	if (!ok)
		errors_log(errors);
}

/* A reload that failed half-way: back to the running configuration's
 * interfaces, as far as that goes. */
static void interfaces_restore(struct daemon *daemon, const struct config *failed)
{
	char error[512];

	if (interfaces__apply(daemon->interfaces, failed, daemon->config, error, sizeof(error)))
		log_error("reload: restoring interfaces: %s", error);
	interfaces__prune(daemon->interfaces, failed, daemon->config);
}

int daemon__reload(struct daemon *daemon)
{
	char *errors = NULL, message[512] = "";
	size_t size = 0;
	struct config *config;
	struct timespec now;
	FILE *out;
	int count = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)now.tv_sec * 1000000ULL +
			   (unsigned long long)now.tv_nsec / 1000ULL);
	log_info("reloading %s", daemon->config_path);
	out = open_memstream(&errors, &size);
	config = config_load(daemon->config_path, out, &count);
	if (out)
		fclose(out);
	/* Interfaces before the data plane attaches to them; those dropped go
	 * after it has detached. */
	if (config && interfaces__apply(daemon->interfaces, daemon->config, config, message,
					sizeof(message))) {
		interfaces_restore(daemon, config);
	} else if (config &&
		   dataplane__reload(daemon->dataplane, config, message, sizeof(message))) {
		interfaces_restore(daemon, config);
	} else if (config) {
		interfaces__prune(daemon->interfaces, daemon->config, config);
		message[0] = '\0';
	}
	if (config && message[0]) {
		/* Nothing was changed (or, for an interface, what could be). */
		free(errors);
		if (asprintf(&errors, "%s\n", message) < 0)
			errors = NULL;
		config_free(config);
		config = NULL;
	}
	if (config) {
		vrrp__reload(daemon->vrrp, config);
		config_free(daemon->config);
		daemon->config = config;
		if (daemon->health)
			health__sync(daemon->health);
		free(errors);
		result_record(daemon, true, NULL);
		log_info("reload: ok, %zu services", config->service_count);
	} else {
		result_record(daemon, false, errors);
	}
	sd_notify(0, "READY=1");
	return config ? 0 : -1;
}
