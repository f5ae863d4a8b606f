/* The follow-up scheduler through the C API. */
#include "check.h"

struct fired {
  int count;
  uint64_t keys[8];
  char due[8][REDRESS_TIME_SIZE];
  int refuse;
};

static int on_fired(uint64_t handle, uint64_t key, const char *due_at, void *payload) {
  struct fired *f = (struct fired *)payload;
  (void)handle;
  if (f->count < 8) {
    f->keys[f->count] = key;
    strncpy(f->due[f->count], due_at, REDRESS_TIME_SIZE - 1);
    f->due[f->count][REDRESS_TIME_SIZE - 1] = '\0';
  }
  f->count++;
  return f->refuse;
}

TEST(follow_ups_fire_in_due_order_with_their_keys) {
  redress_scheduler *s = NULL;
  struct fired f;
  uint64_t h1 = 0, h2 = 0;
  size_t n = 99;
  memset(&f, 0, sizeof f);
  CHECK(redress_scheduler_new(&s, "2025-01-24T15:00:00+08:00") == 0);
  CHECK(redress_scheduler_schedule(&h1, s, "2025-01-24T15:40:00+08:00", 2) == 0);
  CHECK(redress_scheduler_schedule(&h2, s, "2025-01-24T15:20:00+08:00", 1) == 0);
  CHECK(redress_scheduler_size(s) == 2);
  CHECK(redress_scheduler_advance(&n, s, "2025-01-24T15:10:00+08:00", on_fired, &f) == 0);
  CHECK(n == 0 && f.count == 0);
  CHECK(redress_scheduler_advance(&n, s, "2025-01-24T16:00:00+08:00", on_fired, &f) == 0);
  CHECK(n == 2 && f.count == 2);
  CHECK(f.keys[0] == 1 && f.keys[1] == 2);
  CHECK(strcmp(f.due[0], "2025-01-24T07:20:00Z") == 0);
  CHECK(redress_scheduler_size(s) == 0);
  redress_scheduler_free(s);
}

TEST(a_cancelled_follow_up_never_fires_and_its_handle_goes_stale) {
  redress_scheduler *s = NULL;
  uint64_t h = 0;
  int cancelled = -1;
  size_t n = 99;
  CHECK(redress_scheduler_new(&s, "2025-01-24T07:00:00Z") == 0);
  CHECK(redress_scheduler_schedule(&h, s, "2025-01-24T07:20:00Z", 7) == 0);
  CHECK(redress_scheduler_cancel(&cancelled, s, h) == 0);
  CHECK(cancelled == 1);
  CHECK(redress_scheduler_cancel(&cancelled, s, h) == 0);
  CHECK(cancelled == 0);
  CHECK(redress_scheduler_reschedule(s, h, "2025-01-24T08:00:00Z") == REDRESS_EINVALID_ARGUMENT);
  CHECK(redress_scheduler_advance(&n, s, "2025-01-25T00:00:00Z", NULL, NULL) == 0);
  CHECK(n == 0);
  redress_scheduler_free(s);
}

TEST(a_rescheduled_follow_up_fires_at_its_new_time) {
  redress_scheduler *s = NULL;
  uint64_t h = 0;
  size_t n = 99;
  CHECK(redress_scheduler_new(&s, "2025-01-24T07:00:00Z") == 0);
  CHECK(redress_scheduler_schedule(&h, s, "2025-01-24T07:20:00Z", 7) == 0);
  CHECK(redress_scheduler_reschedule(s, h, "2025-01-24T09:00:00Z") == 0);
  CHECK(redress_scheduler_advance(&n, s, "2025-01-24T08:00:00Z", NULL, NULL) == 0);
  CHECK(n == 0);
  CHECK(redress_scheduler_advance(&n, s, "2025-01-24T09:00:00Z", NULL, NULL) == 0);
  CHECK(n == 1);
  redress_scheduler_free(s);
}

TEST(a_callback_that_refuses_makes_advance_fail_with_user_after_delivering_all) {
  redress_scheduler *s = NULL;
  struct fired f;
  uint64_t h = 0;
  size_t n = 0;
  memset(&f, 0, sizeof f);
  f.refuse = 5;
  CHECK(redress_scheduler_new(&s, "2025-01-24T07:00:00Z") == 0);
  CHECK(redress_scheduler_schedule(&h, s, "2025-01-24T07:20:00Z", 1) == 0);
  CHECK(redress_scheduler_schedule(&h, s, "2025-01-24T07:30:00Z", 2) == 0);
  CHECK(redress_scheduler_advance(&n, s, "2025-01-24T08:00:00Z", on_fired, &f) == REDRESS_EUSER);
  CHECK(f.count == 2 && n == 2);
  CHECK(CONTAINS(redress_error_last(), "returned 5"));
  redress_scheduler_free(s);
}

TEST(times_beyond_the_horizon_or_malformed_are_refused) {
  redress_scheduler *s = NULL;
  uint64_t h = 0;
  CHECK(redress_scheduler_new(&s, "soon") == REDRESS_EINVALID_ARGUMENT);
  CHECK(s == NULL);
  CHECK(redress_scheduler_new(&s, "2025-01-24T07:00:00Z") == 0);
  CHECK(redress_scheduler_schedule(&h, s, "2400-01-01T00:00:00Z", 1) == REDRESS_EOUT_OF_RANGE);
  CHECK(redress_scheduler_schedule(NULL, s, "2025-01-24T07:20:00Z", 1) == REDRESS_EINVALID_ARGUMENT);
  CHECK(redress_scheduler_size(s) == 0);
  redress_scheduler_free(s);
}

int main(void) {
  RUN(follow_ups_fire_in_due_order_with_their_keys);
  RUN(a_cancelled_follow_up_never_fires_and_its_handle_goes_stale);
  RUN(a_rescheduled_follow_up_fires_at_its_new_time);
  RUN(a_callback_that_refuses_makes_advance_fail_with_user_after_delivering_all);
  RUN(times_beyond_the_horizon_or_malformed_are_refused);
  return finish();
}
