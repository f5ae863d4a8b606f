// StepStore::commit on SQLite against raw SQLite writing the same rows,
// already encoded (the fair peer: the store's JSON encoding is not in the
// peer's loop).
//
// Every side writes to a fresh file in TMPDIR with the store's schema and
// pragmas (WAL, synchronous=FULL), one BEGIN IMMEDIATE ... COMMIT per step
// (commit's contract: a step is one transaction), `batch` steps per
// iteration:
//   - sealed:        SqliteStore::commit() of a step with two actions on a store
//                    with a master key: the event (its text sealed with the
//                    customer's data key), the case row, the event id and the
//                    two outbox rows (sealed): what a host runs;
//   - commit:        the same on a store opened with insecure_plaintext: the
//                    difference to `sealed` is the encryption's cost;
//   - commit_bare:   the same step without actions (no outbox rows), in clear:
//                    the difference to `commit` is the outbox's cost;
//   - raw:           the rows of `commit`, pre-encoded, with sqlite3_bind/step;
//   - raw_bare:      the rows of `commit_bare`, likewise.
// The summary prints steps per second by the wall clock and by CPU time, and
// sealed/raw (target >= 0.8x by the wall clock), commit/raw and
// commit_bare/raw_bare.
//
//   sqlite_commit_bench [--benchmark_filter=...]
#include <time.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <redress/engine.hpp>
#include <redress/journal.hpp>
#include <redress/sqlite_store.hpp>

#include "bench_support.hpp"

namespace {

using namespace redress;
using bench::ScratchFile;
using bench::Spent;
using bench::store_options;
using bench::timed;

const Instant kT0 = parse_instant("2025-01-24T07:00:00Z").value();
const Instant kEpoch(boost::gregorian::date(1970, 1, 1));
constexpr std::int64_t kOpenedAtUs = 1737702000'000000;

Event event_at(const CaseId& id, std::int64_t seq) {
  return Event{id, kT0 + boost::posix_time::seconds(static_cast<long>(seq)), AgentId::make("A-7").value(),
               events::ApologyGiven{"非常抱歉，让您反复打电话，这是我们的失误。"}};
}

std::vector<Action> two_actions() {
  return {actions::Reply{"我们已经为您安排了上门维修，师傅会在两小时内联系您。"},
          actions::Escalate{2, "third contact about the same fault"}};
}

constexpr int kSides = 5;

// Steps per second (wall, CPU) of the five sides, by batch.
std::map<std::int64_t, std::array<std::array<double, 2>, kSides>>& results() {
  static std::map<std::int64_t, std::array<std::array<double, 2>, kSides>> r;
  return r;
}


// The rows one step writes, encoded.
struct StepRows {
  std::int64_t seq;
  std::int64_t at_us;
  std::string body;
  std::string event_id;
  std::vector<std::array<std::string, 3>> actions;  // id, type, body_json
};

// The raw side: the store's file layout, pragmas and statements.
class Raw {
 public:
  explicit Raw(const std::string& path) {
    { auto made = SqliteStore::open(path, store_options(false)).value(); }
    sqlite3_open(path.c_str(), &db_);
    sqlite3_exec(db_, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL", nullptr, nullptr, nullptr);
    const std::pair<sqlite3_stmt**, const char*> statements[] = {
        {&begin_, "BEGIN IMMEDIATE"},
        {&commit_, "COMMIT"},
        {&event_, "INSERT INTO events (case_id, seq, at_us, type, body_json) VALUES (?, ?, ?, 'apology_given', ?)"},
        {&case_, "INSERT INTO cases (case_id, open, last_seq, last_at_us, customer, currency, opened_at_us) "
                 "VALUES (?, 1, ?, ?, 'U-1', 'CNY', ?) ON CONFLICT (case_id) DO UPDATE SET open = excluded.open, "
                 "last_seq = excluded.last_seq, last_at_us = excluded.last_at_us"},
        {&event_id_, "INSERT INTO event_ids (case_id, event_id, seq) VALUES (?, ?, ?)"},
        {&outbox_, "INSERT INTO outbox (id, case_id, seq, n, type, body_json, state) "
                   "VALUES (?, ?, ?, ?, ?, ?, 'pending')"}};
    for (auto [slot, sql] : statements) sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, nullptr);
  }
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;
  ~Raw() {
    for (auto* s : {begin_, commit_, event_, case_, event_id_, outbox_}) sqlite3_finalize(s);
    sqlite3_close(db_);
  }

  bool write(const std::string& id, const StepRows& r) {
    bool ok = step(begin_);
    text(event_, 1, id);
    sqlite3_bind_int64(event_, 2, r.seq);
    sqlite3_bind_int64(event_, 3, r.at_us);
    text(event_, 4, r.body);
    ok = step(event_) && ok;
    text(case_, 1, id);
    sqlite3_bind_int64(case_, 2, r.seq);
    sqlite3_bind_int64(case_, 3, r.at_us);
    sqlite3_bind_int64(case_, 4, kOpenedAtUs);
    ok = step(case_) && ok;
    text(event_id_, 1, id);
    text(event_id_, 2, r.event_id);
    sqlite3_bind_int64(event_id_, 3, r.seq);
    ok = step(event_id_) && ok;
    std::int64_t n = 0;
    for (const auto& a : r.actions) {
      text(outbox_, 1, a[0]);
      text(outbox_, 2, id);
      sqlite3_bind_int64(outbox_, 3, r.seq);
      sqlite3_bind_int64(outbox_, 4, ++n);
      text(outbox_, 5, a[1]);
      text(outbox_, 6, a[2]);
      ok = step(outbox_) && ok;
    }
    return step(commit_) && ok;
  }

 private:
  static void text(sqlite3_stmt* s, int i, const std::string& t) {
    sqlite3_bind_text(s, i, t.data(), static_cast<int>(t.size()), SQLITE_STATIC);
  }
  static bool step(sqlite3_stmt* s) {
    const bool ok = sqlite3_step(s) == SQLITE_DONE;
    sqlite3_reset(s);
    return ok;
  }
  sqlite3* db_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* event_ = nullptr;
  sqlite3_stmt* case_ = nullptr;
  sqlite3_stmt* event_id_ = nullptr;
  sqlite3_stmt* outbox_ = nullptr;
};

void bm_commit(benchmark::State& state) {
  const auto n = state.range(0);
  ScratchFile files[] = {ScratchFile("commit.db"), ScratchFile("bare.db"), ScratchFile("raw.db"),
                         ScratchFile("raw-bare.db"), ScratchFile("sealed.db")};
  auto store = SqliteStore::open(files[0].path(), store_options(false)).value();
  auto bare = SqliteStore::open(files[1].path(), store_options(false)).value();
  auto sealed = SqliteStore::open(files[4].path(), store_options(true)).value();
  Raw raw(files[2].path());
  Raw raw_bare(files[3].path());
  const auto id = CaseId::make("C-1").value();
  const CaseHeader header{id, CustomerId::make("U-1").value(), Currency::CNY, kT0};
  const Step with{Case::open(id, header.customer, Currency::CNY, kT0).value(), two_actions(), {}, {}};
  const Step without{with.next, {}, {}, {}};
  std::array<Spent, kSides> spent{};
  std::int64_t last = 0;
  std::int64_t steps = 0;
  int turn = 0;
  for (auto _ : state) {
    std::vector<Event> events;
    std::vector<StepRows> rows, bare_rows;
    for (std::int64_t s = last + 1; s <= last + n; ++s) {
      events.push_back(event_at(id, s));
      StepRows r{s, (events.back().at_utc - kEpoch).total_microseconds(),
                 boost::json::serialize(to_json(events.back())), fmt::format("msg-{}", s), {}};
      bare_rows.push_back(r);
      std::size_t k = 0;
      for (const auto& a : with.actions) {
        r.actions.push_back({action_id(id, static_cast<std::uint64_t>(s), ++k), std::string(action_type(a)),
                             boost::json::serialize(to_json(a))});
      }
      rows.push_back(std::move(r));
    }
    bool ok = true;
    for (int i = 0; i < kSides; ++i) {
      const int side = (turn + i) % kSides;
      ok = timed(spent[side], [&] {
             bool all = true;
             for (std::int64_t k = 0; k < n; ++k) {
               const auto seq = static_cast<std::uint64_t>(last + k);
               const auto& e = events[static_cast<std::size_t>(k)];
               const auto& eid = rows[static_cast<std::size_t>(k)].event_id;
               switch (side) {
                 case 0: all = store.commit(header, e, with, seq, eid).has_value() && all; break;
                 case 1: all = bare.commit(header, e, without, seq, eid).has_value() && all; break;
                 case 2: all = raw.write("C-1", rows[static_cast<std::size_t>(k)]) && all; break;
                 case 3: all = raw_bare.write("C-1", bare_rows[static_cast<std::size_t>(k)]) && all; break;
                 default: all = sealed.commit(header, e, with, seq, eid).has_value() && all;
               }
             }
             return all;
           }) && ok;
    }
    if (!ok) {
      state.SkipWithError(std::string(last_error_detail()).c_str());
      return;
    }
    turn = (turn + 1) % kSides;
    last += n;
    steps += n;
  }
  auto& r = results()[n];
  for (int i = 0; i < kSides; ++i) {
    r[i] = {static_cast<double>(steps) / spent[i].wall, static_cast<double>(steps) / spent[i].cpu};
    state.counters[std::array{"commit/s", "commit_bare/s", "raw/s", "raw_bare/s", "sealed/s"}[i]] = r[i][0];
  }
}

void print_summary() {
  fmt::print("\ncommit throughput, steps/s (one transaction per step, synchronous=FULL): wall clock | CPU only\n");
  fmt::print("  {:>5} {:>8} {:>8} {:>8} {:>8} {:>8} {:>10} {:>10} {:>10} | {:>8} {:>8} {:>10} {:>10}\n", "batch",
             "sealed", "commit", "raw", "bare", "raw bare", "sealed/raw", "commit/raw", "bare/raw", "sealed", "raw",
             "sealed/raw", "commit/raw");
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  for (const auto& [n, r] : results()) {
    fmt::print(
        "  {:>5} {:>8.0f} {:>8.0f} {:>8.0f} {:>8.0f} {:>8.0f} {:>9.2f}x {:>9.2f}x {:>9.2f}x | {:>8.0f} {:>8.0f} "
        "{:>9.2f}x {:>9.2f}x  {}\n",
        n, r[4][0], r[0][0], r[2][0], r[1][0], r[3][0], ratio(r[4][0], r[2][0]), ratio(r[0][0], r[2][0]),
        ratio(r[1][0], r[3][0]), r[4][1], r[2][1], ratio(r[4][1], r[2][1]), ratio(r[0][1], r[2][1]),
        ratio(r[4][0], r[2][0]) >= 0.8 ? "target >= 0.8x met" : "target >= 0.8x MISSED");
  }
}

}  // namespace

int main(int argc, char** argv) {
  for (std::int64_t n : {1, 64, 512}) {
    benchmark::RegisterBenchmark("commit/store_raw_preencoded", bm_commit)
        ->Arg(n)
        ->Iterations(n == 1 ? 200 : n == 64 ? 8 : 2)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  print_summary();
  return 0;
}
