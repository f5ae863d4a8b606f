// Giving a stored case back: its header and journal, replayed.
#include <redress/store.hpp>

#include <algorithm>

#include <boost/json/object.hpp>
#include <fmt/format.h>

#include <redress/engine.hpp>

#include "store/store_rows.hpp"

namespace redress {
inline namespace v1 {

result<std::optional<Case>> restore(const JournalStore& store, const CaseId& case_id, const Policy& policy) {
  BOOST_OUTCOME_TRY(auto header, store.header(case_id));
  if (!header) return std::optional<Case>();
  BOOST_OUTCOME_TRY(auto journal, store.events(case_id));
  BOOST_OUTCOME_TRY(auto initial, Case::open(header->id, header->customer, header->currency, header->opened_at_utc));
  BOOST_OUTCOME_TRY(auto c, replay(initial, journal, policy));
  return std::optional<Case>(std::move(c));
}

result<void> JournalStore::scan(const CaseRange& range, const JournalVisitor& visit) const {
  BOOST_OUTCOME_TRY(auto ids, cases());
  for (const auto& id : ids) {
    if (!range.contains(id)) continue;
    BOOST_OUTCOME_TRY(auto header, this->header(id));
    if (!header) {
      return detail::fail(store_errc::corrupt_store, fmt::format("case \"{}\": listed, but no header", id.str()));
    }
    BOOST_OUTCOME_TRY(auto journal, events(id));
    BOOST_OUTCOME_TRYV(visit(*header, journal));
  }
  return boost::outcome_v2::success();
}

result<std::vector<CaseRange>> JournalStore::split(std::size_t parts) const {
  if (parts == 0) return detail::fail(errc::invalid_argument, "parts: 0; split into at least one range");
  BOOST_OUTCOME_TRY(auto ids, cases());
  std::vector<CaseId> bounds;
  for (std::size_t i : split_points(ids.size(), parts)) bounds.push_back(ids[i]);
  return ranges_between(std::move(bounds));
}

std::vector<std::size_t> JournalStore::split_points(std::size_t count, std::size_t parts) {
  std::vector<std::size_t> points;
  for (std::size_t k = 1; k < parts; ++k) {
    std::size_t at = count * k / parts;
    if (at > 0 && at < count && (points.empty() || points.back() != at)) points.push_back(at);
  }
  return points;
}

std::vector<CaseRange> JournalStore::ranges_between(std::vector<CaseId> bounds) {
  std::sort(bounds.begin(), bounds.end(), [](const CaseId& a, const CaseId& b) { return a.str() < b.str(); });
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  std::vector<CaseRange> ranges;
  std::optional<CaseId> from;
  for (auto& bound : bounds) {
    ranges.push_back(CaseRange{from, bound});
    from = std::move(bound);
  }
  ranges.push_back(CaseRange{std::move(from), std::nullopt});
  return ranges;
}

result<void> JournalStore::keep_policy(const PolicyRef& ref, std::string_view document) {
  if (ref.hash.empty()) return detail::fail(errc::invalid_argument, "policy.hash: empty");
  if (document.empty()) return detail::fail(errc::invalid_argument, "document: empty");
  return boost::outcome_v2::success();
}

result<std::optional<std::string>> JournalStore::policy_document(std::string_view) const {
  return std::optional<std::string>();
}

result<std::vector<PolicyRef>> JournalStore::policies() const { return std::vector<PolicyRef>(); }

result<void> JournalStore::pin_policy(const CaseId&, std::string_view hash) {
  if (hash.empty()) return detail::fail(errc::invalid_argument, "hash: empty");
  return boost::outcome_v2::success();
}

result<std::optional<PolicyRef>> JournalStore::pinned_policy(const CaseId&) const {
  return std::optional<PolicyRef>();
}

boost::json::value to_json(const RecordedFix& fix) {
  boost::json::object out{{"id", fix.id}};
  boost::json::value members = to_json(fix.fix);
  for (auto& member : members.as_object()) out.emplace(member.key(), std::move(member.value()));
  out["customers"] = fix.customers;
  out["told"] = fix.told;
  return out;
}

result<RecordedFix> JournalStore::record_fix(const RootCauseFix& fix, std::span<const FixNotice>) {
  BOOST_OUTCOME_TRYV(check_fix(fix));
  return detail::fail(errc::invalid_argument, "this store does not keep root-cause fixes (SqliteStore and PgStore do)");
}

result<std::vector<RecordedFix>> JournalStore::fixes() const { return std::vector<RecordedFix>(); }

result<std::vector<StoredFixNotice>> JournalStore::undelivered_fix_notices(std::int64_t) const {
  return std::vector<StoredFixNotice>();
}

result<std::vector<StoredFixNotice>> JournalStore::claim_fix_notices(std::int64_t fix_id, Instant now_utc,
                                                                     std::size_t max_count, const ClaimerId& claimer,
                                                                     Duration lease) {
  // What every store refuses; a store that keeps fixes checks here first.
  if (fix_id < 0) return detail::fail(errc::invalid_argument, fmt::format("fix_id: {} is negative", fix_id));
  BOOST_OUTCOME_TRYV(detail::store::check_claim(now_utc, max_count, lease));
  if (claimer.str().empty()) return detail::fail(errc::invalid_argument, "claimer: empty");
  return std::vector<StoredFixNotice>();
}

result<bool> JournalStore::deliver_fix_notice(std::string_view notice_id) {
  if (notice_id.empty()) return detail::fail(errc::invalid_argument, "notice_id: empty");
  return false;
}

result<void> JournalStore::check_fix(const RootCauseFix& fix) {
  // What make() refuses, the store refuses: an empty taxonomy checks all but the category's name.
  BOOST_OUTCOME_TRYV(RootCauseFix::make(fix.category, fix.note, fix.fixed_at_utc, fix.fixed_by, CauseTaxonomy()));
  return boost::outcome_v2::success();
}

result<const ReferencePolicy*> PinnedPolicies::policy(std::string_view hash) {
  if (auto it = cache_.find(hash); it != cache_.end()) return it->second.get();
  BOOST_OUTCOME_TRY(auto doc, store_.policy_document(hash));
  if (!doc) {
    return detail::fail(errc::corrupt_store, fmt::format("policy {}: not kept in the store", hash));
  }
  auto parsed = ReferencePolicy::parse(*doc, CalendarResolver());
  if (!parsed || parsed.value().ref().hash != hash) {
    return detail::fail(errc::corrupt_store,
                        fmt::format("policy {}: the kept document does not read back with its hash{}", hash,
                                    parsed ? "" : fmt::format(" ({})", last_error_detail())));
  }
  auto kept = std::make_unique<ReferencePolicy>(std::move(parsed).value());
  const ReferencePolicy* out = kept.get();
  cache_.emplace(std::string(hash), std::move(kept));
  return out;
}

result<const Policy*> PinnedPolicies::opened_under(const CaseId& case_id, const Policy& fallback) {
  BOOST_OUTCOME_TRY(auto pin, store_.pinned_policy(case_id));
  if (!pin) return &fallback;
  BOOST_OUTCOME_TRY(auto p, policy(pin->hash));
  return p;
}

result<std::optional<Case>> PinnedPolicies::restore(const CaseId& case_id, const Policy& fallback) {
  BOOST_OUTCOME_TRY(auto header, store_.header(case_id));
  if (!header) return std::optional<Case>();
  BOOST_OUTCOME_TRY(auto journal, store_.events(case_id));
  BOOST_OUTCOME_TRY(auto c, replay(*header, journal, fallback));
  return std::optional<Case>(std::move(c));
}

result<Case> PinnedPolicies::replay(const CaseHeader& header, std::span<const Event> journal, const Policy& fallback,
                                    ReplayMode mode) {
  const CaseId& case_id = header.id;
  BOOST_OUTCOME_TRY(const Policy* under, opened_under(case_id, fallback));
  BOOST_OUTCOME_TRY(auto c, Case::open(header.id, header.customer, header.currency, header.opened_at_utc));
  // Each stretch between moves replays under its own version; a move is
  // applied with the version it names.
  std::size_t from = 0;
  auto run_to = [&](std::size_t to) -> result<void> {
    auto next = ::redress::replay(c, std::span<const Event>(journal.data() + from, to - from), *under, mode);
    if (!next) {
      return detail::fail(static_cast<errc>(next.error().value()),
                          fmt::format("case {}, events from {}: {}", case_id.str(), from + 1, last_error_detail()));
    }
    c = std::move(next).value();
    from = to;
    return boost::outcome_v2::success();
  };
  for (std::size_t i = 0; i < journal.size(); ++i) {
    if (const auto* moved = std::get_if<events::PolicyMoved>(&journal[i].body)) {
      BOOST_OUTCOME_TRYV(run_to(i));
      BOOST_OUTCOME_TRY(under, policy(moved->to.hash));
    }
  }
  BOOST_OUTCOME_TRYV(run_to(journal.size()));
  return c;
}

result<std::optional<Case>> restore_pinned(const JournalStore& store, const CaseId& case_id, const Policy& fallback) {
  PinnedPolicies pinned(store);
  return pinned.restore(case_id, fallback);
}

result<FixRun> notify_fixed(JournalStore& store, const RootCauseFix& fix, const Policy& policy, Instant now_utc) {
  BOOST_OUTCOME_TRYV(JournalStore::check_fix(fix));
  if (now_utc.is_special()) return detail::fail(errc::invalid_argument, "now: not a time");
  BOOST_OUTCOME_TRY(auto ids, store.cases());
  PinnedPolicies pinned(store);
  std::vector<Case> concerned;  // only the cases with the cause are kept
  for (const auto& id : ids) {
    BOOST_OUTCOME_TRY(auto c, pinned.restore(id, policy));
    if (c && has_cause(*c, fix.category)) concerned.push_back(std::move(*c));
  }
  BOOST_OUTCOME_TRY(auto plan, plan_fix_notices(fix, concerned, policy, now_utc));
  BOOST_OUTCOME_TRY(auto recorded, store.record_fix(fix, plan.notices));
  return FixRun{std::move(recorded), std::move(plan)};
}

std::string action_id(const CaseId& case_id, std::uint64_t seq, std::size_t n) {
  return fmt::format("{}#{}.{}", case_id.str(), seq, n);
}

}  // namespace v1
}  // namespace redress
