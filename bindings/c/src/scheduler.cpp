// The follow-up scheduler.
#include <fmt/format.h>

#include <redress/scheduler.hpp>

#include "glue.hpp"

struct redress_scheduler {
  redress::FollowUpScheduler value;
};

using namespace redress;
using c_api::guard;
using c_api::need;

extern "C" {

int redress_scheduler_new(redress_scheduler** out, const char* start) {
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    *out = nullptr;
    BOOST_OUTCOME_TRY(auto at, c_api::instant_arg(start, "start"));
    BOOST_OUTCOME_TRY(auto s, FollowUpScheduler::make(at));
    *out = new redress_scheduler{std::move(s)};
    return boost::outcome_v2::success();
  });
}

void redress_scheduler_free(redress_scheduler* s) { delete s; }

int redress_scheduler_schedule(uint64_t* handle_out, redress_scheduler* s, const char* due_at, uint64_t key) {
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(handle_out, "handle_out"));
    *handle_out = FollowUpHandle().to_bits();
    BOOST_OUTCOME_TRYV(need(s, "s"));
    BOOST_OUTCOME_TRY(auto due, c_api::instant_arg(due_at, "due_at"));
    BOOST_OUTCOME_TRY(auto handle, s->value.schedule(due, key));
    *handle_out = handle.to_bits();
    return boost::outcome_v2::success();
  });
}

int redress_scheduler_cancel(int* cancelled_out, redress_scheduler* s, uint64_t handle) {
  return guard([&]() -> result<void> {
    if (cancelled_out != nullptr) *cancelled_out = 0;
    BOOST_OUTCOME_TRYV(need(s, "s"));
    const bool cancelled = s->value.cancel(FollowUpHandle::from_bits(handle));
    if (cancelled_out != nullptr) *cancelled_out = cancelled ? 1 : 0;
    return boost::outcome_v2::success();
  });
}

int redress_scheduler_reschedule(redress_scheduler* s, uint64_t handle, const char* due_at) {
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(s, "s"));
    BOOST_OUTCOME_TRY(auto due, c_api::instant_arg(due_at, "due_at"));
    return s->value.reschedule(FollowUpHandle::from_bits(handle), due);
  });
}

int redress_scheduler_advance(size_t* fired_out, redress_scheduler* s, const char* now, redress_fired_cb cb,
                              void* payload) {
  int first_refusal = 0;
  const int rc = guard([&]() -> result<void> {
    if (fired_out != nullptr) *fired_out = 0;
    BOOST_OUTCOME_TRYV(need(s, "s"));
    BOOST_OUTCOME_TRY(auto at, c_api::instant_arg(now, "now"));
    BOOST_OUTCOME_TRY(auto fired, s->value.advance(at, [&](const FiredFollowUp& f) {
      if (cb == nullptr) return;
      const std::string due = format_instant(f.due_at_utc);
      const int r = cb(f.handle.to_bits(), f.key, due.c_str(), payload);
      if (r != 0 && first_refusal == 0) first_refusal = r;
    }));
    if (fired_out != nullptr) *fired_out = fired;
    if (first_refusal != 0) {
      c_api::fail(errc::invalid_argument, fmt::format("the fired callback returned {}", first_refusal));
    }
    return boost::outcome_v2::success();
  });
  return rc < 0 ? rc : (first_refusal != 0 ? REDRESS_EUSER : 0);
}

size_t redress_scheduler_size(const redress_scheduler* s) { return s != nullptr ? s->value.size() : 0; }

}  // extern "C"
