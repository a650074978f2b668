/* SPDX-License-Identifier: GPL-2.0-only */
/* A minimal test harness: each test case prints "PASS: name" or
 * "FAIL: name: why" (tests/run.sh counts those lines); main() returns non-zero
 * if any case failed. */
#ifndef XVS_TESTS_TEST_H
#define XVS_TESTS_TEST_H

#include <stdio.h>
#include <string.h>

static int test_failures;
static int test_case_failed;
static const char *test_case_name;

#define TEST_CHECK(cond)                                                         \
	do {                                                                     \
		if (!(cond)) {                                                   \
			printf("FAIL: %s: %s:%d: %s\n", test_case_name, __FILE__, \
			       __LINE__, #cond);                                 \
			test_case_failed = 1;                                    \
		}                                                                \
	} while (0)

#define TEST_CHECK_MSG(cond, ...)                                                \
	do {                                                                     \
		if (!(cond)) {                                                   \
			printf("FAIL: %s: %s:%d: ", test_case_name, __FILE__,    \
			       __LINE__);                                        \
			printf(__VA_ARGS__);                                     \
			printf("\n");                                            \
			test_case_failed = 1;                                    \
		}                                                                \
	} while (0)

#define TEST_CHECK_STR(actual, expected)                                         \
	TEST_CHECK_MSG(strcmp((actual), (expected)) == 0,                        \
		       "got \"%s\", want \"%s\"", (actual), (expected))

/* Runs fn as a test case named name. */
#define TEST_RUN(name, fn)                                                       \
	do {                                                                     \
		test_case_name = (name);                                         \
		test_case_failed = 0;                                            \
		fn();                                                            \
		if (test_case_failed)                                            \
			test_failures++;                                         \
		else                                                             \
			printf("PASS: %s\n", test_case_name);                    \
		fflush(stdout);                                                  \
	} while (0)

#define TEST_EXIT() (test_failures ? 1 : 0)

#endif
