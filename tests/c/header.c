/* The public headers compile alone, as C99, C11 and C++, with every warning
 * an error (run by CTest as c_api.header_*). */
#include <redress/redress.h>
#include <redress/sys/policy.h>

int main(void) {
  redress_buf buf = REDRESS_BUF_INIT;
  redress_lint_options lint = REDRESS_LINT_OPTIONS_INIT;
  redress_sqlite_options sqlite = REDRESS_SQLITE_OPTIONS_INIT;
  redress_policy_impl impl = REDRESS_POLICY_INIT;
  (void)buf;
  (void)lint;
  (void)sqlite;
  (void)impl;
  return 0;
}
