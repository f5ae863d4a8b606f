// Append throughput of SqliteStore against raw SQLite inserting the same rows.
//
// Both sides write to a fresh file in the system's temporary directory
// (TMPDIR) with the store's schema and pragmas (WAL, synchronous=FULL), one
// BEGIN IMMEDIATE ... COMMIT per batch, through prepared statements:
//   - redress_store: SqliteStore::append(), which checks the batch, encodes
//     each event to its journal JSON and verifies it decodes back unchanged,
//     checks the expected sequence number, inserts the event rows and upserts
//     the case row;
//   - raw_sqlite: the same rows (each event's journal JSON, then the case row)
//     with sqlite3_bind/step and nothing else; the JSON is encoded in the loop,
//     as any writer of these rows must;
//   - raw_sqlite_preencoded: the same, with the JSON encoded beforehand: the
//     floor of what SQLite itself costs.
// The summary prints, for each batch size, events per second by the wall
// clock (a commit waits for fsync) and by CPU time (the disk taken out: the
// worst case for the store, whose extra work is all CPU), and store / raw.
// The target is >= 0.8x against raw_sqlite by the wall clock.
//
//   sqlite_append_bench [--benchmark_filter=...]
#include <time.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <redress/journal.hpp>
#include <redress/sqlite_store.hpp>

#include "bench_support.hpp"

namespace {

// The store in clear text: this bench measures appending; the cost of sealing
// personal data is measured by sqlite_commit_bench.
redress::SqliteOptions clear_text() {
  redress::SqliteOptions o;
  o.insecure_plaintext = true;
  return o;
}

using namespace redress;
using bench::ScratchFile;
using bench::Spent;
using bench::timed;

// A batch of `n` events of case `id`, numbered from `first`: a customer's
// message, an apology, a cash remedy, in turn.
std::vector<Event> make_batch(const CaseId& id, std::int64_t first, std::int64_t n) {
  const Instant t0 = parse_instant("2025-01-24T07:00:00Z").value();
  const auto agent = AgentId::make("A-7").value();
  std::vector<Event> out;
  for (auto s = first; s < first + n; ++s) {
    const Instant at = t0 + boost::posix_time::seconds(static_cast<long>(s));
    switch (s % 3) {
      case 0:
        out.push_back(Event{id, at, std::nullopt,
                            events::ContactReceived{Channel::phone, ContactPoint::phone("138 1234 5678").value(),
                                                    "电视第三次坏了，你们答应两个工作日内回复，到现在也没人联系我。"}});
        break;
      case 1:
        out.push_back(Event{id, at, agent, events::ApologyGiven{"非常抱歉，让您反复打电话，这是我们的失误。"}});
        break;
      default:
        out.push_back(Event{id, at, agent,
                            events::RemedyProposed{RemedyId::make(fmt::format("R-{}", s)).value(), RemedyKind::cash,
                                                   Money::parse("200", Currency::CNY).value(), std::nullopt}});
    }
  }
  return out;
}

constexpr int kCases = 16;

CaseId case_at(int k) { return CaseId::make(fmt::format("C-{}", k)).value(); }

// Every case's header: customer U-1, CNY, opened at 2025-01-24 07:00 UTC.
constexpr std::int64_t kOpenedAtUs = 1737702000'000000;
CaseHeader hdr(const CaseId& id) {
  return {id, CustomerId::make("U-1").value(), Currency::CNY,
          parse_instant("2025-01-24T07:00:00Z").value()};
}

// Wall-clock and CPU seconds spent in the measured calls.

// Events per second by the wall clock, and by CPU time (what is left when
// the wait for the disk is taken out: the ratio on an infinitely fast disk).
struct Rates {
  double wall = 0;
  double cpu = 0;
};

// Rates by batch size: the store, raw SQLite, raw SQLite with rows encoded
// beforehand.
std::map<std::int64_t, std::array<Rates, 3>>& results() {
  static std::map<std::int64_t, std::array<Rates, 3>> r;
  return r;
}

// The raw side: the same file layout (made by SqliteStore::open, then
// closed), the same pragmas, the same statements.
class Raw {
 public:
  explicit Raw(const std::string& path) {
    { auto made = SqliteStore::open(path, clear_text()).value(); }
    sqlite3_open(path.c_str(), &db_);
    sqlite3_busy_timeout(db_, 5000);
    sqlite3_exec(db_, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL", nullptr, nullptr, nullptr);
    for (auto [slot, sql] : {std::pair{&begin_, "BEGIN IMMEDIATE"}, std::pair{&commit_, "COMMIT"},
                             std::pair{&insert_, "INSERT INTO events (case_id, seq, at_us, type, body_json) "
                                                 "VALUES (?, ?, ?, ?, ?)"},
                             std::pair{&upsert_, "INSERT INTO cases (case_id, open, last_seq, last_at_us, customer, "
                                                 "currency, opened_at_us) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id) DO UPDATE SET open = "
                                                 "excluded.open, last_seq = excluded.last_seq, last_at_us = "
                                                 "excluded.last_at_us"}}) {
      sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, nullptr);
    }
  }
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;
  ~Raw() {
    for (auto* s : {begin_, commit_, insert_, upsert_}) sqlite3_finalize(s);
    sqlite3_close(db_);
  }

  // Inserts rows (at_us, type, body_json) as events `first`... of `id`.
  bool write(const std::string& id, std::int64_t first,
             const std::vector<std::tuple<std::int64_t, std::string_view, std::string>>& rows) {
    bool ok = step(begin_);
    auto seq = first;
    for (const auto& [at_us, type, body] : rows) {
      sqlite3_bind_text(insert_, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
      sqlite3_bind_int64(insert_, 2, seq++);
      sqlite3_bind_int64(insert_, 3, at_us);
      sqlite3_bind_text(insert_, 4, type.data(), static_cast<int>(type.size()), SQLITE_STATIC);
      sqlite3_bind_text(insert_, 5, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
      ok = step(insert_) && ok;
    }
    sqlite3_bind_text(upsert_, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    sqlite3_bind_int64(upsert_, 2, 1);
    sqlite3_bind_int64(upsert_, 3, seq - 1);
    sqlite3_bind_int64(upsert_, 4, std::get<0>(rows.back()));
    sqlite3_bind_text(upsert_, 5, "U-1", 3, SQLITE_STATIC);
    sqlite3_bind_text(upsert_, 6, "CNY", 3, SQLITE_STATIC);
    sqlite3_bind_int64(upsert_, 7, kOpenedAtUs);
    ok = step(upsert_) && ok;
    return step(commit_) && ok;
  }

 private:
  static bool step(sqlite3_stmt* s) {
    const bool ok = sqlite3_step(s) == SQLITE_DONE;
    sqlite3_reset(s);
    return ok;
  }
  sqlite3* db_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* upsert_ = nullptr;
};

const Instant kEpoch(boost::gregorian::date(1970, 1, 1));

std::vector<std::tuple<std::int64_t, std::string_view, std::string>> to_rows(const std::vector<Event>& batch) {
  std::vector<std::tuple<std::int64_t, std::string_view, std::string>> rows;
  rows.reserve(batch.size());
  for (const auto& e : batch) {
    rows.emplace_back((e.at_utc - kEpoch).total_microseconds(), event_type(e.body),
                      boost::json::serialize(to_json(e)));
  }
  return rows;
}

// One benchmark per batch size runs the three sides in turn, each on its
// own file, rotating which goes first, so a change in the machine's load
// falls on all three alike.
void bm_append(benchmark::State& state) {
  const auto n = state.range(0);
  ScratchFile store_file("store.db");
  ScratchFile raw_file("raw.db");
  ScratchFile pre_file("raw-pre.db");
  auto store = SqliteStore::open(store_file.path(), clear_text()).value();
  Raw raw(raw_file.path());
  Raw pre(pre_file.path());
  std::vector<std::int64_t> last(kCases, 0);
  std::array<Spent, 3> spent{};
  std::int64_t events = 0;
  int k = 0;
  int turn = 0;
  for (auto _ : state) {
    const auto id = case_at(k);
    const auto batch = make_batch(id, last[k] + 1, n);
    const auto encoded = to_rows(batch);
    bool ok = true;
    for (int i = 0; i < 3; ++i) {
      switch ((turn + i) % 3) {
        case 0:
          ok = timed(spent[0], [&] {
                 return store.append(hdr(id), batch, static_cast<std::uint64_t>(last[k]), CaseState::open).has_value();
               }) && ok;
          break;
        case 1:
          ok = timed(spent[1], [&] { return raw.write(std::string(id.str()), last[k] + 1, to_rows(batch)); }) && ok;
          break;
        default:
          ok = timed(spent[2], [&] { return pre.write(std::string(id.str()), last[k] + 1, encoded); }) && ok;
      }
    }
    if (!ok) {
      state.SkipWithError(std::string(last_error_detail()).c_str());
      return;
    }
    turn = (turn + 1) % 3;
    last[k] += n;
    events += n;
    k = (k + 1) % kCases;
  }
  state.SetItemsProcessed(events * 3);
  auto& r = results()[n];
  for (int i = 0; i < 3; ++i) {
    r[i] = Rates{static_cast<double>(events) / spent[i].wall, static_cast<double>(events) / spent[i].cpu};
    state.counters[std::array{"store_ev/s", "raw_ev/s", "raw_pre_ev/s"}[i]] = r[i].wall;
  }
}

void print_summary() {
  fmt::print("\nappend throughput, events/s: wall clock (synchronous=FULL, one transaction per batch) | CPU only\n");
  fmt::print("  {:>5} {:>9} {:>9} {:>9} {:>9} {:>9} | {:>9} {:>9} {:>9} {:>9} {:>9}\n", "batch", "store", "raw",
             "raw pre", "store/raw", "/raw pre", "store", "raw", "raw pre", "store/raw", "/raw pre");
  for (const auto& [n, rates] : results()) {
    const auto& [store, raw, pre] = rates;
    auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    fmt::print("  {:>5} {:>9.0f} {:>9.0f} {:>9.0f} {:>8.2f}x {:>8.2f}x | {:>9.0f} {:>9.0f} {:>9.0f} {:>8.2f}x {:>8.2f}x  {}\n",
               n, store.wall, raw.wall, pre.wall, ratio(store.wall, raw.wall), ratio(store.wall, pre.wall), store.cpu,
               raw.cpu, pre.cpu, ratio(store.cpu, raw.cpu), ratio(store.cpu, pre.cpu),
               ratio(store.wall, raw.wall) >= 0.8 ? "target >= 0.8x met" : "target >= 0.8x MISSED");
  }
}

void register_all() {
  for (std::int64_t n : {1, 64, 512}) {
    const auto iterations = n == 1 ? 200 : 60;
    benchmark::RegisterBenchmark("append/store_raw_preencoded", bm_append)
        ->Arg(n)
        ->Iterations(iterations)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
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
