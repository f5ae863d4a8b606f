"""Business calendars and the follow-up scheduler from Python."""

import datetime
import unittest

import redress
from support import CN_CALENDAR

UTC = datetime.timezone.utc


class CalendarTest(unittest.TestCase):
    def setUp(self):
        self.cn = redress.Calendar.load(CN_CALENDAR)

    def tearDown(self):
        self.cn.close()

    def test_a_make_up_sunday_is_a_working_day(self):
        self.assertTrue(self.cn.is_working_day("2025-01-26"))
        self.assertFalse(self.cn.is_working_day(datetime.date(2025, 1, 29)))

    def test_a_promise_made_on_friday_afternoon_is_due_on_monday_evening(self):
        due = self.cn.due_after_working_days("2025-01-24T15:00:00+08:00", 2)
        self.assertEqual(due, datetime.datetime(2025, 1, 27, 13, tzinfo=UTC))

    def test_working_days_are_added_and_counted(self):
        self.assertEqual(self.cn.add_working_days("2025-01-24", 1), datetime.date(2025, 1, 26))
        self.assertEqual(self.cn.working_days_between("2025-01-20", "2025-01-27"), 6)
        # (start, end]: Friday the 24th is not counted, Saturday the 25th is a rest day.
        self.assertEqual(self.cn.working_days_between("2025-01-24", "2025-01-25"), 0)
        # ... and end is: from Thursday to Friday is one working day.
        self.assertEqual(self.cn.working_days_between("2025-01-23", "2025-01-24"), 1)
        self.assertEqual(self.cn.working_days_between("2025-01-24", "2025-01-23"), -1)

    def test_working_time_skips_closed_hours(self):
        start = datetime.datetime(2025, 1, 24, 7, tzinfo=UTC)
        self.assertEqual(self.cn.add_working_time(start, datetime.timedelta(minutes=20)),
                         datetime.datetime(2025, 1, 24, 7, 20, tzinfo=UTC))
        self.assertFalse(self.cn.is_open("2025-01-24T03:00:00+08:00"))
        self.assertGreater(self.cn.next_opening("2025-01-24T03:00:00+08:00"),
                           datetime.datetime(2025, 1, 23, 19, tzinfo=UTC))

    def test_a_date_outside_the_calendar_raises_out_of_range(self):
        with self.assertRaises(redress.RedressError) as caught:
            self.cn.is_working_day("1900-01-01")
        self.assertEqual(caught.exception.code, redress.ErrorCode.OUT_OF_RANGE)


class SchedulerTest(unittest.TestCase):
    def test_follow_ups_fire_in_due_order_and_cancelled_ones_never(self):
        with redress.Scheduler("2025-01-24T07:00:00Z") as s:
            late = s.schedule("2025-01-24T07:40:00Z", 2)
            s.schedule("2025-01-24T07:20:00Z", 1)
            gone = s.schedule("2025-01-24T07:30:00Z", 3)
            self.assertTrue(s.cancel(gone))
            self.assertFalse(s.cancel(gone))
            self.assertEqual(len(s), 2)
            self.assertEqual(s.advance("2025-01-24T07:10:00Z"), [])
            fired = s.advance("2025-01-24T08:00:00Z")
            self.assertEqual([f.key for f in fired], [1, 2])
            self.assertEqual(fired[1].handle, late)
            self.assertEqual(fired[0].due_at, datetime.datetime(2025, 1, 24, 7, 20, tzinfo=UTC))

    def test_rescheduling_a_stale_handle_raises_invalid_argument(self):
        with redress.Scheduler("2025-01-24T07:00:00Z") as s:
            h = s.schedule("2025-01-24T07:20:00Z", 1)
            s.advance("2025-01-24T08:00:00Z")
            with self.assertRaises(redress.RedressError) as caught:
                s.reschedule(h, "2025-01-24T09:00:00Z")
            self.assertEqual(caught.exception.code, redress.ErrorCode.INVALID_ARGUMENT)


if __name__ == "__main__":
    unittest.main()
