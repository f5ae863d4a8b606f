// Durability: a child process appends batches of events (and persists a
// follow-up after each) and writes down every append the store acknowledged;
// the parent kills it with SIGKILL at a random moment, 100 times, and after
// each kill opens the store again and checks that every acknowledged event
// and follow-up is there, no event is there twice, the journals are exactly
// what was written, and SQLite finds the file intact.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "sqlite/sqlite_fixture.hpp"

using namespace redress;
using namespace redress::testing;

namespace {

constexpr int kRounds = 100;
constexpr std::uint32_t kCases = 4;
constexpr std::uint32_t kMaxBatch = 8;

// One acknowledged append, as the child writes it down.
struct Ack {
  std::uint32_t case_index;
  std::uint32_t padding;
  std::uint64_t last_seq;
};

CaseId case_at(std::uint32_t k) { return cid(fmt::format("C-{}", k)); }
FollowUpId follow_up_at(std::uint32_t k, std::uint64_t seq) { return fid(fmt::format("F-{}-{}", k, seq)); }

// The child: appends until killed. Never returns; exits with a code that
// says what went wrong if something does.
[[noreturn]] void run_child(const std::string& path, const std::string& acks_path, unsigned seed) {
  const int fd = ::open(acks_path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0600);
  if (fd < 0) _exit(10);
  auto store = SqliteStore::open(path, keyed());
  if (!store) _exit(11);
  std::array<std::uint64_t, kCases> last{};
  for (std::uint32_t k = 0; k < kCases; ++k) {
    auto n = store.value().last_seq(case_at(k));
    if (!n) _exit(12);
    last[k] = n.value();
  }
  std::mt19937 rng(seed);
  for (;;) {
    const std::uint32_t k = rng() % kCases;
    const auto id = case_at(k);
    const auto appended = store.value().append(hdr(id), batch(id, last[k] + 1, 1 + rng() % kMaxBatch), last[k],
                                               CaseState::open);
    if (!appended) _exit(13);
    last[k] = appended.value();
    const FollowUp f{follow_up_at(k, last[k]), FollowUpKind::update, nth_event(id, last[k]).at_utc};
    if (!store.value().persist(id, f)) _exit(14);
    const Ack ack{k, 0, last[k]};
    if (::write(fd, &ack, sizeof ack) != static_cast<ssize_t>(sizeof ack)) _exit(15);
  }
}

std::vector<Ack> read_acks(const std::string& path) {
  const auto bytes = slurp(path);
  std::vector<Ack> out(bytes.size() / sizeof(Ack));  // a torn last record was never acknowledged
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(Ack));
  return out;
}

std::set<std::string> stored_follow_ups(const std::string& path) {
  std::set<std::string> ids;
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT id FROM follow_ups", -1, &s, nullptr) == SQLITE_OK);
  while (sqlite3_step(s) == SQLITE_ROW) ids.insert(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  sqlite3_finalize(s);
  sqlite3_close(db);
  return ids;
}

}  // namespace

TEST_SUITE("sqlite_store durability") {
  TEST_CASE("a writer killed with SIGKILL 100 times loses nothing it was told was stored") {
    TempDir dir;
    const auto path = dir.file("cases.db");
    const auto acks_path = dir.file("acks.bin");
    std::mt19937 rng(20250124);
    std::array<std::uint64_t, kCases> acked{};
    std::set<std::string> acked_follow_ups;
    std::size_t total_acks = 0;
    for (int round = 0; round < kRounds; ++round) {
      CAPTURE(round);
      const unsigned seed = rng();
      // Mostly after a few appends (each waits for an fsync), sometimes at
      // once (while the schema is being created or the file recovered).
      const auto delay = std::chrono::microseconds(rng() % 5 == 0 ? rng() % 2'000 : rng() % 150'000);
      std::filesystem::remove(acks_path);
      const pid_t pid = fork();
      REQUIRE(pid >= 0);
      if (pid == 0) run_child(path, acks_path, seed);
      std::this_thread::sleep_for(delay);
      REQUIRE(kill(pid, SIGKILL) == 0);
      int status = 0;
      REQUIRE(waitpid(pid, &status, 0) == pid);
      REQUIRE_MESSAGE(WIFSIGNALED(status), "the child exited by itself with code " << WEXITSTATUS(status));

      for (const auto& ack : read_acks(acks_path)) {
        REQUIRE(ack.case_index < kCases);
        REQUIRE(ack.last_seq > acked[ack.case_index]);
        acked[ack.case_index] = ack.last_seq;
        acked_follow_ups.insert(std::string(follow_up_at(ack.case_index, ack.last_seq).str()));
        ++total_acks;
      }

      auto store = SqliteStore::open(path, keyed());
      REQUIRE_MESSAGE(store.has_value(), std::string(last_error_detail()));
      REQUIRE_MESSAGE(store.value().check_integrity().has_value(), std::string(last_error_detail()));
      for (std::uint32_t k = 0; k < kCases; ++k) {
        const auto id = case_at(k);
        auto events = store.value().events(id);
        REQUIRE_MESSAGE(events.has_value(), std::string(last_error_detail()));
        const auto stored = events.value().size();
        // Every acknowledged event, and at most the one batch that was
        // committed when the kill came before its acknowledgement.
        CHECK(stored >= acked[k]);
        CHECK(stored <= acked[k] + kMaxBatch);
        // Exactly the events written, each once, in order.
        CHECK(events.value() == batch(id, 1, stored));
        acked[k] = stored;
      }
      const auto follow_ups = stored_follow_ups(path);
      std::string missing;
      for (const auto& f : acked_follow_ups) {
        if (follow_ups.count(f) == 0) missing += " " + f;
      }
      CHECK_MESSAGE(missing.empty(), "acknowledged follow-ups missing:" << missing);
    }
    MESSAGE(fmt::format("{} acknowledged appends over {} kills; {} events stored", total_acks, kRounds,
                        acked[0] + acked[1] + acked[2] + acked[3]));
    CHECK(total_acks > static_cast<std::size_t>(kRounds));
  }
}
