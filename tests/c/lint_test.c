/* The reply lint through the C API. */
#include "check.h"

static const char draft[] =
    "\xe5\x85\x88\xe7\x94\x9f,\xe8\xbf\x99\xe5\xbc\xa0\xe5\x88\xb8\xe6\x98\xa8\xe5\xa4\xa9\xe5\xb0\xb1\xe8\xbf\x87"
    "\xe6\x9c\x9f\xe4\xba\x86,\xe7\xb3\xbb\xe7\xbb\x9f\xe6\x9c\x89\xe6\x98\x8e\xe7\xa1\xae\xe8\xaf\xb4\xe6\x98\x8e"
    "\xe7\x9a\x84\xe3\x80\x82\xe4\xb8\x8d\xe8\xbf\x87\xe6\x88\x91\xe5\x8f\xaf\xe4\xbb\xa5\xe7\xbb\x99\xe6\x82\xa8"
    "\xe9\x80\x80\xe6\xac\xbe" "300" "\xe5\x85\x83\xe3\x80\x82"; /* the agent offers a 300 CNY refund */

TEST(a_draft_promising_more_than_the_agent_may_grant_is_caught) {
  redress_buf report = REDRESS_BUF_INIT;
  CHECK(redress_lint(&report, draft, strlen(draft), NULL) == 0);
  CHECK(CONTAINS(report.ptr, "\"code\":\"promise.over_authority\""));
  CHECK(CONTAINS(report.ptr, "\"language\":\"zh-Hans\""));
  CHECK(CONTAINS(report.ptr, "\"structure_score\":"));
  redress_buf_dispose(&report);
}

TEST(a_larger_authority_in_the_options_lets_the_same_draft_pass) {
  redress_buf report = REDRESS_BUF_INIT;
  redress_lint_options opts = REDRESS_LINT_OPTIONS_INIT;
  opts.authority_minor = 50000;
  opts.authority_currency = "CNY";
  CHECK(redress_lint(&report, draft, strlen(draft), &opts) == 0);
  CHECK(report.ptr != NULL && !CONTAINS(report.ptr, "promise.over_authority"));
  redress_buf_dispose(&report);
}

TEST(lint_options_are_checked) {
  redress_buf report = REDRESS_BUF_INIT;
  redress_lint_options opts = REDRESS_LINT_OPTIONS_INIT;
  opts.language = "klingon";
  CHECK(redress_lint(&report, "Sorry.", 6, &opts) == REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "opts.language"));
  opts.language = "en";
  opts.policy_json = "{\"max_text_bytes\": \"big\"}";
  CHECK(redress_lint(&report, "Sorry.", 6, &opts) == REDRESS_EINVALID_JSON);
  opts.policy_json = "{\"max_text_bytes\": 4}";
  CHECK(redress_lint(&report, "Sorry, truly.", 13, &opts) == REDRESS_ETEXT_TOO_LONG);
  opts.policy_json = NULL;
  opts.authority_currency = "ZZZ";
  opts.authority_minor = 1;
  CHECK(redress_lint(&report, "Sorry.", 6, &opts) == REDRESS_EUNKNOWN_CURRENCY);
  CHECK(report.ptr == NULL);
}

TEST(empty_text_is_linted_not_refused) {
  redress_buf report = REDRESS_BUF_INIT;
  CHECK(redress_lint(&report, NULL, 0, NULL) == 0);
  CHECK(CONTAINS(report.ptr, "\"findings\":"));
  redress_buf_dispose(&report);
}

int main(void) {
  RUN(a_draft_promising_more_than_the_agent_may_grant_is_caught);
  RUN(a_larger_authority_in_the_options_lets_the_same_draft_pass);
  RUN(lint_options_are_checked);
  RUN(empty_text_is_linted_not_refused);
  return finish();
}
