/* A consumer of the installed C API, built through pkg-config or
 * find_package(redress): it only needs the header and libredress-c. */
#include <stdio.h>
#include <string.h>

#include <redress/redress.h>

int main(void) {
  redress_buf report = REDRESS_BUF_INIT;
  int major = -1, ok;
  redress_version(&major, NULL, NULL);
  ok = major == REDRESS_C_VERSION_MAJOR && redress_lint(&report, "Sorry.", 6, NULL) == 0 &&
       strstr(report.ptr, "\"findings\"") != NULL;
  printf("redress %d: %s\n", major, ok ? "linted" : redress_error_last());
  redress_buf_dispose(&report);
  return ok ? 0 : 1;
}
