// Journals folded by the engine and stored, for the tests of what a store's
// journals answer (prior spend, cited precedents), in either store.
#ifndef REDRESS_TESTS_SUPPORT_JOURNAL_FIXTURE_HPP
#define REDRESS_TESTS_SUPPORT_JOURNAL_FIXTURE_HPP

#include <string_view>
#include <utility>
#include <vector>

#include <redress/engine.hpp>
#include <redress/store.hpp>

#include "support/engine_fixture.hpp"

namespace redress::testing {

// Folds `bodies` (instant, event) into `c` under `policy`, stores the journal
// as the case's first append, and returns the case after it.
inline Case store_journal(JournalStore& store, const Policy& policy, Case c,
                          std::vector<std::pair<std::string_view, EventBody>> bodies) {
  std::vector<Event> journal;
  for (auto& [when, body] : bodies) {
    Event e{c.id(), at(when), std::nullopt, std::move(body)};
    auto step = apply(c, e, policy, e.at_utc);
    REQUIRE_MESSAGE(step.has_value(), std::string(last_error_detail()));
    c = std::move(step.value().next);
    journal.push_back(std::move(e));
  }
  auto appended = store.append(CaseHeader::of(c), journal, 0, state_of(c));
  REQUIRE_MESSAGE(appended.has_value(), std::string(last_error_detail()));
  return c;
}

}  // namespace redress::testing

#endif  // REDRESS_TESTS_SUPPORT_JOURNAL_FIXTURE_HPP
