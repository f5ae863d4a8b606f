// redress run: the long-running job. Events come in as JSON lines, each is
// applied to its case under the policy and stored, the follow-ups the engine
// schedules are kept in the store and fire on time, and what the host should
// do goes out as JSON lines (docs/cli.md).
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/detail/json_read.hpp>
#include <redress/engine.hpp>
#include <redress/json.hpp>
#include <redress/journal.hpp>
#include <redress/journal_precedent.hpp>
#include <redress/journal_spend.hpp>
#include <redress/store.hpp>

#include "command.hpp"
#include "scenario.hpp"
#include "store_uri.hpp"
#include "text.hpp"

namespace redress::cli {
namespace {

namespace json = boost::json;

constexpr std::string_view kHelp = R"(usage: redress run --store URI [options]

Reads events as JSON lines on standard input (the journal's event form,
docs/scenarios.md, each with its "case_id"), applies each to its case under
the policy, stores it, and writes one JSON line per step on standard output:
{"case_id", "seq", "event", "actions", "findings", "trace", "action_ids"}.
Each step is committed with its actions in the store's outbox; actions a
killed run left unacknowledged are printed again, with the same ids, as
{"case_id", "seq", "action_id", "action", "redelivered": true}. A line with
"event_id" the case already holds is not applied twice. Follow-ups the
engine schedules are kept in the store and fire when they are due, each as a
"timer_fired" step of its own. A case the store does not know is opened by
its first event, which must then carry "customer": "<customer id>". A
contact_received line without "case_id" goes to the open case of its "from"
contact point (the store's contact index); when there is none it opens a new
case "<customer>@<instant>" (the line must carry "customer"), and when the
point is on open cases of several customers nothing is guessed: the line is
rejected. The caps
on remedies count what the store's other cases gave the customer and the
incident group.

Each case is decided under the policy version it was opened under: the
store keeps every version it is given (by content hash) and each case's
pin, so a changed --policy applies to new cases only. --move-open-cases
moves the open cases to the given version first, each with a
"policy_moved" event of its own (docs/policy.md, "Versions and pinning").

options:
  --store URI        sqlite:PATH or postgres:CONNINFO (required)
  --master-key-file FILE  the store's master key, 64 hex digits (a store
                     refuses to open without one; default: $REDRESS_MASTER_KEY)
  --master-key-env NAME   the environment variable holding the master key
  --insecure-plaintext    the store keeps personal data in clear text
  --policy FILE      the policy document (default: the bundled coupon-marketplace policy)
  --data DIR         where bundled calendars live (default: share/redress beside the binary,
                     or $REDRESS_DATA_DIR)
  --clock system     follow-ups fire by the wall clock (default)
  --clock input      time is the instant of the latest event read: a follow-up
                     fires when an event after its due time arrives (replaying
                     history; deterministic)
  --until INSTANT    with --clock input: at the end of the input, fire what is
                     due by INSTANT
  --wait             with --clock system: keep running after the end of the
                     input, firing follow-ups, until SIGINT or SIGTERM
  --claimer NAME     who claims follow-ups (default: run-<host>-<pid>)
  --lease SECONDS    how long a claimed follow-up is ours (default 60)
  --move-open-cases  move every open case decided under another policy version
                     to this one (at the wall clock's time, or with --clock
                     input at the case's last event)
  --ephemeral        allow a store that keeps nothing (sqlite::memory:): refused
                     otherwise, as it would acknowledge events it then forgets
  --quiet            no progress lines on standard error
  -h, --help         this text

Progress goes to standard error once a second, and a summary at the end.

exit status: 0 every line applied, 1 some lines were rejected (each reported
as {"line", "error", "detail"} on standard output and on standard error; the
others were applied), 2 a usage error, 3 the store failed (nothing
acknowledged is lost; run again to go on), 74 standard output could not be
written (the events of the lines before are stored; their steps are lost).
)";

constexpr int kStoreFailed = 3;
constexpr int kOutputFailed = 74;  // EX_IOERR
// Follow-ups claimed at a time: small, so that several processes share the
// due ones and a process that dies holds few of them until their lease ends.
constexpr std::size_t kClaimBatch = 16;

volatile sig_atomic_t g_stop = 0;
extern "C" void on_signal(int) { g_stop = 1; }

// The wall clock in whole seconds, the resolution of follow-ups.
Instant wall_clock() { return boost::posix_time::second_clock::universal_time(); }

bool is_store_failure(std::error_code ec) {
  return ec == errc::storage_failed || ec == errc::corrupt_store || ec == errc::schema_too_new ||
         ec == errc::store_conflict || ec == errc::internal_error;
}

struct Options {
  std::string store_uri;
  StoreKeyOptions keys;
  std::string policy_file;  // default: data_dir/policies/coupon-marketplace.json
  std::string data_dir = default_data_dir();
  bool input_clock = false;
  std::optional<Instant> until;
  bool wait = false;
  std::string claimer;
  int lease_seconds = 60;
  bool quiet = false;
  bool ephemeral = false;  // --ephemeral: a store that keeps nothing is allowed
  bool move_open_cases = false;
};

// Reads standard input a line at a time, with a timeout.
class LineReader {
 public:
  enum class Got { line, timeout, eof };

  // The next line (without its newline) into `out`, waiting at most
  // `timeout_ms` (-1: as long as it takes).
  Got next(std::string& out, int timeout_ms) {
    for (;;) {
      if (auto nl = buffer_.find('\n', scanned_); nl != std::string::npos) {
        out.assign(buffer_, 0, nl);
        buffer_.erase(0, nl + 1);
        scanned_ = 0;
        return Got::line;
      }
      scanned_ = buffer_.size();
      if (eof_) {
        if (buffer_.empty()) return Got::eof;
        out = std::move(buffer_);
        buffer_.clear();
        scanned_ = 0;
        return Got::line;
      }
      pollfd p{STDIN_FILENO, POLLIN, 0};
      int ready = ::poll(&p, 1, timeout_ms);
      if (ready == 0) return Got::timeout;
      if (ready < 0) {
        if (errno == EINTR) return Got::timeout;
        eof_ = true;
        continue;
      }
      char chunk[65536];
      ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) return Got::timeout;
      if (n <= 0) {
        eof_ = true;
        continue;
      }
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  std::string buffer_;
  std::size_t scanned_ = 0;
  bool eof_ = false;
};

struct Stats {
  // stale: claimed follow-ups completed without firing, as their case no
  // longer waits for them (fired by another process, cancelled) or the store
  // has no such case (an orphan follow-up).
  std::uint64_t lines = 0, applied = 0, fired = 0, rejected = 0, stale = 0;
};

class Runner {
 public:
  Runner(OpenedStore store, std::shared_ptr<const ReferencePolicy> policy, const Options& options,
         ClaimerId claimer)
      : store_(std::move(store)),
        policy_(std::move(policy)),
        spend_policy_(*policy_, *store_.journal),
        pinned_(*store_.journal),
        options_(options),
        claimer_(std::move(claimer)) {}

  const Stats& stats() const noexcept { return stats_; }
  std::size_t cached() const noexcept { return cases_.size(); }

  // Persists the pending follow-ups of every open case, so that one whose
  // persist was cut short by a crash after its event was stored still
  // fires. Persisting is idempotent.
  result<void> reconcile() {
    BOOST_OUTCOME_TRY(auto open, store_.journal->open_cases());
    for (const auto& id : open) {
      BOOST_OUTCOME_TRY(auto* c, load(id, std::nullopt, Instant()));
      if (c == nullptr) continue;
      for (const auto& f : c->pending_follow_ups()) {
        BOOST_OUTCOME_TRYV(store_.follow_ups->persist(id, f));
      }
    }
    return boost::outcome_v2::success();
  }

  // Keeps the run's policy version in the store (done once, at start).
  result<void> keep_policy() { return store_.journal->keep_policy(policy_->ref(), policy_->canonical_json()); }

  // Moves every open case pinned to another version to the run's policy,
  // with a policy_moved event each. Returns how many moved.
  result<std::size_t> move_open_cases(std::optional<Instant> now) {
    BOOST_OUTCOME_TRY(auto open, store_.journal->open_cases());
    std::size_t moved = 0;
    for (const auto& id : open) {
      BOOST_OUTCOME_TRY(auto* c, load(id, std::nullopt, Instant()));
      if (c == nullptr || (c->policy() != nullptr && c->policy()->hash == policy_->ref().hash)) continue;
      Event e{id, now ? std::max(*now, c->last_event_at_utc()) : c->last_event_at_utc(), std::nullopt,
              events::PolicyMoved{policy_->ref()}};
      BOOST_OUTCOME_TRY(bool applied, commit(e));
      if (applied) ++moved;
    }
    return moved;
  }

  // True once a line could not be written to standard output.
  bool output_failed() const { return output_failed_; }

  // Handles one input line. Fails only when the store failed; a line the
  // engine or the journal rejects is reported and counted.
  result<void> line(std::string_view text) {
    ++stats_.lines;
    if (text.find_first_not_of(" \t\r") == std::string_view::npos) return boost::outcome_v2::success();
    auto outcome = handle(text);
    if (outcome) return outcome;
    if (is_store_failure(outcome.error())) return outcome;
    ++stats_.rejected;
    json::object err{{"line", stats_.lines},
                     {"error", outcome.error().message()},
                     {"detail", std::string(last_error_detail())}};
    emit(json::serialize(err));
    fmt::print(stderr, "redress run: line {}: {}\n", stats_.lines, terminal_safe(last_error_detail()));
    return boost::outcome_v2::success();
  }

  // Claims and fires every follow-up due by `now`, in due order.
  result<void> fire_due(Instant now) {
    for (;;) {
      BOOST_OUTCOME_TRY(auto due, store_.follow_ups->claim_due(now, kClaimBatch, claimer_,
                                                               boost::posix_time::seconds(options_.lease_seconds)));
      if (due.empty()) return boost::outcome_v2::success();
      for (const auto& claimed : due) {
        BOOST_OUTCOME_TRYV(fire(claimed, now));
        if (g_stop) return boost::outcome_v2::success();
      }
    }
  }

 private:
  // The case in memory, restored from the store, or (with `customer`) new.
  // nullptr when the store has never seen it and no customer was given. A
  // case's last sequence number in the store is the number of events folded
  // into it: events_applied().
  // The case of a contact_received line without "case_id": the open case of
  // its contact point, or a new one for `customer`; nullopt for a line that
  // names its case (or is not a contact). Never quotes the contact point.
  result<std::optional<CaseId>> route(const json::value& line, const std::optional<CustomerId>& customer) {
    const auto* o = line.if_object();
    if (o == nullptr || o->contains("case_id")) return std::optional<CaseId>();
    const auto* type = o->if_contains("type");
    if (type == nullptr || !type->is_string() || type->as_string() != "contact_received" || !o->contains("from")) {
      return std::optional<CaseId>();
    }
    if (store_.personal == nullptr) {
      return detail::fail(errc::invalid_event, "case_id: missing, and this store keeps no contact index; give it");
    }
    static const CaseId kRouting = CaseId::make("routing").value();
    BOOST_OUTCOME_TRY(auto e, event_from_json(line, "", JournalDefaults{kRouting, policy_->settings().currency}));
    const auto& from = std::get<events::ContactReceived>(e.body).from;
    BOOST_OUTCOME_TRY(auto match, store_.personal->find_open_cases(*from));
    if (match.ambiguous()) {
      return detail::fail(errc::invalid_event,
                          fmt::format("case_id: missing, and the contact point is on open cases of {} customers; "
                                      "nothing is guessed: give case_id",
                                      match.customers.size()));
    }
    if (auto id = match.case_to_attach()) return std::optional<CaseId>(*id);
    if (!customer) {
      return detail::fail(errc::invalid_event,
                          "case_id: missing, and no open case has this contact point; give \"customer\" to open one");
    }
    auto id = CaseId::make(fmt::format("{}@{}", customer->str(), format_instant(e.at_utc)));
    if (!id) return detail::fail(errc::invalid_event, "customer: too long to name a new case after it; give case_id");
    return std::optional<CaseId>(std::move(id).value());
  }

  result<Case*> load(const CaseId& id, const std::optional<CustomerId>& customer, Instant opened_at) {
    if (auto it = cases_.find(id); it != cases_.end()) return &it->second;
    BOOST_OUTCOME_TRY(auto restored, pinned_.restore(id, *policy_));
    if (restored) return &cases_.insert_or_assign(id, std::move(*restored)).first->second;
    if (!customer) return static_cast<Case*>(nullptr);
    BOOST_OUTCOME_TRY(auto c, Case::open(id, *customer, policy_->settings().currency, opened_at));
    return &cases_.insert_or_assign(id, std::move(c)).first->second;
  }

  result<void> handle(std::string_view text) {
    BOOST_OUTCOME_TRY(auto v, detail::json_parse(text, "the line"));
    std::optional<CustomerId> customer;
    std::optional<std::string> event_id;
    if (auto* o = v.if_object()) {
      if (auto it = o->find("customer"); it != o->end()) {
        BOOST_OUTCOME_TRY(auto id, from_json<CustomerId>(it->value(), "customer"));
        customer = std::move(id);
        o->erase(it);
      }
      if (auto it = o->find("event_id"); it != o->end()) {
        if (!it->value().is_string()) return detail::fail(errc::invalid_event, "event_id: not a string");
        event_id = std::string(it->value().as_string());
        o->erase(it);
      }
    }
    BOOST_OUTCOME_TRY(auto routed, route(v, customer));
    BOOST_OUTCOME_TRY(auto e, event_from_json(v, "", JournalDefaults{routed, policy_->settings().currency}));
    if (options_.input_clock) {
      BOOST_OUTCOME_TRYV(fire_due(e.at_utc));
    }
    BOOST_OUTCOME_TRY(auto* c, load(e.case_id, customer, e.at_utc));
    if (c == nullptr) {
      return detail::fail(errc::invalid_event,
                          fmt::format("case_id: the store has no case \"{}\"; its first event must carry \"customer\"",
                                      e.case_id.str()));
    }
    if (customer && *customer != c->customer()) {
      return detail::fail(errc::invalid_event,
                          fmt::format("customer: case \"{}\" belongs to another customer (a case's customer cannot "
                                      "change; neither value is repeated here)",
                                      e.case_id.str()));
    }
    BOOST_OUTCOME_TRY(bool applied, commit(e, event_id));
    stats_.applied += applied;
    return boost::outcome_v2::success();
  }

  result<void> fire(const ClaimedFollowUp& claimed, Instant now) {
    BOOST_OUTCOME_TRY(auto* c, load(claimed.case_id, std::nullopt, Instant()));
    if (c != nullptr) {
      Instant at = options_.input_clock ? claimed.follow_up.due_at_utc : now;
      at = std::max(at, c->last_event_at_utc());
      Event e{claimed.case_id, at, std::nullopt, events::TimerFired{claimed.follow_up.id}};
      BOOST_OUTCOME_TRY(bool fired, commit(e));
      stats_.fired += fired;
      stats_.stale += !fired;
    } else {
      ++stats_.stale;
      fmt::print(stderr, "redress run: follow-up {}: the store has no case \"{}\"; completed without firing\n",
                 terminal_safe(claimed.follow_up.id.str()), terminal_safe(claimed.case_id.str()));
    }
    BOOST_OUTCOME_TRYV(store_.follow_ups->complete(claimed.follow_up.id, claimer_));
    return boost::outcome_v2::success();
  }

  // True when `c` still waits for the follow-up `id`.
  static bool is_pending(const Case& c, const FollowUpId& id) {
    const auto& pending = c.pending_follow_ups();
    return std::any_of(pending.begin(), pending.end(), [&](const FollowUp& f) { return f.id == id; });
  }

  // Applies `e` to its (loaded) case and commits the step (the event, the
  // case's state, its follow-ups and its actions in the outbox, in one
  // transaction), prints the step, then delivers the outbox. Another process
  // may have appended to the case since it was loaded: then it is reloaded
  // and `e` applied again. A timer_fired event for a follow-up the case no
  // longer waits for (cancelled, or fired by another process whose claim
  // lapsed before it could complete it) is not applied: returns false. So is
  // an event whose `event_id` the case already holds: its stored outcome is
  // printed instead ({"case_id", "seq", "event_id", "replayed", "action_ids"}).
  result<bool> commit(const Event& e, const std::optional<std::string>& event_id = std::nullopt) {
    if (event_id) {
      BOOST_OUTCOME_TRY(auto known, store_.steps->committed(e.case_id, *event_id));
      if (known) return replayed(e, *event_id, *known);
    }
    for (int attempt = 0;; ++attempt) {
      Case& c = cases_.at(e.case_id);
      if (const auto* t = std::get_if<events::TimerFired>(&e.body); t && !is_pending(c, t->follow_up)) {
        // Stale, unless the case never scheduled it: then the engine refuses it.
        BOOST_OUTCOME_TRYV(apply(c, e, spend_policy_, e.at_utc));
        return false;
      }
      BOOST_OUTCOME_TRY(const Policy* under, policy_for(c, e));
      const bool opening = c.events_applied() == 0;
      // A precedent cited by id alone: its facts from the store's journals,
      // stored with the event (docs/stores.md, "Precedents from the journals").
      BOOST_OUTCOME_TRY(const Event resolved, resolve_precedent(*store_.journal, *policy_, c, e));
      BOOST_OUTCOME_TRY(auto step, apply(c, resolved, *under, resolved.at_utc));
      const CaseState state = state_of(step.next);
      auto committed = store_.steps->commit(CaseHeader::of(c), resolved, step, c.events_applied(),
                                            event_id ? std::optional<std::string_view>(*event_id) : std::nullopt);
      if (!committed && committed.error() == errc::store_conflict && attempt < 3) {
        cases_.erase(e.case_id);
        BOOST_OUTCOME_TRY(auto* reloaded, load(e.case_id, std::nullopt, Instant()));
        if (reloaded == nullptr) return committed.error();
        continue;
      }
      if (!committed) return committed.error();
      if (opening && step.next.policy() != nullptr) {
        BOOST_OUTCOME_TRYV(store_.journal->pin_policy(e.case_id, step.next.policy()->hash));
      }
      if (committed.value().replayed) return replayed(e, *event_id, committed.value());
      json::array ids;
      for (const auto& id : committed.value().action_ids) ids.emplace_back(id);
      json::object out{{"case_id", e.case_id.str()}, {"seq", committed.value().seq}, {"event", to_json(resolved)}};
      json::value produced = to_json(step);
      for (auto& [key, value] : produced.as_object()) out[key] = std::move(value);
      out["action_ids"] = std::move(ids);
      emit(json::serialize(out));
      if (state == CaseState::closed) {
        cases_.erase(e.case_id);  // a later event reloads it
      } else {
        c = std::move(step.next);
      }
      BOOST_OUTCOME_TRYV(deliver(e.at_utc, committed.value().action_ids));
      return true;
    }
  }

 public:
  // Delivers the outbox: claims its undelivered actions, prints those not
  // already printed with their step (`printed`: a crashed run's actions,
  // one line each: {"case_id", "seq", "action_id", "action", "redelivered"}),
  // and acknowledges them once the lines are written. A run killed before
  // acknowledging prints them again after the lease (same ids).
  result<void> deliver(Instant now, const std::vector<std::string>& printed) {
    const auto lease = boost::posix_time::seconds(options_.lease_seconds);
    for (;;) {
      BOOST_OUTCOME_TRY(auto batch, store_.steps->claim_actions(now, kClaimBatch, claimer_, lease));
      if (batch.empty()) return boost::outcome_v2::success();
      for (const auto& a : batch) {
        if (std::find(printed.begin(), printed.end(), a.id) != printed.end()) continue;
        boost::system::error_code ec;
        auto action = json::parse(a.json, ec);
        if (ec) {
          return detail::fail(errc::corrupt_store, fmt::format("outbox[{}]: the stored action is not JSON", a.id));
        }
        json::object out{{"case_id", a.case_id.str()}, {"seq", a.seq}, {"action_id", a.id},
                         {"action", std::move(action)}, {"redelivered", true}};
        emit(json::serialize(out));
      }
      // Never acknowledge what could not be written: it is delivered again.
      if (output_failed_) return detail::fail(errc::storage_failed, "standard output: write failed");
      for (const auto& a : batch) {
        BOOST_OUTCOME_TRYV(store_.steps->acknowledge(a.id));
      }
    }
  }

 private:
  // The policy an event of case `c` is decided under: the version the case
  // is pinned to (with prior spend read from the store), the run's own for a
  // new case, a case stored without a pin, or a move to the run's version.
  result<const Policy*> policy_for(const Case& c, const Event& e) {
    if (c.policy() == nullptr || c.policy()->hash == policy_->ref().hash ||
        std::holds_alternative<events::PolicyMoved>(e.body)) {
      return &spend_policy_;
    }
    auto it = pinned_spend_.find(c.policy()->hash);
    if (it == pinned_spend_.end()) {
      BOOST_OUTCOME_TRY(const ReferencePolicy* p, pinned_.policy(c.policy()->hash));
      it = pinned_spend_.emplace(c.policy()->hash, std::make_unique<JournalSpendPolicy>(*p, *store_.journal)).first;
    }
    return it->second.get();
  }

  // Prints the stored outcome of an event the case already held, then
  // delivers the outbox (what that event's first run left unacknowledged).
  result<bool> replayed(const Event& e, const std::string& event_id, const Committed& stored) {
    json::array ids;
    for (const auto& id : stored.action_ids) ids.emplace_back(id);
    json::object out{{"case_id", e.case_id.str()}, {"seq", stored.seq}, {"event_id", event_id},
                     {"replayed", true}, {"action_ids", std::move(ids)}};
    emit(json::serialize(out));
    cases_.erase(e.case_id);  // reloaded from the store when next needed
    BOOST_OUTCOME_TRYV(deliver(e.at_utc, {}));
    return false;
  }

  // Writes one JSON line to standard output and flushes it; a failure (a
  // full disk, a closed pipe) is remembered, and the caller stops.
  void emit(std::string_view line) {
    if (output_failed_) return;
    if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size() || std::fputc('\n', stdout) == EOF ||
        std::fflush(stdout) != 0) {
      output_failed_ = true;
    }
  }

  bool output_failed_ = false;
  OpenedStore store_;
  std::shared_ptr<const ReferencePolicy> policy_;
  // The policy with prior spend read from the store's other cases, so the
  // caps hold across cases.
  JournalSpendPolicy spend_policy_;
  // The versions the store keeps, for cases pinned to another one.
  PinnedPolicies pinned_;
  std::map<std::string, std::unique_ptr<JournalSpendPolicy>> pinned_spend_;
  const Options& options_;
  ClaimerId claimer_;
  std::map<CaseId, Case> cases_;
  Stats stats_;
};

// A progress line at most once a second, and the summary at the end.
class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet) {}
  void tick(const Runner& r, bool final = false) {
    if (quiet_ && !final) return;
    auto now = std::chrono::steady_clock::now();
    if (!final && now - last_ < std::chrono::seconds(1)) return;
    last_ = now;
    const auto& s = r.stats();
    double secs = std::chrono::duration<double>(now - start_).count();
    fmt::print(stderr,
               "redress run: {}{} lines, {} events applied, {} follow-ups fired, {} rejected, {} stale follow-ups, {} "
               "cases in memory, {:.1f} s\n",
               final ? "done: " : "", s.lines, s.applied, s.fired, s.rejected, s.stale, r.cached(), secs);
  }

 private:
  bool quiet_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_ = start_;
};

int usage(std::string_view why) {
  fmt::print(stderr, "redress run: {}\n\n{}", why, kHelp);
  return 2;
}

int run(std::span<const std::string_view> args) {
  if (wants_help(args)) {
    fmt::print("{}", kHelp);
    return 0;
  }
  Options o;
  std::optional<std::string_view> clock;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--store" && has_value) {
      o.store_uri = args[++i];
    } else if (parse_store_key_option(args, i, o.keys)) {
    } else if (a == "--policy" && has_value) {
      o.policy_file = args[++i];
    } else if (a == "--data" && has_value) {
      o.data_dir = args[++i];
    } else if (a == "--clock" && has_value) {
      clock = args[++i];
      if (*clock != "system" && *clock != "input") return usage(fmt::format("--clock: \"{}\" is neither system nor input", *clock));
      o.input_clock = *clock == "input";
    } else if (a == "--until" && has_value) {
      auto until = parse_instant(args[++i]);
      if (!until) return usage(fmt::format("--until: {}", last_error_detail()));
      o.until = until.value();
    } else if (a == "--wait") {
      o.wait = true;
    } else if (a == "--claimer" && has_value) {
      o.claimer = args[++i];
      if (o.claimer.empty()) return usage("--claimer: empty (give a name, or leave the option out)");
    } else if (a == "--lease" && has_value) {
      const std::string v(args[++i]);
      char* end = nullptr;
      long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < 1 || n > 86400) return usage(fmt::format("--lease: \"{}\" is not 1 to 86400 seconds", v));
      o.lease_seconds = static_cast<int>(n);
    } else if (a == "--quiet") {
      o.quiet = true;
    } else if (a == "--move-open-cases") {
      o.move_open_cases = true;
    } else if (a == "--ephemeral") {
      o.ephemeral = true;
    } else {
      return usage(fmt::format("unexpected argument \"{}\"", a));
    }
  }
  if (o.store_uri.empty()) return usage("which store? (--store sqlite:PATH or postgres:CONNINFO)");
  if (o.until && !o.input_clock) return usage("--until goes with --clock input");
  if (o.wait && o.input_clock) return usage("--wait goes with --clock system");
  if (o.claimer.empty()) {
    char host[256] = "host";
    ::gethostname(host, sizeof host - 1);
    o.claimer = fmt::format("run-{}-{}", host, ::getpid());
  }
  auto claimer = ClaimerId::make(o.claimer);
  if (!claimer) return usage(fmt::format("--claimer: {}", last_error_detail()));

  if (o.policy_file.empty()) o.policy_file = default_policy_file(o.data_dir);
  if (o.policy_file.empty()) {
    fmt::print(stderr, "redress run: {}\n", kNoDataDir);
    return 2;
  }
  auto policy = load_policy(json::value(o.policy_file), ".", o.data_dir);
  if (!policy) {
    fmt::print(stderr, "redress run: {}: {}\n", terminal_safe(o.policy_file), terminal_safe(last_error_detail()));
    return 1;
  }
  if (!o.ephemeral && !is_durable_store_uri(o.store_uri)) {
    return usage("--store: this store keeps nothing after the process ends (pass --ephemeral to allow it)");
  }
  // Events come from a stream of bytes: a directory would read as empty.
  if (struct stat st {}; ::fstat(STDIN_FILENO, &st) == 0 && S_ISDIR(st.st_mode)) {
    return usage("standard input is a directory, not a stream of events");
  }
  auto store = open_store_uri(o.store_uri, o.keys);
  if (!store) {
    fmt::print(stderr, "redress run: {}\n", terminal_safe(last_error_detail()));
    return store.error() == errc::invalid_argument ? 2 : kStoreFailed;
  }

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  Runner runner(std::move(store).value(), std::make_shared<const ReferencePolicy>(std::move(policy).value()), o,
                std::move(claimer).value());
  Progress progress(o.quiet);
  auto store_failed = [&](std::string_view when) {
    if (runner.output_failed()) {
      // Delivery stopped because standard output failed: nothing more was
      // acknowledged, and the store is fine.
      fmt::print(stderr, "redress run: cannot write standard output {}; the events before it are stored\n", when);
      progress.tick(runner, true);
      return kOutputFailed;
    }
    fmt::print(stderr, "redress run: the store failed {}: {}\n", when, terminal_safe(last_error_detail()));
    progress.tick(runner, true);
    return kStoreFailed;
  };
  if (!runner.keep_policy()) return store_failed("while keeping the policy version");
  if (!runner.reconcile()) return store_failed("while reloading the open cases");
  if (o.move_open_cases) {
    auto moved = runner.move_open_cases(o.input_clock ? std::nullopt : std::optional<Instant>(wall_clock()));
    if (!moved) return store_failed("while moving the open cases");
    if (!o.quiet) fmt::print(stderr, "redress run: {} open cases moved to this policy version\n", moved.value());
  }
  if (!o.input_clock && !runner.deliver(wall_clock(), {})) return store_failed("while delivering the outbox");

  LineReader reader;
  std::string text;
  bool input_done = false;
  while (!g_stop) {
    if (!o.input_clock && !runner.fire_due(wall_clock())) return store_failed("while firing follow-ups");
    if (input_done) {
      if (!o.wait) break;
      ::poll(nullptr, 0, 200);  // the wall clock moves on; fire again
      progress.tick(runner);
      continue;
    }
    auto got = reader.next(text, o.input_clock ? -1 : 200);
    if (got == LineReader::Got::eof) {
      input_done = true;
    } else if (got == LineReader::Got::line) {
      if (!runner.line(text)) return store_failed(fmt::format("at line {}", runner.stats().lines));
      if (runner.output_failed()) {
        fmt::print(stderr, "redress run: cannot write standard output at line {}; the events before it are stored\n",
                   runner.stats().lines);
        progress.tick(runner, true);
        return kOutputFailed;
      }
    }
    progress.tick(runner);
  }
  if (o.input_clock && o.until && !g_stop && !runner.fire_due(*o.until)) {
    return store_failed("while firing follow-ups");
  }
  if (o.input_clock && o.until && !g_stop && !runner.deliver(*o.until, {})) {
    return store_failed("while delivering the outbox");
  }
  progress.tick(runner, true);
  return runner.stats().rejected > 0 ? 1 : 0;
}

}  // namespace

REDRESS_CLI_COMMAND("run", "apply events from standard input, store them and fire follow-ups on time", run);

}  // namespace redress::cli
