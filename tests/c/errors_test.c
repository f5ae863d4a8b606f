/* The C API's contract: versions, error codes and messages, argument checks. */
#include <stdlib.h>

#include "check.h"

TEST(the_library_reports_its_version) {
  int major = -1, minor = -1, patch = -1;
  redress_version(&major, &minor, &patch);
  CHECK(major == REDRESS_C_VERSION_MAJOR);
  CHECK(minor == REDRESS_C_VERSION_MINOR);
  CHECK(patch >= 0);
  redress_version(NULL, NULL, NULL); /* any pointer may be NULL */
}

TEST(error_codes_are_the_negated_errc_values_and_have_names) {
  CHECK(REDRESS_EINVALID_JSON == -10);
  CHECK(REDRESS_ESTORE_CONFLICT == -19);
  CHECK(strcmp(redress_error_name(REDRESS_EINVALID_UTF8), "invalid_utf8") == 0);
  CHECK(strcmp(redress_error_name(REDRESS_ESTORE_CONFLICT), "store_conflict") == 0);
  CHECK(strcmp(redress_error_name(REDRESS_EUSER), "user") == 0);
  CHECK(strcmp(redress_error_name(-77), "unknown") == 0);
  CHECK(strcmp(redress_error_name(5), "unknown") == 0);
}

TEST(a_null_out_parameter_fails_with_invalid_argument_naming_it) {
  CHECK(redress_case_open(NULL, "C-1", "U-1", "CNY", "2025-01-24T15:00:00+08:00") == REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "out"));
  CHECK(redress_lint(NULL, "hello", 5, NULL) == REDRESS_EINVALID_ARGUMENT);
}

TEST(a_null_handle_fails_instead_of_crashing) {
  redress_buf buf = REDRESS_BUF_INIT;
  int flag = 7;
  CHECK(redress_case_json(&buf, NULL) == REDRESS_EINVALID_ARGUMENT);
  CHECK(buf.ptr == NULL);
  CHECK(redress_case_apply(NULL, NULL, NULL, "{}", 2, "2025-01-24T15:00:00Z") == REDRESS_EINVALID_ARGUMENT);
  CHECK(redress_calendar_is_working_day(&flag, NULL, "2025-01-24") == REDRESS_EINVALID_ARGUMENT);
  CHECK(redress_scheduler_cancel(&flag, NULL, 0) == REDRESS_EINVALID_ARGUMENT);
  CHECK(flag == 0);
  CHECK(redress_store_cases(&buf, NULL, 0) == REDRESS_EINVALID_ARGUMENT);
  CHECK(strcmp(redress_case_id(NULL), "") == 0);
  CHECK(redress_scheduler_size(NULL) == 0);
}

TEST(freeing_null_does_nothing) {
  redress_policy_free(NULL);
  redress_case_free(NULL);
  redress_calendar_free(NULL);
  redress_scheduler_free(NULL);
  redress_store_free(NULL);
  redress_buf_dispose(NULL);
}

TEST(text_that_is_not_utf8_fails_with_invalid_utf8_naming_the_byte) {
  redress_case *c = NULL;
  redress_buf buf = REDRESS_BUF_INIT;
  CHECK(redress_case_open(&c, "C-\xff", "U-1", "CNY", "2025-01-24T15:00:00+08:00") == REDRESS_EINVALID_UTF8);
  CHECK(c == NULL);
  CHECK(CONTAINS(redress_error_last(), "case_id"));
  CHECK(redress_lint(&buf, "sorry \xe4\xbd", 8, NULL) == REDRESS_EINVALID_UTF8);
  CHECK(CONTAINS(redress_error_last(), "byte 6"));
  CHECK(redress_lint(&buf, "\xed\xa0\x80", 3, NULL) == REDRESS_EINVALID_UTF8); /* a UTF-16 surrogate */
  CHECK(redress_lint(&buf, NULL, 3, NULL) == REDRESS_EINVALID_ARGUMENT);
}

TEST(the_last_error_names_the_field_and_stays_until_the_next_failure) {
  redress_case *c = NULL;
  CHECK(redress_case_open(&c, "C-1", "U-1", "XXX", "2025-01-24T15:00:00+08:00") == REDRESS_EUNKNOWN_CURRENCY);
  CHECK(CONTAINS(redress_error_last(), "currency"));
  CHECK(redress_case_open(&c, "C-1", "U-1", "CNY", "2025-01-24T15:00:00+08:00") == 0);
  CHECK(CONTAINS(redress_error_last(), "currency")); /* success leaves it alone */
  redress_case_free(c);
  CHECK(redress_case_open(&c, "C-1", "U-1", "CNY", "yesterday") == REDRESS_EINVALID_ARGUMENT);
  CHECK(c == NULL);
  CHECK(CONTAINS(redress_error_last(), "opened_at"));
}

TEST(a_buffer_is_disposed_and_reused) {
  redress_buf buf = REDRESS_BUF_INIT;
  CHECK(redress_lint(&buf, "Sorry.", 6, NULL) == 0);
  CHECK(buf.ptr != NULL && buf.size == strlen(buf.ptr));
  CHECK(redress_lint(&buf, "We apologise.", 13, NULL) == 0); /* the first text is freed */
  redress_buf_dispose(&buf);
  CHECK(buf.ptr == NULL && buf.size == 0);
}

TEST(options_of_an_unknown_version_are_refused) {
  redress_lint_options lint;
  redress_sqlite_options sqlite;
  redress_buf buf = REDRESS_BUF_INIT;
  CHECK(redress_lint_options_init(&lint, 99) == REDRESS_EINVALID_ARGUMENT);
  CHECK(redress_lint_options_init(&lint, REDRESS_LINT_OPTIONS_VERSION) == 0);
  lint.version = 0;
  CHECK(redress_lint(&buf, "Sorry.", 6, &lint) == REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "opts.version"));
  CHECK(redress_sqlite_options_init(&sqlite, REDRESS_SQLITE_OPTIONS_VERSION + 1) == REDRESS_EINVALID_ARGUMENT);
  CHECK(redress_sqlite_options_init(&sqlite, 1) == 0 && sqlite.busy_timeout_ms == 5000);
}

int main(void) {
  RUN(the_library_reports_its_version);
  RUN(error_codes_are_the_negated_errc_values_and_have_names);
  RUN(a_null_out_parameter_fails_with_invalid_argument_naming_it);
  RUN(a_null_handle_fails_instead_of_crashing);
  RUN(freeing_null_does_nothing);
  RUN(text_that_is_not_utf8_fails_with_invalid_utf8_naming_the_byte);
  RUN(the_last_error_names_the_field_and_stays_until_the_next_failure);
  RUN(a_buffer_is_disposed_and_reused);
  RUN(options_of_an_unknown_version_are_refused);
  return finish();
}
