// Business calendar queries.
#include <redress/calendar.hpp>

#include "glue.hpp"

struct redress_calendar {
  redress::Calendar value;
};

using namespace redress;
using c_api::guard;
using c_api::need;

namespace {

// Runs `query` on a checked calendar.
template <class Query>
int with_calendar(const redress_calendar* cal, Query&& query) {
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(cal, "cal"));
    return query(cal->value);
  });
}

// Writes a query's answer to an int out parameter.
template <class T>
result<void> put_int(int* out, result<T> r) {
  BOOST_OUTCOME_TRYV(need(out, "out"));
  BOOST_OUTCOME_TRY(auto v, std::move(r));
  *out = static_cast<int>(v);
  return boost::outcome_v2::success();
}

}  // namespace

extern "C" {

int redress_calendar_parse(redress_calendar** out, const char* json, size_t len) {
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    *out = nullptr;
    BOOST_OUTCOME_TRY(auto text, c_api::text_arg(json, len, "calendar"));
    BOOST_OUTCOME_TRY(auto cal, Calendar::parse(text));
    *out = new redress_calendar{std::move(cal)};
    return boost::outcome_v2::success();
  });
}

void redress_calendar_free(redress_calendar* cal) { delete cal; }

int redress_calendar_is_working_day(int* out, const redress_calendar* cal, const char* date) {
  return with_calendar(cal, [&](const Calendar& c) -> result<void> {
    BOOST_OUTCOME_TRY(auto d, c_api::date_arg(date, "date"));
    return put_int(out, c.is_working_day(d));
  });
}

int redress_calendar_add_working_days(char* out, size_t size, const redress_calendar* cal, const char* date, int n) {
  return with_calendar(cal, [&](const Calendar& c) -> result<void> {
    BOOST_OUTCOME_TRY(auto d, c_api::date_arg(date, "date"));
    BOOST_OUTCOME_TRY(auto due, c.add_working_days(d, n));
    return c_api::put(out, size, format_date(due));
  });
}

int redress_calendar_working_days_between(int* out, const redress_calendar* cal, const char* from, const char* to) {
  return with_calendar(cal, [&](const Calendar& c) -> result<void> {
    BOOST_OUTCOME_TRY(auto a, c_api::date_arg(from, "from"));
    BOOST_OUTCOME_TRY(auto b, c_api::date_arg(to, "to"));
    return put_int(out, c.working_days_between(a, b));
  });
}

int redress_calendar_is_open(int* out, const redress_calendar* cal, const char* at) {
  return with_calendar(cal, [&](const Calendar& c) -> result<void> {
    BOOST_OUTCOME_TRY(auto t, c_api::instant_arg(at, "at"));
    return put_int(out, c.is_open(t));
  });
}

int redress_calendar_next_opening(char* out, size_t size, const redress_calendar* cal, const char* at) {
  return with_calendar(cal, [&](const Calendar& c) -> result<void> {
    BOOST_OUTCOME_TRY(auto t, c_api::instant_arg(at, "at"));
    BOOST_OUTCOME_TRY(auto next, c.next_opening(t));
    return c_api::put(out, size, format_instant(next));
  });
}

int redress_calendar_add_working_time(char* out, size_t size, const redress_calendar* cal, const char* from,
                                      int64_t seconds) {
  return with_calendar(cal, [&](const Calendar& c) -> result<void> {
    BOOST_OUTCOME_TRY(auto t, c_api::instant_arg(from, "from"));
    if (seconds < 0 || seconds > std::int64_t{Calendar::kMaxCoveredDays} * 86400) {
      return c_api::fail(errc::out_of_range, "seconds: outside [0, the calendar's span]");
    }
    BOOST_OUTCOME_TRY(auto due, c.add_working_time(t, boost::posix_time::seconds(static_cast<long>(seconds))));
    return c_api::put(out, size, format_instant(due));
  });
}

int redress_calendar_due_after_working_days(char* out, size_t size, const redress_calendar* cal, const char* from,
                                            int n) {
  return with_calendar(cal, [&](const Calendar& c) -> result<void> {
    BOOST_OUTCOME_TRY(auto t, c_api::instant_arg(from, "from"));
    BOOST_OUTCOME_TRY(auto due, c.due_after_working_days(t, n));
    return c_api::put(out, size, format_instant(due));
  });
}

}  // extern "C"
