// Giving a stored case back: its header and journal, replayed.
#include <redress/store.hpp>

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

std::string action_id(const CaseId& case_id, std::uint64_t seq, std::size_t n) {
  return fmt::format("{}#{}.{}", case_id.str(), seq, n);
}

}  // namespace v1
}  // namespace redress
