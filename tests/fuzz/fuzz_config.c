// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer harness for the configuration parser: any bytes must give either
 * a configuration or error lines, never a crash, a leak or a hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *config;
	FILE *errors;
	char *text;
	int count = 0;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	errors = fopen("/dev/null", "w");
	if (errors) {
		/* include is resolved relative to this name: keep it out of
		 * real directories. */
		config = config_load_string("/nonexistent/fuzz.conf", text, errors, &count);
		if (config && count)
			abort(); /* a configuration comes with no errors */
		if (!config && !count)
			abort(); /* a refusal says why */
		config_free(config);
		fclose(errors);
	}
	free(text);
	return 0;
}
