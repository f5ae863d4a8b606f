// redress/journal.hpp: the JSON forms of events, actions, findings and cases.
//
// A case's *journal* is its list of events; replaying it under the same
// policy reproduces the case (<redress/engine.hpp>), so the journal is what a
// store keeps and what a scenario file holds. The encoders here write the
// forms docs/engine.md describes; the event and case decoders read them back.
// Every document names its kind and version ("schema": "redress.event/1");
// decoders refuse unknown members and newer versions (docs/contracts.md;
// JSON Schemas in docs/schema/).
//
// An event is one flat object: the envelope and the payload's fields.
//
//   {"schema": "redress.event/1", "case_id": "C-1",
//    "at": "2025-01-24T15:00:00+08:00", "actor": "A-7",
//    "type": "remedy_proposed", "remedy": "R-1", "kind": "cash",
//    "value": "200", "order": "O-1"}
//
// Money fields accept a Money object ({"amount_minor": 20000, "currency":
// "CNY"}) or a decimal string in the journal's default currency ("200").
// Errors name the field's path: "events[3].value: ...".
#ifndef REDRESS_JOURNAL_HPP
#define REDRESS_JOURNAL_HPP

#include <optional>
#include <string_view>

#include <boost/json.hpp>

#include <redress/engine.hpp>
#include <redress/json.hpp>

namespace redress {
inline namespace v1 {

boost::json::value to_json(Stage s);
boost::json::value to_json(Priority p);
boost::json::value to_json(RemedyKind k);
boost::json::value to_json(RemedyStatus s);
boost::json::value to_json(Severity s);
boost::json::value to_json(LossKind k);
boost::json::value to_json(PromiseState s);
boost::json::value to_json(FollowUpKind k);
boost::json::value to_json(const Right& r);
boost::json::value to_json(const Loss& l);
boost::json::value to_json(const Order& o);
boost::json::value to_json(const Remedy& r);
boost::json::value to_json(const Promise& p);
boost::json::value to_json(const FollowUp& f);
boost::json::value to_json(const Finding& f);
boost::json::value to_json(const RootCause& r);
boost::json::value to_json(const Event& e);
boost::json::value to_json(const Action& a);
boost::json::value to_json(const TraceEntry& t);
// {"rank", "kind", "order" (when there is one), "value", "approval_level", "framing", "why"}
boost::json::value to_json(const Suggestion& s);

// The policy a case is decided under: {"id", "version", "hash"}.
boost::json::value to_json(const PolicyRef& p);

// to_json(const Case&)
//
// Everything the case holds ("schema": "redress.case/1"), for display,
// reports and hosts that keep cases as JSON; case_from_json() reads it back.
// The journal stays the record: replaying it reproduces the case.
boost::json::value to_json(const Case& c);

// to_json(const Step&)
//
// {"schema": "redress.step/1", "actions": [...], "findings": [...], "trace": [...],
//  "suggestions": [...]}:
// what one event produced, without the next case.
boost::json::value to_json(const Step& s);

// JournalDefaults
//
// What an event in a journal may leave out: its case id, and the currency of
// money written as a bare decimal string.
struct JournalDefaults {
  std::optional<CaseId> case_id;
  Currency currency = Currency::CNY;
};

// event_from_json()
//
// Decodes one event. `path` names it in error details ("events[3]").
// Fails with errc::invalid_json for a wrong shape or an unknown "type", or
// with the code of the field's own type (invalid_argument, invalid_amount,
// invalid_contact, ...), the detail always naming the field's path.
result<Event> event_from_json(const boost::json::value& v, std::string_view path = {},
                              const JournalDefaults& defaults = {});

// case_from_json()
//
// Reads a case back from the JSON to_json(Case) writes:
// case_from_json(to_json(c)) == c. Unknown members are refused (members
// starting with "x-" are ignored) and a "schema" newer than redress.case/1
// too (docs/contracts.md). Fails with errc::invalid_json for a wrong shape,
// or with the code of the field's own type, the detail naming its path.
// Derived members (escalation_level) are read but not trusted: they follow
// from the others.
result<Case> case_from_json(const boost::json::value& v, std::string_view path = {});

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_JOURNAL_HPP
