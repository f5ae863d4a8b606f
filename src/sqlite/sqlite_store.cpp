#include <redress/sqlite_store.hpp>

#include <climits>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include <redress/journal.hpp>

#include "db.hpp"

namespace redress {
inline namespace v1 {

using detail::fail;
using detail::sqlite::Db;
using detail::sqlite::Query;
using detail::sqlite::Sql;
using detail::sqlite::Transaction;

struct SqliteStore::Impl {
  explicit Impl(Db db) : db(std::move(db)) {}
  Db db;
  std::mutex mutex;
};

namespace {

using boost::outcome_v2::success;

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
const Instant kEpoch(boost::gregorian::date(1970, 1, 1));
const Instant kFirst(boost::gregorian::date(1400, 1, 1));
const Instant kLast(boost::gregorian::date(9999, 12, 31), boost::posix_time::hours(24) - boost::posix_time::microseconds(1));

std::int64_t to_us(Instant at_utc) { return (at_utc - kEpoch).total_microseconds(); }

result<Instant> from_us(std::int64_t us, std::string_view label, std::string_view field) {
  if (us < to_us(kFirst) || us > to_us(kLast)) {
    return fail(store_errc::corrupt_store, fmt::format("{}: {}: {} is not a time redress can hold", label, field, us));
  }
  return kEpoch + boost::posix_time::microseconds(us);
}

// A duration for an error detail.
std::string describe(Duration d) { return d.is_special() ? std::string("a special value") : format_duration(d); }

// Re-reports the failure of decoding a stored `field` as corruption.
std::error_code corrupt(std::string_view label, std::string_view field) {
  return fail(store_errc::corrupt_store,
              fmt::format("{}: {}: the stored value does not decode: {}", label, field, last_error_detail()));
}

// The offset of the first byte of `text` that is not part of well-formed
// UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF), or nullopt.
std::optional<std::size_t> invalid_utf8_at(std::string_view text) noexcept {
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

// One event ready to store.
struct Row {
  std::int64_t at_us;
  std::string_view type;
  std::string body_json;
};

// Checks event `i` of a batch for case `case_id` and turns it into its row.
// The journal's JSON form must bring the event back unchanged, or reading
// the journal later would fail or differ from what was acknowledged.
result<Row> to_row(const CaseId& case_id, const Event& e, std::size_t i) {
  if (e.case_id != case_id) {
    return fail(errc::invalid_argument, fmt::format("events[{}].case_id: \"{}\" is not the case appended to, \"{}\"", i,
                                                    e.case_id.str(), case_id.str()));
  }
  if (e.at_utc.is_special()) {
    return fail(errc::invalid_argument, fmt::format("events[{}].at_utc: not a time (a special value)", i));
  }
  const auto json = to_json(e);
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
  auto back = event_from_json(json);
  if (!back) {
    (void)event_from_json(json, path());
    return fail(errc::invalid_event, fmt::format("{} (its journal JSON does not decode back)", last_error_detail()));
  }
  if (back.value() != e) {
    return fail(errc::invalid_event,
                fmt::format("{}: the journal's JSON form does not carry it back unchanged (a fraction of a second "
                            "where whole seconds are written, a negative count written as none?)",
                            path()));
  }
  return row;
}

// Whether the case already holds exactly `rows` after `expected_last_seq`:
// a batch retried after its first attempt was stored.
result<bool> is_retry(Db& db, const CaseId& case_id, std::uint64_t expected_last_seq, const std::vector<Row>& rows) {
  BOOST_OUTCOME_TRY(auto q, db.query(Sql::events_after));
  q.bind(case_id.str()).bind(static_cast<std::int64_t>(expected_last_seq));
  std::size_t k = 0;
  for (;; ++k) {
    BOOST_OUTCOME_TRY(bool row, q.step("reading the case's last events"));
    if (!row) return k == rows.size();
    if (k >= rows.size() || q.text(2) != rows[k].body_json) return false;
  }
}

result<std::int64_t> read_last_seq(Db& db, const CaseId& case_id) {
  BOOST_OUTCOME_TRY(auto q, db.query(Sql::case_last_seq));
  q.bind(case_id.str());
  BOOST_OUTCOME_TRY(bool row, q.step("reading the case's last sequence number"));
  return row ? q.int64(0) : 0;
}

// The case's stored header; nullopt when the store has no row for it.
result<std::optional<CaseHeader>> read_header(Db& db, const CaseId& case_id) {
  BOOST_OUTCOME_TRY(auto q, db.query(Sql::case_header));
  q.bind(case_id.str());
  BOOST_OUTCOME_TRY(bool row, q.step("reading the case's header"));
  if (!row) return std::optional<CaseHeader>();
  const auto field = [&](std::string_view column) { return fmt::format("cases[\"{}\"].{}", case_id.str(), column); };
  if (q.is_null(0) || q.is_null(1) || q.is_null(2)) {
    return fail(store_errc::corrupt_store,
                fmt::format("{}: {}: missing; the case was stored by a redress that kept no headers (schema 2) "
                            "and cannot be restored from the store alone",
                            db.label(), field("customer")));
  }
  auto customer = CustomerId::make(q.text(0));
  if (!customer) return corrupt(db.label(), field("customer"));
  auto currency = Currency::from_code(q.text(1));
  if (!currency) return corrupt(db.label(), field("currency"));
  BOOST_OUTCOME_TRY(auto opened, from_us(q.int64(2), db.label(), field("opened_at_us")));
  return std::optional<CaseHeader>(CaseHeader{case_id, std::move(customer).value(), currency.value(), opened});
}

// A follow-up row's columns (id, case_id, kind, due_at_us), decoded.
result<ClaimedFollowUp> decode_follow_up(const Query& q, std::string_view label) {
  auto id = FollowUpId::make(q.text(0));
  if (!id) return corrupt(label, "follow_ups.id");
  auto case_id = CaseId::make(q.text(1));
  if (!case_id) return corrupt(label, fmt::format("follow_ups[{}].case_id", id.value().str()));
  auto kind = parse_follow_up_kind(q.text(2));
  if (!kind) return corrupt(label, fmt::format("follow_ups[{}].kind", id.value().str()));
  BOOST_OUTCOME_TRY(auto due, from_us(q.int64(3), label, fmt::format("follow_ups[{}].due_at_us", id.value().str())));
  return ClaimedFollowUp{std::move(case_id).value(), FollowUp{std::move(id).value(), kind.value(), due}, Instant()};
}

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
SqliteStore::SqliteStore(SqliteStore&& other) noexcept = default;
SqliteStore& SqliteStore::operator=(SqliteStore&& other) noexcept = default;
SqliteStore::~SqliteStore() = default;

const std::string& SqliteStore::path() const noexcept { return impl_->db.path(); }

result<SqliteStore> SqliteStore::open(const std::string& path, const SqliteOptions& options) {
  return guarded(path, "open", [&]() -> result<SqliteStore> {
    if (path.empty()) return fail(errc::invalid_argument, "path: empty; name the store's file");
    if (path.find('\0') != std::string::npos) return fail(errc::invalid_argument, "path: contains a NUL byte");
    const auto& timeout = options.busy_timeout;
    if (timeout.is_special() || timeout.is_negative() || timeout.total_milliseconds() > INT_MAX) {
      return fail(errc::invalid_argument,
                  fmt::format("options.busy_timeout: {} is not between 0 and {} ms", describe(timeout), INT_MAX));
    }
    BOOST_OUTCOME_TRY(auto db, Db::open(path, options.create_if_missing));
    sqlite3_busy_timeout(db.handle(), static_cast<int>(timeout.total_milliseconds()));
    BOOST_OUTCOME_TRYV(detail::sqlite::prepare_schema(db));
    return SqliteStore(std::make_unique<Impl>(std::move(db)));
  });
}

result<std::uint64_t> SqliteStore::append(const CaseHeader& header, std::span<const Event> events,
                                          std::uint64_t expected_last_seq, CaseState state_after) {
  auto& db = impl_->db;
  const CaseId& case_id = header.id;
  return guarded(db.label(), "append", [&]() -> result<std::uint64_t> {
    if (header.opened_at_utc.is_special()) {
      return fail(errc::invalid_argument, "header.opened_at_utc: not a time (a special value)");
    }
    if (events.empty()) return fail(errc::invalid_argument, "events: the batch is empty; append at least one event");
    if (state_after != CaseState::open && state_after != CaseState::closed) {
      return fail(errc::invalid_argument,
                  fmt::format("state_after: {} is not a CaseState", static_cast<int>(state_after)));
    }
    constexpr auto kMaxSeq = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (expected_last_seq > kMaxSeq - events.size()) {
      return fail(errc::invalid_argument, fmt::format("expected_last_seq: {} leaves no room for {} more events",
                                                      expected_last_seq, events.size()));
    }
    std::vector<Row> rows;
    rows.reserve(events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
      BOOST_OUTCOME_TRY(auto row, to_row(case_id, events[i], i));
      rows.push_back(std::move(row));
    }
    const auto new_last = static_cast<std::int64_t>(expected_last_seq + rows.size());

    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
    BOOST_OUTCOME_TRY(auto last, read_last_seq(db, case_id));
    if (last > 0) {
      BOOST_OUTCOME_TRY(auto stored, read_header(db, case_id));
      if (stored && *stored != header) {
        return fail(store_errc::conflict,
                    fmt::format("header: case \"{}\" was opened for customer \"{}\" in {} at {}; this batch says "
                                "customer \"{}\" in {} at {}",
                                case_id.str(), stored->customer.str(), stored->currency.code(),
                                format_instant(stored->opened_at_utc), header.customer.str(), header.currency.code(),
                                format_instant(header.opened_at_utc)));
      }
    }
    if (static_cast<std::uint64_t>(last) != expected_last_seq) {
      if (last == new_last) {
        BOOST_OUTCOME_TRY(bool retry, is_retry(db, case_id, expected_last_seq, rows));
        if (retry) return static_cast<std::uint64_t>(last);
      }
      return fail(store_errc::conflict,
                  fmt::format("expected_last_seq: {}, but case \"{}\" holds {} events; read them and apply them first",
                              expected_last_seq, case_id.str(), last));
    }
    {
      BOOST_OUTCOME_TRY(auto insert, db.query(Sql::event_insert));
      auto seq = static_cast<std::int64_t>(expected_last_seq);
      for (const auto& row : rows) {
        insert.bind(case_id.str()).bind(++seq).bind(row.at_us).bind(row.type).bind(row.body_json);
        BOOST_OUTCOME_TRYV(insert.run("storing an event"));
        insert.reset();
      }
    }
    {
      BOOST_OUTCOME_TRY(auto upsert, db.query(Sql::case_upsert));
      upsert.bind(case_id.str())
          .bind(std::int64_t{state_after == CaseState::open ? 1 : 0})
          .bind(new_last)
          .bind(rows.back().at_us)
          .bind(header.customer.str())
          .bind(header.currency.code())
          .bind(to_us(header.opened_at_utc));
      BOOST_OUTCOME_TRYV(upsert.run("recording the case's last sequence number"));
    }
    BOOST_OUTCOME_TRYV(tx.commit());
    return static_cast<std::uint64_t>(new_last);
  });
}

result<std::vector<Event>> SqliteStore::events(const CaseId& case_id) const {
  auto& db = impl_->db;
  return guarded(db.label(), "events", [&]() -> result<std::vector<Event>> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::read));
    BOOST_OUTCOME_TRY(auto last, read_last_seq(db, case_id));
    std::vector<Event> out;
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::events_after));
      q.bind(case_id.str()).bind(std::int64_t{0});
      for (;;) {
        BOOST_OUTCOME_TRY(bool row, q.step("reading the case's events"));
        if (!row) break;
        const auto seq = q.int64(0);
        const auto field = fmt::format("events[case \"{}\", seq {}]", case_id.str(), seq);
        if (seq != static_cast<std::int64_t>(out.size()) + 1) {
          return fail(store_errc::corrupt_store, fmt::format("{}: {}: event {} is missing", db.label(), field,
                                                             out.size() + 1));
        }
        boost::system::error_code ec;
        const auto parsed = boost::json::parse(q.text(2), ec);
        if (ec) {
          return fail(store_errc::corrupt_store,
                      fmt::format("{}: {}.body_json: not JSON ({})", db.label(), field, ec.message()));
        }
        auto e = event_from_json(parsed, field);
        if (!e) return corrupt(db.label(), field + ".body_json");
        if (e.value().case_id != case_id || event_type(e.value().body) != q.text(1)) {
          return fail(store_errc::corrupt_store,
                      fmt::format("{}: {}: the stored event is a \"{}\" of case \"{}\"", db.label(), field,
                                  event_type(e.value().body), e.value().case_id.str()));
        }
        out.push_back(std::move(e).value());
      }
    }
    if (static_cast<std::int64_t>(out.size()) != last) {
      return fail(store_errc::corrupt_store,
                  fmt::format("{}: cases[\"{}\"].last_seq: {}, but {} events are stored", db.label(), case_id.str(),
                              last, out.size()));
    }
    BOOST_OUTCOME_TRYV(tx.commit());
    return out;
  });
}

result<std::uint64_t> SqliteStore::last_seq(const CaseId& case_id) const {
  auto& db = impl_->db;
  return guarded(db.label(), "last_seq", [&]() -> result<std::uint64_t> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto last, read_last_seq(db, case_id));
    if (last < 0) {
      return fail(store_errc::corrupt_store,
                  fmt::format("{}: cases[\"{}\"].last_seq: {} is negative", db.label(), case_id.str(), last));
    }
    return static_cast<std::uint64_t>(last);
  });
}

result<std::optional<CaseHeader>> SqliteStore::header(const CaseId& case_id) const {
  auto& db = impl_->db;
  return guarded(db.label(), "header", [&]() -> result<std::optional<CaseHeader>> {
    std::lock_guard lock(impl_->mutex);
    return read_header(db, case_id);
  });
}

namespace {

result<std::vector<CaseId>> list_cases(Db& db, Sql sql, const char* what) {
  BOOST_OUTCOME_TRY(auto q, db.query(sql));
  std::vector<CaseId> out;
  for (;;) {
    BOOST_OUTCOME_TRY(bool row, q.step(what));
    if (!row) return out;
    auto id = CaseId::make(q.text(0));
    if (!id) return corrupt(db.label(), "cases.case_id");
    out.push_back(std::move(id).value());
  }
}

}  // namespace

result<std::vector<CaseId>> SqliteStore::open_cases() const {
  auto& db = impl_->db;
  return guarded(db.label(), "open_cases", [&]() -> result<std::vector<CaseId>> {
    std::lock_guard lock(impl_->mutex);
    return list_cases(db, Sql::open_cases, "listing the open cases");
  });
}

result<std::vector<CaseId>> SqliteStore::cases() const {
  auto& db = impl_->db;
  return guarded(db.label(), "cases", [&]() -> result<std::vector<CaseId>> {
    std::lock_guard lock(impl_->mutex);
    return list_cases(db, Sql::all_cases, "listing the cases");
  });
}

result<void> SqliteStore::persist(const CaseId& case_id, const FollowUp& follow_up) {
  auto& db = impl_->db;
  return guarded(db.label(), "persist", [&]() -> result<void> {
    if (follow_up.due_at_utc.is_special()) {
      return fail(errc::invalid_argument, "follow_up.due_at_utc: not a time (a special value)");
    }
    const auto kind = to_string(follow_up.kind);
    if (!parse_follow_up_kind(kind)) {
      return fail(errc::invalid_argument,
                  fmt::format("follow_up.kind: {} is not a FollowUpKind", static_cast<int>(follow_up.kind)));
    }
    const auto due_us = to_us(follow_up.due_at_utc);
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::follow_up_get));
      q.bind(follow_up.id.str());
      BOOST_OUTCOME_TRY(bool row, q.step("looking the follow-up up"));
      if (row) {
        if (q.text(0) == case_id.str() && q.text(1) == kind && q.int64(2) == due_us) return success();
        const auto due = from_us(q.int64(2), db.label(), "follow_ups.due_at_us");
        return fail(store_errc::conflict,
                    fmt::format("follow_up.id: \"{}\" is already kept for another follow-up (case \"{}\", {}, due "
                                "at {})",
                                follow_up.id.str(), q.text(0), q.text(1),
                                due ? format_instant(due.value()) : std::to_string(q.int64(2))));
      }
    }
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::follow_up_insert));
      q.bind(follow_up.id.str()).bind(case_id.str()).bind(kind).bind(due_us);
      BOOST_OUTCOME_TRYV(q.run("storing the follow-up"));
    }
    return tx.commit();
  });
}

result<bool> SqliteStore::cancel(const FollowUpId& id) {
  auto& db = impl_->db;
  return guarded(db.label(), "cancel", [&]() -> result<bool> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::follow_up_cancel));
    q.bind(id.str());
    BOOST_OUTCOME_TRYV(q.run("cancelling the follow-up"));
    return sqlite3_changes(db.handle()) > 0;
  });
}

result<std::vector<ClaimedFollowUp>> SqliteStore::claim_due(Instant now_utc, std::size_t max_count,
                                                            const ClaimerId& claimer, Duration lease) {
  auto& db = impl_->db;
  return guarded(db.label(), "claim_due", [&]() -> result<std::vector<ClaimedFollowUp>> {
    if (now_utc.is_special()) return fail(errc::invalid_argument, "now_utc: not a time (a special value)");
    if (lease.is_special() || lease <= Duration(0, 0, 0)) {
      return fail(errc::invalid_argument, fmt::format("lease: {} is not a positive duration", describe(lease)));
    }
    if (max_count == 0) return fail(errc::invalid_argument, "max_count: 0; claim at least one");
    if (lease > kLast - kFirst || now_utc > kLast - lease) {
      return fail(errc::out_of_range, fmt::format("lease: now_utc + {} is after 9999-12-31", describe(lease)));
    }
    const auto now_us = to_us(now_utc);
    const auto until = now_utc + lease;
    const auto limit = static_cast<std::int64_t>(std::min<std::uint64_t>(max_count, INT64_MAX));

    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
    std::vector<ClaimedFollowUp> out;
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::follow_ups_due));
      q.bind(now_us).bind(limit);
      for (;;) {
        BOOST_OUTCOME_TRY(bool row, q.step("finding the due follow-ups"));
        if (!row) break;
        BOOST_OUTCOME_TRY(auto claimed, decode_follow_up(q, db.label()));
        claimed.lease_until_utc = until;
        out.push_back(std::move(claimed));
      }
    }
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::follow_up_claim));
      for (const auto& c : out) {
        q.bind(claimer.str()).bind(to_us(until)).bind(c.follow_up.id.str());
        BOOST_OUTCOME_TRYV(q.run("claiming a follow-up"));
        q.reset();
      }
    }
    BOOST_OUTCOME_TRYV(tx.commit());
    return out;
  });
}

result<bool> SqliteStore::complete(const FollowUpId& id, const ClaimerId& claimer) {
  auto& db = impl_->db;
  return guarded(db.label(), "complete", [&]() -> result<bool> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::follow_up_complete));
    q.bind(id.str()).bind(claimer.str());
    BOOST_OUTCOME_TRYV(q.run("completing the follow-up"));
    return sqlite3_changes(db.handle()) > 0;
  });
}

result<void> SqliteStore::check_integrity() const {
  auto& db = impl_->db;
  return guarded(db.label(), "check_integrity", [&]() -> result<void> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::read));
    std::string problems;
    auto collect = [&](const Query& q) -> result<void> {
      if (q.text(0) != "ok") problems += fmt::format("{}{}", problems.empty() ? "" : "; ", q.text(0));
      return success();
    };
    BOOST_OUTCOME_TRYV(db.each("PRAGMA integrity_check(10)", "checking the file's integrity", collect));
    BOOST_OUTCOME_TRYV(db.each(
        "SELECT 'case \"' || c.case_id || '\": last_seq ' || c.last_seq || ', events stored ' || count(e.seq) "
        "|| ', highest seq ' || coalesce(max(e.seq), 0) FROM cases c LEFT JOIN events e USING (case_id) "
        "GROUP BY c.case_id HAVING count(e.seq) != c.last_seq OR coalesce(max(e.seq), 0) != c.last_seq "
        "UNION ALL SELECT 'events of case \"' || case_id || '\" without a case row' FROM events "
        "WHERE case_id NOT IN (SELECT case_id FROM cases) GROUP BY case_id LIMIT 10",
        "checking every case's events", collect));
    if (!problems.empty()) {
      return fail(store_errc::corrupt_store, fmt::format("{}: the store is damaged: {}", db.label(), problems));
    }
    return tx.commit();
  });
}

}  // namespace v1
}  // namespace redress
