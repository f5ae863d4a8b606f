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
#include "store/store_rows.hpp"

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

using namespace detail::store;

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
  BOOST_OUTCOME_TRY(auto header, decode_header(case_id, q.text(0), q.text(1), q.int64(2), db.label()));
  return std::optional<CaseHeader>(std::move(header));
}

// Persists a follow-up inside the caller's transaction, as persist() does.
result<void> persist_in(Db& db, const CaseId& case_id, const FollowUp& follow_up, std::string_view kind) {
  const auto due_us = to_us(follow_up.due_at_utc);
  {
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::follow_up_get));
    q.bind(follow_up.id.str());
    BOOST_OUTCOME_TRY(bool row, q.step("looking the follow-up up"));
    if (row) {
      if (q.text(0) == case_id.str() && q.text(1) == kind && q.int64(2) == due_us) return success();
      return id_taken(follow_up, q.text(0), q.text(1), q.int64(2), db.label());
    }
  }
  BOOST_OUTCOME_TRY(auto q, db.query(Sql::follow_up_insert));
  q.bind(follow_up.id.str()).bind(case_id.str()).bind(kind).bind(due_us);
  return q.run("storing the follow-up");
}

// A follow-up row's columns (id, case_id, kind, due_at_us), decoded.
result<ClaimedFollowUp> decode_follow_up(const Query& q, std::string_view label) {
  return detail::store::decode_follow_up(q.text(0), q.text(1), q.text(2), q.int64(3), label);
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
    BOOST_OUTCOME_TRY(auto rows, to_rows(header, events, expected_last_seq, state_after));
    const auto new_last = static_cast<std::int64_t>(expected_last_seq + rows.size());

    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
    BOOST_OUTCOME_TRY(auto last, read_last_seq(db, case_id));
    if (last > 0) {
      BOOST_OUTCOME_TRY(auto stored, read_header(db, case_id));
      if (stored && *stored != header) return header_conflict(*stored, header);
    }
    if (static_cast<std::uint64_t>(last) != expected_last_seq) {
      if (last == new_last) {
        BOOST_OUTCOME_TRY(bool retry, is_retry(db, case_id, expected_last_seq, rows));
        if (retry) return static_cast<std::uint64_t>(last);
      }
      return stale(case_id, expected_last_seq, last);
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
        BOOST_OUTCOME_TRY(auto e, decode_event(case_id, q.int64(0), out.size(), q.text(1), q.text(2), db.label()));
        out.push_back(std::move(e));
      }
    }
    if (static_cast<std::int64_t>(out.size()) != last) return short_journal(case_id, last, out.size(), db.label());
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

// --- policy versions ---------------------------------------------------------

result<void> SqliteStore::keep_policy(const PolicyRef& ref, std::string_view document) {
  BOOST_OUTCOME_TRYV(JournalStore::keep_policy(ref, document));
  auto& db = impl_->db;
  return guarded(db.label(), "keep_policy", [&]() -> result<void> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::policy_get));
      q.bind(ref.hash);
      BOOST_OUTCOME_TRY(bool row, q.step("looking the policy up"));
      if (row) {
        if (q.text(2) == document) return success();
        return fail(store_errc::conflict,
                    fmt::format("{}: policy {} is kept with another document", db.label(), ref.hash));
      }
    }
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::policy_insert));
    q.bind(ref.hash).bind(ref.id).bind(ref.version).bind(document);
    BOOST_OUTCOME_TRYV(q.run("keeping the policy"));
    return tx.commit();
  });
}

result<std::optional<std::string>> SqliteStore::policy_document(std::string_view hash) const {
  auto& db = impl_->db;
  return guarded(db.label(), "policy_document", [&]() -> result<std::optional<std::string>> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::policy_get));
    q.bind(hash);
    BOOST_OUTCOME_TRY(bool row, q.step("reading the policy"));
    if (!row) return std::optional<std::string>();
    return std::optional<std::string>(std::string(q.text(2)));
  });
}

result<std::vector<PolicyRef>> SqliteStore::policies() const {
  auto& db = impl_->db;
  return guarded(db.label(), "policies", [&]() -> result<std::vector<PolicyRef>> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::policies_all));
    std::vector<PolicyRef> out;
    for (;;) {
      BOOST_OUTCOME_TRY(bool row, q.step("listing the policies"));
      if (!row) return out;
      out.push_back({std::string(q.text(1)), std::string(q.text(2)), std::string(q.text(0))});
    }
  });
}

result<void> SqliteStore::pin_policy(const CaseId& case_id, std::string_view hash) {
  BOOST_OUTCOME_TRYV(JournalStore::pin_policy(case_id, hash));
  auto& db = impl_->db;
  return guarded(db.label(), "pin_policy", [&]() -> result<void> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::policy_get));
      q.bind(hash);
      BOOST_OUTCOME_TRY(bool row, q.step("looking the policy up"));
      if (!row) return fail(errc::invalid_argument, "hash: no policy is kept under it (keep_policy first)");
    }
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::case_policy_insert));
    q.bind(case_id.str()).bind(hash);
    BOOST_OUTCOME_TRYV(q.run("pinning the case's policy"));
    return tx.commit();
  });
}

result<std::optional<PolicyRef>> SqliteStore::pinned_policy(const CaseId& case_id) const {
  auto& db = impl_->db;
  return guarded(db.label(), "pinned_policy", [&]() -> result<std::optional<PolicyRef>> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::case_policy_get));
    q.bind(case_id.str());
    BOOST_OUTCOME_TRY(bool row, q.step("reading the case's policy"));
    if (!row) return std::optional<PolicyRef>();
    return std::optional<PolicyRef>(PolicyRef{std::string(q.text(1)), std::string(q.text(2)), std::string(q.text(0))});
  });
}

result<void> SqliteStore::persist(const CaseId& case_id, const FollowUp& follow_up) {
  auto& db = impl_->db;
  return guarded(db.label(), "persist", [&]() -> result<void> {
    BOOST_OUTCOME_TRY(auto kind, check_follow_up(follow_up));
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
    BOOST_OUTCOME_TRYV(persist_in(db, case_id, follow_up, kind));
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
    BOOST_OUTCOME_TRYV(check_claim(now_utc, max_count, lease));
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

namespace {

// The number of outbox actions event `seq` of the case has.
result<std::int64_t> count_actions(Db& db, const CaseId& case_id, std::int64_t seq) {
  BOOST_OUTCOME_TRY(auto q, db.query(Sql::outbox_count));
  q.bind(case_id.str()).bind(seq);
  BOOST_OUTCOME_TRY(bool row, q.step("counting the event's actions"));
  return row ? q.int64(0) : 0;
}

// The stored outcome of the case's event `event_id`, if it holds one.
result<std::optional<Committed>> lookup_event_id(Db& db, const CaseId& case_id, std::string_view event_id) {
  std::int64_t stored_seq = 0;
  {
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::event_id_get));
    q.bind(case_id.str()).bind(event_id);
    BOOST_OUTCOME_TRY(bool row, q.step("looking the event id up"));
    if (!row) return std::optional<Committed>();
    stored_seq = q.int64(0);
  }
  BOOST_OUTCOME_TRY(auto count, count_actions(db, case_id, stored_seq));
  return std::optional<Committed>(stored_outcome(case_id, stored_seq, count));
}

}  // namespace

result<std::optional<Committed>> SqliteStore::committed(const CaseId& case_id, std::string_view event_id) const {
  auto& db = impl_->db;
  return guarded(db.label(), "committed", [&]() -> result<std::optional<Committed>> {
    BOOST_OUTCOME_TRYV(check_event_id(event_id));
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::read));
    BOOST_OUTCOME_TRY(auto known, lookup_event_id(db, case_id, event_id));
    BOOST_OUTCOME_TRYV(tx.commit());
    return known;
  });
}

result<Committed> SqliteStore::commit(const CaseHeader& header, const Event& event, const Step& step,
                                      std::uint64_t expected_last_seq, std::optional<std::string_view> event_id) {
  auto& db = impl_->db;
  const CaseId& case_id = header.id;
  return guarded(db.label(), "commit", [&]() -> result<Committed> {
    BOOST_OUTCOME_TRY(auto rows, to_step_rows(header, event, step, expected_last_seq, event_id));
    const auto seq = static_cast<std::int64_t>(expected_last_seq + 1);

    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
    if (event_id) {
      BOOST_OUTCOME_TRY(auto known, lookup_event_id(db, case_id, *event_id));
      if (known) return std::move(*known);
    }
    BOOST_OUTCOME_TRY(auto last, read_last_seq(db, case_id));
    if (last > 0) {
      BOOST_OUTCOME_TRY(auto stored, read_header(db, case_id));
      if (stored && *stored != header) return header_conflict(*stored, header);
    }
    if (static_cast<std::uint64_t>(last) != expected_last_seq) {
      if (last == seq && !event_id) {
        const std::vector<Row> one{rows.event};
        BOOST_OUTCOME_TRY(bool retry, is_retry(db, case_id, expected_last_seq, one));
        if (retry) {
          BOOST_OUTCOME_TRY(auto count, count_actions(db, case_id, seq));
          return stored_outcome(case_id, seq, count);
        }
      }
      return stale(case_id, expected_last_seq, last);
    }
    {
      BOOST_OUTCOME_TRY(auto insert, db.query(Sql::event_insert));
      insert.bind(case_id.str()).bind(seq).bind(rows.event.at_us).bind(rows.event.type).bind(rows.event.body_json);
      BOOST_OUTCOME_TRYV(insert.run("storing the event"));
    }
    {
      BOOST_OUTCOME_TRY(auto upsert, db.query(Sql::case_upsert));
      upsert.bind(case_id.str())
          .bind(std::int64_t{rows.state_after == CaseState::open ? 1 : 0})
          .bind(seq)
          .bind(rows.event.at_us)
          .bind(header.customer.str())
          .bind(header.currency.code())
          .bind(to_us(header.opened_at_utc));
      BOOST_OUTCOME_TRYV(upsert.run("recording the case's last sequence number"));
    }
    if (event_id) {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::event_id_insert));
      q.bind(case_id.str()).bind(*event_id).bind(seq);
      BOOST_OUTCOME_TRYV(q.run("recording the event id"));
    }
    for (const auto& [follow_up, kind] : rows.scheduled) {
      BOOST_OUTCOME_TRYV(persist_in(db, case_id, follow_up, kind));
    }
    if (!rows.cancelled.empty()) {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::follow_up_cancel));
      for (const auto& id : rows.cancelled) {
        q.bind(id.str());
        BOOST_OUTCOME_TRYV(q.run("cancelling a follow-up"));
        q.reset();
      }
    }
    Committed out{static_cast<std::uint64_t>(seq), {}, false};
    if (!rows.actions.empty()) {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::outbox_insert));
      std::int64_t n = 0;
      for (const auto& a : rows.actions) {
        q.bind(a.id).bind(case_id.str()).bind(seq).bind(++n).bind(a.type).bind(a.body_json);
        BOOST_OUTCOME_TRYV(q.run("writing an action to the outbox"));
        q.reset();
      }
    }
    BOOST_OUTCOME_TRYV(tx.commit());
    out.action_ids.reserve(rows.actions.size());
    for (auto& a : rows.actions) out.action_ids.push_back(std::move(a.id));
    return out;
  });
}

result<std::vector<ClaimedAction>> SqliteStore::claim_actions(Instant now_utc, std::size_t max_count,
                                                              const ClaimerId& claimer, Duration lease) {
  auto& db = impl_->db;
  return guarded(db.label(), "claim_actions", [&]() -> result<std::vector<ClaimedAction>> {
    BOOST_OUTCOME_TRYV(check_claim(now_utc, max_count, lease));
    const auto until = now_utc + lease;
    const auto limit = static_cast<std::int64_t>(std::min<std::uint64_t>(max_count, INT64_MAX));

    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
    std::vector<ClaimedAction> out;
    std::vector<std::int64_t> rowids;
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::outbox_due));
      q.bind(to_us(now_utc)).bind(limit);
      for (;;) {
        BOOST_OUTCOME_TRY(bool row, q.step("finding the undelivered actions"));
        if (!row) break;
        BOOST_OUTCOME_TRY(auto a,
                          decode_action(q.text(1), q.text(2), q.int64(3), q.int64(4), q.text(5), q.text(6), db.label()));
        a.lease_until_utc = until;
        rowids.push_back(q.int64(0));
        out.push_back(std::move(a));
      }
    }
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::outbox_claim));
      for (const auto rowid : rowids) {
        q.bind(claimer.str()).bind(to_us(until)).bind(rowid);
        BOOST_OUTCOME_TRYV(q.run("claiming an action"));
        q.reset();
      }
    }
    BOOST_OUTCOME_TRYV(tx.commit());
    return out;
  });
}

result<bool> SqliteStore::acknowledge(std::string_view action_id) {
  auto& db = impl_->db;
  return guarded(db.label(), "acknowledge", [&]() -> result<bool> {
    if (action_id.empty()) return fail(errc::invalid_argument, "action_id: empty");
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::outbox_ack));
    q.bind(action_id);
    BOOST_OUTCOME_TRYV(q.run("acknowledging the action"));
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
