/* Policy identity and what-if replays through the C API. */
#include <stdio.h>

#include "check.h"
#include "fixture.h"

static const char journal[] =
    "[{\"at\": \"2025-01-24T15:00:00+08:00\", \"type\": \"contact_received\", \"channel\": \"phone\","
    "  \"text\": \"The TV has no picture\"},"
    " {\"at\": \"2025-01-24T15:03:00+08:00\", \"type\": \"need_stated\", \"text\": \"my money back\"},"
    " {\"at\": \"2025-01-24T15:04:00+08:00\", \"type\": \"order_linked\","
    "  \"order\": {\"id\": \"O-1\", \"loss\": {\"kind\": \"money\", \"amount\": \"500\"}}},"
    " {\"at\": \"2025-01-24T15:06:00+08:00\", \"type\": \"remedy_proposed\", \"remedy\": \"R-1\","
    "  \"kind\": \"cash\", \"value\": \"150\", \"order\": \"O-1\"},"
    " {\"at\": \"2025-01-24T15:07:00+08:00\", \"type\": \"remedy_accepted\", \"remedy\": \"R-1\"}]";

/* A policy on the bundled China calendar, named: the front line may grant `limit`. */
static redress_policy *policy_with_limit(const char *version, const char *limit) {
  char doc[512];
  redress_policy *policy = NULL;
  sprintf(doc,
          "{\"id\": \"shop\", \"version\": \"%s\", \"currency\": \"CNY\", \"calendar\": \"cn\","
          " \"authority\": [{\"level\": 0, \"limit\": \"%s\"}, {\"level\": 1}]}",
          version, limit);
  CHECK(redress_policy_parse(&policy, doc, strlen(doc)) == 0);
  return policy;
}

TEST(a_policy_naming_a_bundled_calendar_parses_and_has_an_identity_with_a_content_hash) {
  redress_policy *v1 = policy_with_limit("1", "200"), *v1_again = policy_with_limit("1", "200"),
                 *v2 = policy_with_limit("1", "100");
  redress_buf a = REDRESS_BUF_INIT, b = REDRESS_BUF_INIT, c = REDRESS_BUF_INIT;
  CHECK(redress_policy_identity(&a, v1) == 0);
  CHECK(redress_policy_identity(&b, v1_again) == 0);
  CHECK(redress_policy_identity(&c, v2) == 0);
  CHECK(CONTAINS(a.ptr, "\"id\":\"shop\"") && CONTAINS(a.ptr, "\"version\":\"1\""));
  CHECK(a.ptr != NULL && b.ptr != NULL && strcmp(a.ptr, b.ptr) == 0);
  /* Same id and version, other content: another hash. */
  CHECK(c.ptr != NULL && strcmp(a.ptr, c.ptr) != 0);
  redress_buf_dispose(&a);
  redress_buf_dispose(&b);
  redress_buf_dispose(&c);
  redress_policy_free(v1);
  redress_policy_free(v1_again);
  redress_policy_free(v2);
}

TEST(whatif_reports_the_refund_sent_for_approval_and_the_acceptance_that_no_longer_applies) {
  redress_policy *old_policy = policy_with_limit("1", "200"), *new_policy = policy_with_limit("2", "100");
  redress_case *initial = NULL;
  redress_buf out = REDRESS_BUF_INIT;
  CHECK(redress_case_open(&initial, "C-1", "U-1", "CNY", "2025-01-24T15:00:00+08:00") == 0);
  CHECK(redress_whatif(&out, initial, old_policy, new_policy, journal, strlen(journal)) == 0);
  CHECK(CONTAINS(out.ptr, "\"kind\":\"remedy\",\"subject\":\"R-1\",\"before\":\"offered\","
                          "\"after\":\"sent for approval at level 1\""));
  CHECK(CONTAINS(out.ptr, "\"skipped\":[{\"event\":4,\"policy\":\"new\",\"type\":\"remedy_accepted\""));
  CHECK(CONTAINS(out.ptr, "\"changed\":true"));
  /* The same policy changes nothing. */
  CHECK(redress_whatif(&out, initial, old_policy, old_policy, journal, strlen(journal)) == 0);
  CHECK(CONTAINS(out.ptr, "\"changed\":false"));
  /* A journal that does not decode, and a missing policy, fail naming what. */
  CHECK(redress_whatif(&out, initial, old_policy, new_policy, "[", 1) == REDRESS_EINVALID_JSON);
  CHECK(out.ptr == NULL);
  CHECK(redress_whatif(&out, initial, old_policy, NULL, journal, strlen(journal)) != 0);
  CHECK(CONTAINS(redress_error_last(), "new_policy"));
  redress_buf_dispose(&out);
  redress_case_free(initial);
  redress_policy_free(old_policy);
  redress_policy_free(new_policy);
}

TEST(the_report_over_journals_gives_the_summary_as_json_and_the_page_as_html) {
  redress_policy *policy = policy_with_limit("1", "200");
  redress_buf out = REDRESS_BUF_INIT;
  char cases[2048];
  sprintf(cases, "[{\"case\": {\"id\": \"C-1\", \"customer\": \"U-1\", \"opened_at\": \"2025-01-24T15:00:00+08:00\"},"
                 " \"events\": %s}]", journal);
  CHECK(redress_report_journals(&out, "json", NULL, policy, cases, strlen(cases)) == 0);
  CHECK(CONTAINS(out.ptr, "\"cases\":1"));
  CHECK(redress_report_journals(&out, "html", "en", policy, cases, strlen(cases)) == 0);
  CHECK(CONTAINS(out.ptr, "<svg"));
  CHECK(redress_report_journals(&out, "pdf", NULL, policy, cases, strlen(cases)) == REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "format"));
  CHECK(redress_report_journals(&out, "json", NULL, policy, "[{}]", 4) == REDRESS_EINVALID_JSON);
  CHECK(CONTAINS(redress_error_last(), "cases[0]"));
  redress_buf_dispose(&out);
  redress_policy_free(policy);
}

/* A fresh SQLite store holding the journal above as case C-1 (opened
 * 2025-01-24) and a contact alone as case C-2 (opened 2025-06-07). */
static redress_store *store_with_two_cases(redress_policy *policy) {
  static const char later[] =
      "[{\"at\": \"2025-06-07T14:00:00+08:00\", \"type\": \"contact_received\", \"channel\": \"chat\","
      "  \"text\": \"Where is my parcel?\"}]";
  char path[512];
  redress_store *store = NULL;
  redress_case *initial = NULL, *c = NULL;
  uint64_t seq = 0;
  snprintf(path, sizeof path, "%s/%s", REDRESS_TEST_BINARY_DIR, "c_whatif_store.db");
  remove(path);
  CHECK(redress_store_open_sqlite(&store, path, NULL) == 0);
  CHECK(redress_case_open(&initial, "C-1", "U-1", "CNY", "2025-01-24T15:00:00+08:00") == 0);
  CHECK(redress_case_restore(&c, initial, policy, journal, strlen(journal)) == 0);
  CHECK(redress_store_append(&seq, store, c, journal, strlen(journal), 0) == 0);
  redress_case_free(initial);
  redress_case_free(c);
  CHECK(redress_case_open(&initial, "C-2", "U-2", "CNY", "2025-06-07T14:00:00+08:00") == 0);
  CHECK(redress_case_restore(&c, initial, policy, later, strlen(later)) == 0);
  CHECK(redress_store_append(&seq, store, c, later, strlen(later), 0) == 0);
  redress_case_free(initial);
  redress_case_free(c);
  return store;
}

TEST(a_case_committed_from_c_is_pinned_so_whatif_compares_it_under_the_version_that_decided_it) {
  static const char *const events[] = {
      "{\"at\": \"2025-01-24T15:00:00+08:00\", \"type\": \"contact_received\", \"channel\": \"phone\","
      " \"text\": \"The TV has no picture\"}",
      "{\"at\": \"2025-01-24T15:03:00+08:00\", \"type\": \"need_stated\", \"text\": \"my money back\"}",
      "{\"at\": \"2025-01-24T15:04:00+08:00\", \"type\": \"order_linked\","
      " \"order\": {\"id\": \"O-1\", \"loss\": {\"kind\": \"money\", \"amount\": \"500\"}}}",
      "{\"at\": \"2025-01-24T15:06:00+08:00\", \"type\": \"remedy_proposed\", \"remedy\": \"R-1\","
      " \"kind\": \"cash\", \"value\": \"150\", \"order\": \"O-1\"}"};
  redress_policy *old_policy = policy_with_limit("1", "200"), *new_policy = policy_with_limit("2", "100");
  redress_store *store = NULL;
  redress_case *c = NULL;
  redress_buf out = REDRESS_BUF_INIT;
  char path[512];
  uint64_t seq = 0;
  size_t i;
  snprintf(path, sizeof path, "%s/%s", REDRESS_TEST_BINARY_DIR, "c_whatif_pinned.db");
  remove(path);
  CHECK(redress_store_open_sqlite(&store, path, NULL) == 0);
  CHECK(redress_case_open(&c, "C-1", "U-1", "CNY", "2025-01-24T15:00:00+08:00") == 0);
  for (i = 0; i < sizeof events / sizeof events[0]; ++i, ++seq) {
    CHECK(redress_store_commit(&out, store, c, old_policy, events[i], strlen(events[i]), "2025-01-24T07:10:00Z", seq,
                               NULL) == 0);
  }
  /* The new version as the fallback: only the pin can make the case differ. */
  CHECK(redress_whatif_store(&out, "json", NULL, store, new_policy, new_policy, NULL, 10) == 0);
  CHECK(CONTAINS(out.ptr, "\"cases\":1,\"cases_changed\":1"));
  redress_buf_dispose(&out);
  redress_case_free(c);
  redress_store_free(store);
  redress_policy_free(old_policy);
  redress_policy_free(new_policy);
}

TEST(whatif_over_a_store_counts_the_refund_sent_for_approval_as_redress_whatif_json_does) {
  redress_policy *old_policy = policy_with_limit("1", "200"), *new_policy = policy_with_limit("2", "100");
  redress_store *store = store_with_two_cases(old_policy);
  redress_buf out = REDRESS_BUF_INIT;
  /* redress_store_append() records no pins: the fallback decided these cases. */
  CHECK(redress_whatif_store(&out, "json", NULL, store, new_policy, old_policy, NULL, 10) == 0);
  CHECK(CONTAINS(out.ptr, "\"cases\":2,\"cases_changed\":"));
  CHECK(CONTAINS(out.ptr, "\"remedies_changed\":1,"));
  CHECK(CONTAINS(out.ptr, "\"remedy_value_before\":[{\"amount_minor\":15000,\"currency\":\"CNY\"}]"));
  CHECK(CONTAINS(out.ptr, "\"subject\":\"R-1\",\"before\":\"offered\",\"after\":\"sent for approval at level 1\""));
  CHECK(CONTAINS(out.ptr, "\"failed\":[]"));
  /* Since June: only the later case, which changes nothing. */
  CHECK(redress_whatif_store(&out, "json", NULL, store, new_policy, old_policy, "2025-06-01", 10) == 0);
  CHECK(CONTAINS(out.ptr, "\"cases\":1,\"cases_changed\":0,\"remedies_changed\":0,"));
  /* No examples asked for: none kept, the counts unchanged. */
  CHECK(redress_whatif_store(&out, "json", NULL, store, new_policy, old_policy, NULL, 0) == 0);
  CHECK(CONTAINS(out.ptr, "\"remedies_changed\":1,") && CONTAINS(out.ptr, "\"examples\":[]"));
  /* The page in Chinese carries the figures. */
  CHECK(redress_whatif_store(&out, "html", "zh", store, new_policy, old_policy, NULL, 10) == 0);
  CHECK(CONTAINS(out.ptr, "<html lang=\"zh-CN\">") && CONTAINS(out.ptr, "新政策会带来的变化"));
  CHECK(CONTAINS(out.ptr, "data-measure=\"remedies_changed\" data-count=\"1\""));
  CHECK(CONTAINS(out.ptr, "data-before-minor=\"15000\""));
  /* Bad arguments fail naming what. */
  CHECK(redress_whatif_store(&out, "json", NULL, store, new_policy, old_policy, "June", 10) ==
        REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "since"));
  CHECK(out.ptr == NULL);
  CHECK(redress_whatif_store(&out, "json", NULL, store, new_policy, NULL, NULL, 10) == REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "fallback"));
  CHECK(redress_whatif_store(&out, "pdf", NULL, store, new_policy, old_policy, NULL, 10) == REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "format"));
  CHECK(redress_whatif_store(&out, "json", NULL, NULL, new_policy, old_policy, NULL, 10) == REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "store"));
  redress_buf_dispose(&out);
  redress_store_free(store);
  redress_policy_free(old_policy);
  redress_policy_free(new_policy);
}

int main(void) {
  RUN(a_policy_naming_a_bundled_calendar_parses_and_has_an_identity_with_a_content_hash);
  RUN(whatif_reports_the_refund_sent_for_approval_and_the_acceptance_that_no_longer_applies);
  RUN(the_report_over_journals_gives_the_summary_as_json_and_the_page_as_html);
  RUN(a_case_committed_from_c_is_pinned_so_whatif_compares_it_under_the_version_that_decided_it);
  RUN(whatif_over_a_store_counts_the_refund_sent_for_approval_as_redress_whatif_json_does);
  return finish();
}
