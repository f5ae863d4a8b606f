// Scenario files for `redress replay` and `redress demo`: a policy, a case
// and a timeline of events (docs/scenarios.md).
#ifndef REDRESS_TOOLS_CLI_SCENARIO_HPP
#define REDRESS_TOOLS_CLI_SCENARIO_HPP

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include <redress/engine.hpp>
#include <redress/store.hpp>

namespace redress::cli {

// One point on a scenario's timeline: an event, or (without one) a moment the
// clock advances to, firing the follow-ups due by then.
// A `calendar_changed` entry with a "calendar" member also gives the policy,
// on that calendar, that decides from this event on.
struct TimelineEntry {
  Instant at_utc;
  std::optional<Event> event;
  std::shared_ptr<const ReferencePolicy> policy;
};

struct Scenario {
  std::string name;
  std::string story;
  std::shared_ptr<const ReferencePolicy> policy;
  TimeZone policy_calendar_zone;
  Case initial;
  std::vector<TimelineEntry> timeline;
  boost::json::object expect;
};

// Reads the calendar document at `path` (at most kMaxDocumentBytes). A file
// that is not one (no "time_zone" and "weekmask") is refused without quoting
// it; errors name `what` and the path.
result<boost::json::value> read_calendar_document(const std::string& path, std::string_view what);

// Reads a policy document: inline (an object) or a file path relative to
// `base_dir`. A "calendar" given as a string is a file path relative to the
// policy's directory, or the name of a bundled calendar in
// `data_dir`/calendars/ ("cn"). `calendar`, when given, replaces the
// document's calendar (a calendar_changed entry's new calendar).
result<ReferencePolicy> load_policy(const boost::json::value& v, const std::string& base_dir,
                                    std::string_view data_dir, const boost::json::value* calendar = nullptr);

// Reads the scenario file at `path`.
result<Scenario> load_scenario(std::string_view path, std::string_view data_dir);

// A scenario played to its end: the final case and its journal (the
// scenario's events and the timer firings between them, in order).
struct Played {
  Case final_case;
  std::vector<Event> journal;
};

// Plays `s`'s timeline through the engine, firing follow-ups in due order as
// the timeline passes them (as a host's scheduler would), and calls
// `on_step` after each event applied. When the engine refuses an event,
// `play` fails with the engine's error, the detail naming the event and its
// instant, unless `on_refused` is given: then it is called with the event
// and that detail, the event is left out of the journal, and play goes on.
// With `precedents`, a precedent cited by id alone is looked up in that
// store first (resolve_precedent(), <redress/journal_precedent.hpp>).
result<Played> play(const Scenario& s, const std::function<void(const Event&, const Step&)>& on_step = {},
                    const std::function<void(const Event&, std::string_view why)>& on_refused = {},
                    const JournalStore* precedents = nullptr);

struct ReplayOptions {
  bool json = false;   // JSON lines instead of the human timeline
  bool check = false;  // compare with the scenario's "expect" block
  bool quiet = false;  // print only unmet expectations
  bool keep_going = false;  // report a refused event in the timeline and go on
  std::string data_dir;
  const JournalStore* precedents = nullptr;  // where cited precedents are looked up (--store)
};

// Replays the scenario at `file` and prints its timeline; returns the exit
// status `redress replay` documents.
int replay_file(std::string_view file, const ReplayOptions& options);

}  // namespace redress::cli

#endif
