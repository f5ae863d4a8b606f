// StepStore::commit and the outbox (claim_actions, acknowledge) on
// PostgreSQL, with several processes against one database: what a host that
// runs several workers over one set of cases gets.
//
//   pg_throughput_bench CONNINFO [--processes N] [--cases C] [--steps S] [--batch B] [--plaintext]
//
// Two phases, each with N processes (default 4) started together:
//   - commit: each process commits S steps (default 50) to each of its C
//     cases (default 25), one transaction per step, each step with two
//     actions (a reply and an escalation), personal fields sealed with a
//     master key (--plaintext: in clear). Reported: events/s (steps
//     committed per second, all processes together) and actions/s written.
//   - claim: the processes claim the outbox B actions at a time (default 64)
//     and acknowledge each, until it is empty. Reported: actions/s claimed
//     and acknowledged, and that every action was delivered exactly once.
// The store lives in a fresh schema, dropped at the end. bench/pg/run.sh
// starts a throwaway server and runs this against it.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <libpq-fe.h>

#include <redress/engine.hpp>
#include <redress/pg_store.hpp>

namespace {

using namespace redress;

const Instant kT0 = parse_instant("2025-01-24T07:00:00Z").value();

struct Options {
  std::string server;
  int processes = 4;
  int cases = 25;
  int steps = 50;
  int batch = 64;
  bool sealed = true;
};

std::vector<Action> two_actions() {
  return {actions::Reply{"我们已经为您安排了上门维修，师傅会在两小时内联系您。"},
          actions::Escalate{2, "third contact about the same fault"}};
}

// Runs `sql` on the server; exits on failure.
void admin(const std::string& conninfo, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);  // "drop cascades to ..."
  PGresult* res = PQexec(conn, sql.c_str());
  const bool ok = PQstatus(conn) == CONNECTION_OK && PQresultStatus(res) == PGRES_COMMAND_OK;
  if (!ok) fmt::print(stderr, "pg_throughput_bench: {}: {}", sql, PQerrorMessage(conn));
  PQclear(res);
  PQfinish(conn);
  if (!ok) std::exit(1);
}

PgStore open(const Options& o, const std::string& conninfo) {
  PgOptions options;
  if (o.sealed) {
    ::setenv("REDRESS_BENCH_MASTER_KEY", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
    options.master_key_env = "REDRESS_BENCH_MASTER_KEY";
  } else {
    options.insecure_plaintext = true;
  }
  auto store = PgStore::open(conninfo, options);
  if (!store) {
    fmt::print(stderr, "pg_throughput_bench: {}\n", last_error_detail());
    std::exit(1);
  }
  return std::move(store).value();
}

// Process k's commits: its cases, one step per transaction.
int commit_worker(const Options& o, const std::string& conninfo, int k) {
  auto store = open(o, conninfo);
  const auto actions = two_actions();
  for (int c = 0; c < o.cases; ++c) {
    const auto id = CaseId::make(fmt::format("C-{}-{}", k, c)).value();
    const CaseHeader header{id, CustomerId::make(fmt::format("U-{}-{}", k, c)).value(), Currency::CNY, kT0};
    const Step step{Case::open(id, header.customer, Currency::CNY, kT0).value(), actions, {}, {}};
    for (int s = 0; s < o.steps; ++s) {
      const Event e{id, kT0 + boost::posix_time::seconds(s), AgentId::make("A-7").value(),
                    events::ApologyGiven{"非常抱歉，让您反复打电话，这是我们的失误。"}};
      if (!store.commit(header, e, step, static_cast<std::uint64_t>(s), fmt::format("msg-{}", s))) {
        fmt::print(stderr, "pg_throughput_bench: commit: {}\n", last_error_detail());
        return 1;
      }
    }
  }
  return 0;
}

// Process k's claims: batches until the outbox is empty; writes each id it
// acknowledged to `out_fd`.
int claim_worker(const Options& o, const std::string& conninfo, int k, int out_fd) {
  auto store = open(o, conninfo);
  const auto claimer = ClaimerId::make(fmt::format("W-{}", k)).value();
  const auto now = kT0 + boost::posix_time::hours(1);
  std::string acknowledged;
  for (;;) {
    auto claimed = store.claim_actions(now, static_cast<std::size_t>(o.batch), claimer, boost::posix_time::minutes(10));
    if (!claimed) {
      fmt::print(stderr, "pg_throughput_bench: claim_actions: {}\n", last_error_detail());
      return 1;
    }
    if (claimed.value().empty()) break;
    for (const auto& a : claimed.value()) {
      if (!store.acknowledge(a.id)) return 1;
      acknowledged += a.id + "\n";
    }
  }
  for (std::size_t at = 0; at < acknowledged.size();) {
    const auto n = ::write(out_fd, acknowledged.data() + at, acknowledged.size() - at);
    if (n <= 0) return 1;
    at += static_cast<std::size_t>(n);
  }
  return 0;
}

// Starts o.processes children running `work(k)` together; the seconds from
// the start signal until the last one finished. Exits when one fails.
template <class Work>
double in_parallel(const Options& o, Work work) {
  int go[2];
  if (::pipe(go) != 0) std::exit(1);
  std::vector<pid_t> children;
  for (int k = 0; k < o.processes; ++k) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(go[1]);
      char c = 0;
      if (::read(go[0], &c, 1) < 0) _exit(1);
      _exit(work(k));
    }
    children.push_back(pid);
  }
  ::close(go[0]);
  // The children connect when they start working: give them a moment to be
  // forked, then start them together.
  ::usleep(200000);
  const auto t0 = std::chrono::steady_clock::now();
  ::close(go[1]);
  bool ok = true;
  for (const pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!ok) {
    fmt::print(stderr, "pg_throughput_bench: a worker failed\n");
    std::exit(1);
  }
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--processes" && has_value) {
      o.processes = std::atoi(argv[++i]);
    } else if (a == "--cases" && has_value) {
      o.cases = std::atoi(argv[++i]);
    } else if (a == "--steps" && has_value) {
      o.steps = std::atoi(argv[++i]);
    } else if (a == "--batch" && has_value) {
      o.batch = std::atoi(argv[++i]);
    } else if (a == "--plaintext") {
      o.sealed = false;
    } else if (o.server.empty() && a.rfind("--", 0) != 0) {
      o.server = a;
    } else {
      fmt::print(stderr, "usage: pg_throughput_bench CONNINFO [--processes N] [--cases C] [--steps S] [--batch B] "
                         "[--plaintext]\n");
      return 2;
    }
  }
  if (o.server.empty() || o.processes < 1 || o.cases < 1 || o.steps < 1 || o.batch < 1) {
    fmt::print(stderr, "pg_throughput_bench: give a conninfo and positive counts\n");
    return 2;
  }
  const auto schema = fmt::format("bench_{}", static_cast<long>(::getpid()));
  admin(o.server, "CREATE SCHEMA " + schema);
  const auto conninfo = fmt::format("{} options='-c search_path={}'", o.server, schema);
  { auto made = open(o, conninfo); }  // the schema, created once

  const double steps = static_cast<double>(o.processes) * o.cases * o.steps;
  const double actions = 2 * steps;
  const double commit_s = in_parallel(o, [&](int k) { return commit_worker(o, conninfo, k); });

  int ids[2];
  if (::pipe(ids) != 0) return 1;
  // The claimers write the ids they acknowledged before they exit; a pipe
  // holds 64 KiB, so a process of our own reads them while they run and
  // checks that each action came exactly once.
  const pid_t reader = ::fork();
  if (reader == 0) {
    ::close(ids[1]);
    char buffer[65536];
    std::size_t lines = 0;
    std::set<std::string> seen;
    std::string pending;
    for (ssize_t n; (n = ::read(ids[0], buffer, sizeof buffer)) > 0;) {
      pending.append(buffer, static_cast<std::size_t>(n));
      for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1)) {
        seen.insert(pending.substr(0, nl));
        ++lines;
      }
    }
    _exit(lines == static_cast<std::size_t>(actions) && seen.size() == lines ? 0 : 3);
  }
  const double claim_s = in_parallel(o, [&](int k) {
    ::close(ids[0]);
    return claim_worker(o, conninfo, k, ids[1]);
  });
  ::close(ids[0]);
  ::close(ids[1]);
  int status = 0;
  ::waitpid(reader, &status, 0);
  const bool exactly_once = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  admin(o.server, "DROP SCHEMA " + schema + " CASCADE");

  fmt::print("pg_throughput_bench: {} processes, {} cases x {} steps each, 2 actions a step, {}\n", o.processes,
             o.cases, o.steps, o.sealed ? "sealed" : "in clear");
  fmt::print("  commit  {:>8.0f} events/s  {:>8.0f} actions/s written   ({:.0f} steps in {:.2f} s)\n",
             steps / commit_s, actions / commit_s, steps, commit_s);
  fmt::print("  claim   {:>8.0f} actions/s claimed and acknowledged, {} at a time ({:.0f} in {:.2f} s)\n",
             actions / claim_s, o.batch, actions, claim_s);
  fmt::print("  every action delivered exactly once: {}\n", exactly_once ? "yes" : "NO");
  return exactly_once ? 0 : 1;
}
