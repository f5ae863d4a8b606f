// What `redress report` spends its time on, and how fast a store is summarised.
//
// A SQLite store of generated cases (tests/support/journal_generator.hpp,
// about causes in English and Chinese, every kind of loss and remedy) is
// written to the system's temporary directory (TMPDIR) at start-up:
// REDRESS_REPORT_BENCH_EVENTS events (default 1,000,000). Then, each run
// folding every case into a fresh Analytics:
//   - store/scan_jobs1: JournalStore::scan() (one statement's rows, decoded
//     as they come), each case replayed under the policy (ReplayMode::case_only)
//     and folded in: what `redress report --store` does;
//   - store/scan_jobs2: the same with the store split in two (split()), two
//     threads each with its own connection and accumulator, merged: `--jobs 2`;
//   - store/per_case (the reference): cases(), then header() and events() of
//     each case, replayed and folded: how the report read a store before scan();
//   - memory/replay_and_fold: the first REDRESS_REPORT_BENCH_MEMORY_EVENTS
//     events' cases (default 100,000), already decoded in memory, replayed
//     and folded: the engine and the analytics alone;
//   - memory/fold: the same cases already replayed: Analytics::add() alone.
// The summary prints the median events per second of each (by the wall
// clock and by the process's CPU time) and scan / per_case, from the same run.
// The target is >= 1,000,000 events/s for store/scan_jobs1.
//
// The store seals personal fields with a master key (the bench's fixed key,
// in REDRESS_BENCH_MASTER_KEY), as a production store does;
// REDRESS_REPORT_BENCH_PLAINTEXT=1 measures a clear-text store instead.
// REDRESS_REPORT_BENCH_STORE=PATH writes the store there and keeps it, with
// the policy in PATH.policy.json (for `redress report --store sqlite:PATH
// --policy PATH.policy.json`), or reads it when it already exists.
//
//   sqlite_report_bench [--benchmark_filter=...] [--benchmark_repetitions=N]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <redress/analytics.hpp>
#include <redress/sqlite_store.hpp>

#include "bench_support.hpp"
#include "support/journal_generator.hpp"
#include "support/policy_document.hpp"

namespace {

using namespace redress;
using redress::bench::ScratchFile;
using redress::bench::store_options;

constexpr std::array<std::string_view, 9> kCauses{
    "coupon.expiry", "payment.duplicate_charge", "delivery.late", "product.defective", "app.redemption_failure",
    "配送.延误", "客服.承诺未兑现", "billing <legacy> & refunds", ""};

long env_or(const char* name, long fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtol(v, nullptr, 10) : fallback;
}

double process_cpu() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Fixture {
  ScratchFile scratch{"report.db"};
  std::string path = scratch.path();
  SqliteOptions store = store_options(env_or("REDRESS_REPORT_BENCH_PLAINTEXT", 0) == 0);
  std::unique_ptr<ReferencePolicy> policy;
  AnalyticsOptions options;
  long events = 0, cases = 0;
  // The first cases, in memory: initial state, journal, final state.
  std::vector<testing::GeneratedCase> in_memory;
  long memory_events = 0;
};

Fixture& fixture() {
  static Fixture f;
  static bool made = [] {
    auto doc = testing::policy_document_in(
        REDRESS_TEST_DATA_DIR,
        boost::json::object{{"severities", boost::json::object{{"remedy.cash_without_loss", "warn"}}}});
    f.policy = std::make_unique<ReferencePolicy>(ReferencePolicy::from_json(doc).value());
    f.options = analytics_options(f.policy->settings());
    f.options.period = Period::week;
    f.options.remember_case_ids = false;
    const long wanted = env_or("REDRESS_REPORT_BENCH_EVENTS", 1'000'000);
    const long in_memory = env_or("REDRESS_REPORT_BENCH_MEMORY_EVENTS", 100'000);
    const char* kept = std::getenv("REDRESS_REPORT_BENCH_STORE");
    if (kept != nullptr) {
      f.path = kept;
      // The policy the cases were decided under, for `redress report --policy`.
      std::ofstream(f.path + ".policy.json") << boost::json::serialize(doc);
    }
    const bool reuse = kept != nullptr && std::filesystem::exists(f.path);
    auto store = SqliteStore::open(f.path, f.store).value();
    const auto first = parse_instant("2025-03-03T02:00:00Z").value();
    const auto started = std::chrono::steady_clock::now();
    // The same cases every time: a kept store holds what a new one would.
    for (unsigned batch = 0; f.events < wanted && !(reuse && f.memory_events >= in_memory); ++batch) {
      for (auto& spec : testing::random_specs(500, 7919 + batch, first, 52 * 7, kCauses)) {
        if (f.events >= wanted || (reuse && f.memory_events >= in_memory)) break;
        spec.id = fmt::format("C-{:08}", f.cases);
        auto g = testing::generate_case(spec, *f.policy).value();
        if (!reuse) store.append(CaseHeader::of(g.initial), g.journal, 0, state_of(g.final_case)).value();
        f.events += static_cast<long>(g.journal.size());
        ++f.cases;
        if (f.memory_events < in_memory) {
          f.memory_events += static_cast<long>(g.journal.size());
          f.in_memory.push_back(std::move(g));
        }
      }
    }
    if (reuse) {
      sqlite3* db = nullptr;
      sqlite3_open_v2(f.path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
      sqlite3_stmt* q = nullptr;
      sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM events)", -1, &q, nullptr);
      if (sqlite3_step(q) == SQLITE_ROW) {
        f.cases = static_cast<long>(sqlite3_column_int64(q, 0));
        f.events = static_cast<long>(sqlite3_column_int64(q, 1));
      }
      sqlite3_finalize(q);
      sqlite3_close(db);
    }
    fmt::print(stderr, "report bench: {} cases, {} events {} {} in {:.0f} s\n", f.cases, f.events,
               reuse ? "found in" : "written to", f.path,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    return true;
  }();
  (void)made;
  return f;
}

result<void> fold(Analytics& a, const CaseHeader& h, std::span<const Event> journal, const Policy& policy) {
  BOOST_OUTCOME_TRY(auto initial, Case::open(h.id, h.customer, h.currency, h.opened_at_utc));
  BOOST_OUTCOME_TRY(auto c, replay(initial, journal, policy, ReplayMode::case_only));  // as `redress report` does
  return a.add(c, journal);
}

result<Summary> scan_jobs(const Fixture& f, std::size_t jobs) {
  auto store = SqliteStore::open(f.path, f.store).value();
  BOOST_OUTCOME_TRY(auto ranges, store.split(jobs));
  auto base = Analytics::make(f.options).value();
  std::vector<Analytics> parts(ranges.size(), base);
  std::vector<result<void>> outcomes(ranges.size(), boost::outcome_v2::success());
  auto work = [&](std::size_t k, const JournalStore& s) {
    outcomes[k] = s.scan(ranges[k], [&](const CaseHeader& h, std::span<const Event> journal) {
      return fold(parts[k], h, journal, *f.policy);
    });
  };
  {
    std::vector<std::jthread> workers;
    for (std::size_t k = 1; k < ranges.size(); ++k) {
      workers.emplace_back([&, k] { work(k, SqliteStore::open(f.path, f.store).value()); });
    }
    work(0, store);
  }
  for (std::size_t k = 0; k < ranges.size(); ++k) {
    BOOST_OUTCOME_TRYV(outcomes[k]);
    BOOST_OUTCOME_TRYV(base.merge(parts[k]));
  }
  return base.summary();
}

result<Summary> per_case(const Fixture& f) {
  auto store = SqliteStore::open(f.path, f.store).value();
  auto a = Analytics::make(f.options).value();
  BOOST_OUTCOME_TRY(auto ids, store.cases());
  for (const auto& id : ids) {
    BOOST_OUTCOME_TRY(auto header, store.header(id));
    BOOST_OUTCOME_TRY(auto journal, store.events(id));
    BOOST_OUTCOME_TRYV(fold(a, *header, journal, *f.policy));
  }
  return a.summary();
}

struct Run {
  double wall = 0, cpu = 0;
};
std::map<std::string, std::vector<Run>>& runs() {
  static std::map<std::string, std::vector<Run>> r;
  return r;
}

template <class F>
void measure(benchmark::State& state, const std::string& name, long events, F&& body) {
  for (auto _ : state) {
    const auto wall0 = std::chrono::steady_clock::now();
    const double cpu0 = process_cpu();
    auto s = body();
    const double cpu = process_cpu() - cpu0;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    if (!s) {
      state.SkipWithError(std::string(last_error_detail()).c_str());
      return;
    }
    if (s.value().events != events) {
      state.SkipWithError(fmt::format("folded {} events of {}", s.value().events, events).c_str());
      return;
    }
    state.SetIterationTime(wall);
    runs()[name].push_back(Run{wall, cpu});
    state.counters["ev/s"] = static_cast<double>(events) / wall;
    state.counters["ev/cpu_s"] = static_cast<double>(events) / cpu;
  }
}

void register_all() {
  auto store_bench = [](const char* name, auto body) {
    benchmark::RegisterBenchmark(name, [name, body](benchmark::State& state) {
      const auto& f = fixture();
      measure(state, name, f.events, [&] { return body(f); });
    })->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
  };
  store_bench("store/scan_jobs1", [](const Fixture& f) { return scan_jobs(f, 1); });
  store_bench("store/scan_jobs2", [](const Fixture& f) { return scan_jobs(f, 2); });
  store_bench("store/per_case", [](const Fixture& f) { return per_case(f); });
  benchmark::RegisterBenchmark("memory/replay_and_fold", [](benchmark::State& state) {
    const auto& f = fixture();
    measure(state, "memory/replay_and_fold", f.memory_events, [&]() -> result<Summary> {
      auto a = Analytics::make(f.options).value();
      for (const auto& g : f.in_memory) {
        BOOST_OUTCOME_TRYV(fold(a, CaseHeader::of(g.initial), g.journal, *f.policy));
      }
      return a.summary();
    });
  })->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("memory/fold", [](benchmark::State& state) {
    const auto& f = fixture();
    measure(state, "memory/fold", f.memory_events, [&]() -> result<Summary> {
      auto a = Analytics::make(f.options).value();
      for (const auto& g : f.in_memory) {
        BOOST_OUTCOME_TRYV(a.add(g.final_case, g.journal));
      }
      return a.summary();
    });
  })->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

void print_summary() {
  const auto& f = fixture();
  fmt::print("\nreport throughput, median events/s over {} cases / {} events ({} in memory)\n", f.cases, f.events,
             f.memory_events);
  std::map<std::string, double> wall_rate;
  for (const auto& [name, rs] : runs()) {
    std::vector<double> wall, cpu;
    const double events = name.starts_with("memory/") ? static_cast<double>(f.memory_events) : static_cast<double>(f.events);
    for (const auto& r : rs) {
      wall.push_back(events / r.wall);
      cpu.push_back(events / r.cpu);
    }
    wall_rate[name] = median(wall);
    fmt::print("  {:<24} {:>11.0f} by the wall clock {:>11.0f} per CPU second  ({} runs)\n", name, median(wall),
               median(cpu), rs.size());
  }
  auto ratio = [&](const char* a, const char* b) {
    return wall_rate.contains(a) && wall_rate[b] > 0 ? wall_rate[a] / wall_rate[b] : 0.0;
  };
  fmt::print("  scan_jobs1 / per_case: {:.2f}x   scan_jobs2 / scan_jobs1: {:.2f}x   scan_jobs1 {} 1,000,000 events/s\n",
             ratio("store/scan_jobs1", "store/per_case"), ratio("store/scan_jobs2", "store/scan_jobs1"),
             wall_rate["store/scan_jobs1"] >= 1e6 ? "meets" : "MISSES");
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
