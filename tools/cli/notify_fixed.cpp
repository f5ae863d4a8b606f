// redress notify-fixed: a fixed root cause reaches every customer who suffered it
// (docs/analytics.md, "Root cause fixed").
#include <unistd.h>

#include <cstdio>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/root_cause_fix.hpp>
#include <redress/store.hpp>

#include "command.hpp"
#include "scenario.hpp"
#include "store_uri.hpp"
#include "text.hpp"

namespace redress::cli {
namespace {

namespace json = boost::json;

constexpr std::string_view kHelp = R"(usage: redress notify-fixed --store URI --cause C --note TEXT [options]

Records that root cause C (a category of the policy's taxonomy: an id, a
label or an alias) was fixed, finds the store's cases with that cause (open
ones, and closed ones whose last event lies within the policy's
fix_notice_window_days, 180 by default, before the fix), and tells each
customer concerned what changed: one notice per customer however many such
cases they had, in the locale of their latest case, sent inside their
contact window. The fix and its notices are kept in the store; notices are
delivered at least once: each is claimed for 5 minutes from --now before it
is printed, so runs at the same time never print the same notice, and a run
stopped before it marked one delivered leaves it to be printed again once
the claim ends (running again adds no notice).

Writes JSON lines to standard output:
  {"type": "open_case", "case_id", "finding": {...}, "suggested_update"}
      one per open case with the cause: the finding root_cause.fixed and the
      update the agent could send;
  {"type": "notify_fixed", "id", "customer", "case_id", "cases", "locale",
   "text", "send_at"}
      one per customer not yet told: send "text" at "send_at";
  {"type": "fix", "id", "category", "note", "fixed_at", "fixed_by", "cases",
   "customers", "told"}
      last: the fix as kept, the cases with its cause, the customers to tell
      and those told so far.

options:
  --store URI     sqlite:PATH or postgres:CONNINFO (required)
  --cause C       the root cause that was fixed (required)
  --note TEXT     what was fixed, in words customers read (required)
  --by WHO        who fixed it
  --at TIME       when it was fixed, e.g. 2026-03-01T09:00:00Z (default: now)
  --now TIME      the instant the notices are planned at (default: the clock)
  --policy FILE   the policy (taxonomy, window, contact window, messages;
                  default: the bundled coupon-marketplace policy)
  --data DIR      redress's data directory (default: beside the binary)
  --master-key-file FILE  the store's master key, 64 hex digits (default: $REDRESS_MASTER_KEY)
  --master-key-env NAME   the environment variable holding the master key
  --insecure-plaintext    the store keeps personal data in clear text
  -h, --help      this text

exit status: 0 done, 1 a case did not replay or the policy cannot be read
(nothing was kept), 2 a usage error, 3 the store failed (run again).
)";

// How many notices one claim takes, and for how long (from --now).
constexpr std::size_t kClaimBatch = 100;
const Duration kClaimLease = boost::posix_time::minutes(5);

int usage(std::string_view why) {
  fmt::print(stderr, "redress notify-fixed: {}\n\n{}", terminal_safe(why), kHelp);
  return 2;
}

int fail(std::string_view why, int code) {
  fmt::print(stderr, "redress notify-fixed: {}\n", terminal_safe(why));
  return code;
}

// Writes one JSON line and flushes it; false when standard output failed.
bool emit(const json::value& v) {
  const std::string line = json::serialize(v);
  return std::fwrite(line.data(), 1, line.size(), stdout) == line.size() && std::fputc('\n', stdout) != EOF &&
         std::fflush(stdout) == 0;
}

// `v`'s members after {"type": type}.
json::object typed(std::string_view type, json::value v) {
  json::object line{{"type", type}};
  for (auto& member : v.as_object()) line.emplace(member.key(), std::move(member.value()));
  return line;
}

result<Instant> instant_option(std::string_view name, std::string_view text) {
  auto at = parse_instant(text);
  if (!at) return detail::fail(errc::invalid_argument, fmt::format("{}: {}", name, last_error_detail()));
  return at;
}

int run(std::span<const std::string_view> args) {
  if (wants_help(args)) {
    fmt::print("{}", kHelp);
    return 0;
  }
  std::string store_uri, cause, note, by, policy_file, data_dir = default_data_dir();
  std::optional<Instant> at, now;
  bool note_given = false;
  StoreKeyOptions keys;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--store" && has_value) {
      store_uri = args[++i];
    } else if (a == "--cause" && has_value) {
      cause = args[++i];
    } else if (a == "--note" && has_value) {
      note = args[++i];
      note_given = true;
    } else if (a == "--by" && has_value) {
      by = args[++i];
    } else if ((a == "--at" || a == "--now") && has_value) {
      auto t = instant_option(a, args[++i]);
      if (!t) return usage(last_error_detail());
      (a == "--at" ? at : now) = t.value();
    } else if (a == "--policy" && has_value) {
      policy_file = args[++i];
    } else if (a == "--data" && has_value) {
      data_dir = args[++i];
    } else if (!parse_store_key_option(args, i, keys)) {
      return usage(fmt::format("unexpected argument \"{}\"", a));
    }
  }
  if (store_uri.empty()) return usage("which store? (--store sqlite:PATH)");
  if (cause.empty()) return usage("which root cause was fixed? (--cause C)");
  if (!note_given) return usage("what was fixed? (--note TEXT)");
  if (!now) now = boost::posix_time::second_clock::universal_time();
  if (!at) at = *now;

  if (policy_file.empty()) policy_file = default_policy_file(data_dir);
  if (policy_file.empty()) return fail(kNoDataDir, 2);
  auto policy = load_policy(json::value(policy_file), ".", data_dir);
  if (!policy) return fail(fmt::format("{}: {}", policy_file, last_error_detail()), 1);
  auto fix = RootCauseFix::make(cause, note, *at, by, policy.value().settings().root_causes);
  if (!fix) return usage(last_error_detail());

  auto store = open_store_uri(store_uri, keys);
  if (!store) return fail(last_error_detail(), store.error() == errc::invalid_argument ? 2 : 3);
  JournalStore& journal = *store.value().journal;
  auto done = notify_fixed(journal, fix.value(), policy.value(), *now);
  if (!done) {
    const auto& e = done.error();
    const int code = e == errc::storage_failed || e == errc::corrupt_store ? 3
                     : e == errc::invalid_argument                         ? 2
                                                                           : 1;
    return fail(last_error_detail(), code);
  }
  for (const auto& o : done.value().plan.open_cases) {
    if (!emit(typed("open_case", to_json(o)))) return fail("standard output: write failed", 1);
  }
  const std::int64_t fix_id = done.value().recorded.id;
  // Each notice is claimed before it is printed: a run at the same time
  // skips it, and one after the lease prints it again unless it was marked.
  const auto claimer = ClaimerId::make(fmt::format("notify-fixed.{}", static_cast<long>(::getpid()))).value();
  for (;;) {
    auto pending = journal.claim_fix_notices(fix_id, *now, kClaimBatch, claimer, kClaimLease);
    if (!pending) return fail(last_error_detail(), 3);
    if (pending.value().empty()) break;
    for (const auto& n : pending.value()) {
      boost::system::error_code ec;
      auto body = json::parse(n.json, ec);
      if (ec || !body.is_object()) return fail(fmt::format("fix_notices[{}]: the stored notice is not JSON", n.id), 3);
      body.as_object()["id"] = n.id;
      // Never mark delivered what could not be written: it is printed again.
      if (!emit(body)) return fail("standard output: write failed", 1);
      if (auto r = journal.deliver_fix_notice(n.id); !r) return fail(last_error_detail(), 3);
    }
  }
  auto kept = journal.fixes();
  if (!kept) return fail(last_error_detail(), 3);
  for (const auto& f : kept.value()) {
    if (f.id != fix_id) continue;
    json::object line = typed("fix", to_json(f));
    line["cases"] = done.value().plan.cases;
    if (!emit(line)) return fail("standard output: write failed", 1);
  }
  return 0;
}

}  // namespace

REDRESS_CLI_COMMAND("notify-fixed", "a root cause was fixed: tell every customer who suffered it", run);

}  // namespace redress::cli
