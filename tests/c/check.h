/* A tiny assertion helper for the C tests: CHECK(cond) reports the failed
 * condition with its line and the library's last error, and counts it;
 * finish() turns the count into the exit status. */
#ifndef REDRESS_TEST_CHECK_H
#define REDRESS_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

#include <redress/redress.h>

static int check_failures = 0;

#define CHECK(cond)                                                                                   \
  do {                                                                                                \
    if (!(cond)) {                                                                                    \
      ++check_failures;                                                                               \
      fprintf(stderr, "%s:%d: CHECK(%s) failed (last error: %s)\n", __FILE__, __LINE__, #cond,        \
              redress_error_last());                                                                  \
    }                                                                                                 \
  } while (0)

/* The text contains the fragment. */
#define CONTAINS(text, fragment) ((text) != NULL && strstr((text), (fragment)) != NULL)

#define TEST(name) static void name(void)

#define RUN(name)                              \
  do {                                         \
    int before_ = check_failures;              \
    name();                                    \
    fprintf(stderr, "%s %s\n", check_failures == before_ ? "ok  " : "FAIL", #name); \
  } while (0)

static int finish(void) { return check_failures == 0 ? 0 : 1; }

#endif
