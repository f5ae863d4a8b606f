/* Policies, cases and the engine through the C API, including a policy
 * implemented in C. */
#include <redress/sys/policy.h>

#include "check.h"
#include "fixture.h"

static const char contact[] =
    "{\"at\": \"2025-01-24T15:00:00+08:00\", \"type\": \"contact_received\", \"channel\": \"phone\","
    " \"text\": \"The TV has no picture\"}";
static const char need_and_order[] =
    "[{\"at\": \"2025-01-24T15:00:00+08:00\", \"type\": \"contact_received\", \"channel\": \"phone\","
    "  \"text\": \"The TV has no picture\"},"
    " {\"at\": \"2025-01-24T15:02:00+08:00\", \"type\": \"apology_given\", \"text\": \"I'm so sorry, a new TV that"
    "  won't work is really disappointing. It's our fault, and I will fix it.\"},"
    " {\"at\": \"2025-01-24T15:03:00+08:00\", \"type\": \"need_stated\", \"text\": \"my money back\"},"
    " {\"at\": \"2025-01-24T15:04:00+08:00\", \"type\": \"order_linked\","
    "  \"order\": {\"id\": \"O-1\", \"loss\": {\"kind\": \"money\", \"amount\": \"500\"}}}]";
static const char refund_150[] =
    "{\"at\": \"2025-01-24T15:06:00+08:00\", \"type\": \"remedy_proposed\", \"remedy\": \"R-1\","
    " \"kind\": \"cash\", \"value\": \"150\", \"order\": \"O-1\"}";

static redress_case *open_case(void) {
  redress_case *c = NULL;
  CHECK(redress_case_open(&c, "C-1", "U-1", "CNY", "2025-01-24T15:00:00+08:00") == 0);
  return c;
}

TEST(a_policy_document_that_does_not_parse_fails_naming_the_field) {
  redress_policy *policy = (redress_policy *)&check_failures; /* set to NULL on failure */
  CHECK(redress_policy_parse(&policy, "{\"currency\": 7}", 15) == REDRESS_EINVALID_JSON);
  CHECK(policy == NULL);
  CHECK(CONTAINS(redress_error_last(), "currency"));
  CHECK(redress_policy_parse(&policy, "{", 1) == REDRESS_EINVALID_JSON);
}

TEST(applying_an_event_advances_the_case_and_returns_the_step) {
  redress_policy *policy = test_policy();
  redress_case *c = open_case();
  redress_buf step = REDRESS_BUF_INIT;
  CHECK(policy != NULL);
  CHECK(strcmp(redress_policy_currency(policy), "CNY") == 0);
  CHECK(strcmp(redress_case_stage(c), "apologise") == 0);
  CHECK(redress_case_apply(&step, c, policy, contact, strlen(contact), "2025-01-24T15:00:00+08:00") == 0);
  CHECK(CONTAINS(step.ptr, "\"actions\":["));
  CHECK(CONTAINS(step.ptr, "schedule_follow_up"));
  CHECK(CONTAINS(step.ptr, "\"trace\":["));
  CHECK(strcmp(redress_case_id(c), "C-1") == 0);
  CHECK(strcmp(redress_case_customer(c), "U-1") == 0);
  CHECK(strcmp(redress_case_currency(c), "CNY") == 0);
  redress_buf_dispose(&step);
  CHECK(redress_case_json(&step, c) == 0);
  CHECK(CONTAINS(step.ptr, "\"id\":\"C-1\""));
  redress_buf_dispose(&step);
  redress_case_free(c);
  redress_policy_free(policy);
}

TEST(an_event_that_does_not_fit_fails_with_invalid_event_and_leaves_the_case_unchanged) {
  redress_policy *policy = test_policy();
  redress_case *c = open_case();
  redress_buf before = REDRESS_BUF_INIT, after = REDRESS_BUF_INIT, step = REDRESS_BUF_INIT;
  static const char other[] =
      "{\"case_id\": \"C-2\", \"at\": \"2025-01-24T15:00:00+08:00\", \"type\": \"forgiveness_signalled\"}";
  CHECK(redress_case_json(&before, c) == 0);
  CHECK(redress_case_apply(&step, c, policy, other, strlen(other), "2025-01-24T15:00:00+08:00") ==
        REDRESS_EINVALID_EVENT);
  CHECK(step.ptr == NULL);
  CHECK(redress_case_json(&after, c) == 0);
  CHECK(strcmp(before.ptr, after.ptr) == 0);
  CHECK(redress_case_apply(NULL, c, policy, "{\"type\": \"nonsense\"}", 20, "2025-01-24T15:00:00Z") ==
        REDRESS_EINVALID_JSON);
  CHECK(CONTAINS(redress_error_last(), "event"));
  redress_buf_dispose(&before);
  redress_buf_dispose(&after);
  redress_case_free(c);
  redress_policy_free(policy);
}

TEST(restoring_a_case_replays_its_journal_to_the_same_case) {
  redress_policy *policy = test_policy();
  redress_case *initial = open_case(), *stepped = NULL, *restored = NULL;
  redress_buf a = REDRESS_BUF_INIT, b = REDRESS_BUF_INIT;
  CHECK(redress_case_copy(&stepped, initial) == 0);
  CHECK(redress_case_apply(NULL, stepped, policy, contact, strlen(contact), "2025-01-24T15:00:00+08:00") == 0);
  CHECK(redress_case_restore(&restored, initial, policy, "[", 1) == REDRESS_EINVALID_JSON);
  CHECK(restored == NULL);
  CHECK(redress_case_restore(&restored, initial, policy, "[" "", 0) == REDRESS_EINVALID_JSON);
  {
    char journal[sizeof contact + 2];
    sprintf(journal, "[%s]", contact);
    CHECK(redress_case_restore(&restored, initial, policy, journal, strlen(journal)) == 0);
  }
  CHECK(redress_case_json(&a, stepped) == 0);
  CHECK(redress_case_json(&b, restored) == 0);
  CHECK(a.ptr != NULL && b.ptr != NULL && strcmp(a.ptr, b.ptr) == 0);
  CHECK(strcmp(redress_case_stage(initial), "apologise") == 0);
  redress_buf_dispose(&a);
  redress_buf_dispose(&b);
  redress_case_free(initial);
  redress_case_free(stepped);
  redress_case_free(restored);
  redress_policy_free(policy);
}

/* A host policy in C: the front line may grant only 100 CNY; counts calls. */
struct host {
  int authority_calls;
  int released;
  int fail;
};

static int host_authority(int64_t *limit_minor_out, int *unlimited_out, const redress_policy_impl *self, int level,
                          const char *remedy_kind) {
  struct host *h = (struct host *)self->user_data;
  h->authority_calls++;
  if (h->fail) return -1;
  if (strcmp(remedy_kind, "cash") != 0 || level > 0) {
    *unlimited_out = 1;
  } else {
    *limit_minor_out = 10000;
  }
  return 0;
}

static int host_scope(int *in_scope_out, char **reason_out, char **alternative_out, const redress_policy_impl *self,
                      const redress_case *c, const char *request) {
  (void)self;
  (void)c;
  if (strstr(request, "taxi") != NULL) {
    *in_scope_out = 0;
    *reason_out = (char *)redress_policy_alloc(32);
    strcpy(*reason_out, "We do not run taxis.");
    *alternative_out = NULL;
  }
  return 0;
}

static int host_control(const redress_policy_impl *self, int op, void *arg) {
  (void)self;
  if (op != REDRESS_POLICY_CONTROL_USER) return REDRESS_ENOTSUPPORTED;
  *(int *)arg = 42;
  return 0;
}

static void host_release(void *user_data) { ((struct host *)user_data)->released++; }

static redress_policy *host_policy(struct host *h, redress_policy *fallback) {
  redress_policy_impl impl;
  redress_policy *policy = NULL;
  CHECK(redress_policy_init(&impl, REDRESS_POLICY_VERSION) == 0);
  impl.user_data = h;
  impl.authority = host_authority;
  impl.scope = host_scope;
  impl.control = host_control;
  impl.release = host_release;
  CHECK(redress_policy_new(&policy, &impl, fallback) == 0);
  return policy;
}

static redress_case *case_with_order(redress_policy *policy) {
  redress_case *initial = open_case(), *c = NULL;
  CHECK(redress_case_restore(&c, initial, policy, need_and_order, strlen(need_and_order)) == 0);
  redress_case_free(initial);
  return c;
}

TEST(a_policy_in_c_answers_the_engine_and_the_fallback_answers_the_rest) {
  struct host h = {0, 0, 0};
  redress_policy *reference = test_policy();
  redress_policy *mine = host_policy(&h, reference);
  redress_case *c = case_with_order(mine), *same = NULL;
  redress_buf step = REDRESS_BUF_INIT;
  CHECK(redress_case_copy(&same, c) == 0);
  /* 150 CNY is within the reference policy's 200 but above the host's 100. */
  CHECK(redress_case_apply(&step, c, mine, refund_150, strlen(refund_150), "2025-01-24T15:06:00+08:00") == 0);
  CHECK(h.authority_calls > 0);
  CHECK(CONTAINS(step.ptr, "request_approval"));
  CHECK(redress_case_apply(&step, same, reference, refund_150, strlen(refund_150), "2025-01-24T15:06:00+08:00") == 0);
  CHECK(!CONTAINS(step.ptr, "request_approval"));
  CHECK(strcmp(redress_policy_currency(mine), "CNY") == 0);
  redress_buf_dispose(&step);
  redress_case_free(c);
  redress_case_free(same);
  redress_policy_free(reference); /* the C policy keeps its own reference */
  CHECK(h.released == 0);
  redress_policy_free(mine);
  CHECK(h.released == 1);
}

TEST(a_refusal_from_a_policy_in_c_carries_its_reason) {
  struct host h = {0, 0, 0};
  redress_policy *reference = test_policy();
  redress_policy *mine = host_policy(&h, reference);
  redress_case *c = case_with_order(mine);
  redress_buf step = REDRESS_BUF_INIT;
  static const char taxi[] =
      "{\"at\": \"2025-01-24T15:06:00+08:00\", \"type\": \"out_of_scope_request\", \"request\": \"a taxi home\"}";
  CHECK(redress_case_apply(&step, c, mine, taxi, strlen(taxi), "2025-01-24T15:06:00+08:00") == 0);
  CHECK(CONTAINS(step.ptr, "scope.out_of_scope"));
  CHECK(CONTAINS(step.ptr, "We do not run taxis."));
  redress_buf_dispose(&step);
  redress_case_free(c);
  redress_policy_free(mine);
  redress_policy_free(reference);
}

TEST(a_failing_policy_method_fails_the_event_with_policy_failed) {
  struct host h = {0, 0, 1};
  redress_policy *reference = test_policy();
  redress_policy *mine = host_policy(&h, reference);
  redress_case *c = case_with_order(reference);
  redress_buf before = REDRESS_BUF_INIT, after = REDRESS_BUF_INIT;
  CHECK(redress_case_json(&before, c) == 0);
  CHECK(redress_case_apply(NULL, c, mine, refund_150, strlen(refund_150), "2025-01-24T15:06:00+08:00") ==
        REDRESS_EPOLICY_FAILED);
  CHECK(CONTAINS(redress_error_last(), "authority"));
  CHECK(redress_case_json(&after, c) == 0);
  CHECK(before.ptr != NULL && after.ptr != NULL && strcmp(before.ptr, after.ptr) == 0);
  redress_buf_dispose(&before);
  redress_buf_dispose(&after);
  redress_case_free(c);
  redress_policy_free(reference);
  redress_policy_free(mine);
}

TEST(policy_control_reaches_the_host_only_for_its_own_operations) {
  struct host h = {0, 0, 0};
  int answer = 0;
  redress_policy *reference = test_policy();
  redress_policy *mine = host_policy(&h, reference);
  CHECK(redress_policy_control(mine, REDRESS_POLICY_CONTROL_USER, &answer) == 0);
  CHECK(answer == 42);
  CHECK(redress_policy_control(mine, 7, &answer) == REDRESS_ENOTSUPPORTED);
  CHECK(redress_policy_control(mine, REDRESS_POLICY_CONTROL_USER + 1, &answer) == REDRESS_ENOTSUPPORTED);
  CHECK(redress_policy_control(reference, REDRESS_POLICY_CONTROL_USER, &answer) == REDRESS_ENOTSUPPORTED);
  CHECK(redress_policy_control(NULL, REDRESS_POLICY_CONTROL_USER, &answer) == REDRESS_EINVALID_ARGUMENT);
  redress_policy_free(mine);
  redress_policy_free(reference);
}

TEST(a_policy_struct_of_an_unknown_version_or_without_fallback_is_refused) {
  redress_policy_impl impl = REDRESS_POLICY_INIT;
  redress_policy *reference = test_policy(), *mine = NULL;
  CHECK(redress_policy_init(&impl, 0) == REDRESS_EINVALID_ARGUMENT);
  CHECK(redress_policy_init(&impl, REDRESS_POLICY_VERSION + 1) == REDRESS_EINVALID_ARGUMENT);
  CHECK(redress_policy_new(&mine, &impl, NULL) == REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "fallback"));
  impl.version = REDRESS_POLICY_VERSION + 1;
  CHECK(redress_policy_new(&mine, &impl, reference) == REDRESS_EINVALID_ARGUMENT);
  CHECK(mine == NULL);
  impl.version = REDRESS_POLICY_VERSION; /* all methods NULL: the fallback answers everything */
  CHECK(redress_policy_new(&mine, &impl, reference) == 0);
  redress_policy_free(mine);
  redress_policy_free(reference);
}

/* A host whose records show `remedies` earlier remedies to the customer in
 * the last 30 days (negative: an answer out of range). */
struct prior {
  int64_t remedies;
};

static int prior_spend(redress_spend *out, const redress_policy_impl *self, const redress_case *c) {
  (void)c;
  out->has_customer_remedies_in_period = 1;
  out->customer_remedies_in_period = ((const struct prior *)self->user_data)->remedies;
  return 0;
}

/* The step of a 20 CNY gesture proposed under a policy allowing three
 * remedies per customer in 30 days, the host reporting `p`'s earlier ones
 * through a policy struct of `version`; its return code in *rc. */
static char *gesture_step(struct prior *p, unsigned int version, int *rc) {
  static const char doc[] =
      "{\"currency\": \"CNY\", \"calendar\": \"cn\", \"customer_cap_count\": 3, \"customer_cap_period\": \"PT720H\","
      " \"authority\": [{\"level\": 0, \"limit\": \"200\"}, {\"level\": 1}]}";
  static const char gesture[] =
      "{\"at\": \"2025-01-24T15:06:00+08:00\", \"type\": \"remedy_proposed\", \"remedy\": \"R-1\","
      " \"kind\": \"extra\", \"value\": \"20\", \"order\": \"O-1\"}";
  redress_policy *reference = NULL, *mine = NULL;
  redress_policy_impl impl;
  redress_case *c = NULL;
  redress_buf step = REDRESS_BUF_INIT;
  char *text = NULL;
  CHECK(redress_policy_parse(&reference, doc, strlen(doc)) == 0);
  CHECK(redress_policy_init(&impl, version) == 0);
  impl.user_data = p;
  impl.prior_spend = prior_spend;
  CHECK(redress_policy_new(&mine, &impl, reference) == 0);
  c = case_with_order(mine);
  *rc = redress_case_apply(&step, c, mine, gesture, strlen(gesture), "2025-01-24T15:06:00+08:00");
  if (step.ptr != NULL) {
    text = (char *)malloc(strlen(step.ptr) + 1);
    if (text != NULL) strcpy(text, step.ptr);
  }
  redress_buf_dispose(&step);
  redress_case_free(c);
  redress_policy_free(mine);
  redress_policy_free(reference);
  return text;
}

TEST(a_hosts_count_of_earlier_remedies_sends_the_fourth_in_30_days_for_approval) {
  struct prior third = {2}, fourth = {3};
  int rc = 0;
  char *step = gesture_step(&third, REDRESS_POLICY_VERSION, &rc);
  CHECK(rc == 0);
  CHECK(CONTAINS(step, "\"type\":\"offer\"") && !CONTAINS(step, "remedy.over_cap"));
  free(step);
  step = gesture_step(&fourth, REDRESS_POLICY_VERSION, &rc);
  CHECK(rc == 0);
  CHECK(CONTAINS(step, "remedy.over_cap"));
  CHECK(CONTAINS(step, "\"type\":\"request_approval\""));
  free(step);
}

TEST(a_version_1_policy_struct_reports_no_count_and_a_count_out_of_range_fails_the_event) {
  struct prior fourth = {3}, negative = {-1};
  int rc = 0;
  /* A version 1 host does not know the count member: it is not read. */
  char *step = gesture_step(&fourth, 1, &rc);
  CHECK(rc == 0);
  CHECK(!CONTAINS(step, "remedy.over_cap"));
  free(step);
  step = gesture_step(&negative, REDRESS_POLICY_VERSION, &rc);
  CHECK(rc == REDRESS_EPOLICY_FAILED);
  CHECK(CONTAINS(redress_error_last(), "customer_remedies_in_period"));
  free(step);
}

int main(void) {
  RUN(a_policy_document_that_does_not_parse_fails_naming_the_field);
  RUN(applying_an_event_advances_the_case_and_returns_the_step);
  RUN(an_event_that_does_not_fit_fails_with_invalid_event_and_leaves_the_case_unchanged);
  RUN(restoring_a_case_replays_its_journal_to_the_same_case);
  RUN(a_policy_in_c_answers_the_engine_and_the_fallback_answers_the_rest);
  RUN(a_refusal_from_a_policy_in_c_carries_its_reason);
  RUN(a_failing_policy_method_fails_the_event_with_policy_failed);
  RUN(policy_control_reaches_the_host_only_for_its_own_operations);
  RUN(a_policy_struct_of_an_unknown_version_or_without_fallback_is_refused);
  RUN(a_hosts_count_of_earlier_remedies_sends_the_fourth_in_30_days_for_approval);
  RUN(a_version_1_policy_struct_reports_no_count_and_a_count_out_of_range_fails_the_event);
  return finish();
}
