// The recovery engine replaying generated journals, in one binary:
//   - redress_apply:  every journal folded event by event through
//                     redress::apply(case, event, policy, event.at_utc),
//                     keeping Step::next as the next case (what a host does);
//   - redress_replay: redress::replay() on each whole journal. This is the same
//                     engine behind a loop the library owns, not an independent
//                     implementation: it shows what the host-side fold costs
//                     (nothing, it should be within noise).
// No independent reference exists: nothing else implements these rules.
//
// The target (the project's issue): replaying generated journals of 50k cases,
// about 1M events, through apply() at >= 1M events/s on one core, holding
// <= 1 KB per closed case. Both are printed after the run.
//
// Workload, generated at run time from a fixed seed: 50,000 cases opened over
// 2025 in service hours on the bundled China calendar, each a realistic
// recovery of about 20 events: contact, feeling observed, apology,
// forgiveness, the need, the order and its loss (money, an expired coupon, or
// nothing), the facts, remedies within the front line's authority and after
// the need (offered, accepted, granted; often a gift on top), progress
// updates inside the 20-minute rule, sometimes a promise in working days,
// repeat contacts, a missed update, a broken promise, a late satisfaction
// check; then resolution, the customer's confirmed feeling, the root cause
// and the close. Timers are fired as a host scheduler would: every pending
// follow-up due before the next event is fired (as events::TimerFired at its
// due instant) first. Every event is checked by apply() while generating;
// rejected ones are counted, reported and left out of the journal.
//
// Time is the thread's CPU time (the machine may be shared); the summary
// keeps the best repetition. Memory per closed case is sizeof(Case) plus the
// heap blocks a closed case holds (malloc's usable size, counted by a
// replaced global operator new/delete while the closed cases are built and
// kept), divided by the number of closed cases; and again with the
// allocator's block headers and alignment, from glibc's own count of bytes in
// use (mallinfo2().uordblks) before and after.
//
// Options: --cases=N (default 50000) for a smaller run, e.g. under
// valgrind --tool=callgrind; the benchmark's own flags as usual. Each
// benchmark runs 3 times, interleaved (--benchmark_enable_random_interleaving
// is on unless given), one pass over all journals each.
//
// Profile, e.g.:
//   valgrind --tool=callgrind --toggle-collect='*bench_apply*' engine_bench --cases=1000
//            --benchmark_filter=redress_apply
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <new>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <benchmark/benchmark.h>
#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/engine.hpp>

#include "../tests/support/policy_document.hpp"

// --- heap accounting -------------------------------------------------------
//
// Off except while the memory phase builds its closed cases; then every block
// allocated or freed moves the live totals by its usable size.

namespace {

#if defined(__GLIBC__)
constexpr bool kHeapCounted = true;
std::size_t usable_size(void* p) noexcept { return malloc_usable_size(p); }
#else
constexpr bool kHeapCounted = false;
std::size_t usable_size(void*) noexcept { return 0; }
#endif

bool g_counting = false;
std::int64_t g_live_bytes = 0;
std::int64_t g_live_blocks = 0;
std::int64_t g_allocations = 0;  // every block allocated while counting

void* counted_alloc(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  if (g_counting) {
    g_live_bytes += static_cast<std::int64_t>(usable_size(p));
    ++g_live_blocks;
    ++g_allocations;
  }
  return p;
}

void counted_free(void* p) noexcept {
  if (p == nullptr) return;
  if (g_counting) {
    g_live_bytes -= static_cast<std::int64_t>(usable_size(p));
    --g_live_blocks;
  }
  std::free(p);
}

}  // namespace

void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_free(p); }

namespace {

namespace ev = redress::events;
namespace pt = boost::posix_time;
using redress::Case;
using redress::Event;
using redress::EventBody;
using redress::Instant;
using redress::Money;

// Phases are timed in this thread's CPU time: the machine may be shared, and
// wall time would count the time other processes hold the core.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

constexpr double kTargetEventsPerSecond = 1'000'000;
constexpr double kTargetBytesPerClosedCase = 1024;
constexpr std::uint64_t kSeed = 20250124;
std::size_t g_cases = 50'000;

// --- the policy: docs/domain.md's defaults on the China calendar ----------------

// The engine tests' policy document (tests/support/policy_document.hpp).
const redress::ReferencePolicy& policy() {
  static const redress::ReferencePolicy p = [] {
    auto doc = redress::testing::policy_document_in(REDRESS_BENCH_DATA_DIR);
    auto r = redress::ReferencePolicy::from_json(doc);
    if (!r) throw std::runtime_error("policy: " + std::string(redress::last_error_detail()));
    return std::move(r).value();
  }();
  return p;
}

Money cny(std::int64_t yuan) { return Money::from_minor_units(yuan * 100, redress::Currency::CNY); }

// --- the generator -----------------------------------------------------------

// What agents and customers say, in the languages the seeds use.
constexpr std::array<std::string_view, 6> kComplaints{
    "我的优惠券昨天过期了,可是我一直在用你们的App,为什么不提醒我?",
    "The delivery was two days late and nobody told me anything.",
    "你们扣了我两次钱,我要一个说法。",
    "I was charged a fee for a booking I cancelled within the free period.",
    "電視送來就是壞的,我已經等了一個星期。",
    "The app kept failing when I tried to redeem my voucher.",
};
constexpr std::array<std::string_view, 5> kApologies{
    "非常抱歉给您带来这么多麻烦,我完全理解您的着急。这是我们的责任,我们会改进,我马上为您处理,请您原谅。",
    "I'm so sorry; being charged twice is upsetting. It was our mistake and we'll make sure it doesn't happen "
    "again. Let me put it right now; please forgive us.",
    "真的很抱歉让您等了这么久,换作是我也会很生气。是我们没有做好,我现在就帮您解决,希望您能原谅。",
    "I'm really sorry your order arrived late; that's frustrating, and it's on us. I'll sort it out right away.",
    "非常對不起,讓您失望了,這是我們的疏忽,以後不會再發生,我現在就幫您處理,請您原諒。",
};
constexpr std::array<std::string_view, 5> kNeeds{
    "我只想用上这张优惠券", "A refund of the extra charge", "我要退那笔重复扣的钱",
    "I need the order delivered before the weekend", "換一台好的電視",
};
constexpr std::array<std::string_view, 5> kUpdates{
    "I'm still on it: the payments team is checking the charge now.",
    "还在为您处理,财务同事正在核对,有进展我马上告诉您。",
    "Quick update: the warehouse has confirmed a replacement is available.",
    "正在为您申请,请再稍等几分钟,我一直在跟进。",
    "Thanks for waiting; I've found the order and I'm fixing it now.",
};
constexpr std::array<std::string_view, 5> kCauses{"coupon.expiry", "payment.duplicate_charge", "delivery.late",
                                                  "product.defective", "app.redemption_failure"};
constexpr std::array<redress::Channel, 4> kChannels{redress::Channel::phone, redress::Channel::chat,
                                                    redress::Channel::app, redress::Channel::email};

struct Journal {
  Case initial;
  std::vector<Event> events;
};

struct Workload {
  std::vector<Journal> journals;
  std::size_t events = 0;
  std::size_t rejects = 0;
  std::size_t closed = 0;
  std::string first_reject;
  std::map<std::string_view, std::size_t> by_type;
  std::map<std::string, std::size_t> findings;  // by code, as raised while generating
  double seconds = 0;
};

// Builds one case's journal, applying each event to a live copy of the case
// to check it and to know which follow-ups are pending.
class CaseWriter {
 public:
  CaseWriter(Workload& w, std::mt19937_64& rng, Case start, Instant t0)
      : w_(w), rng_(rng), initial_(start), live_(std::move(start)), t_(t0) {}

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <class A>
  auto pick(const A& a) {
    return a[static_cast<std::size_t>(uniform(0, static_cast<int>(a.size()) - 1))];
  }

  const Case& live() const { return live_; }
  Instant now() const { return t_; }

  // Applies `body` at the current instant; rejected events are counted and dropped.
  void emit(EventBody body) { emit_at(t_, std::move(body)); }

  // Moves the clock on by `gap` seconds. Unless `keep_updates` is false, an
  // agent sends a progress update before the 20-minute rule would lapse;
  // follow-ups that fall due meanwhile are fired first, as a host would.
  void wait(int gap_s, bool keep_updates = true) {
    Instant target = t_ + pt::seconds(gap_s);
    while (keep_updates && !live_.resolved()) {
      const redress::FollowUp* update = nullptr;
      for (const auto& f : live_.pending_follow_ups()) {
        if (f.kind == redress::FollowUpKind::update) update = &f;
      }
      if (update == nullptr || update->due_at_utc > target) break;
      Instant at = std::max(t_, update->due_at_utc - pt::seconds(uniform(30, 300)));
      fire_due(at);
      emit_at(at, ev::ProgressUpdateSent{std::string(pick(kUpdates))});
    }
    fire_due(target);
    t_ = target;
  }

  Journal finish() {
    w_.closed += live_.stage() == redress::Stage::closed;
    w_.events += events_.size();
    return Journal{std::move(initial_), std::move(events_)};
  }

 private:
  void emit_at(Instant at, EventBody body) {
    t_ = std::max(t_, at);
    Event e{live_.id(), t_, std::nullopt, std::move(body)};
    auto step = redress::apply(live_, e, policy(), e.at_utc);
    if (!step) {
      if (w_.rejects++ == 0) w_.first_reject = std::string(redress::last_error_detail());
      return;
    }
    ++w_.by_type[redress::event_type(e.body)];
    for (const auto& f : step.value().findings) ++w_.findings[f.code];
    live_ = std::move(step.value().next);
    events_.push_back(std::move(e));
  }

  // Fires every pending follow-up due at or before `until`, earliest first.
  void fire_due(Instant until) {
    for (;;) {
      const redress::FollowUp* next = nullptr;
      for (const auto& f : live_.pending_follow_ups()) {
        if (f.due_at_utc <= until && (next == nullptr || f.due_at_utc < next->due_at_utc)) next = &f;
      }
      if (next == nullptr) return;
      Instant due = next->due_at_utc;
      emit_at(due, ev::TimerFired{next->id});
    }
  }

  Workload& w_;
  std::mt19937_64& rng_;
  Case initial_;
  Case live_;
  Instant t_;
  std::vector<Event> events_;
};

// One recovery, from the complaint to the close.
Journal write_case(Workload& w, std::mt19937_64& rng, std::size_t index) {
  const Instant year = redress::parse_instant("2025-01-01T01:00:00Z").value();  // 09:00 in Shanghai
  std::uniform_int_distribution<int> day(0, 364), minute(0, 11 * 60);
  Instant t0 = year + pt::hours(24 * day(rng)) + pt::minutes(minute(rng));
  auto id = redress::CaseId::make(fmt::format("C-2025-{:06}", index)).value();
  auto customer = redress::CustomerId::make(fmt::format("U-{:07}", index * 7 % 9'999'991)).value();
  CaseWriter cw(w, rng, Case::open(id, customer, redress::Currency::CNY, t0).value(), t0);
  const auto phone = redress::ContactPoint::phone(fmt::format("139{:08}", index * 7919 % 100'000'000)).value();
  auto gap = [&] { cw.wait(cw.uniform(60, 300)); };
  auto negative = [&] {
    constexpr std::array<redress::EmotionKind, 4> kinds{redress::EmotionKind::angry, redress::EmotionKind::frustrated,
                                                        redress::EmotionKind::disappointed,
                                                        redress::EmotionKind::anxious};
    return cw.pick(kinds);
  };

  // 1. Contact, the feeling, the apology until it is accepted.
  auto first_channel = cw.pick(kChannels);
  cw.emit(ev::ContactReceived{first_channel, phone, std::string(cw.pick(kComplaints))});
  cw.wait(cw.uniform(10, 60));
  auto feeling = negative();
  int intensity = cw.uniform(4, 7);
  cw.emit(ev::EmotionObserved{redress::Emotion::make(feeling, intensity).value()});
  gap();
  cw.emit(ev::ApologyGiven{std::string(cw.pick(kApologies))});
  if (cw.chance(0.25)) {  // the first apology did not land; the feeling rises
    gap();
    cw.emit(ev::EmotionObserved{redress::Emotion::make(feeling, std::max(6, intensity + 1)).value()});
    gap();
    cw.emit(ev::ApologyGiven{std::string(cw.pick(kApologies))});
  }
  gap();
  cw.emit(ev::ForgivenessSignalled{});

  // 2. Review together: what they need, the order and its loss, the facts.
  gap();
  cw.emit(ev::NeedStated{std::string(cw.pick(kNeeds))});
  if (cw.chance(0.5)) {
    gap();
    cw.emit(ev::QuestionAsked{"Perhaps the order number on our side is different; could you read it to me?"});
  }
  gap();
  auto order = redress::OrderId::make(fmt::format("O-{:08}", index * 31 % 100'000'000)).value();
  int loss_kind = cw.uniform(0, 99);
  redress::Loss loss = redress::Loss::nothing(redress::Currency::CNY);
  std::int64_t lost_yuan = 0;
  if (loss_kind < 55) {
    lost_yuan = cw.uniform(10, 190);
    loss = redress::Loss{redress::LossKind::money, cny(lost_yuan), std::nullopt};
  } else if (loss_kind < 85) {
    lost_yuan = 5 * cw.uniform(2, 20);
    const auto* cal = policy().calendar(cw.live()).value();
    auto today = cal->time_zone().to_civil(cw.now()).date();
    redress::Right right{"coupon", cny(lost_yuan), today - boost::gregorian::days(cw.uniform(0, 6)), 0};
    loss = redress::Loss{redress::LossKind::right, cny(lost_yuan), right};
  }
  cw.emit(ev::OrderLinked{redress::Order{order, loss},
                          cw.chance(0.1) ? std::optional<std::string>(fmt::format("INC-{}", index % 97))
                                         : std::nullopt});
  gap();
  cw.emit(ev::FactsReviewed{"Our records seem to show the charge went through twice on the same order."});
  if (cw.chance(0.6)) {
    gap();
    cw.emit(ev::ProgressUpdateSent{"I'm checking this with the team that handles it now; I'll come back to you as soon as I know more."});
  }

  // The customer calls back on another channel while we work on it.
  if (cw.chance(0.15)) {
    gap();
    cw.emit(ev::ContactReceived{cw.pick(kChannels), phone, "我刚才打过电话了,还没处理好吗?"});
    if (cw.chance(0.2)) {
      gap();
      cw.emit(ev::ContactReceived{first_channel, phone, "Still waiting. This is the third time I'm asking."});
    }
  }

  // 3. Solve: the remedy within the front line's authority, and often something extra.
  int remedies = 0;
  auto remedy = [&](redress::RemedyKind kind, Money value) {
    auto rid = redress::RemedyId::make(fmt::format("R-{}", ++remedies)).value();
    gap();
    cw.emit(ev::RemedyProposed{rid, kind, value, order});
    gap();
    cw.emit(ev::RemedyAccepted{rid});
    gap();
    cw.emit(ev::RemedyGranted{rid});
  };
  if (loss.kind == redress::LossKind::money) {
    remedy(redress::RemedyKind::cash, cny(lost_yuan));
  } else if (loss.kind == redress::LossKind::right) {
    if (cw.chance(0.7)) {
      remedy(redress::RemedyKind::extension, cny(0));
    } else {
      remedy(redress::RemedyKind::replacement, cny(lost_yuan));
    }
  } else {
    remedy(redress::RemedyKind::non_material, cny(0));
  }
  if (cw.chance(0.45)) remedy(redress::RemedyKind::extra, cny(5 * cw.uniform(2, 10)));
  if (cw.chance(0.7)) {  // the customer calms down
    gap();
    cw.emit(ev::EmotionObserved{redress::Emotion::make(cw.chance(0.5) ? redress::EmotionKind::relieved
                                                                      : redress::EmotionKind::calm,
                                                       cw.uniform(2, 5)).value()});
  }

  // A promise in working days; now and then it is broken and the customer comes back.
  if (cw.chance(0.25)) {
    gap();
    cw.emit(ev::PromiseMade{"书面确认会通过邮件发给您", cw.uniform(1, 2), {}, {}});
    if (cw.chance(0.2)) {
      // Nobody follows up: the update is missed, the promise lapses.
      cw.wait(3 * 24 * 3600 + cw.uniform(0, 24 * 3600), false);
      cw.emit(ev::ContactReceived{cw.pick(kChannels), phone, "说好两天内回复,到现在都没人联系我!"});
      gap();
      cw.emit(ev::ApologyGiven{std::string(cw.pick(kApologies))});
    }
  }
  // Now and then the 20-minute rule is missed once; the next update is late.
  if (cw.chance(0.06)) {
    cw.wait(cw.uniform(25, 40) * 60, false);
    cw.emit(ev::ProgressUpdateSent{std::string(cw.pick(kUpdates))});
  }
  gap();
  cw.emit(ev::Resolved{"Duplicate charge refunded; the customer has the confirmation."});

  // Emotional closure: confirmed at once, or the next day after the satisfaction check.
  int closure = cw.uniform(0, 99);
  auto satisfied = redress::Emotion::make(cw.chance(0.6) ? redress::EmotionKind::satisfied : redress::EmotionKind::calm,
                                          cw.uniform(3, 8)).value();
  if (closure < 2) {
    // The customer never answers: the close is refused, the case stays in record.
    cw.wait(25 * 3600);
    cw.emit(ev::RootCauseRecorded{{std::string(kCauses[index % kCauses.size()]), "No answer to the check."}});
    gap();
    cw.emit(ev::CloseRequested{});
    return cw.finish();
  }
  if (closure < 5) {
    gap();
    cw.emit(ev::SatisfactionConfirmed{redress::Emotion::make(feeling, cw.uniform(2, 5)).value()});
    gap();
    cw.emit(ev::ApologyGiven{std::string(cw.pick(kApologies))});
  }
  if (closure >= 75) cw.wait(24 * 3600 + cw.uniform(600, 4 * 3600));
  else gap();
  cw.emit(ev::SatisfactionConfirmed{satisfied});

  // 4. Record why it happened, and close.
  gap();
  cw.emit(ev::RootCauseRecorded{{std::string(kCauses[index % kCauses.size()]),
                                 "A retry in the payment gateway charged the card a second time."}});
  gap();
  cw.emit(ev::CloseRequested{});
  return cw.finish();
}

const Workload& workload() {
  static Workload w = [] {
    Workload out;
    double start = thread_cpu_seconds();
    std::mt19937_64 rng(kSeed);
    out.journals.reserve(g_cases);
    for (std::size_t i = 0; i < g_cases; ++i) out.journals.push_back(write_case(out, rng, i));
    out.seconds = thread_cpu_seconds() - start;
    return out;
  }();
  return w;
}

// --- the measurements ---------------------------------------------------------

struct Figures {
  double best_seconds = 0;
  std::size_t events = 0;
  std::size_t closed = 0;
  std::size_t failures = 0;
};

std::map<std::string, Figures>& results() {
  static std::map<std::string, Figures> r;
  return r;
}

void record(benchmark::State& state, const char* name, double seconds, std::size_t events, std::size_t closed,
            std::size_t failures) {
  Figures& f = results()[name];
  if (f.events == 0 || seconds < f.best_seconds) f.best_seconds = seconds;
  f.events = events;
  f.closed = closed;
  f.failures = failures;
  state.counters["events"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["x_target"] =
      benchmark::Counter(static_cast<double>(events) / kTargetEventsPerSecond, benchmark::Counter::kIsRate);
  state.counters["closed"] = static_cast<double>(closed);
  state.counters["failed"] = static_cast<double>(failures);
}

// The host's fold: apply() each event, keep Step::next.
void bench_apply(benchmark::State& state) {
  const Workload& w = workload();
  const auto& p = policy();
  for (auto _ : state) {
    std::size_t events = 0, closed = 0, failures = 0;
    double start = thread_cpu_seconds();
    for (const Journal& j : w.journals) {
      Case c = j.initial;
      for (const Event& e : j.events) {
        auto step = redress::apply(c, e, p, e.at_utc);
        if (!step) {
          ++failures;
          continue;
        }
        c = std::move(step.value().next);
        ++events;
      }
      closed += c.stage() == redress::Stage::closed;
      benchmark::DoNotOptimize(c);
    }
    record(state, "redress_apply", thread_cpu_seconds() - start, events, closed, failures);
  }
}

// The same engine through redress::replay(), one call per journal.
void bench_replay(benchmark::State& state) {
  const Workload& w = workload();
  const auto& p = policy();
  for (auto _ : state) {
    std::size_t events = 0, closed = 0, failures = 0;
    double start = thread_cpu_seconds();
    for (const Journal& j : w.journals) {
      auto c = redress::replay(j.initial, j.events, p);
      if (!c) {
        ++failures;
        continue;
      }
      events += j.events.size();
      closed += c.value().stage() == redress::Stage::closed;
      benchmark::DoNotOptimize(c);
    }
    record(state, "redress_replay", thread_cpu_seconds() - start, events, closed, failures);
  }
}

// Heap bytes per field of a case.
using Breakdown = std::vector<std::pair<std::string_view, double>>;

// Heap held by the closed cases, kept in a vector reserved beforehand (its
// buffer is sizeof(Case) per case, counted apart).
struct Memory {
  std::size_t closed = 0;
  double heap_bytes = 0;   // per closed case
  double heap_blocks = 0;  // per closed case
  double allocations_per_event = 0;  // while folding, all cases
  Breakdown fields;                  // requested bytes per closed case, by field
  // The allocator's own count of bytes in use (glibc mallinfo2().uordblks:
  // chunk sizes, so block headers and alignment included), per closed case.
  double arena_bytes = 0;
};

#if defined(__GLIBC__)
constexpr bool kArenaCounted = true;
std::int64_t arena_in_use() noexcept { return static_cast<std::int64_t>(mallinfo2().uordblks); }
#else
constexpr bool kArenaCounted = false;
std::int64_t arena_in_use() noexcept { return 0; }
#endif

// Where a case's heap goes, field by field, from what the public API shows:
// each list's block (8 bytes and its elements), plus each string too long
// for libstdc++'s 15-byte in-place buffer. Requested sizes, so a little under
// what malloc holds.

void add_heap(Breakdown& b, std::string_view field, double bytes) {
  for (auto& [name, total] : b) {
    if (name == field) {
      total += bytes;
      return;
    }
  }
  b.emplace_back(field, bytes);
}

double heap_of(const std::string& s) { return s.capacity() > 15 ? static_cast<double>(s.capacity() + 1) : 0; }
// An id holds up to 15 bytes inline (<redress/ids.hpp>).
template <class Tag>
double heap_of(const redress::BasicId<Tag>& id) {
  return id.str().size() > 15 ? static_cast<double>(id.str().size() + 1) : 0;
}
// A SharedText is one block (a count and the size, the text and a NUL) held
// once for every case that carries the same text: counted the first time
// `seen` meets it.
double heap_of(const redress::SharedText& t, std::unordered_set<const char*>& seen) {
  return !t.empty() && seen.insert(t.c_str()).second ? static_cast<double>(8 + t.size() + 1) : 0;
}
// A case's list is one block: a count and the size (8 bytes), then the elements.
template <class T>
double buffer_of(const redress::SharedList<T>& v) {
  return v.empty() ? 0 : static_cast<double>(8 + v.size() * sizeof(T));
}

void breakdown(Breakdown& b, const Case& c, std::unordered_set<const char*>& shared) {
  add_heap(b, "ids (case, customer)", heap_of(c.id()) + heap_of(c.customer()));
  double contacts = buffer_of(c.contact_points());
  for (const auto& p : c.contact_points()) contacts += heap_of(p.value());
  add_heap(b, "contact_points", contacts);
  double orders = buffer_of(c.orders()) + (c.incident_group() ? heap_of(*c.incident_group()) : 0);
  for (const auto& o : c.orders()) orders += heap_of(o.id) + (o.loss.right ? heap_of(o.loss.right->kind) : 0);
  add_heap(b, "orders", orders);
  add_heap(b, "emotions", buffer_of(c.emotions()));
  double needs = buffer_of(c.needs());
  for (const auto& n : c.needs()) needs += heap_of(n.text);
  add_heap(b, "needs", needs);
  double promises = buffer_of(c.promises());
  for (const auto& p : c.promises()) promises += heap_of(p.follow_up) + heap_of(p.what);
  add_heap(b, "promises", promises);
  double remedies = buffer_of(c.remedies());
  for (const auto& r : c.remedies()) {
    remedies += heap_of(r.id) + (r.order ? heap_of(*r.order) : 0) +
                (r.decided_by ? heap_of(*r.decided_by) : 0);
  }
  add_heap(b, "remedies", remedies);
  double pending = buffer_of(c.pending_follow_ups());
  for (const auto& f : c.pending_follow_ups()) pending += heap_of(f.id);
  add_heap(b, "pending_follow_ups (empty once closed)", pending);
  double findings = buffer_of(c.findings()), texts = 0;
  // The code is shared (FindingCode); a message is shared with the cases that have the same text.
  for (const auto& f : c.findings()) texts += heap_of(f.message, shared);
  add_heap(b, "findings", findings);
  add_heap(b, "findings: message text (each distinct text once)", texts);
  add_heap(b, "root_cause (each distinct text once)",
           c.root_cause() ? heap_of(c.root_cause()->category, shared) + heap_of(c.root_cause()->description, shared)
                          : 0);
  add_heap(b, "reply_fingerprints (released once closed)", buffer_of(c.reply_fingerprints()));
  add_heap(b, "escalations", buffer_of(c.escalations()));
  double contents = buffer_of(c.remedy_contents());
  for (const auto& r : c.remedy_contents()) contents += heap_of(r.remedy) + heap_of(r.text);
  add_heap(b, "remedy_contents", contents);
}

Memory measure_memory() {
  const Workload& w = workload();
  const auto& p = policy();
  std::vector<Case> kept;
  kept.reserve(w.journals.size());
  g_live_bytes = 0;
  g_live_blocks = 0;
  g_allocations = 0;
  std::int64_t arena_before = arena_in_use();
  g_counting = true;
  for (const Journal& j : w.journals) {
    Case c = j.initial;
    for (const Event& e : j.events) {
      auto step = redress::apply(c, e, p, e.at_utc);
      if (step) c = std::move(step.value().next);
    }
    if (c.stage() == redress::Stage::closed) kept.push_back(std::move(c));
  }
  g_counting = false;
  std::int64_t arena_after = arena_in_use();
  Memory m;
  m.closed = kept.size();
  if (m.closed > 0) m.arena_bytes = static_cast<double>(arena_after - arena_before) / static_cast<double>(m.closed);
  std::unordered_set<const char*> shared;
  for (const Case& c : kept) breakdown(m.fields, c, shared);
  for (auto& [name, total] : m.fields) total /= static_cast<double>(std::max<std::size_t>(1, m.closed));
  std::sort(m.fields.begin(), m.fields.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  m.allocations_per_event =
      static_cast<double>(g_allocations) / static_cast<double>(std::max<std::size_t>(1, w.events));
  if (m.closed > 0) {
    m.heap_bytes = static_cast<double>(g_live_bytes) / static_cast<double>(m.closed);
    m.heap_blocks = static_cast<double>(g_live_blocks) / static_cast<double>(m.closed);
  }
  return m;
}

void print_summary() {
  const Workload& w = workload();
  auto verdict = [](bool ok) { return ok ? "met" : "MISSED"; };
  fmt::print("\nengine replay: {} journals, {} events ({:.1f} per case), {} end closed; generated and checked in "
             "{:.2f} s; rejected while generating: {}{}\n",
             w.journals.size(), w.events, static_cast<double>(w.events) / static_cast<double>(w.journals.size()),
             w.closed, w.seconds, w.rejects, w.rejects ? " (first: " + w.first_reject + ")" : std::string());
  fmt::print("  event mix:");
  int col = 0;
  for (const auto& [type, n] : w.by_type) {
    fmt::print("{}{} {}", col++ % 6 == 0 ? "\n    " : ", ", type, n);
  }
  fmt::print("\n  findings raised:");
  col = 0;
  for (const auto& [code, n] : w.findings) {
    fmt::print("{}{} {}", col++ % 6 == 0 ? "\n    " : ", ", code, n);
  }
  fmt::print("\n");
  const Figures* apply_f = nullptr;
  for (const auto& [name, f] : results()) {
    double rate = static_cast<double>(f.events) / f.best_seconds;
    fmt::print("  {:<15} {:>7.3f} M events/s ({:.0f} ns/event, best repetition, thread CPU){}{}\n", name,
               rate / 1e6, 1e9 / rate,
               name == "redress_replay" ? "  [same engine via replay(), not an independent reference]" : "",
               f.failures ? fmt::format("  {} FAILED", f.failures) : std::string());
    if (name == "redress_apply") apply_f = &f;
  }
  if (auto a = results().find("redress_apply"), r = results().find("redress_replay");
      a != results().end() && r != results().end()) {
    fmt::print("  replay() time / apply-fold time: {:.2f}x\n", r->second.best_seconds / a->second.best_seconds);
  }

  Memory m = measure_memory();
  double per_case = static_cast<double>(sizeof(Case)) + m.heap_bytes;
  fmt::print("  memory per closed case ({} cases): sizeof(Case) {} B + heap {}\n", m.closed, sizeof(Case),
             kHeapCounted ? fmt::format("{:.0f} B in {:.1f} blocks (malloc usable size; glibc adds ~8 B a block)",
                                        m.heap_bytes, m.heap_blocks)
                          : std::string("not measured on this platform"));
  double per_case_headers = static_cast<double>(sizeof(Case)) + m.arena_bytes;
  if (kArenaCounted) {
    fmt::print("  memory per closed case with the allocator's block headers: sizeof(Case) {} B + heap {:.0f} B "
               "(mallinfo2 uordblks) = {:.0f} B\n",
               sizeof(Case), m.arena_bytes, per_case_headers);
  }
  fmt::print("  heap by field (requested bytes per closed case):");
  int col2 = 0;
  for (const auto& [name, bytes] : m.fields) {
    fmt::print("{}{} {:.0f}", col2++ % 4 == 0 ? "\n    " : ", ", name, bytes);
  }
  fmt::print("\n");
  if (kHeapCounted) {
    fmt::print("  heap allocations while folding: {:.1f} per event (copying the case, actions, trace and finding strings)\n",
               m.allocations_per_event);
  }

  fmt::print("\ntargets:");
  if (apply_f != nullptr) {
    double rate = static_cast<double>(apply_f->events) / apply_f->best_seconds;
    fmt::print(" apply >= 1M events/s {} ({:.3f}M, {:.2f}x the target)", verdict(rate >= kTargetEventsPerSecond),
               rate / 1e6, rate / kTargetEventsPerSecond);
  } else {
    fmt::print(" apply not run");
  }
  if (kHeapCounted) {
    fmt::print(" | <= 1 KB per closed case {} ({:.0f} B, {:.2f}x the target)",
               verdict(per_case <= kTargetBytesPerClosedCase), per_case, per_case / kTargetBytesPerClosedCase);
  }
  if (kArenaCounted) {
    fmt::print(" | <= 1 KB per closed case with headers {} ({:.0f} B, {:.2f}x the target)",
               verdict(per_case_headers <= kTargetBytesPerClosedCase), per_case_headers,
               per_case_headers / kTargetBytesPerClosedCase);
  }
  fmt::print("\n");
}

// Takes --cases=N out of argv.
void parse_own_flags(int& argc, char** argv) {
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view a(argv[i]);
    if (a.starts_with("--cases=")) {
      g_cases = std::max<std::size_t>(1, std::strtoull(argv[i] + std::strlen("--cases="), nullptr, 10));
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
}

void register_all() {
  for (auto [name, fn, reps] : {std::tuple{"engine/redress_apply", &bench_apply, 3},
                                std::tuple{"engine/redress_replay", &bench_replay, 3}}) {
    benchmark::RegisterBenchmark(name, fn)->Iterations(1)->Repetitions(reps)->Unit(benchmark::kMillisecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  parse_own_flags(argc, argv);
  register_all();
  // Interleave the repetitions of both benchmarks, so that a burst of load
  // on the shared machine does not favour one of them; a flag given on the
  // command line still wins.
  std::vector<char*> args(argv, argv + argc);
  std::string interleave = "--benchmark_enable_random_interleaving=true";
  args.insert(args.begin() + 1, interleave.data());
  int args_count = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&args_count, args.data());
  argc = args_count;
  argv = args.data();
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  workload();  // generate before any timing
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  print_summary();
  return 0;
}
