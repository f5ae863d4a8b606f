/* Business calendar queries through the C API, on the bundled China calendar. */
#include "check.h"
#include "fixture.h"

static redress_calendar *cn(void) {
  redress_calendar *cal = NULL;
  char *json = cn_calendar_json();
  CHECK(json != NULL);
  if (json != NULL) CHECK(redress_calendar_parse(&cal, json, strlen(json)) == 0);
  free(json);
  return cal;
}

TEST(a_make_up_sunday_is_a_working_day_and_a_holiday_is_not) {
  redress_calendar *cal = cn();
  int working = -1;
  CHECK(redress_calendar_is_working_day(&working, cal, "2025-01-26") == 0);
  CHECK(working == 1);
  CHECK(redress_calendar_is_working_day(&working, cal, "2025-01-29") == 0); /* Spring Festival */
  CHECK(working == 0);
  CHECK(redress_calendar_is_working_day(&working, cal, "1900-01-01") == REDRESS_EOUT_OF_RANGE);
  CHECK(redress_calendar_is_working_day(&working, cal, "2025-13-01") == REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "date"));
  redress_calendar_free(cal);
}

TEST(a_promise_made_on_friday_afternoon_is_due_on_monday_evening) {
  redress_calendar *cal = cn();
  char due[REDRESS_TIME_SIZE];
  CHECK(redress_calendar_due_after_working_days(due, sizeof due, cal, "2025-01-24T15:00:00+08:00", 2) == 0);
  CHECK(strcmp(due, "2025-01-27T13:00:00Z") == 0);
  redress_calendar_free(cal);
}

TEST(working_days_are_counted_and_added) {
  redress_calendar *cal = cn();
  char date[REDRESS_TIME_SIZE];
  int n = -1;
  CHECK(redress_calendar_add_working_days(date, sizeof date, cal, "2025-01-24", 1) == 0);
  CHECK(strcmp(date, "2025-01-26") == 0);
  CHECK(redress_calendar_working_days_between(&n, cal, "2025-01-20", "2025-01-27") == 0);
  CHECK(n == 6);
  /* from < d <= to: Friday the 24th itself is not counted, Saturday the 25th rests. */
  CHECK(redress_calendar_working_days_between(&n, cal, "2025-01-24", "2025-01-25") == 0);
  CHECK(n == 0);
  CHECK(redress_calendar_working_days_between(&n, cal, "2025-01-23", "2025-01-24") == 0);
  CHECK(n == 1);
  redress_calendar_free(cal);
}

TEST(opening_hours_are_answered_in_utc) {
  redress_calendar *cal = cn();
  char at[REDRESS_TIME_SIZE];
  int open = -1;
  CHECK(redress_calendar_is_open(&open, cal, "2025-01-24T03:00:00+08:00") == 0);
  CHECK(open == 0);
  CHECK(redress_calendar_next_opening(at, sizeof at, cal, "2025-01-24T03:00:00+08:00") == 0);
  CHECK(CONTAINS(at, "2025-01-2"));
  CHECK(redress_calendar_add_working_time(at, sizeof at, cal, "2025-01-24T15:00:00+08:00", 20 * 60) == 0);
  CHECK(strcmp(at, "2025-01-24T07:20:00Z") == 0);
  CHECK(redress_calendar_add_working_time(at, sizeof at, cal, "2025-01-24T15:00:00+08:00", -1) ==
        REDRESS_EOUT_OF_RANGE);
  redress_calendar_free(cal);
}

TEST(a_buffer_too_small_fails_with_invalid_argument) {
  redress_calendar *cal = cn();
  char small[8];
  CHECK(redress_calendar_add_working_days(small, sizeof small, cal, "2025-01-24", 1) == REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "11 bytes needed"));
  CHECK(redress_calendar_add_working_days(NULL, 40, cal, "2025-01-24", 1) == REDRESS_EINVALID_ARGUMENT);
  redress_calendar_free(cal);
}

TEST(a_calendar_that_contradicts_itself_is_refused) {
  redress_calendar *cal = NULL;
  static const char bad[] =
      "{\"time_zone\": \"UTC\", \"weekmask\": [\"Mon\"], \"service_hours\": [{\"opens\": \"18:00\", \"closes\": "
      "\"09:00\"}], \"first_date\": \"2025-01-01\", \"last_date\": \"2025-12-31\"}";
  CHECK(redress_calendar_parse(&cal, bad, strlen(bad)) < 0);
  CHECK(cal == NULL);
  CHECK(redress_calendar_parse(&cal, "[]", 2) == REDRESS_EINVALID_JSON);
}

int main(void) {
  RUN(a_make_up_sunday_is_a_working_day_and_a_holiday_is_not);
  RUN(a_promise_made_on_friday_afternoon_is_due_on_monday_evening);
  RUN(working_days_are_counted_and_added);
  RUN(opening_hours_are_answered_in_utc);
  RUN(a_buffer_too_small_fails_with_invalid_argument);
  RUN(a_calendar_that_contradicts_itself_is_refused);
  return finish();
}
