// redress/journal_precedent.hpp: cited precedents looked up in the journals a
// store holds.
//
// A customer cites another case's remedy ("your colleague gave my friend 200
// cash"). The engine judges a citation on facts: what the cited case (or
// order) gave, and what it had lost (docs/engine.md, "Precedent"). A host
// without a store reports those facts in the `precedent_cited` event; a host
// that keeps its journals in a redress store (SqliteStore, PgStore, or any
// JournalStore) names only the cited case or order id and lets the store
// answer: resolve_precedent() completes the event from the cited journal
// before apply(), so the facts judged are the facts recorded, and every later
// replay of the journal judges them again the same way. A citation the store
// cannot find stays without facts, and the engine records it as unverified
// (`precedent.unverified`): never believed by default.
//
// What the store answers, for `reference` cited at instant `as_of` on case `c`:
//   - a case id the store holds (not `c` itself), of `c`'s currency: that
//     case's journal up to `as_of`, replayed (under the versions the store
//     pinned it to, `fallback` where none): the value of its remedies not
//     rejected, the kind of the largest, and the loss of its orders (one
//     order: its loss; several: the money they lost together);
//   - otherwise an order id linked on other cases of `c`'s currency: the
//     remedies on that order not rejected, on every such case up to `as_of`,
//     and the order's loss as the first such case (by id) assessed it.
// Anything else (an unknown id, free text, a case of another currency, one
// that had no event yet at `as_of`) is not found.
//
// Cost: a case id reads and replays one journal; an order id reads every
// other case's journal and replays those that link the order (the reference
// behaviour, for `redress run` and small stores; a host with many cases
// should look orders up in an index of its own and report the facts).
//
// Thread safety: as safe as the policy and the store's const methods.
#ifndef REDRESS_JOURNAL_PRECEDENT_HPP
#define REDRESS_JOURNAL_PRECEDENT_HPP

#include <optional>
#include <string_view>

#include <redress/event.hpp>
#include <redress/policy.hpp>
#include <redress/store.hpp>

namespace redress {
inline namespace v1 {

// Precedent
//
// What a cited case or order gave (`kind`: the kind of its largest remedy,
// `value`: all its remedies not rejected) and what it had lost, in the citing
// case's currency.
struct Precedent {
  RemedyKind kind = RemedyKind::cash;
  Money value;
  Loss loss;
  friend bool operator==(const Precedent&, const Precedent&) = default;
};

// find_precedent()
//
// What the store's journals show for `reference` cited on case `citing` at
// `as_of` (see the file comment); std::nullopt when the store holds no such
// case or order. `fallback` decides cases the store holds no pinned policy
// for. Fails with the store's error when a journal cannot be read or no
// longer replays.
//
// Example (given const JournalStore& store, const Policy& policy, const Case& c, Instant now):
//   BOOST_OUTCOME_TRY(auto p, find_precedent(store, policy, c, "C-friend", now));
//   if (p) { /* p->value, p->loss */ }
result<std::optional<Precedent>> find_precedent(const JournalStore& store, const Policy& fallback, const Case& citing,
                                                std::string_view reference, Instant as_of);

// resolve_precedent()
//
// `e` with the store's facts filled in: for a `precedent_cited` without facts
// (PrecedentSource::none) whose reference find_precedent() finds (as of
// `e.at_utc`), its kind, value and cited loss, and PrecedentSource::store.
// Any other event, a citation with facts, or one the store cannot find comes
// back unchanged. `citing` is the case as it is before `e`. Fails as
// find_precedent() does.
//
// Example (given const JournalStore& store, const Policy& policy, const Case& c, const Event& event,
//          Instant now):
//   BOOST_OUTCOME_TRY(auto resolved, resolve_precedent(store, policy, c, event));
//   BOOST_OUTCOME_TRY(auto step, apply(c, resolved, policy, now));
//   // store `resolved`, the event whose facts the step judged
result<Event> resolve_precedent(const JournalStore& store, const Policy& fallback, const Case& citing, Event e);

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_JOURNAL_PRECEDENT_HPP
