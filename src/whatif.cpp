// What-if: a journal replayed under two policies, the decisions compared.
#include <redress/whatif.hpp>

#include <map>
#include <variant>

#include <fmt/format.h>

#include <redress/journal.hpp>
#include <redress/json.hpp>

namespace redress {
inline namespace v1 {

std::string_view to_string(WhatIfChangeKind k) noexcept {
  switch (k) {
    case WhatIfChangeKind::finding_raised: return "finding_raised";
    case WhatIfChangeKind::finding_cleared: return "finding_cleared";
    case WhatIfChangeKind::finding_severity: return "finding_severity";
    case WhatIfChangeKind::remedy: return "remedy";
    case WhatIfChangeKind::deadline: return "deadline";
    case WhatIfChangeKind::escalation: return "escalation";
  }
  return "unknown";
}

namespace {

namespace json = boost::json;

// The decisions of one step, in comparable form; an event the policy did
// not apply decided nothing.
struct Decisions {
  std::map<std::string, Severity> findings;
  std::map<std::string, std::pair<std::string, Money>> remedies;  // id -> (outcome, value)
  std::vector<std::string> escalations;
  std::map<std::string, Instant> deadlines;  // follow-up kind -> due
};

Decisions decisions_of(const Step* step, const Event& ev) {
  Decisions d;
  if (step == nullptr) return d;
  for (const auto& f : step->findings) d.findings.emplace(f.code.str(), f.severity);
  for (const auto& a : step->actions) {
    if (const auto* offer = std::get_if<actions::Offer>(&a)) {
      d.remedies.insert_or_assign(std::string(offer->remedy.str()), std::pair{std::string("offered"), offer->value});
    } else if (const auto* req = std::get_if<actions::RequestApproval>(&a)) {
      d.remedies.insert_or_assign(std::string(req->remedy.str()),
                                  std::pair{fmt::format("sent for approval at level {}", req->level), req->value});
    } else if (const auto* up = std::get_if<actions::Escalate>(&a)) {
      d.escalations.push_back(up->to.empty() ? fmt::format("level {}", up->level)
                                             : fmt::format("level {} ({})", up->level, up->to));
    } else if (std::holds_alternative<actions::Emergency>(a)) {
      d.escalations.push_back("emergency");
    } else if (const auto* s = std::get_if<actions::ScheduleFollowUp>(&a)) {
      d.deadlines.insert_or_assign(std::string(to_string(s->follow_up.kind)), s->follow_up.due_at_utc);
    }
  }
  if (const auto* p = std::get_if<events::RemedyProposed>(&ev.body)) {
    d.remedies.emplace(std::string(p->remedy.str()), std::pair{std::string("blocked"), p->value});
  }
  return d;
}

std::string severity_text(Severity s) { return fmt::format("raised ({})", to_string(s)); }

void compare(std::size_t i, const Decisions& a, const Decisions& b, std::vector<WhatIfChange>& out) {
  auto change = [&](WhatIfChangeKind kind, std::string subject, std::string before, std::string after,
                    std::optional<Money> value = std::nullopt) {
    out.push_back({i, kind, std::move(subject), std::move(before), std::move(after), value});
  };
  for (const auto& [code, sev] : a.findings) {
    auto it = b.findings.find(code);
    if (it == b.findings.end()) {
      change(WhatIfChangeKind::finding_cleared, code, severity_text(sev), "");
    } else if (it->second != sev) {
      change(WhatIfChangeKind::finding_severity, code, severity_text(sev), severity_text(it->second));
    }
  }
  for (const auto& [code, sev] : b.findings) {
    if (!a.findings.contains(code)) change(WhatIfChangeKind::finding_raised, code, "", severity_text(sev));
  }
  for (const auto& [id, before] : a.remedies) {
    auto it = b.remedies.find(id);
    std::string after = it == b.remedies.end() ? std::string() : it->second.first;
    if (after != before.first) change(WhatIfChangeKind::remedy, id, before.first, after, before.second);
  }
  for (const auto& [id, after] : b.remedies) {
    if (!a.remedies.contains(id)) change(WhatIfChangeKind::remedy, id, "", after.first, after.second);
  }
  for (const auto& [kind, due] : a.deadlines) {
    auto it = b.deadlines.find(kind);
    if (it == b.deadlines.end()) {
      change(WhatIfChangeKind::deadline, kind, format_instant(due), "");
    } else if (it->second != due) {
      change(WhatIfChangeKind::deadline, kind, format_instant(due), format_instant(it->second));
    }
  }
  for (const auto& [kind, due] : b.deadlines) {
    if (!a.deadlines.contains(kind)) change(WhatIfChangeKind::deadline, kind, "", format_instant(due));
  }
  if (a.escalations != b.escalations) {
    change(WhatIfChangeKind::escalation, "escalation", fmt::format("{}", fmt::join(a.escalations, ", ")),
           fmt::format("{}", fmt::join(b.escalations, ", ")));
  }
}

// One side of the comparison: its case, moved on by the events its policy
// could apply.
struct Side {
  const Policy& policy;
  std::string_view name;
  Case c;

  // The step, or nullptr after recording why the event was skipped. Only a
  // policy failure is fatal.
  result<std::optional<Step>> step(std::size_t i, const Event& ev, std::vector<WhatIfSkipped>& skipped) {
    auto s = apply(c, ev, policy, ev.at_utc);
    if (!s) {
      if (s.error() == errc::policy_failed) {
        return detail::fail(errc::policy_failed, fmt::format("journal[{}], {} policy: {}", i, name, last_error_detail()));
      }
      skipped.push_back({i, std::string(name), std::string(event_type(ev.body)), std::string(last_error_detail())});
      return std::optional<Step>();
    }
    c = s.value().next;
    return std::optional<Step>(std::move(s).value());
  }
};

}  // namespace

result<WhatIf> whatif(const Case& initial, std::span<const Event> journal, const Policy& old_policy,
                      const Policy& new_policy) {
  for (std::size_t i = 0; i < journal.size(); ++i) {
    if (journal[i].case_id != initial.id()) {
      return detail::fail(errc::invalid_argument, fmt::format("journal[{}]: the event is for case {}, not {}", i,
                                                              journal[i].case_id.str(), initial.id().str()));
    }
  }
  Side before{old_policy, "old", initial};
  Side after{new_policy, "new", initial};
  std::vector<WhatIfChange> changes;
  std::vector<WhatIfSkipped> skipped;
  for (std::size_t i = 0; i < journal.size(); ++i) {
    const Event& ev = journal[i];
    if (std::holds_alternative<events::PolicyMoved>(ev.body)) {
      skipped.push_back({i, "both", std::string(event_type(ev.body)),
                         "each side stays on its own policy; the move is not replayed"});
      continue;
    }
    BOOST_OUTCOME_TRY(auto a, before.step(i, ev, skipped));
    BOOST_OUTCOME_TRY(auto b, after.step(i, ev, skipped));
    compare(i, decisions_of(a ? &*a : nullptr, ev), decisions_of(b ? &*b : nullptr, ev), changes);
  }
  return WhatIf{std::move(before.c), std::move(after.c), std::move(changes), std::move(skipped)};
}

namespace {

json::object change_json(const WhatIfChange& c, std::span<const Event> journal) {
  json::object o{{"event", c.event},
                 {"kind", to_string(c.kind)},
                 {"subject", c.subject},
                 {"before", c.before},
                 {"after", c.after}};
  if (c.event < journal.size()) o["at"] = to_json(journal[c.event].at_utc);
  if (c.value) o["value"] = to_json(*c.value);
  return o;
}

// What is left standing of the remedies: their value unless rejected.
result<Money> standing_value(const Case& c) {
  Money total = Money::zero(c.currency());
  for (const auto& r : c.remedies()) {
    if (r.status == RemedyStatus::rejected) continue;
    BOOST_OUTCOME_TRY(total, add(total, r.value));
  }
  return total;
}

json::object side_json(const Case& c) {
  json::object o{{"stage", to_json(c.stage())}, {"escalation_level", c.escalation_level()}};
  if (auto v = standing_value(c)) o["remedy_value"] = to_json(v.value());
  if (c.policy() != nullptr) o["policy"] = to_json(*c.policy());
  return o;
}

}  // namespace

json::value to_json(const WhatIf& w, std::span<const Event> journal) {
  json::array changes;
  for (const auto& c : w.changes) changes.push_back(change_json(c, journal));
  json::array skipped;
  for (const auto& s : w.skipped) {
    json::object o{{"event", s.event}, {"policy", s.policy}, {"type", s.type}, {"reason", s.reason}};
    if (s.event < journal.size()) o["at"] = to_json(journal[s.event].at_utc);
    skipped.push_back(std::move(o));
  }
  return json::object{{"case", to_json(w.before.id())},  {"changed", w.changed()},
                      {"changes", std::move(changes)},   {"skipped", std::move(skipped)},
                      {"before", side_json(w.before)}, {"after", side_json(w.after)}};
}

result<void> WhatIfSummary::add(const WhatIf& w, std::span<const Event> journal) {
  BOOST_OUTCOME_TRY(auto before, standing_value(w.before));
  BOOST_OUTCOME_TRY(auto after, standing_value(w.after));
  MoneyTotals b = money_before_, a = money_after_;
  BOOST_OUTCOME_TRY(b.add(before));
  BOOST_OUTCOME_TRY(a.add(after));
  money_before_ = std::move(b);
  money_after_ = std::move(a);
  ++cases_;
  if (w.changed() || before != after) ++cases_changed_;
  for (const auto& c : w.changes) {
    switch (c.kind) {
      case WhatIfChangeKind::remedy: ++remedies_changed_; break;
      case WhatIfChangeKind::escalation: ++escalations_changed_; break;
      case WhatIfChangeKind::deadline: ++deadlines_changed_; break;
      default: ++findings_changed_; break;
    }
    if (examples_.size() < max_examples) {
      Instant at = c.event < journal.size() ? journal[c.event].at_utc : w.before.opened_at_utc();
      examples_.push_back({w.before.id(), c, at});
    }
  }
  events_skipped_ += static_cast<std::int64_t>(w.skipped.size());
  return boost::outcome_v2::success();
}

void WhatIfSummary::add_failure(const CaseId& id, std::string reason) {
  ++cases_;
  failed_.emplace_back(id, std::move(reason));
}

namespace {

json::array money_json(const MoneyTotals& t) {
  json::array out;
  for (const auto& m : t.amounts()) out.push_back(to_json(m));
  return out;
}

std::string money_text(const MoneyTotals& t) {
  if (t.empty()) return "none";
  std::vector<std::string> parts;
  for (const auto& m : t.amounts()) parts.push_back(to_string(m));
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace

json::value WhatIfSummary::to_json() const {
  json::array examples;
  for (const auto& e : examples_) {
    json::object o = change_json(e.change, {});
    o["case"] = redress::to_json(e.case_id);
    o["at"] = redress::to_json(e.at_utc);
    examples.push_back(std::move(o));
  }
  json::array failed;
  for (const auto& [id, why] : failed_) failed.push_back(json::object{{"case", redress::to_json(id)}, {"reason", why}});
  return json::object{{"cases", cases_},
                      {"cases_changed", cases_changed_},
                      {"remedies_changed", remedies_changed_},
                      {"escalations_changed", escalations_changed_},
                      {"findings_changed", findings_changed_},
                      {"deadlines_changed", deadlines_changed_},
                      {"events_skipped", events_skipped_},
                      {"remedy_value_before", money_json(money_before_)},
                      {"remedy_value_after", money_json(money_after_)},
                      {"examples", std::move(examples)},
                      {"failed", std::move(failed)}};
}

std::string WhatIfSummary::to_text() const {
  std::string out = fmt::format(
      "cases: {} compared, {} would change\n"
      "remedies changed: {}\n"
      "escalations changed: {}\n"
      "findings changed: {}\n"
      "deadlines moved: {}\n"
      "events that no longer apply: {}\n"
      "remedy value standing: {} before, {} after\n",
      cases_, cases_changed_, remedies_changed_, escalations_changed_, findings_changed_, deadlines_changed_,
      events_skipped_, money_text(money_before_), money_text(money_after_));
  if (!examples_.empty()) out += "examples:\n";
  for (const auto& e : examples_) {
    out += fmt::format("  {} at {}: {} {}: {} -> {}\n", e.case_id.str(), format_instant(e.at_utc),
                       to_string(e.change.kind), e.change.subject, e.change.before.empty() ? "-" : e.change.before,
                       e.change.after.empty() ? "-" : e.change.after);
  }
  for (const auto& [id, why] : failed_) out += fmt::format("  {} not compared: {}\n", id.str(), why);
  return out;
}

result<WhatIfSummary> whatif_store(const JournalStore& store, const Policy& candidate, const Policy& fallback,
                                   const WhatIfStoreOptions& options) {
  PinnedPolicies pinned(store);
  WhatIfSummary summary;
  summary.max_examples = options.max_examples;
  BOOST_OUTCOME_TRY(auto ids, store.cases());
  for (const auto& id : ids) {
    BOOST_OUTCOME_TRY(auto header, store.header(id));
    if (header && options.since && header->opened_at_utc < Instant(*options.since)) continue;
    auto compared = [&]() -> result<void> {
      if (!header) return detail::fail(errc::corrupt_store, "the store holds no header for it");
      BOOST_OUTCOME_TRY(auto journal, store.events(id));
      BOOST_OUTCOME_TRY(const Policy* old_policy, pinned.opened_under(id, fallback));
      BOOST_OUTCOME_TRY(auto initial,
                        Case::open(header->id, header->customer, header->currency, header->opened_at_utc));
      BOOST_OUTCOME_TRY(auto answer, whatif(initial, journal, *old_policy, candidate));
      return summary.add(answer, journal);
    }();
    if (!compared) {
      if (compared.error() == errc::storage_failed) return compared.error();
      summary.add_failure(id, std::string(last_error_detail()));
    }
  }
  return summary;
}

}  // namespace v1
}  // namespace redress
