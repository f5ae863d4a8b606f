// Durability of claims: four claimer processes share one database holding
// 2,000 due follow-ups. Each claims batches with a short lease and completes
// what it claimed, writing down every completion the store acknowledged.
// One of them is killed with SIGKILL while it holds a batch; when its lease
// ends the others take the batch over. Afterwards every follow-up is done,
// completed by exactly one claimer, and none is lost.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <boost/date_time/posix_time/posix_time.hpp>

#include "pg/pg_fixture.hpp"

using namespace redress;
using namespace redress::testing;

namespace {

constexpr int kFollowUps = 2000;
constexpr int kClaimers = 4;
constexpr std::size_t kBatch = 20;
const Duration kLease = boost::posix_time::milliseconds(500);

Instant now_utc() { return boost::posix_time::microsec_clock::universal_time(); }
ClaimerId claimer_at(int k) { return claimer(fmt::format("w{}", k)); }

void write_line(int fd, const std::string& text) {
  const std::string line = text + "\n";
  if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(30);
}

void signal_parent(int fd) {
  const char byte = 1;
  if (::write(fd, &byte, 1) != 1) _exit(31);
}

// Claims and completes until nothing is left. Completions the store
// acknowledged go to `log_fd`, one id a line. Returns when the schema holds
// no follow-up that is not done.
void claim_until_done(PgStore& store, Raw& raw, int k, int log_fd) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto claimed = store.claim_due(now_utc(), kBatch, claimer_at(k), kLease);
    if (!claimed) _exit(21);
    if (claimed.value().empty()) {
      if (raw.scalar("SELECT count(*) FROM follow_ups WHERE state <> 'done'") == "0") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    for (const auto& c : claimed.value()) {
      auto done = store.complete(c.follow_up.id, claimer_at(k));
      if (!done) _exit(22);
      if (done.value()) write_line(log_fd, std::string(c.follow_up.id.str()));
    }
  }
  _exit(23);  // took too long
}

// A claimer process. The victim (k == 0) completes one batch, tells the
// parent, claims another, writes its ids to `held_fd`, tells the parent and
// waits to be killed. The others wait for `go_fd`, then claim until done.
[[noreturn]] void run_claimer(const std::string& conninfo, int k, int log_fd, int held_fd, int signal_fd,
                              int go_fd) {
  try {
    auto opened = PgStore::open(conninfo, keyed());
    if (!opened) _exit(10);
    auto& store = opened.value();
    Raw raw(conninfo);
    if (k == 0) {
      for (const char* step : {"complete", "hold"}) {
        auto claimed = store.claim_due(now_utc(), kBatch, claimer_at(k), kLease);
        if (!claimed || claimed.value().empty()) _exit(11);
        for (const auto& c : claimed.value()) {
          if (std::strcmp(step, "hold") == 0) {
            write_line(held_fd, std::string(c.follow_up.id.str()));
            continue;
          }
          auto done = store.complete(c.follow_up.id, claimer_at(k));
          if (!done || !done.value()) _exit(12);
          write_line(log_fd, std::string(c.follow_up.id.str()));
        }
        signal_parent(signal_fd);
      }
      for (;;) pause();
    }
    char byte = 0;
    if (::read(go_fd, &byte, 1) != 1) _exit(13);
    claim_until_done(store, raw, k, log_fd);
    _exit(0);
  } catch (...) {
    _exit(14);
  }
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Waits up to 30 s for a byte on `fd`.
bool wait_for_signal(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 30000) != 1) return false;
  char byte = 0;
  return ::read(fd, &byte, 1) == 1;
}

}  // namespace

TEST_SUITE("pg_store claimers") {
  TEST_CASE("four processes claim 2000 due follow-ups: each is completed exactly once, even when a claimer dies") {
    Schema schema;
    {
      auto store = open_store(schema.conninfo());
      const auto due = instant("2025-01-24T07:00:00Z");
      for (int i = 0; i < kFollowUps; ++i) {
        REQUIRE(store.persist(cid(fmt::format("C-{}", i % 97)),
                              FollowUp{fid(fmt::format("F-{}", i)), FollowUpKind::update, due}));
      }
    }
    char dir_pattern[] = "/tmp/redress-claimers-XXXXXX";
    REQUIRE(mkdtemp(dir_pattern) != nullptr);
    const std::string dir = dir_pattern;
    const auto log_path = [&](int k) { return fmt::format("{}/completed-{}", dir, k); };
    const auto held_path = dir + "/held";

    int signal_pipe[2];
    int go_pipe[2];
    REQUIRE(pipe(signal_pipe) == 0);
    REQUIRE(pipe(go_pipe) == 0);
    std::vector<pid_t> pids;
    for (int k = 0; k < kClaimers; ++k) {
      const int log_fd = ::open(log_path(k).c_str(), O_WRONLY | O_APPEND | O_CREAT, 0600);
      const int held_fd = ::open(held_path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0600);
      REQUIRE(log_fd >= 0);
      REQUIRE(held_fd >= 0);
      const pid_t pid = fork();
      REQUIRE(pid >= 0);
      if (pid == 0) run_claimer(schema.conninfo(), k, log_fd, held_fd, signal_pipe[1], go_pipe[0]);
      ::close(log_fd);
      ::close(held_fd);
      pids.push_back(pid);
    }

    // The victim has completed a batch: let the others start. Once it holds
    // a second batch, kill it.
    const bool started = wait_for_signal(signal_pipe[0]);
    const char go[kClaimers] = {};
    CHECK(::write(go_pipe[1], go, kClaimers - 1) == kClaimers - 1);
    const bool holding = started && wait_for_signal(signal_pipe[0]);
    ::kill(pids[0], SIGKILL);
    CHECK(started);
    CHECK(holding);

    for (int k = 0; k < kClaimers; ++k) {
      int status = 0;
      REQUIRE(waitpid(pids[static_cast<std::size_t>(k)], &status, 0) == pids[static_cast<std::size_t>(k)]);
      if (k == 0) {
        CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
      } else {
        CHECK_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 0), "claimer ", k, " status ", status);
      }
    }
    for (int fd : {signal_pipe[0], signal_pipe[1], go_pipe[0], go_pipe[1]}) ::close(fd);

    // Every follow-up was completed once, by one claimer.
    std::map<std::string, int> completions;
    std::map<std::string, int> completed_by;
    for (int k = 0; k < kClaimers; ++k) {
      for (const auto& id : read_lines(log_path(k))) {
        ++completions[id];
        completed_by[id] = k;
      }
    }
    CHECK(completions.size() == static_cast<std::size_t>(kFollowUps));
    int twice = 0;
    for (const auto& [id, n] : completions) twice += n > 1 ? 1 : 0;
    CHECK(twice == 0);

    // What the victim held when it died was taken over by the others.
    const auto held = read_lines(held_path);
    CHECK(held.size() == kBatch);
    for (const auto& id : held) {
      CAPTURE(id);
      CHECK(completions[id] == 1);
      CHECK(completed_by[id] != 0);
    }
    // And the store agrees: all done, each by the claimer that wrote it down.
    auto raw = schema.raw();
    CHECK(raw.scalar("SELECT count(*) FROM follow_ups WHERE state = 'done'") == std::to_string(kFollowUps));
    int disagree = 0;
    for (const auto& row : raw.column("SELECT id || ' ' || claimed_by FROM follow_ups")) {
      std::istringstream in(row);
      std::string id, by;
      in >> id >> by;
      disagree += by == fmt::format("w{}", completed_by[id]) ? 0 : 1;
    }
    CHECK(disagree == 0);

    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
}
