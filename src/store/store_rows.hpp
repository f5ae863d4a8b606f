// What every store does the same way, whatever it keeps its rows in: checking
// the arguments of JournalStore and FollowUpStore calls, turning events into
// the rows a store keeps (their journal JSON, checked to read back unchanged),
// turning rows back into events and follow-ups (anything that does not decode
// is store_errc::corrupt_store), instants as microseconds, and keeping
// exceptions from crossing the API. Header-only, so each store target
// compiles its own copy without exporting anything.
#ifndef REDRESS_SRC_STORE_STORE_ROWS_HPP
#define REDRESS_SRC_STORE_STORE_ROWS_HPP

#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/engine.hpp>
#include <redress/journal.hpp>
#include <redress/store.hpp>

#include "sealing.hpp"  // beside this header, whoever includes it

namespace redress {
inline namespace v1 {
namespace detail::store {

// Runs `body`, turning an exception (a failed allocation) into
// errc::internal_error; a transaction open inside rolls back as it unwinds.
template <class F>
auto guarded(std::string_view label, std::string_view what, F&& body) noexcept -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    try {
      return fail(errc::internal_error, fmt::format("{}: {}: {}", label, what, e.what()));
    } catch (...) {
    }
  } catch (...) {
  }
  return make_error_code(errc::internal_error);
}

// Instants are stored as microseconds since 1970-01-01T00:00:00Z, so they
// sort and compare as numbers.
inline const Instant kEpoch(boost::gregorian::date(1970, 1, 1));
inline const Instant kFirst(boost::gregorian::date(1400, 1, 1));
inline const Instant kLast(boost::gregorian::date(9999, 12, 31),
                           boost::posix_time::hours(24) - boost::posix_time::microseconds(1));

inline std::int64_t to_us(Instant at_utc) { return (at_utc - kEpoch).total_microseconds(); }

inline result<Instant> from_us(std::int64_t us, std::string_view label, std::string_view field) {
  if (us < to_us(kFirst) || us > to_us(kLast)) {
    return fail(store_errc::corrupt_store, fmt::format("{}: {}: {} is not a time redress can hold", label, field, us));
  }
  return kEpoch + boost::posix_time::microseconds(us);
}

// A duration for an error detail.
inline std::string describe(Duration d) { return d.is_special() ? std::string("a special value") : format_duration(d); }

// Re-reports the failure of decoding a stored `field` as corruption.
inline std::error_code corrupt(std::string_view label, std::string_view field) {
  return fail(store_errc::corrupt_store,
              fmt::format("{}: {}: the stored value does not decode: {}", label, field, last_error_detail()));
}

// The offset of the first byte of `text` that is not part of well-formed
// UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF), or nullopt.
inline std::optional<std::size_t> invalid_utf8_at(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return i;
    }
    if (i + len > n || p[i + 1] < lo || p[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    }
    i += len;
  }
  return std::nullopt;
}

// One event ready to store. With `split`, body_json holds null in place of
// the personal members and personal_json holds them (sealing.hpp); without,
// body_json is the whole event and personal_json is empty. `from` is the
// contact point of a contact_received event, for the contact index.
struct Row {
  std::int64_t at_us;
  std::string_view type;
  std::string body_json;
  std::string personal_json{};
  std::optional<ContactPoint> from{};
};

// Checks event `i` of a batch for case `case_id` and turns it into its row.
// The journal's JSON form must bring the event back unchanged, or reading
// the journal later would fail or differ from what was acknowledged.
// Amounts the JSON form leaves implicit (a loss of nothing) read back in the
// case's `currency`.
inline result<Row> to_row(const CaseId& case_id, Currency currency, const Event& e, std::size_t i,
                          bool split = false) {
  if (e.case_id != case_id) {
    return fail(errc::invalid_argument, fmt::format("events[{}].case_id: \"{}\" is not the case appended to, \"{}\"", i,
                                                    e.case_id.str(), case_id.str()));
  }
  if (e.at_utc.is_special()) {
    return fail(errc::invalid_argument, fmt::format("events[{}].at_utc: not a time (a special value)", i));
  }
  auto json = to_json(e);
  Row row{to_us(e.at_utc), event_type(e.body), boost::json::serialize(json)};
  // The text is `json` written out, so it reads back as `json` when it is
  // UTF-8 (the parser insists): decoding `json` itself is the round trip.
  if (const auto bad = invalid_utf8_at(row.body_json)) {
    return fail(errc::invalid_event,
                fmt::format("events[{}]: a text is not UTF-8 (byte {} of its journal JSON)", i, *bad));
  }
  // Decoded without a path first: building the field paths costs more than
  // the decoding. A failure is decoded again, with the path, for its detail.
  const auto path = [i] { return fmt::format("events[{}]", i); };
  JournalDefaults defaults;
  defaults.currency = currency;
  auto back = event_from_json(json, {}, defaults);
  if (!back) {
    (void)event_from_json(json, path(), defaults);
    return fail(errc::invalid_event, fmt::format("{} (its journal JSON does not decode back)", last_error_detail()));
  }
  if (back.value() != e) {
    return fail(errc::invalid_event,
                fmt::format("{}: the journal's JSON form does not carry it back unchanged (a fraction of a second "
                            "where whole seconds are written, a negative count written as none?)",
                            path()));
  }
  if (const auto* contact = std::get_if<events::ContactReceived>(&e.body)) row.from = contact->from;
  if (split) {
    auto object = std::move(json.as_object());
    auto personal = split_personal(object);
    if (!personal.empty()) {
      row.body_json = boost::json::serialize(object);
      row.personal_json = boost::json::serialize(personal);
    }
  }
  return row;
}

// Checks the arguments of JournalStore::append and turns the batch into rows.
inline result<std::vector<Row>> to_rows(const CaseHeader& header, std::span<const Event> events,
                                        std::uint64_t expected_last_seq, CaseState state_after, bool split = false) {
  const CaseId& case_id = header.id;
  if (header.opened_at_utc.is_special()) {
    return fail(errc::invalid_argument, "header.opened_at_utc: not a time (a special value)");
  }
  if (events.empty()) return fail(errc::invalid_argument, "events: the batch is empty; append at least one event");
  if (state_after != CaseState::open && state_after != CaseState::closed) {
    return fail(errc::invalid_argument, fmt::format("state_after: {} is not a CaseState", static_cast<int>(state_after)));
  }
  constexpr auto kMaxSeq = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (expected_last_seq > kMaxSeq - events.size()) {
    return fail(errc::invalid_argument, fmt::format("expected_last_seq: {} leaves no room for {} more events",
                                                    expected_last_seq, events.size()));
  }
  std::vector<Row> rows;
  rows.reserve(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    BOOST_OUTCOME_TRY(auto row, to_row(case_id, header.currency, events[i], i, split));
    rows.push_back(std::move(row));
  }
  return rows;
}

// The failure of an append whose header is not the one the case's first
// append recorded.
inline std::error_code header_conflict(const CaseHeader& stored, const CaseHeader& header) {
  return fail(store_errc::conflict,
              fmt::format("header: case \"{}\" was opened for customer \"{}\" in {} at {}; this batch says "
                          "customer \"{}\" in {} at {}",
                          header.id.str(), stored.customer.str(), stored.currency.code(),
                          format_instant(stored.opened_at_utc), header.customer.str(), header.currency.code(),
                          format_instant(header.opened_at_utc)));
}

// A stored header (its customer, currency and opened_at_us columns), decoded.
inline result<CaseHeader> decode_header(const CaseId& case_id, std::string_view customer_text,
                                        std::string_view currency_text, std::int64_t opened_us,
                                        std::string_view label) {
  const auto field = [&](std::string_view column) { return fmt::format("cases[\"{}\"].{}", case_id.str(), column); };
  auto customer = CustomerId::make(customer_text);
  if (!customer) return corrupt(label, field("customer"));
  auto currency = Currency::from_code(currency_text);
  if (!currency) return corrupt(label, field("currency"));
  BOOST_OUTCOME_TRY(auto opened, from_us(opened_us, label, field("opened_at_us")));
  return CaseHeader{case_id, std::move(customer).value(), currency.value(), opened};
}

// The failure of an append whose expected_last_seq is stale.
inline std::error_code stale(const CaseId& case_id, std::uint64_t expected_last_seq, std::int64_t last) {
  return fail(store_errc::conflict,
              fmt::format("expected_last_seq: {}, but case \"{}\" holds {} events; read them and apply them first",
                          expected_last_seq, case_id.str(), last));
}

// Decodes the stored event `seq` of case `case_id` (its type and journal
// JSON), the `count`-th read so far: a gap, a body that does not decode or an
// event of another case is corruption.
// `unseal` puts the personal members back into the parsed object (or marks
// them erased) before it is decoded; see sealing.hpp.
struct NoUnseal {
  result<void> operator()(boost::json::object&) const { return boost::outcome_v2::success(); }
};
template <class Unseal = NoUnseal>
inline result<Event> decode_event(const CaseId& case_id, Currency currency, std::int64_t seq, std::size_t count,
                                  std::string_view type, std::string_view body_json, std::string_view label,
                                  Unseal&& unseal = {}) {
  // The field is named only when something is wrong: formatting it for every
  // event read would cost more than decoding most of them.
  const auto field = [&] { return fmt::format("events[case \"{}\", seq {}]", case_id.str(), seq); };
  if (seq != static_cast<std::int64_t>(count) + 1) {
    return fail(store_errc::corrupt_store, fmt::format("{}: {}: event {} is missing", label, field(), count + 1));
  }
  // The parsed tree lives in a buffer on the stack (the heap only for a
  // large body): the event copies what it keeps.
  unsigned char buffer[8192];
  boost::json::monotonic_resource scratch(buffer, sizeof buffer);
  boost::system::error_code ec;
  auto parsed = boost::json::parse(body_json, ec, &scratch);
  if (ec) {
    return fail(store_errc::corrupt_store, fmt::format("{}: {}.body_json: not JSON ({})", label, field(), ec.message()));
  }
  if (!parsed.is_object()) {
    return fail(store_errc::corrupt_store, fmt::format("{}: {}.body_json: not a JSON object", label, field()));
  }
  BOOST_OUTCOME_TRYV(unseal(parsed.as_object()));
  JournalDefaults defaults;  // amounts left implicit (a loss of nothing) are in the case's currency
  defaults.currency = currency;
  auto e = event_from_json(parsed, {}, defaults);  // no path: one is only built for the detail below
  if (!e) {
    e = event_from_json(parsed, field(), defaults);  // again, for the detail to name the stored event
    return corrupt(label, field() + ".body_json");
  }
  if (e.value().case_id != case_id || event_type(e.value().body) != type) {
    return fail(store_errc::corrupt_store, fmt::format("{}: {}: the stored event is a \"{}\" of case \"{}\"", label,
                                                       field(), event_type(e.value().body), e.value().case_id.str()));
  }
  return e;
}

// The failure of a journal whose last sequence number is not its event count.
inline std::error_code short_journal(const CaseId& case_id, std::int64_t last, std::size_t count,
                                     std::string_view label) {
  return fail(store_errc::corrupt_store, fmt::format("{}: cases[\"{}\"].last_seq: {}, but {} events are stored", label,
                                                     case_id.str(), last, count));
}

// Checks the follow-up FollowUpStore::persist is given; returns its kind's name.
inline result<std::string_view> check_follow_up(const FollowUp& follow_up) {
  if (follow_up.due_at_utc.is_special()) {
    return fail(errc::invalid_argument, "follow_up.due_at_utc: not a time (a special value)");
  }
  const auto kind = to_string(follow_up.kind);
  if (!parse_follow_up_kind(kind)) {
    return fail(errc::invalid_argument,
                fmt::format("follow_up.kind: {} is not a FollowUpKind", static_cast<int>(follow_up.kind)));
  }
  return kind;
}

// The failure of persisting a follow-up whose id is kept for another one.
inline std::error_code id_taken(const FollowUp& follow_up, std::string_view case_id, std::string_view kind,
                                std::int64_t due_us, std::string_view label) {
  const auto due = from_us(due_us, label, "follow_ups.due_at_us");
  return fail(store_errc::conflict,
              fmt::format("follow_up.id: \"{}\" is already kept for another follow-up (case \"{}\", {}, due at {})",
                          follow_up.id.str(), case_id, kind, due ? format_instant(due.value()) : std::to_string(due_us)));
}

// What record_fix() refuses in the notices of every store that keeps them.
inline result<void> check_fix_notices(std::span<const FixNotice> notices) {
  for (std::size_t i = 0; i < notices.size(); ++i) {
    if (notices[i].send_at_utc.is_special()) {
      return fail(errc::invalid_argument, fmt::format("notices[{}].send_at: not a time", i));
    }
  }
  return boost::outcome_v2::success();
}

// The id of the notice of fix `fix_id` to `customer`.
inline std::string fix_notice_id(std::int64_t fix_id, const CustomerId& customer) {
  return fmt::format("fix-{}.{}", fix_id, customer.str());
}

// Checks the arguments of FollowUpStore::claim_due (and of every other claim).
inline result<void> check_claim(Instant now_utc, std::size_t max_count, Duration lease) {
  if (now_utc.is_special()) return fail(errc::invalid_argument, "now_utc: not a time (a special value)");
  if (lease.is_special() || lease <= Duration(0, 0, 0)) {
    return fail(errc::invalid_argument, fmt::format("lease: {} is not a positive duration", describe(lease)));
  }
  if (max_count == 0) return fail(errc::invalid_argument, "max_count: 0; claim at least one");
  if (lease > kLast - kFirst || now_utc > kLast - lease) {
    return fail(errc::out_of_range, fmt::format("lease: now_utc + {} is after 9999-12-31", describe(lease)));
  }
  return boost::outcome_v2::success();
}

// A stored follow-up (its id, case_id, kind and due_at_us columns), decoded.
inline result<ClaimedFollowUp> decode_follow_up(std::string_view id_text, std::string_view case_text,
                                                std::string_view kind_text, std::int64_t due_us,
                                                std::string_view label) {
  auto id = FollowUpId::make(id_text);
  if (!id) return corrupt(label, "follow_ups.id");
  auto case_id = CaseId::make(case_text);
  if (!case_id) return corrupt(label, fmt::format("follow_ups[{}].case_id", id.value().str()));
  auto kind = parse_follow_up_kind(kind_text);
  if (!kind) return corrupt(label, fmt::format("follow_ups[{}].kind", id.value().str()));
  BOOST_OUTCOME_TRY(auto due, from_us(due_us, label, fmt::format("follow_ups[{}].due_at_us", id.value().str())));
  return ClaimedFollowUp{std::move(case_id).value(), FollowUp{std::move(id).value(), kind.value(), due}, Instant()};
}

// One action of a committed step, ready for the outbox.
struct ActionRow {
  std::string id;
  std::string_view type;
  std::string body_json;
};

// Everything StepStore::commit writes for one step, checked and encoded.
struct StepRows {
  Row event;
  CaseState state_after = CaseState::open;
  std::vector<ActionRow> actions;
  std::vector<std::pair<FollowUp, std::string_view>> scheduled;  // with its kind's name
  std::vector<FollowUpId> cancelled;
};

// The longest host event id a store keeps, in bytes.
inline constexpr std::size_t kMaxEventIdBytes = 256;

// Checks a host's event id.
inline result<void> check_event_id(std::string_view event_id) {
  if (event_id.empty() || event_id.size() > kMaxEventIdBytes) {
    return fail(errc::invalid_argument,
                fmt::format("event_id: {} bytes; give 1 to {}", event_id.size(), kMaxEventIdBytes));
  }
  if (const auto bad = invalid_utf8_at(event_id)) {
    return fail(errc::invalid_argument, fmt::format("event_id: not UTF-8 (byte {})", *bad));
  }
  return boost::outcome_v2::success();
}

// Checks the arguments of StepStore::commit and encodes what it writes.
inline result<StepRows> to_step_rows(const CaseHeader& header, const Event& event, const Step& step,
                                     std::uint64_t expected_last_seq, std::optional<std::string_view> event_id,
                                     bool split = false) {
  if (header.opened_at_utc.is_special()) {
    return fail(errc::invalid_argument, "header.opened_at_utc: not a time (a special value)");
  }
  if (CaseHeader::of(step.next) != header) {
    return fail(errc::invalid_argument,
                fmt::format("step.next: case \"{}\" (customer \"{}\"), not the case of the header, \"{}\" "
                            "(customer \"{}\"); commit the step apply() returned for this case",
                            step.next.id().str(), step.next.customer().str(), header.id.str(), header.customer.str()));
  }
  if (event_id) {
    BOOST_OUTCOME_TRYV(check_event_id(*event_id));
  }
  constexpr auto kMaxSeq = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (expected_last_seq >= kMaxSeq) {
    return fail(errc::invalid_argument,
                fmt::format("expected_last_seq: {} leaves no room for another event", expected_last_seq));
  }
  BOOST_OUTCOME_TRY(auto row, to_row(header.id, header.currency, event, 0, split));
  StepRows out{std::move(row), state_of(step.next), {}, {}, {}};
  const auto seq = expected_last_seq + 1;
  out.actions.reserve(step.actions.size());
  for (std::size_t i = 0; i < step.actions.size(); ++i) {
    const auto& action = step.actions[i];
    if (const auto* s = std::get_if<actions::ScheduleFollowUp>(&action)) {
      auto kind = check_follow_up(s->follow_up);
      if (!kind) {
        return fail(errc::invalid_argument, fmt::format("step.actions[{}].{}", i, last_error_detail()));
      }
      out.scheduled.emplace_back(s->follow_up, kind.value());
    } else if (const auto* c = std::get_if<actions::CancelFollowUp>(&action)) {
      out.cancelled.push_back(c->follow_up);
    } else if (const auto* r = std::get_if<actions::RescheduleFollowUp>(&action)) {
      auto kind = check_follow_up(r->follow_up);
      if (!kind) {
        return fail(errc::invalid_argument, fmt::format("step.actions[{}].{}", i, last_error_detail()));
      }
      out.cancelled.push_back(r->replaces);
      out.scheduled.emplace_back(r->follow_up, kind.value());
    }
    out.actions.push_back(
        ActionRow{action_id(header.id, seq, i + 1), action_type(action), boost::json::serialize(to_json(action))});
  }
  return out;
}

// The outcome of an event already stored as `seq` with `count` actions.
inline Committed stored_outcome(const CaseId& case_id, std::int64_t seq, std::int64_t count) {
  Committed out{static_cast<std::uint64_t>(seq), {}, true};
  for (std::int64_t n = 1; n <= count; ++n) {
    out.action_ids.push_back(action_id(case_id, out.seq, static_cast<std::size_t>(n)));
  }
  return out;
}

// A stored outbox row (its id, case_id, seq, n, type and body_json), decoded.
inline result<ClaimedAction> decode_action(std::string_view id, std::string_view case_text, std::int64_t seq,
                                           std::int64_t n, std::string_view type, std::string_view body_json,
                                           std::string_view label) {
  auto case_id = CaseId::make(case_text);
  if (!case_id) return corrupt(label, fmt::format("outbox[{}].case_id", id));
  if (seq < 1 || n < 1 || n > std::numeric_limits<std::uint32_t>::max()) {
    return fail(store_errc::corrupt_store, fmt::format("{}: outbox[{}]: seq {} and n {} are not positive", label, id,
                                                       seq, n));
  }
  return ClaimedAction{std::string(id),   std::move(case_id).value(), static_cast<std::uint64_t>(seq),
                       static_cast<std::uint32_t>(n), std::string(type), std::string(body_json), Instant()};
}

// --- sealed rows (sealing.hpp), the same in every store ----------------------

// The data key of `customer` stored as `wrapped`, unwrapped.
inline result<const SecretKey*> unwrap_key(Sealer& sealer, const CustomerId& customer, std::string_view wrapped,
                                           std::string_view label) {
  const auto* key = sealer.data_key(customer, wrapped);
  if (key == nullptr) {
    return fail(store_errc::corrupt_store,
                fmt::format("{}: customer_keys[\"{}\"]: the data key does not unwrap with the master key", label,
                            customer.str()));
  }
  return key;
}

// The data key of `customer`, unwrapped; nullptr when they have none and
// `create` is false. `read()` gives the wrapped key stored (empty for none);
// with `create`, a customer without one gets a new one, which `insert(wrapped)`
// stores inside the caller's transaction and returns as the store keeps it
// (another process may have stored one first).
template <class Read, class Insert>
result<const SecretKey*> customer_key(Sealer& sealer, const CustomerId& customer, bool create, std::string_view label,
                                      Read&& read, Insert&& insert) {
  BOOST_OUTCOME_TRY(std::string wrapped, read());
  if (wrapped.empty()) {
    if (!create) return static_cast<const SecretKey*>(nullptr);
    BOOST_OUTCOME_TRY(wrapped, insert(sealer.new_data_key(customer).wrapped));
  }
  return unwrap_key(sealer, customer, wrapped, label);
}

// The data key of a case's customer, looked up once (by `lookup(customer)`)
// when a sealed row of the case is first read.
template <class Lookup>
class CaseKey {
 public:
  CaseKey(Lookup lookup, const CustomerId* customer, std::string_view label)
      : lookup_(std::move(lookup)), customer_(customer), label_(label) {}
  result<const SecretKey*> get() {
    if (!looked_) {
      if (customer_ == nullptr) {
        return fail(store_errc::corrupt_store, fmt::format("{}: a sealed event of a case without a customer", label_));
      }
      BOOST_OUTCOME_TRY(key_, lookup_(*customer_));
      looked_ = true;
    }
    return key_;
  }

 private:
  Lookup lookup_;
  const CustomerId* customer_;
  std::string_view label_;
  const SecretKey* key_ = nullptr;
  bool looked_ = false;
};

// The clear personal part of a stored event or action: `sealed` opened with
// `key`. Anything that does not authenticate or decode is corruption.
inline result<std::string> unseal(const SecretKey* key, std::string_view sealed, std::string_view ad,
                                  std::string_view label, std::string_view field) {
  if (key == nullptr) {
    return fail(store_errc::corrupt_store,
                fmt::format("{}: {}: sealed, but the customer has no data key", label, field));
  }
  auto clear = Sealer::open_with(key->bytes, sealed, ad);
  if (!clear) {
    return fail(store_errc::corrupt_store,
                fmt::format("{}: {}: the sealed part does not authenticate with the customer's data key", label, field));
  }
  return std::move(*clear);
}

// Puts the sealed personal part of event `seq` of case `case_id` back into
// its parsed JSON. Read for every sealed event of a scan, so nothing is
// allocated on the way for a usual event: the clear text is opened on the
// stack, parsed into the event's own storage and moved in; the field is
// named only for an error.
inline result<void> merge_sealed(boost::json::object& event, const SecretKey* key, std::string_view sealed,
                                 std::string_view case_id, std::int64_t seq, std::string_view label) {
  const auto field = [&] { return fmt::format("events[case \"{}\", seq {}].sealed", case_id, seq); };
  if (key == nullptr) return unseal(key, sealed, {}, label, field()).error();
  fmt::memory_buffer ad_buffer;
  const auto ad = event_ad(ad_buffer, case_id, seq);
  const auto size = Sealer::clear_size(sealed);
  unsigned char small[2048];
  std::string large;
  unsigned char* clear = small;
  if (size > sizeof small) {
    large.resize(size);
    clear = reinterpret_cast<unsigned char*>(large.data());
  }
  if (!Sealer::open_into(key->bytes, sealed, ad, clear)) return unseal(key, sealed, ad, label, field()).error();
  boost::system::error_code ec;
  auto personal =
      boost::json::parse(std::string_view(reinterpret_cast<const char*>(clear), size), ec, event.storage());
  sodium_memzero(clear, size);
  if (ec || !personal.is_object()) {
    return fail(store_errc::corrupt_store, fmt::format("{}: {}: the sealed part is not a JSON object", label, field()));
  }
  merge_personal(event, std::move(personal.as_object()));
  return boost::outcome_v2::success();
}

// What an erased customer's stored event (its body_json, and whether it has
// a sealed part) is rewritten as: every personal field "[erased]", the
// contact point left out. nullopt when the row needs no rewrite (it holds
// nothing personal, or was erased before).
inline result<std::optional<std::string>> erased_body(std::string_view body_json, bool sealed, std::string_view label) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(body_json, ec);
  if (ec || !parsed.is_object()) return corrupt(label, "events.body_json");
  auto& event = parsed.as_object();
  if (split_personal(event).empty() && !sealed) return std::optional<std::string>();
  mark_erased(event);
  auto body = boost::json::serialize(event);
  if (!sealed && body == body_json) return std::optional<std::string>();
  return std::optional<std::string>(std::move(body));
}

// The contact point of a stored clear event (its body_json), for indexing
// the journals of a store written before it had a contact index.
inline result<std::optional<ContactPoint>> stored_contact(std::string_view body_json, std::string_view label) {
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(body_json, ec);
  if (ec) return corrupt(label, "events.body_json");
  auto e = event_from_json(parsed);
  if (!e) return corrupt(label, "events.body_json");
  if (const auto* contact = std::get_if<events::ContactReceived>(&e.value().body); contact && contact->from) {
    return std::optional<ContactPoint>(*contact->from);
  }
  return std::optional<ContactPoint>();
}

// Refuses a store whose recorded protection (meta.protection: "plaintext",
// or "encrypted:" and a check value of its master key; empty when missing)
// is not what the options say.
inline result<void> check_protection(std::string_view stored, const Sealer& sealer, std::string_view label) {
  const auto wanted = sealer.protection();
  if (stored == wanted) return boost::outcome_v2::success();
  if (stored.empty()) {
    return fail(store_errc::corrupt_store, fmt::format("{}: meta.protection: missing; the store is damaged", label));
  }
  if (stored == "plaintext") {
    return fail(errc::invalid_argument,
                fmt::format("{}: options.master_key_file, options.master_key_env: the store was created with "
                            "insecure_plaintext and keeps personal data in clear text; open it that way",
                            label));
  }
  if (!sealer.encrypting()) {
    return fail(errc::invalid_argument,
                fmt::format("{}: options.insecure_plaintext: the store seals personal data; open it with its "
                            "master key",
                            label));
  }
  return fail(errc::invalid_argument,
              fmt::format("{}: options.master_key_file, options.master_key_env: not the master key this store was "
                          "created with; it was not touched",
                          label));
}

}  // namespace detail::store
}  // namespace v1
}  // namespace redress

#endif  // REDRESS_SRC_STORE_STORE_ROWS_HPP
