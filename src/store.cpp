// Giving a stored case back: its header and journal, replayed.
#include <redress/store.hpp>

#include <algorithm>

#include <fmt/format.h>

#include <redress/engine.hpp>

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

std::string action_id(const CaseId& case_id, std::uint64_t seq, std::size_t n) {
  return fmt::format("{}#{}.{}", case_id.str(), seq, n);
}

}  // namespace v1
}  // namespace redress
