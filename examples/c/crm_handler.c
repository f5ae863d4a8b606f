/* The CRM request handler of examples/crm_handler.cpp, in C through the C
 * API, with the host's authority limits implemented in C (sys/policy.h) over
 * a reference policy that supplies everything else. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <redress/redress.h>
#include <redress/sys/policy.h>

/* The host's staff table: what each authority level may grant, in fen. */
struct staff_table {
  int64_t cash_limit_by_level[2];
};

static int authority(int64_t *limit_minor_out, int *unlimited_out, const redress_policy_impl *self, int level,
                     const char *remedy_kind) {
  const struct staff_table *staff = (const struct staff_table *)self->user_data;
  (void)remedy_kind;
  if (level < 0 || level >= 2) {
    *unlimited_out = 1;
  } else {
    *limit_minor_out = staff->cash_limit_by_level[level];
  }
  return 0;
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  char *text = NULL;
  long size;
  if (f == NULL) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
      (text = (char *)malloc((size_t)size + 1)) != NULL) {
    text[fread(text, 1, (size_t)size, f)] = '\0';
  }
  fclose(f);
  return text;
}

/* The reference policy: defaults and the China calendar. */
static redress_policy *reference_policy(void) {
  char *calendar = read_file(REDRESS_EXAMPLE_DATA_DIR "/calendars/cn.json");
  char *doc = calendar ? (char *)malloc(strlen(calendar) + 64) : NULL;
  redress_policy *policy = NULL;
  if (doc != NULL) {
    sprintf(doc, "{\"currency\": \"CNY\", \"calendar\": %s}", calendar);
    if (redress_policy_parse(&policy, doc, strlen(doc)) < 0) fprintf(stderr, "policy: %s\n", redress_error_last());
  }
  free(doc);
  free(calendar);
  return policy;
}

/* POST /cases/{id}/events: applies one event; prints the status and the body. */
static int post_event(redress_case *c, const redress_policy *policy, const char *event, const char *now) {
  redress_buf step = REDRESS_BUF_INIT;
  int rc = redress_case_apply(&step, c, policy, event, strlen(event), now);
  if (rc < 0) {
    int status = rc == REDRESS_EINVALID_EVENT ? 409 : rc == REDRESS_EINVALID_JSON ? 400 : 500;
    printf("%d {\"error\": \"%s\"} %s\n", status, redress_error_name(rc), redress_error_last());
    return status;
  }
  printf("200 %s (stage %s)\n", step.ptr, redress_case_stage(c));
  redress_buf_dispose(&step);
  return 200;
}

int main(void) {
  struct staff_table staff = {{10000, 200000}}; /* front line 100 CNY, supervisor 2000 CNY */
  redress_policy_impl impl = REDRESS_POLICY_INIT;
  redress_policy *reference = reference_policy(), *policy = NULL;
  redress_case *c = NULL;
  redress_buf json = REDRESS_BUF_INIT;
  const char *now = "2025-01-24T15:10:00+08:00";
  const char *events[4] = {
      "{\"at\": \"2025-01-24T15:00:00+08:00\", \"type\": \"contact_received\", \"channel\": \"chat\","
      " \"text\": \"My kettle leaks\"}",
      "{\"at\": \"2025-01-24T15:01:00+08:00\", \"type\": \"need_stated\", \"text\": \"my money back\"}",
      "{\"at\": \"2025-01-24T15:02:00+08:00\", \"type\": \"order_linked\","
      " \"order\": {\"id\": \"O-1\", \"loss\": {\"kind\": \"money\", \"amount\": \"150\"}}}",
      "{\"at\": \"2025-01-24T15:03:00+08:00\", \"type\": \"remedy_proposed\", \"remedy\": \"R-1\","
      " \"kind\": \"cash\", \"value\": \"150\", \"order\": \"O-1\"}"};
  int statuses[4], ok, i;

  impl.user_data = &staff;
  impl.authority = authority;
  if (reference == NULL || redress_policy_new(&policy, &impl, reference) < 0 ||
      redress_case_open(&c, "C-100", "U-100", "CNY", "2025-01-24T15:00:00+08:00") < 0) {
    fprintf(stderr, "setup: %s\n", redress_error_last());
    return 1;
  }
  for (i = 0; i < 4; ++i) statuses[i] = post_event(c, policy, events[i], now);
  /* 150 CNY is above this host's front line (100): the remedy awaits approval. */
  ok = statuses[0] == 200 && statuses[3] == 200 && redress_case_json(&json, c) == 0 &&
       strstr(json.ptr, "\"approval_requested\"") != NULL;
  /* An event that is not one: 400. */
  ok = ok && post_event(c, policy, "{\"type\": \"remedy_granted\"}", now) == 400;
  redress_buf_dispose(&json);
  redress_case_free(c);
  redress_policy_free(policy);
  redress_policy_free(reference);
  return ok ? 0 : 1;
}
