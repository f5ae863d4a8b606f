// The follow-up scheduler against two references, in one binary:
//   - redress_wheel:   redress::FollowUpScheduler (hierarchical timing wheel);
//   - binary_heap:     a binary min-heap (std::push_heap/pop_heap, what
//                      std::priority_queue does) with O(1) lazy cancellation
//                      by generation and compaction when the dead outnumber
//                      the live;
//   - asio_timer_queue: boost::asio::detail::timer_queue, the heap behind every
//                      Asio timer, driven directly (enqueue_timer / cancel_timer /
//                      get_ready_timers) with a clock the benchmark sets.
//
// Each run does the same work for all three, with inputs generated at run time
// from a fixed seed: N follow-ups due uniformly over 30 days at 1-second
// resolution, then
//   schedule   N schedules into an empty structure;
//   empty      advance/poll at the current time, nothing due (10M calls);
//   churn      1M x (cancel a random pending one, schedule a new one);
//   cancel     min(1M, N/2) cancels of distinct random pending ones;
//   fire       advance one second at a time over 30 days, firing all the rest.
// Memory is bytes allocated by the structure at its peak / N. Times are the
// thread's CPU time per operation (per pair for churn, per fired follow-up for
// fire, which includes the one-second advances between them).
//
// Sizes are 1M and 10M pending. A quick run: --benchmark_filter=/1000000/.
// Best of several: --benchmark_repetitions=3 (the summary keeps the minimum).
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <iterator>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/detail/timer_queue.hpp>
#include <fmt/format.h>

#include <redress/scheduler.hpp>

namespace {

namespace pt = boost::posix_time;

// Phases are timed in this thread's CPU time: the machine may be shared, and
// wall time would count the time other processes hold the core.
struct Clock {
  using time_point = std::chrono::nanoseconds;
  static time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  }
};

constexpr std::uint32_t kSpanSeconds = 30 * 24 * 3600;
constexpr std::size_t kChurn = 1'000'000;
constexpr std::size_t kCancels = 1'000'000;  // at most half of the pending ones
constexpr std::size_t kEmptyPolls = 10'000'000;
const redress::Instant kOrigin = redress::parse_instant("2025-01-24T00:00:00Z").value();

// Inputs shared by every implementation at one size.
struct Workload {
  std::size_t pending = 0;
  std::vector<std::uint32_t> fill_due_s;
  std::vector<redress::Instant> fill_due_at;
  std::vector<std::uint32_t> churn_victim;  // index into the handle table
  std::vector<std::uint32_t> churn_due_s;
  std::vector<redress::Instant> churn_due_at;
  std::vector<std::uint32_t> cancel_victim;  // distinct
};

const Workload& workload(std::size_t pending) {
  static Workload w;
  if (w.pending == pending) return w;
  w = Workload{};
  w.pending = pending;
  std::mt19937_64 rng(20250124);
  std::uniform_int_distribution<std::uint32_t> due(1, kSpanSeconds);
  std::uniform_int_distribution<std::uint32_t> victim(0, static_cast<std::uint32_t>(pending - 1));
  w.fill_due_s.resize(pending);
  for (auto& d : w.fill_due_s) d = due(rng);
  for (std::size_t i = 0; i < kChurn; ++i) {
    w.churn_victim.push_back(victim(rng));
    w.churn_due_s.push_back(due(rng));
  }
  auto at = [](std::uint32_t s) { return kOrigin + pt::seconds(s); };
  std::ranges::transform(w.fill_due_s, std::back_inserter(w.fill_due_at), at);
  std::ranges::transform(w.churn_due_s, std::back_inserter(w.churn_due_at), at);
  std::vector<std::uint32_t> order(pending);
  std::iota(order.begin(), order.end(), 0u);
  std::shuffle(order.begin(), order.end(), rng);
  w.cancel_victim.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(std::min(kCancels, pending / 2)));
  return w;
}

// --- the implementations, behind one small interface -----------------------

class Wheel {
 public:
  using Handle = redress::FollowUpHandle;
  static constexpr const char* kName = "redress_wheel";

  Handle schedule(std::uint64_t key, std::uint32_t, redress::Instant due_at) {
    return s_.schedule(due_at, key).value();
  }
  bool cancel(Handle h) { return s_.cancel(h); }
  template <class F>
  void advance(std::uint32_t, redress::Instant now, F&& on_fire) {
    auto n = s_.advance(now, [&](const redress::FiredFollowUp& f) { on_fire(f.key); });
    benchmark::DoNotOptimize(n);
  }
  std::size_t bytes() const { return s_.allocated_bytes(); }

 private:
  redress::FollowUpScheduler s_ = redress::FollowUpScheduler::make(kOrigin).value();
};

class Heap {
 public:
  struct Handle {
    std::uint32_t id;
    std::uint32_t generation;
  };
  static constexpr const char* kName = "binary_heap";

  Handle schedule(std::uint64_t key, std::uint32_t due_s, redress::Instant) {
    std::uint32_t id;
    if (free_.empty()) {
      id = static_cast<std::uint32_t>(records_.size());
      records_.push_back({key, 0});
    } else {
      id = free_.back();
      free_.pop_back();
      records_[id].key = key;
    }
    const std::uint32_t generation = ++records_[id].generation;
    // Ties in schedule order, as the wheel: (due, sequence) in one integer.
    heap_.push_back({(std::uint64_t{due_s} << 32) | (sequence_++ & 0xFFFF'FFFFu), id, generation});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
    return {id, generation};
  }

  bool cancel(Handle h) {
    if (records_[h.id].generation != h.generation) return false;
    retire(h.id);
    ++dead_;
    if (dead_ > heap_.size() - dead_) compact();
    return true;
  }

  template <class F>
  void advance(std::uint32_t now_s, redress::Instant, F&& on_fire) {
    while (!heap_.empty() && (heap_.front().order >> 32) <= now_s) {
      std::pop_heap(heap_.begin(), heap_.end(), Later{});
      const Entry e = heap_.back();
      heap_.pop_back();
      if (records_[e.id].generation != e.generation) {
        --dead_;
        continue;
      }
      retire(e.id);
      on_fire(records_[e.id].key);
    }
  }

  std::size_t bytes() const {
    return heap_.capacity() * sizeof(Entry) + records_.capacity() * sizeof(Record) +
           free_.capacity() * sizeof(std::uint32_t);
  }

 private:
  struct Entry {
    std::uint64_t order;
    std::uint32_t id;
    std::uint32_t generation;
  };
  struct Record {
    std::uint64_t key;
    std::uint32_t generation;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const { return a.order > b.order; }
  };

  void retire(std::uint32_t id) {
    ++records_[id].generation;
    free_.push_back(id);
  }
  void compact() {
    std::erase_if(heap_, [&](const Entry& e) { return records_[e.id].generation != e.generation; });
    std::make_heap(heap_.begin(), heap_.end(), Later{});
    dead_ = 0;
  }

  std::vector<Entry> heap_;
  std::vector<Record> records_;
  std::vector<std::uint32_t> free_;
  std::size_t dead_ = 0;
  std::uint64_t sequence_ = 0;
};

// Asio's timer queue with a clock the benchmark sets, in whole seconds.
struct SecondsTraits {
  using time_type = std::int64_t;
  using duration_type = std::int64_t;
  static inline time_type current = 0;
  static time_type now() { return current; }
  static time_type add(time_type t, duration_type d) { return t + d; }
  static duration_type subtract(time_type a, time_type b) { return a - b; }
  static bool less_than(time_type a, time_type b) { return a < b; }
  static pt::time_duration to_posix_duration(duration_type d) { return pt::seconds(static_cast<long>(d)); }
};

class AsioQueue {
 public:
  using Queue = boost::asio::detail::timer_queue<SecondsTraits>;
  using Handle = std::uint32_t;  // the index of a timer object, re-armed in place like a steady_timer
  static constexpr const char* kName = "asio_timer_queue";

  explicit AsioQueue(std::size_t pending) : timers_(pending) {}

  Handle schedule(std::uint64_t key, std::uint32_t due_s, redress::Instant) {
    const auto index = static_cast<Handle>(key < timers_.size() ? key : victim_);
    Timer& t = timers_[index];
    t.op.key = key;
    queue_.enqueue_timer(due_s, t.data, &t.op);
    return index;
  }

  bool cancel(Handle h) {
    victim_ = h;  // the next schedule re-arms this timer object
    boost::asio::detail::op_queue<boost::asio::detail::operation> ops;
    const std::size_t n = queue_.cancel_timer(timers_[h].data, ops);
    while (ops.front() != nullptr) ops.pop();
    return n != 0;
  }

  template <class F>
  void advance(std::uint32_t now_s, redress::Instant, F&& on_fire) {
    SecondsTraits::current = now_s;
    boost::asio::detail::op_queue<boost::asio::detail::operation> ops;
    queue_.get_ready_timers(ops);
    while (auto* op = ops.front()) {
      ops.pop();
      on_fire(static_cast<KeyedOp*>(static_cast<boost::asio::detail::wait_op*>(op))->key);
    }
  }

  // Asio's heap vector is private: its capacity is taken as the power of two
  // that holds the peak count, which is what doubling growth reaches.
  std::size_t bytes() const {
    return timers_.capacity() * sizeof(Timer) + std::bit_ceil(timers_.size()) * (sizeof(std::int64_t) + sizeof(void*));
  }

 private:
  struct KeyedOp : boost::asio::detail::wait_op {
    KeyedOp() : wait_op(&KeyedOp::complete) {}
    static void complete(void*, boost::asio::detail::operation*, const boost::system::error_code&, std::size_t) {}
    std::uint64_t key = 0;
  };
  struct Timer {
    Queue::per_timer_data data;
    KeyedOp op;
  };

  Queue queue_;
  std::vector<Timer> timers_;
  Handle victim_ = 0;
};

// --- the driver --------------------------------------------------------------

struct Figures {
  double schedule_ns = 0, empty_ns = 0, churn_ns = 0, cancel_ns = 0, fire_ns = 0, bytes_per_pending = 0;
  std::uint64_t fired = 0, key_sum = 0;
  bool counts_ok = false;  // every cancel found its follow-up and every other one fired
};

std::map<std::pair<std::size_t, std::string>, Figures>& results() {
  static std::map<std::pair<std::size_t, std::string>, Figures> r;
  return r;
}

double ns_per(Clock::time_point start, std::size_t n) {
  return static_cast<double>((Clock::now() - start).count()) / static_cast<double>(n);
}

template <class Impl>
Figures run_once(const Workload& w) {
  const std::size_t n = w.pending;
  Figures f;
  Impl impl = [&] {
    if constexpr (std::is_constructible_v<Impl, std::size_t>) {
      return Impl(n);
    } else {
      return Impl();
    }
  }();
  std::vector<typename Impl::Handle> handles(n);

  auto start = Clock::now();
  for (std::size_t i = 0; i < n; ++i) handles[i] = impl.schedule(i, w.fill_due_s[i], w.fill_due_at[i]);
  f.schedule_ns = ns_per(start, n);
  std::size_t peak = impl.bytes();

  auto count = [&](std::uint64_t key) {
    ++f.fired;
    f.key_sum += key;
  };
  start = Clock::now();
  for (std::size_t i = 0; i < kEmptyPolls; ++i) impl.advance(0, kOrigin, count);
  f.empty_ns = ns_per(start, kEmptyPolls);

  start = Clock::now();
  for (std::size_t i = 0; i < kChurn; ++i) {
    auto& h = handles[w.churn_victim[i]];
    benchmark::DoNotOptimize(impl.cancel(h));
    h = impl.schedule(n + i, w.churn_due_s[i], w.churn_due_at[i]);
  }
  f.churn_ns = ns_per(start, kChurn);
  peak = std::max(peak, impl.bytes());

  start = Clock::now();
  std::size_t cancelled = 0;
  for (std::uint32_t v : w.cancel_victim) cancelled += impl.cancel(handles[v]) ? 1 : 0;
  f.cancel_ns = ns_per(start, w.cancel_victim.size());

  start = Clock::now();
  redress::Instant now = kOrigin;
  for (std::uint32_t s = 1; s <= kSpanSeconds; ++s) {
    now += pt::seconds(1);
    impl.advance(s, now, count);
  }
  f.fire_ns = ns_per(start, std::max<std::uint64_t>(f.fired, 1));
  f.bytes_per_pending = static_cast<double>(peak) / static_cast<double>(n);
  f.counts_ok = cancelled == w.cancel_victim.size() && f.fired == n - cancelled;
  return f;
}

template <class Impl>
void bench(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const Workload& w = workload(n);
  Figures f;
  for (auto _ : state) {
    f = run_once<Impl>(w);
    state.SetIterationTime((f.schedule_ns * static_cast<double>(n) + f.churn_ns * kChurn +
                            f.cancel_ns * static_cast<double>(w.cancel_victim.size()) +
                            f.fire_ns * static_cast<double>(f.fired)) * 1e-9);
  }
  state.counters["schedule_ns"] = f.schedule_ns;
  state.counters["empty_advance_ns"] = f.empty_ns;
  state.counters["churn_pair_ns"] = f.churn_ns;
  state.counters["cancel_ns"] = f.cancel_ns;
  state.counters["fire_ns"] = f.fire_ns;
  state.counters["bytes_per_pending"] = f.bytes_per_pending;
  state.counters["fired"] = static_cast<double>(f.fired);
  // Repetitions keep the best of each figure.
  auto [it, fresh] = results().try_emplace({n, Impl::kName}, f);
  if (!fresh) {
    Figures& b = it->second;
    b.schedule_ns = std::min(b.schedule_ns, f.schedule_ns);
    b.empty_ns = std::min(b.empty_ns, f.empty_ns);
    b.churn_ns = std::min(b.churn_ns, f.churn_ns);
    b.cancel_ns = std::min(b.cancel_ns, f.cancel_ns);
    b.fire_ns = std::min(b.fire_ns, f.fire_ns);
  }
}

void print_summary() {
  std::size_t last_n = 0;
  for (const auto& [key, f] : results()) {
    const auto& [n, name] = key;
    if (n != last_n) {
      fmt::print("\n{} pending, due over 30 days at 1 s ({} churn pairs, {} cancels)\n", n, kChurn,
                 std::min(kCancels, n / 2));
      fmt::print("  {:<18} {:>10} {:>10} {:>11} {:>10} {:>10} {:>10}\n", "", "schedule", "cancel", "churn pair",
                 "per fire", "empty adv", "B/pending");
      last_n = n;
    }
    fmt::print("  {:<18} {:>8.1f}ns {:>8.1f}ns {:>9.1f}ns {:>8.1f}ns {:>8.2f}ns {:>10.1f}\n", name, f.schedule_ns,
               f.cancel_ns, f.churn_ns, f.fire_ns, f.empty_ns, f.bytes_per_pending);
    if (!f.counts_ok) fmt::print("  {:<18} RUN BROKEN: cancel or fire counts are wrong\n", name);
  }
  for (const auto& [key, wheel] : results()) {
    const auto& [n, name] = key;
    if (name != Wheel::kName) continue;
    for (const char* other : {Heap::kName, AsioQueue::kName}) {
      auto it = results().find({n, other});
      if (it == results().end()) continue;
      const Figures& o = it->second;
      fmt::print("\n{} pending: {} time / redress_wheel time (higher favours the wheel)\n", n, other);
      fmt::print("  schedule {:.2f}x  cancel {:.2f}x  churn {:.2f}x  fire {:.2f}x  empty advance {:.2f}x  "
                 "memory {:.2f}x\n",
                 o.schedule_ns / wheel.schedule_ns, o.cancel_ns / wheel.cancel_ns, o.churn_ns / wheel.churn_ns,
                 o.fire_ns / wheel.fire_ns, o.empty_ns / wheel.empty_ns, o.bytes_per_pending / wheel.bytes_per_pending);
      if (o.key_sum != wheel.key_sum || o.fired != wheel.fired) {
        fmt::print("  MISMATCH: {} fired {} (key sum {}), the wheel {} (key sum {})\n", other, o.fired, o.key_sum,
                   wheel.fired, wheel.key_sum);
      }
    }
    auto asio = results().find({n, AsioQueue::kName});
    auto verdict = [](bool ok) { return ok ? "met" : "MISSED"; };
    fmt::print("\n{} pending, targets: schedule <= 40 ns {} | cancel <= 30 ns {} | fire <= 300 ns {} | "
               "empty advance <= 5 ns {} | <= 32 B/pending {}",
               n, verdict(wheel.schedule_ns <= 40), verdict(wheel.cancel_ns <= 30), verdict(wheel.fire_ns <= 300),
               verdict(wheel.empty_ns <= 5), verdict(wheel.bytes_per_pending <= 32));
    if (asio != results().end()) fmt::print(" | churn >= 3x Asio {}", verdict(asio->second.churn_ns >= 3 * wheel.churn_ns));
    fmt::print("\n");
  }
}

void register_all() {
  for (std::int64_t n : {1'000'000, 10'000'000}) {
    for (auto [name, fn] : {std::pair{Wheel::kName, &bench<Wheel>}, std::pair{Heap::kName, &bench<Heap>},
                            std::pair{AsioQueue::kName, &bench<AsioQueue>}}) {
      benchmark::RegisterBenchmark((std::string("scheduler/") + name).c_str(), fn)
          ->Arg(n)
          ->Iterations(1)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  print_summary();
  return 0;
}
