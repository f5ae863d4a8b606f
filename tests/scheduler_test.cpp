#include "support/test.hpp"

#include <cstdint>
#include <map>
#include <random>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <redress/scheduler.hpp>

using namespace redress;
namespace pt = boost::posix_time;

namespace {

const Instant kStart = parse_instant("2025-01-24T07:00:00Z").value();

// A span of 24 hours (UTC instants have no daylight saving).
Duration days(long n) { return pt::hours(24 * n); }

FollowUpScheduler fresh() { return FollowUpScheduler::make(kStart).value(); }

// Advances `s` to `now` and returns what fired, in firing order.
std::vector<FiredFollowUp> advance_to(FollowUpScheduler& s, Instant now) {
  std::vector<FiredFollowUp> fired;
  auto n = s.advance(now, [&](const FiredFollowUp& f) { fired.push_back(f); });
  REQUIRE(n);
  CHECK(n.value() == fired.size());
  return fired;
}

std::vector<std::uint64_t> keys_of(const std::vector<FiredFollowUp>& fired) {
  std::vector<std::uint64_t> keys;
  for (const auto& f : fired) keys.push_back(f.key);
  return keys;
}

using Keys = std::vector<std::uint64_t>;

// The reference the property test compares with: a std::multimap ordered by
// (due second, schedule sequence), with the documented rounding.
class Reference {
 public:
  explicit Reference(Instant origin) : origin_(origin) {}

  std::int64_t now_s() const { return now_s_; }

  // Whole seconds after the origin, rounded up (due) or down (now).
  std::int64_t ceil_s(Instant at) const {
    const auto d = at - origin_;
    std::int64_t s = d.total_seconds();
    if (origin_ + pt::seconds(s) < at) ++s;
    return s;
  }
  std::int64_t floor_s(Instant at) const {
    const auto d = at - origin_;
    std::int64_t s = d.total_seconds();
    if (origin_ + pt::seconds(s) > at) --s;
    return s;
  }

  void schedule(FollowUpHandle h, std::uint64_t key, Instant due) {
    const std::int64_t due_s = std::max(ceil_s(due), now_s_);
    where_[h] = queue_.emplace(std::pair{due_s, seq_++}, std::pair{h, key});
  }
  bool pending(FollowUpHandle h) const { return where_.contains(h); }
  bool cancel(FollowUpHandle h) {
    auto it = where_.find(h);
    if (it == where_.end()) return false;
    queue_.erase(it->second);
    where_.erase(it);
    return true;
  }
  void reschedule(FollowUpHandle h, Instant due) {
    const std::uint64_t key = where_.at(h)->second.second;
    cancel(h);
    schedule(h, key, due);
  }
  std::vector<FiredFollowUp> advance(Instant now) {
    now_s_ = floor_s(now);
    std::vector<FiredFollowUp> fired;
    while (!queue_.empty() && queue_.begin()->first.first <= now_s_) {
      auto it = queue_.begin();
      fired.push_back({it->second.first, it->second.second, origin_ + pt::seconds(it->first.first)});
      where_.erase(it->second.first);
      queue_.erase(it);
    }
    return fired;
  }
  std::size_t size() const { return queue_.size(); }
  Instant due_at(FollowUpHandle h) const { return origin_ + pt::seconds(where_.at(h)->first.first); }

 private:
  using Queue = std::multimap<std::pair<std::int64_t, std::uint64_t>, std::pair<FollowUpHandle, std::uint64_t>>;
  Instant origin_;
  std::int64_t now_s_ = 0;
  std::uint64_t seq_ = 0;
  Queue queue_;
  std::unordered_map<FollowUpHandle, Queue::iterator> where_;
};

}  // namespace

TEST_SUITE("scheduler") {
  TEST_CASE("handles and fired records are regular values") {
    static_assert(std::is_trivially_copyable_v<FollowUpHandle>);
    static_assert(std::is_nothrow_default_constructible_v<FollowUpHandle>);
    static_assert(std::totally_ordered<FollowUpHandle>);
    static_assert(sizeof(FollowUpHandle) == 8);
    static_assert(std::regular<FiredFollowUp>);
    static_assert(std::is_copy_constructible_v<FollowUpScheduler>);
    static_assert(std::is_nothrow_move_constructible_v<FollowUpScheduler>);
    static_assert(std::is_nothrow_move_assignable_v<FollowUpScheduler>);
    static_assert(!std::is_default_constructible_v<FollowUpScheduler>);
    constexpr auto h = FollowUpHandle::from_bits(0x0000'0007'0000'0003u);
    static_assert(h.to_bits() == 0x0000'0007'0000'0003u);
    static_assert(FollowUpHandle{} != h);
    CHECK(std::hash<FollowUpHandle>{}(h) == std::hash<std::uint64_t>{}(h.to_bits()));
  }

  TEST_CASE("a follow-up fires when the scheduler's time reaches its due second, not before") {
    auto s = fresh();
    auto h = s.schedule(kStart + pt::minutes(20), 42);
    REQUIRE(h);
    CHECK(s.size() == 1);
    CHECK(s.is_pending(h.value()));
    CHECK(s.due_at_utc(h.value()).value() == kStart + pt::minutes(20));
    CHECK(advance_to(s, kStart + pt::minutes(20) - pt::microseconds(1)).empty());
    CHECK(s.now_utc() == kStart + pt::minutes(20) - pt::seconds(1));
    auto fired = advance_to(s, kStart + pt::minutes(20));
    REQUIRE(fired.size() == 1);
    CHECK(fired[0] == FiredFollowUp{h.value(), 42, kStart + pt::minutes(20)});
    CHECK_FALSE(s.is_pending(h.value()));
    CHECK(s.empty());
    CHECK(advance_to(s, kStart + pt::hours(1)).empty());
  }

  TEST_CASE("a sub-second due time rounds up so nothing fires early") {
    auto s = fresh();
    const Instant due = kStart + pt::seconds(10) + pt::milliseconds(1);
    auto h = s.schedule(due, 1).value();
    CHECK(s.due_at_utc(h).value() == kStart + pt::seconds(11));
    CHECK(advance_to(s, kStart + pt::seconds(10) + pt::milliseconds(999)).empty());
    auto fired = advance_to(s, kStart + pt::seconds(11) + pt::milliseconds(500));
    REQUIRE(fired.size() == 1);
    CHECK(fired[0].due_at_utc == kStart + pt::seconds(11));
    CHECK(fired[0].due_at_utc >= due);
  }

  TEST_CASE("the start instant is rounded down to a whole second") {
    auto s = FollowUpScheduler::make(kStart + pt::milliseconds(700)).value();
    CHECK(s.now_utc() == kStart);
    CHECK(s.horizon_utc() == kStart + pt::seconds(0xFFFF'FFFFll));
  }

  TEST_CASE("follow-ups fire in due order and same-second ones in schedule order") {
    auto s = fresh();
    // Scheduled out of order, with three sharing one second and one far enough
    // ahead to be cascaded from a higher level of the wheel.
    const Instant t = kStart + pt::hours(5);
    s.schedule(t + pt::seconds(1), 1).value();
    s.schedule(t, 2).value();
    s.schedule(t + pt::milliseconds(300), 3).value();  // rounds up to t + 1 s, after key 1
    s.schedule(t - pt::hours(4), 4).value();
    s.schedule(t, 5).value();
    // Close to t, a later schedule lands directly on a low level; it must
    // still fire after the earlier ones cascaded into the same second.
    advance_to(s, kStart + pt::hours(1));
    CHECK(s.size() == 4);
    advance_to(s, t - pt::seconds(30));
    s.schedule(t, 6).value();
    CHECK(keys_of(advance_to(s, t + days(1))) == Keys{2, 5, 6, 1, 3});
  }

  TEST_CASE("a cancelled follow-up never fires") {
    auto s = fresh();
    auto a = s.schedule(kStart + pt::seconds(5), 1).value();
    auto b = s.schedule(kStart + pt::seconds(5), 2).value();
    auto c = s.schedule(kStart + days(40), 3).value();
    CHECK(s.cancel(b));
    CHECK(s.cancel(c));
    CHECK(s.size() == 1);
    CHECK_FALSE(s.is_pending(b));
    CHECK(keys_of(advance_to(s, kStart + days(400))) == Keys{1});
    CHECK_FALSE(s.is_pending(a));
  }

  TEST_CASE("cancelling a fired, cancelled or foreign handle is a no-op that returns false") {
    auto s = fresh();
    auto fired = s.schedule(kStart + pt::seconds(1), 1).value();
    auto cancelled = s.schedule(kStart + pt::seconds(2), 2).value();
    CHECK(s.cancel(cancelled));
    CHECK_FALSE(s.cancel(cancelled));
    advance_to(s, kStart + pt::seconds(1));
    CHECK_FALSE(s.cancel(fired));
    // The freed slots are reused; the old handles must not reach the new follow-ups.
    auto reused_a = s.schedule(kStart + pt::seconds(10), 3).value();
    auto reused_b = s.schedule(kStart + pt::seconds(10), 4).value();
    CHECK_FALSE(s.cancel(fired));
    CHECK_FALSE(s.cancel(cancelled));
    CHECK_FALSE(s.cancel(FollowUpHandle{}));
    CHECK_FALSE(s.cancel(FollowUpHandle::from_bits(0x0000'0000'0000'0002u)));  // an even generation is never issued
    CHECK_FALSE(s.cancel(FollowUpHandle::from_bits(0x0000'7000'0000'0001u)));  // a slot never handed out
    CHECK(s.size() == 2);
    CHECK(s.is_pending(reused_a));
    CHECK(s.is_pending(reused_b));
    CHECK(keys_of(advance_to(s, kStart + pt::seconds(10))) == Keys{3, 4});
  }

  TEST_CASE("a slot reused at once after a cancel fires only for its new follow-up") {
    auto s = fresh();
    auto old = s.schedule(kStart + pt::seconds(5), 1).value();
    CHECK(s.cancel(old));
    // The slot is reused while the cancelled entry still sits in its bucket.
    auto reused = s.schedule(kStart + pt::seconds(9), 2).value();
    CHECK((reused.to_bits() >> 32) == (old.to_bits() >> 32));
    CHECK(advance_to(s, kStart + pt::seconds(8)).empty());
    CHECK(s.is_pending(reused));
    CHECK(keys_of(advance_to(s, kStart + pt::seconds(9))) == Keys{2});
    CHECK(s.empty());
  }

  TEST_CASE("moving a follow-up away and back leaves it after those scheduled in between") {
    auto s = fresh();
    const Instant t = kStart + pt::seconds(30);
    auto h = s.schedule(t, 1).value();
    s.schedule(t, 2).value();
    REQUIRE(s.reschedule(h, t + pt::seconds(5)));
    s.schedule(t, 3).value();
    REQUIRE(s.reschedule(h, t));  // its first entry is still in the bucket, stale
    CHECK(keys_of(advance_to(s, t + pt::seconds(5))) == Keys{2, 3, 1});
  }

  TEST_CASE("next_check_utc skips a second whose follow-ups were all cancelled") {
    auto s = fresh();
    auto gone = s.schedule(kStart + pt::seconds(5), 1).value();
    s.schedule(kStart + pt::seconds(9), 2).value();
    CHECK(s.cancel(gone));
    CHECK(s.next_check_utc() == kStart + pt::seconds(9));
    CHECK(s.cancel(s.schedule(kStart + pt::seconds(7), 3).value()));
    CHECK(s.next_check_utc() == kStart + pt::seconds(9));
    auto last = s.schedule(kStart + days(2), 4).value();
    CHECK(keys_of(advance_to(s, kStart + pt::seconds(9))) == Keys{2});
    CHECK(s.cancel(last));
    CHECK_FALSE(s.next_check_utc());
  }

  TEST_CASE("rescheduling keeps the handle and the key and counts as a new schedule for ties") {
    auto s = fresh();
    auto a = s.schedule(kStart + pt::minutes(20), 1).value();
    auto b = s.schedule(kStart + pt::minutes(40), 2).value();
    REQUIRE(s.reschedule(a, kStart + pt::minutes(40)));
    CHECK(s.due_at_utc(a).value() == kStart + pt::minutes(40));
    CHECK(advance_to(s, kStart + pt::minutes(39)).empty());
    auto fired = advance_to(s, kStart + pt::minutes(40));
    REQUIRE(fired.size() == 2);
    CHECK(fired[0].handle == b);
    CHECK(fired[1] == FiredFollowUp{a, 1, kStart + pt::minutes(40)});
  }

  TEST_CASE("rescheduling a stale handle fails with invalid_argument and changes nothing") {
    auto s = fresh();
    auto a = s.schedule(kStart + pt::seconds(3), 1).value();
    auto b = s.schedule(kStart + pt::seconds(9), 2).value();
    REQUIRE(s.cancel(a));
    auto r = s.reschedule(a, kStart + pt::seconds(5));
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_argument);
    CHECK(last_error_detail().find("handle") != std::string_view::npos);
    auto d = s.due_at_utc(a);
    REQUIRE_FALSE(d);
    CHECK(d.error() == errc::invalid_argument);
    CHECK(s.size() == 1);
    CHECK(keys_of(advance_to(s, kStart + pt::seconds(9))) == Keys{2});
    CHECK_FALSE(s.is_pending(b));
  }

  TEST_CASE("a due time already past fires on the next advance, before anything later") {
    auto s = fresh();
    advance_to(s, kStart + pt::hours(2));
    s.schedule(kStart + pt::hours(2) + pt::seconds(1), 1).value();
    auto late = s.schedule(kStart - days(3), 2).value();
    s.schedule(kStart + pt::hours(1), 3).value();
    s.schedule(kStart + pt::hours(2), 4).value();  // exactly now
    CHECK(s.due_at_utc(late).value() == kStart + pt::hours(2));
    CHECK(keys_of(advance_to(s, kStart + pt::hours(2))) == Keys{2, 3, 4});
    CHECK(keys_of(advance_to(s, kStart + pt::hours(3))) == Keys{1});
  }

  TEST_CASE("far-future follow-ups fire at their second, in one jump or many steps") {
    const Instant year = kStart + pt::hours(24 * 365);
    const Instant decade = kStart + pt::hours(24 * 3653) + pt::seconds(17);
    const Instant century = kStart + pt::hours(24 * 36524) + pt::seconds(59);
    SUBCASE("one jump") {
      auto s = fresh();
      s.schedule(century, 3).value();
      s.schedule(year, 1).value();
      s.schedule(decade, 2).value();
      auto fired = advance_to(s, century);
      REQUIRE(fired.size() == 3);
      CHECK(fired[0].due_at_utc == year);
      CHECK(fired[1].due_at_utc == decade);
      CHECK(fired[2].due_at_utc == century);
    }
    SUBCASE("steps that stop a second short of each") {
      auto s = fresh();
      s.schedule(century, 3).value();
      s.schedule(year, 1).value();
      s.schedule(decade, 2).value();
      for (Instant due : {year, decade, century}) {
        CHECK(advance_to(s, due - pt::seconds(1)).empty());
        auto fired = advance_to(s, due);
        REQUIRE(fired.size() == 1);
        CHECK(fired[0].due_at_utc == due);
      }
      CHECK(s.empty());
    }
  }

  TEST_CASE("an advance that finds nothing due fires nothing and moves the time") {
    auto s = fresh();
    s.schedule(kStart + days(30), 1).value();
    for (int i = 1; i <= 100; ++i) {
      auto n = s.advance(kStart + pt::minutes(i), [](const FiredFollowUp&) { FAIL("nothing is due"); });
      REQUIRE(n);
      CHECK(n.value() == 0);
    }
    CHECK(s.now_utc() == kStart + pt::minutes(100));
    CHECK(s.size() == 1);
  }

  TEST_CASE("not-a-date-time and infinite instants fail with invalid_argument and change nothing") {
    CHECK(FollowUpScheduler::make(Instant()).error() == errc::invalid_argument);
    CHECK(last_error_detail().find("start_utc") != std::string_view::npos);
    auto s = fresh();
    auto h = s.schedule(kStart + pt::seconds(5), 1).value();
    for (Instant bad : {Instant(), Instant(boost::date_time::pos_infin), Instant(boost::date_time::neg_infin)}) {
      auto r = s.schedule(bad, 2);
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_argument);
      CHECK(last_error_detail().find("due_at_utc") != std::string_view::npos);
      CHECK(s.reschedule(h, bad).error() == errc::invalid_argument);
      auto a = s.advance(bad, [](const FiredFollowUp&) {});
      REQUIRE_FALSE(a);
      CHECK(a.error() == errc::invalid_argument);
      CHECK(last_error_detail().find("now_utc") != std::string_view::npos);
    }
    CHECK(s.size() == 1);
    CHECK(s.due_at_utc(h).value() == kStart + pt::seconds(5));
    CHECK(s.now_utc() == kStart);
  }

  TEST_CASE("due and advance times after the horizon fail with out_of_range") {
    auto s = fresh();
    const Instant horizon = s.horizon_utc();
    auto h = s.schedule(horizon, 1);
    REQUIRE(h);
    auto r = s.schedule(horizon + pt::microseconds(1), 2);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::out_of_range);
    CHECK(last_error_detail().find("horizon") != std::string_view::npos);
    CHECK(s.reschedule(h.value(), horizon + pt::seconds(1)).error() == errc::out_of_range);
    CHECK(s.due_at_utc(h.value()).value() == horizon);
    auto a = s.advance(horizon + pt::seconds(1), [](const FiredFollowUp&) {});
    REQUIRE_FALSE(a);
    CHECK(a.error() == errc::out_of_range);
    CHECK(s.now_utc() == kStart);
    CHECK(keys_of(advance_to(s, horizon)) == Keys{1});
  }

  TEST_CASE("time never goes back: an earlier advance fails with invalid_argument") {
    auto s = fresh();
    s.schedule(kStart + pt::seconds(50), 1).value();
    advance_to(s, kStart + pt::seconds(20) + pt::milliseconds(600));
    auto r = s.advance(kStart + pt::seconds(19), [](const FiredFollowUp&) {});
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_argument);
    CHECK(last_error_detail().find("before the scheduler's time") != std::string_view::npos);
    CHECK(s.now_utc() == kStart + pt::seconds(20));
    // Within the current second is not going back at this resolution.
    CHECK(s.advance(kStart + pt::seconds(20) + pt::milliseconds(100), [](const FiredFollowUp&) {}));
    CHECK(keys_of(advance_to(s, kStart + pt::seconds(50))) == Keys{1});
  }

  TEST_CASE("instants at the edges of the current second, the next deadline and the horizon") {
    // schedule() and advance() test an instant against tick ranges kept
    // beside the time; these are the instants at the ends of those ranges.
    auto s = fresh();
    const Instant now = kStart + pt::seconds(100);
    advance_to(s, now + pt::milliseconds(250));
    CHECK(s.now_utc() == now);
    auto at_now = s.schedule(now, 1).value();                               // the current second: due now
    auto in_now = s.schedule(now + pt::milliseconds(250), 2).value();       // within it: the next second
    auto next = s.schedule(now + pt::seconds(1), 3).value();                // exactly the next second
    auto after = s.schedule(now + pt::seconds(1) + pt::microseconds(1), 4).value();
    CHECK(s.due_at_utc(at_now).value() == now);
    CHECK(s.due_at_utc(in_now).value() == now + pt::seconds(1));
    CHECK(s.due_at_utc(next).value() == now + pt::seconds(1));
    CHECK(s.due_at_utc(after).value() == now + pt::seconds(2));
    // Due now: the very same instant fires it.
    CHECK(keys_of(advance_to(s, now + pt::milliseconds(250))) == Keys{1});
    CHECK(advance_to(s, now + pt::seconds(1) - pt::microseconds(1)).empty());
    CHECK(keys_of(advance_to(s, now + pt::seconds(1))) == Keys{2, 3});
    CHECK(keys_of(advance_to(s, now + pt::seconds(2))) == Keys{4});

    // Seconds that pass with nothing due move the time, and it never goes back.
    s.schedule(now + pt::seconds(60), 5).value();
    CHECK(advance_to(s, now + pt::seconds(7) + pt::milliseconds(1)).empty());
    CHECK(s.now_utc() == now + pt::seconds(7));
    CHECK(advance_to(s, now + pt::seconds(7)).empty());
    auto back = s.advance(now + pt::seconds(7) - pt::microseconds(1), [](const FiredFollowUp&) {});
    REQUIRE_FALSE(back);
    CHECK(back.error() == errc::invalid_argument);
    CHECK(last_error_detail().find("before the scheduler's time") != std::string_view::npos);
    CHECK(s.now_utc() == now + pt::seconds(7));
    CHECK(s.schedule(now + pt::seconds(7), 6).value() != FollowUpHandle());  // due now again
    CHECK(keys_of(advance_to(s, now + pt::seconds(7))) == Keys{6});
    CHECK(advance_to(s, now + pt::seconds(60) - pt::microseconds(1)).empty());
    CHECK(keys_of(advance_to(s, now + pt::seconds(60))) == Keys{5});

    // Near the horizon the range of due times shrinks with it.
    const Instant horizon = s.horizon_utc();
    advance_to(s, horizon - pt::seconds(2));
    CHECK(s.schedule(horizon, 7));
    CHECK(s.schedule(horizon + pt::microseconds(1), 8).error() == errc::out_of_range);
    CHECK(s.schedule(horizon - pt::hours(1), 9));  // past: due now
    CHECK(keys_of(advance_to(s, horizon - pt::seconds(2))) == Keys{9});
    CHECK(keys_of(advance_to(s, horizon + pt::microseconds(1))) == Keys{7});  // rounds down to the horizon
    CHECK(s.advance(horizon + pt::seconds(1), [](const FiredFollowUp&) {}).error() == errc::out_of_range);
    CHECK(s.now_utc() == horizon);
    CHECK(s.schedule(horizon, 10));
    CHECK(keys_of(advance_to(s, horizon)) == Keys{10});
  }

  TEST_CASE("a copy made inside on_fire advances on its own while the original refuses to re-enter") {
    auto s = fresh();
    const Instant t = kStart + pt::seconds(5);
    s.schedule(t, 1).value();
    s.schedule(t + pt::seconds(1), 2).value();
    std::vector<FiredFollowUp> copied;
    auto n = s.advance(t, [&](const FiredFollowUp&) {
      FollowUpScheduler copy = s;
      CHECK(copy.advance(t, [](const FiredFollowUp&) {}));          // nothing due at t in the copy
      CHECK(keys_of(advance_to(copy, t + pt::seconds(1))) == Keys{2});
      CHECK_FALSE(s.advance(t, [](const FiredFollowUp&) {}));       // the original is advancing
    });
    REQUIRE(n);
    CHECK(n.value() == 1);
    CHECK(advance_to(s, t + pt::milliseconds(999)).empty());
    CHECK(keys_of(advance_to(s, t + pt::seconds(1))) == Keys{2});
  }

  TEST_CASE("an instant's tick count is what ptime arithmetic gives") {
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<std::int64_t> offset(-(std::int64_t{1} << 50), std::int64_t{1} << 50);
    for (int i = 0; i < 1000; ++i) {
      const Instant a = kStart + pt::microseconds(offset(rng));
      const Instant b = kStart + pt::microseconds(offset(rng));
      CHECK(detail::InstantTicks::of(a) - detail::InstantTicks::of(b) == (a - b).ticks());
    }
  }

  TEST_CASE("on_fire may schedule and cancel, and what it schedules for now fires in the same advance") {
    auto s = fresh();
    const Instant t = kStart + pt::minutes(3);
    s.schedule(t, 1).value();
    auto doomed = s.schedule(t, 2).value();
    s.schedule(t + pt::seconds(1), 3).value();
    std::vector<std::uint64_t> order;
    auto n = s.advance(t + pt::seconds(1), [&](const FiredFollowUp& f) {
      order.push_back(f.key);
      if (f.key == 1) {
        CHECK(s.cancel(doomed));
        s.schedule(t - pt::hours(1), 10).value();    // past: fires in this call, after key 1's second
        s.schedule(t + pt::hours(1), 11).value();    // later: stays pending
        auto inner = s.advance(t, [](const FiredFollowUp&) {});
        REQUIRE_FALSE(inner);
        CHECK(inner.error() == errc::invalid_argument);
        CHECK(last_error_detail().find("on_fire") != std::string_view::npos);
      }
    });
    REQUIRE(n);
    CHECK(order == Keys{1, 10, 3});
    CHECK(n.value() == 3);
    CHECK(s.size() == 1);
  }

  TEST_CASE("an exception from on_fire propagates and the rest stay pending") {
    auto s = fresh();
    for (std::uint64_t k = 1; k <= 3; ++k) s.schedule(kStart + pt::seconds(static_cast<long>(k)), k).value();
    auto throwing = [](const FiredFollowUp& f) {
      if (f.key == 2) throw std::runtime_error("host failure");
    };
    CHECK_THROWS_AS(static_cast<void>(s.advance(kStart + pt::seconds(3), throwing)), std::runtime_error);
    CHECK(s.size() == 1);
    CHECK(keys_of(advance_to(s, kStart + pt::seconds(3))) == Keys{3});
  }

  TEST_CASE("next_check_utc is never after the next due follow-up and reaches it") {
    auto s = fresh();
    CHECK_FALSE(s.next_check_utc());
    const Instant due = kStart + pt::hours(24 * 100) + pt::seconds(123);
    s.schedule(due, 7).value();
    std::size_t checks = 0;
    std::vector<FiredFollowUp> fired;
    while (auto at = s.next_check_utc()) {
      REQUIRE(*at <= due);
      ++checks;
      REQUIRE(checks < 10);
      fired = advance_to(s, *at);
    }
    REQUIRE(fired.size() == 1);
    CHECK(fired[0].due_at_utc == due);
    CHECK(s.now_utc() == due);
  }

  TEST_CASE("a copy is independent and a moved-from scheduler is empty at the same time") {
    auto s = fresh();
    auto h = s.schedule(kStart + pt::seconds(30), 1).value();
    s.schedule(kStart + days(2), 2).value();
    advance_to(s, kStart + pt::seconds(10));
    FollowUpScheduler copy = s;
    CHECK(copy.cancel(h));
    CHECK(s.is_pending(h));
    CHECK(keys_of(advance_to(s, kStart + days(3))) == Keys{1, 2});
    CHECK(keys_of(advance_to(copy, kStart + days(3))) == Keys{2});

    auto source = fresh();
    source.schedule(kStart + pt::seconds(30), 3).value();
    advance_to(source, kStart + pt::seconds(10));
    FollowUpScheduler moved = std::move(source);
    CHECK(moved.size() == 1);
    CHECK(source.empty());  // NOLINT(bugprone-use-after-move): the documented moved-from state
    CHECK(source.now_utc() == kStart + pt::seconds(10));
    CHECK(source.schedule(kStart + pt::seconds(40), 4));
    copy = std::move(moved);
    CHECK(keys_of(advance_to(copy, kStart + pt::seconds(30))) == Keys{3});
    CHECK(keys_of(advance_to(source, kStart + pt::seconds(40))) == Keys{4});
  }

  TEST_CASE("memory stays within 30 bytes a follow-up, holes left by cancels included") {
    auto s = fresh();
    const std::size_t empty_bytes = s.allocated_bytes();
    constexpr std::uint64_t n = 200'000;
    std::vector<FollowUpHandle> handles;
    std::mt19937_64 rng(7);
    for (std::uint64_t k = 0; k < n; ++k) {
      handles.push_back(s.schedule(kStart + pt::seconds(static_cast<long>(rng() % (30 * 86'400))), k).value());
    }
    // Fixed costs: one partly used chunk of slots and of entries, and the
    // blocks kept free for cascades.
    constexpr std::size_t overhead = 512 * 1024;
    const std::size_t full = s.allocated_bytes() - empty_bytes;
    CHECK(full <= (FollowUpScheduler::kBytesPerSlot + FollowUpScheduler::kBytesPerEntry) * n + overhead);
    // Cancel every other one and move the rest: each leaves a hole, and once
    // holes outnumber three quarters of the pending follow-ups the wheel
    // compacts buckets rather than grow, so the same number of follow-ups
    // never needs more than a slot and 1.75 entries each: 30 bytes.
    for (std::size_t i = 0; i < handles.size(); i += 2) CHECK(s.cancel(handles[i]));
    for (std::size_t i = 1; i < handles.size(); i += 2) {
      CHECK(s.reschedule(handles[i], kStart + pt::seconds(static_cast<long>(rng() % (30 * 86'400)))));
    }
    for (std::uint64_t k = 0; k < n / 2; ++k) s.schedule(kStart + pt::seconds(static_cast<long>(k % 977)), k).value();
    CHECK(s.size() == n);
    constexpr std::size_t bound = FollowUpScheduler::kBytesPerSlot + FollowUpScheduler::kBytesPerEntry * 7 / 4;
    CHECK(bound == 30);
    CHECK(s.allocated_bytes() - empty_bytes <= bound * n + overhead);
    // Everything still fires exactly once.
    CHECK(advance_to(s, kStart + days(31)).size() == n);
    CHECK(s.empty());
  }

  TEST_CASE("cancels take no memory and the schedules after them reuse what they left") {
    auto s = fresh();
    constexpr std::uint64_t n = 120'000;
    std::vector<FollowUpHandle> handles;
    std::mt19937_64 rng(5);
    auto due = [&] { return kStart + pt::seconds(static_cast<long>(1 + rng() % (30 * 86'400))); };
    for (std::uint64_t k = 0; k < n; ++k) handles.push_back(s.schedule(due(), k).value());
    const std::size_t full = s.allocated_bytes();
    // Cancel seven in eight: the slots are free at once, the entries stale.
    for (std::size_t i = 0; i < handles.size(); ++i) {
      if (i % 8 != 0) CHECK(s.cancel(handles[i]));
    }
    CHECK(s.size() == n / 8);
    CHECK(s.allocated_bytes() == full);
    // New ones take the free slots, and the stale entries, far more than
    // three quarters of the pending follow-ups, are compacted away rather
    // than more storage taken (n / 8 more entries would take 120 KB).
    std::vector<FollowUpHandle> added;
    std::vector<Instant> added_due;
    for (std::uint64_t k = 0; k < n / 8; ++k) {
      added_due.push_back(due());
      added.push_back(s.schedule(added_due.back(), n + k).value());
    }
    CHECK(s.size() == n / 4);
    CHECK(s.allocated_bytes() == full);
    // Every new one knows its due time, wherever compaction moved its entry,
    // and everything fires once.
    for (std::size_t i = 0; i < added.size(); ++i) CHECK(s.due_at_utc(added[i]).value() == added_due[i]);
    CHECK(advance_to(s, kStart + days(31)).size() == n / 4);
    CHECK(s.empty());
  }

  TEST_CASE("a large scheduler copies and fires like a small one") {
    auto s = fresh();
    // 450'000 slots of 16 bytes: over a hundred chunks.
    constexpr std::uint64_t n = 450'000;
    std::vector<FollowUpHandle> handles;
    for (std::uint64_t k = 0; k < n; ++k) {
      handles.push_back(s.schedule(kStart + pt::seconds(static_cast<long>(1 + k % 1'000)), k).value());
    }
    FollowUpScheduler copy = s;
    for (std::uint64_t k = 0; k < n; k += 3) CHECK(copy.cancel(handles[k]));
    CHECK(s.size() == n);
    CHECK(copy.size() == n - n / 3);
    std::uint64_t fired = 0;
    std::uint64_t copy_fired = 0;
    std::uint64_t last_key_sum = 0;
    REQUIRE(s.advance(kStart + pt::seconds(1'000), [&](const FiredFollowUp& f) {
      ++fired;
      last_key_sum += f.key;
    }));
    REQUIRE(copy.advance(kStart + pt::seconds(1'000), [&](const FiredFollowUp& f) {
      ++copy_fired;
      CHECK(f.key % 3 != 0);
    }));
    CHECK(fired == n);
    CHECK(last_key_sum == n * (n - 1) / 2);
    CHECK(copy_fired == n - n / 3);
    CHECK(s.empty());
    CHECK(copy.empty());
  }

  TEST_CASE("compacting buckets full of holes keeps due order and schedule order") {
    auto s = fresh();
    Reference ref(kStart);
    std::mt19937_64 rng(11);
    std::vector<FollowUpHandle> handles;
    // Few distinct seconds, so ties are many, and enough cancels and
    // reschedules that holes outnumber pending follow-ups many times over.
    auto due = [&] { return kStart + pt::seconds(static_cast<long>(1 + rng() % 40) * 5'000); };
    for (std::uint64_t k = 0; k < 30'000; ++k) {
      const Instant d = due();
      handles.push_back(s.schedule(d, k).value());
      ref.schedule(handles.back(), k, d);
    }
    for (int round = 0; round < 6; ++round) {
      for (auto& h : handles) {
        if (!ref.pending(h)) continue;
        if (rng() % 3 == 0) {
          const Instant d = due();
          REQUIRE(s.reschedule(h, d));
          ref.reschedule(h, d);
        } else if (rng() % 4 == 0) {
          CHECK(s.cancel(h));
          ref.cancel(h);
        }
      }
    }
    REQUIRE(s.size() == ref.size());
    // Compaction moved entries, and the due second lives in the entry.
    for (const auto& h : handles) {
      REQUIRE(s.is_pending(h) == ref.pending(h));
      if (ref.pending(h)) CHECK(s.due_at_utc(h).value() == ref.due_at(h));
    }
    for (int i = 1; i <= 41; ++i) {
      const Instant now = kStart + pt::seconds(i * 5'000);
      CHECK(advance_to(s, now) == ref.advance(now));
    }
    CHECK(s.empty());
  }

  TEST_CASE("random operation sequences fire exactly what a multimap reference fires") {
    for (std::uint64_t seed : {1u, 2u, 3u, 20250124u, 77u}) {
      CAPTURE(seed);
      std::mt19937_64 rng(seed);
      auto pick = [&](std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
      };
      const Instant origin = kStart + pt::seconds(pick(0, 1'000'000)) + pt::microseconds(pick(0, 999'999));
      auto s = FollowUpScheduler::make(origin).value();
      const Instant ref_origin = s.now_utc();
      Reference ref(ref_origin);
      std::vector<FollowUpHandle> issued{FollowUpHandle{}};
      Instant now = origin;
      std::uint64_t next_key = 0;
      std::size_t fired_total = 0;

      auto random_due = [&]() -> Instant {
        const Instant base = s.now_utc();
        const auto frac = pt::microseconds(pick(0, 1) ? 0 : pick(0, 999'999));
        switch (pick(0, 9)) {
          case 0: return base - pt::seconds(pick(0, 86'400)) + frac;          // past
          case 1: return base + frac;                                         // now
          case 2: case 3: return base + pt::seconds(pick(1, 120)) + frac;     // next minutes
          case 4: case 5: return base + pt::seconds(pick(1, 5'000)) + frac;   // hours
          case 6: case 7: return base + pt::seconds(pick(1, 2'592'000)) + frac;  // 30 days
          case 8: return base + pt::hours(pick(24 * 365, 24 * 365 * 5)) + frac;  // years
          default: return base + pt::seconds(pick(0, 64));                    // crowded seconds
        }
      };
      auto random_handle = [&] { return issued[static_cast<std::size_t>(pick(0, static_cast<std::int64_t>(issued.size()) - 1))]; };

      for (int op = 0; op < 6'000; ++op) {
        const auto kind = pick(0, 99);
        if (kind < 40) {
          const Instant due = random_due();
          auto h = s.schedule(due, next_key);
          INFO(last_error_detail());
          REQUIRE(h);
          ref.schedule(h.value(), next_key, due);
          issued.push_back(h.value());
          ++next_key;
        } else if (kind < 58) {
          const auto h = random_handle();
          CHECK(s.cancel(h) == ref.cancel(h));
        } else if (kind < 70) {
          const auto h = random_handle();
          const Instant due = random_due();
          auto r = s.reschedule(h, due);
          REQUIRE(static_cast<bool>(r) == ref.pending(h));
          if (r) {
            ref.reschedule(h, due);
          } else {
            CHECK(r.error() == errc::invalid_argument);
          }
        } else if (kind < 73) {
          // Going back fails and changes nothing.
          if (s.now_utc() > origin) {
            auto r = s.advance(s.now_utc() - pt::microseconds(1), [](const FiredFollowUp&) {});
            REQUIRE_FALSE(r);
            CHECK(r.error() == errc::invalid_argument);
          }
        } else {
          Duration step;
          switch (pick(0, 9)) {
            case 0: step = pt::microseconds(0); break;
            case 1: step = pt::microseconds(pick(1, 999'999)); break;
            case 2: case 3: step = pt::seconds(1); break;
            case 4: case 5: step = pt::seconds(pick(2, 300)); break;
            case 6: step = pt::seconds(pick(300, 86'400 * 3)); break;
            case 7: step = pt::seconds(64 * 64 * pick(1, 64)); break;  // whole buckets
            case 8: step = pt::hours(pick(24, 24 * 60)); break;
            default:  // now and then, a year or two at once
              step = pick(0, 9) == 0 ? pt::hours(pick(24 * 300, 24 * 800)) + pt::microseconds(pick(0, 999'999))
                                     : pt::seconds(pick(0, 64 * 64 * 64 * 2));
              break;
          }
          now += step;
          auto got = advance_to(s, now);
          auto want = ref.advance(now);
          REQUIRE(got.size() == want.size());
          CHECK(got == want);
          CHECK(s.now_utc() == ref_origin + pt::seconds(ref.now_s()));
          fired_total += got.size();
        }
        REQUIRE(s.size() == ref.size());
        if (op % 97 == 0) {
          for (int i = 0; i < 8; ++i) {
            const auto h = random_handle();
            REQUIRE(s.is_pending(h) == ref.pending(h));
            if (ref.pending(h)) CHECK(s.due_at_utc(h).value() == ref.due_at(h));
          }
          if (auto at = s.next_check_utc(); at && *at > s.now_utc()) {
            // Nothing is due before the next check.
            FollowUpScheduler probe = s;
            CHECK(advance_to(probe, *at - pt::microseconds(1)).empty());
          }
        }
      }
      // Drain: everything left fires, in the reference's order.
      now += pt::hours(24 * 365 * 6);
      auto got = advance_to(s, now);
      CHECK(got == ref.advance(now));
      fired_total += got.size();
      CHECK(s.empty());
      CHECK(fired_total > 1'000);
    }
  }

  // The scheduler keeps its slots in a ReservedArray on Linux and a
  // ChunkedArray elsewhere; both are held to the same behaviour here.
  struct Record16 {
    std::uint64_t a;
    std::uint64_t b;
  };
#if defined(__linux__)
#define REDRESS_SLOT_ARRAYS detail::ChunkedArray<Record16, 12>, detail::ReservedArray<Record16, 12>
#else
#define REDRESS_SLOT_ARRAYS detail::ChunkedArray<Record16, 12>
#endif
  TEST_CASE_TEMPLATE("slot storage keeps every element through growth, copies and moves", Array,
                     REDRESS_SLOT_ARRAYS) {
    Array array;
    CHECK(array.capacity() == 0);
    auto fill = [&](std::size_t from, std::size_t to, std::uint64_t salt) {
      for (std::size_t i = from; i < to; ++i) array[static_cast<std::uint32_t>(i)] = {i * 7 + salt, ~i};
    };
    auto holds = [](const Array& a, std::size_t n, std::uint64_t salt) {
      for (std::size_t i = 0; i < n; ++i) {
        const Record16& r = a[static_cast<std::uint32_t>(i)];
        if (r.a != i * 7 + salt || r.b != ~i) return false;
      }
      return true;
    };
    // 100 chunks: past the first reservation of a ReservedArray (16 chunks)
    // and three of its moves to a larger one, each chunk written as it comes.
    for (std::size_t c = 0; c < 100; ++c) {
      array.add_chunk();
      CHECK(array.capacity() == (c + 1) * Array::kChunk);
      fill(c * Array::kChunk, array.capacity(), 1);
    }
    CHECK(holds(array, array.capacity(), 1));
    CHECK(array.allocated_bytes() >= array.capacity() * sizeof(Record16));
    CHECK(array.allocated_bytes() <= array.capacity() * sizeof(Record16) + 64 * 1024);

    Array copy = array;
    fill(0, array.capacity(), 2);  // the original changes, the copy does not
    CHECK(holds(copy, copy.capacity(), 1));
    CHECK(holds(array, array.capacity(), 2));
    copy.add_chunk();  // and the copy grows on its own
    CHECK(copy.capacity() == array.capacity() + Array::kChunk);

    Array moved = std::move(array);
    CHECK(moved.capacity() == 100 * Array::kChunk);
    CHECK(holds(moved, moved.capacity(), 2));
    copy = moved;
    CHECK(copy.capacity() == moved.capacity());
    CHECK(holds(copy, copy.capacity(), 2));
  }
#undef REDRESS_SLOT_ARRAYS
}
