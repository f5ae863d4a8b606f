#include <redress/pg_store.hpp>

#include <algorithm>
#include <mutex>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "conn.hpp"
#include "store/store_rows.hpp"

namespace redress {
inline namespace v1 {

using detail::fail;
using detail::pg::Conn;
using detail::pg::Effect;
using detail::pg::Param;
using detail::pg::Rows;
using detail::pg::Transaction;
using detail::store::guarded;
using detail::store::Row;

struct PgStore::Impl {
  explicit Impl(Conn conn) : conn(std::move(conn)) {}
  Conn conn;
  std::mutex mutex;
};

namespace {

using boost::outcome_v2::success;

// The rows of one INSERT: PostgreSQL takes at most 65535 parameters.
constexpr std::size_t kRowsPerInsert = 1000;

// Takes the connection for one call, reconnecting it first when it was lost.
template <class Impl>
result<std::unique_lock<std::mutex>> take(Impl& impl) {
  std::unique_lock lock(impl.mutex);
  BOOST_OUTCOME_TRYV(impl.conn.ready());
  return lock;
}

// The case's stored header; nullopt when the store has no row for it.
result<std::optional<CaseHeader>> read_header(Conn& conn, const CaseId& case_id) {
  BOOST_OUTCOME_TRY(auto rows, conn.run("SELECT customer, currency, opened_at_us FROM cases WHERE case_id = $1",
                                        "reading the case's header", {case_id.str()}));
  if (rows.size() == 0) return std::optional<CaseHeader>();
  BOOST_OUTCOME_TRY(auto opened_us,
                    rows.int64(0, 2, conn.label(), fmt::format("cases[\"{}\"].opened_at_us", case_id.str())));
  BOOST_OUTCOME_TRY(auto header,
                    detail::store::decode_header(case_id, rows.text(0, 0), rows.text(0, 1), opened_us, conn.label()));
  return std::optional<CaseHeader>(std::move(header));
}

result<std::int64_t> read_last_seq(Conn& conn, const CaseId& case_id) {
  BOOST_OUTCOME_TRY(auto rows, conn.run("SELECT last_seq FROM cases WHERE case_id = $1",
                                        "reading the case's last sequence number", {case_id.str()}));
  if (rows.size() == 0) return 0;
  return rows.int64(0, 0, conn.label(), fmt::format("cases[\"{}\"].last_seq", case_id.str()));
}

// Whether the case already holds exactly `rows` after `expected_last_seq`:
// a batch retried after its first attempt was stored.
result<bool> is_retry(Conn& conn, const CaseId& case_id, std::uint64_t expected_last_seq,
                      const std::vector<Row>& rows) {
  BOOST_OUTCOME_TRY(auto stored, conn.run("SELECT body_json FROM events WHERE case_id = $1 AND seq > $2 ORDER BY seq",
                                          "reading the case's last events",
                                          {case_id.str(), static_cast<std::int64_t>(expected_last_seq)}));
  if (static_cast<std::size_t>(stored.size()) != rows.size()) return false;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    if (stored.text(static_cast<int>(k), 0) != rows[k].body_json) return false;
  }
  return true;
}

// Stores `rows` as the case's events `first_seq` onwards.
result<void> insert_events(Conn& conn, const CaseId& case_id, std::int64_t first_seq, const std::vector<Row>& rows) {
  for (std::size_t begin = 0; begin < rows.size(); begin += kRowsPerInsert) {
    const auto end = std::min(rows.size(), begin + kRowsPerInsert);
    std::string sql = "INSERT INTO events (case_id, seq, at_us, type, body_json) VALUES ";
    std::vector<Param> params{case_id.str()};
    params.reserve(1 + 4 * (end - begin));
    for (std::size_t k = begin; k < end; ++k) {
      const auto n = params.size();
      sql += fmt::format("{}($1, ${}, ${}, ${}, ${})", k == begin ? "" : ", ", n + 1, n + 2, n + 3, n + 4);
      params.emplace_back(first_seq + static_cast<std::int64_t>(k));
      params.emplace_back(rows[k].at_us);
      params.emplace_back(rows[k].type);
      params.emplace_back(rows[k].body_json);
    }
    BOOST_OUTCOME_TRYV(conn.run(sql, "storing the events", params, Effect::write));
  }
  return success();
}

result<std::vector<CaseId>> list_cases(Conn& conn, std::string_view sql, std::string_view what) {
  BOOST_OUTCOME_TRY(auto rows, conn.run(sql, what));
  std::vector<CaseId> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int r = 0; r < rows.size(); ++r) {
    auto id = CaseId::make(rows.text(r, 0));
    if (!id) return detail::store::corrupt(conn.label(), "cases.case_id");
    out.push_back(std::move(id).value());
  }
  return out;
}

}  // namespace

PgStore::PgStore(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
PgStore::PgStore(PgStore&& other) noexcept = default;
PgStore& PgStore::operator=(PgStore&& other) noexcept = default;
PgStore::~PgStore() = default;

const std::string& PgStore::name() const noexcept { return impl_->conn.name(); }

result<PgStore> PgStore::open(std::string_view conninfo, PgOptions options) {
  return guarded("PostgreSQL store", "open", [&]() -> result<PgStore> {
    BOOST_OUTCOME_TRY(auto conn, Conn::connect(conninfo, options));
    BOOST_OUTCOME_TRYV(detail::pg::prepare_schema(conn));
    return PgStore(std::make_unique<Impl>(std::move(conn)));
  });
}

result<std::uint64_t> PgStore::append(const CaseHeader& header, std::span<const Event> events,
                                      std::uint64_t expected_last_seq, CaseState state_after) {
  auto& conn = impl_->conn;
  const CaseId& case_id = header.id;
  return guarded(conn.label(), "append", [&]() -> result<std::uint64_t> {
    BOOST_OUTCOME_TRY(auto rows, detail::store::to_rows(header, events, expected_last_seq, state_after));
    const auto new_last = static_cast<std::int64_t>(expected_last_seq + rows.size());

    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(conn));
    // Appends to one case wait for each other; a new case has no row to lock.
    BOOST_OUTCOME_TRYV(conn.run("SELECT pg_advisory_xact_lock($1, hashtext($2))", "waiting for the case's lock",
                                {detail::pg::kCaseLock, case_id.str()}));
    BOOST_OUTCOME_TRY(auto last, read_last_seq(conn, case_id));
    if (last > 0) {
      BOOST_OUTCOME_TRY(auto stored, read_header(conn, case_id));
      if (stored && *stored != header) return detail::store::header_conflict(*stored, header);
    }
    if (static_cast<std::uint64_t>(last) != expected_last_seq) {
      if (last == new_last) {
        BOOST_OUTCOME_TRY(bool retry, is_retry(conn, case_id, expected_last_seq, rows));
        if (retry) return static_cast<std::uint64_t>(last);
      }
      return detail::store::stale(case_id, expected_last_seq, last);
    }
    BOOST_OUTCOME_TRYV(insert_events(conn, case_id, static_cast<std::int64_t>(expected_last_seq) + 1, rows));
    BOOST_OUTCOME_TRYV(conn.run("INSERT INTO cases (case_id, open, last_seq, last_at_us, customer, currency, "
                                "opened_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                                "ON CONFLICT (case_id) DO UPDATE SET open = excluded.open, "
                                "last_seq = excluded.last_seq, last_at_us = excluded.last_at_us",
                                "recording the case's last sequence number",
                                {case_id.str(), state_after == CaseState::open, new_last, rows.back().at_us,
                                 header.customer.str(), header.currency.code(),
                                 detail::store::to_us(header.opened_at_utc)},
                                Effect::write));
    BOOST_OUTCOME_TRYV(tx.commit());
    return static_cast<std::uint64_t>(new_last);
  });
}

result<std::vector<Event>> PgStore::events(const CaseId& case_id) const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "events", [&]() -> result<std::vector<Event>> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(conn, Transaction::Mode::snapshot));
    BOOST_OUTCOME_TRY(auto last, read_last_seq(conn, case_id));
    BOOST_OUTCOME_TRY(auto rows, conn.run("SELECT seq, type, body_json FROM events WHERE case_id = $1 ORDER BY seq",
                                          "reading the case's events", {case_id.str()}));
    std::vector<Event> out;
    out.reserve(static_cast<std::size_t>(rows.size()));
    for (int r = 0; r < rows.size(); ++r) {
      BOOST_OUTCOME_TRY(auto seq, rows.int64(r, 0, conn.label(), fmt::format("events[case \"{}\"].seq", case_id.str())));
      BOOST_OUTCOME_TRY(auto e, detail::store::decode_event(case_id, seq, out.size(), rows.text(r, 1),
                                                            rows.text(r, 2), conn.label()));
      out.push_back(std::move(e));
    }
    if (static_cast<std::int64_t>(out.size()) != last) {
      return detail::store::short_journal(case_id, last, out.size(), conn.label());
    }
    BOOST_OUTCOME_TRYV(tx.commit());
    return out;
  });
}

result<std::uint64_t> PgStore::last_seq(const CaseId& case_id) const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "last_seq", [&]() -> result<std::uint64_t> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto last, read_last_seq(conn, case_id));
    if (last < 0) {
      return fail(store_errc::corrupt_store,
                  fmt::format("{}: cases[\"{}\"].last_seq: {} is negative", conn.label(), case_id.str(), last));
    }
    return static_cast<std::uint64_t>(last);
  });
}

result<std::optional<CaseHeader>> PgStore::header(const CaseId& case_id) const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "header", [&]() -> result<std::optional<CaseHeader>> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    return read_header(conn, case_id);
  });
}

result<std::vector<CaseId>> PgStore::open_cases() const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "open_cases", [&]() -> result<std::vector<CaseId>> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    return list_cases(conn, "SELECT case_id FROM cases WHERE open ORDER BY case_id", "listing the open cases");
  });
}

result<std::vector<CaseId>> PgStore::cases() const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "cases", [&]() -> result<std::vector<CaseId>> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    return list_cases(conn, "SELECT case_id FROM cases ORDER BY case_id", "listing the cases");
  });
}

result<void> PgStore::persist(const CaseId& case_id, const FollowUp& follow_up) {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "persist", [&]() -> result<void> {
    BOOST_OUTCOME_TRY(auto kind, detail::store::check_follow_up(follow_up));
    const auto due_us = detail::store::to_us(follow_up.due_at_utc);
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    // One statement: a concurrent persist of the same id waits for this one
    // and then finds its row.
    BOOST_OUTCOME_TRY(auto inserted,
                      conn.run("INSERT INTO follow_ups (id, case_id, kind, due_at_us, state) "
                               "VALUES ($1, $2, $3, $4, 'pending') ON CONFLICT (id) DO NOTHING",
                               "storing the follow-up", {follow_up.id.str(), case_id.str(), kind, due_us},
                               Effect::write));
    if (inserted.changed() == 1) return success();
    BOOST_OUTCOME_TRY(auto kept, conn.run("SELECT case_id, kind, due_at_us FROM follow_ups WHERE id = $1",
                                          "looking the follow-up up", {follow_up.id.str()}));
    if (kept.size() != 1) {
      return fail(store_errc::corrupt_store,
                  fmt::format("{}: follow_ups[{}]: neither stored nor found", conn.label(), follow_up.id.str()));
    }
    BOOST_OUTCOME_TRY(auto kept_due, kept.int64(0, 2, conn.label(), "follow_ups.due_at_us"));
    if (kept.text(0, 0) == case_id.str() && kept.text(0, 1) == kind && kept_due == due_us) return success();
    return detail::store::id_taken(follow_up, kept.text(0, 0), kept.text(0, 1), kept_due, conn.label());
  });
}

result<bool> PgStore::cancel(const FollowUpId& id) {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "cancel", [&]() -> result<bool> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto rows, conn.run("UPDATE follow_ups SET state = 'cancelled', claimed_by = NULL, "
                                          "lease_until_us = NULL WHERE id = $1 AND state IN ('pending', 'claimed')",
                                          "cancelling the follow-up", {id.str()}, Effect::write));
    return rows.changed() > 0;
  });
}

result<std::vector<ClaimedFollowUp>> PgStore::claim_due(Instant now_utc, std::size_t max_count,
                                                        const ClaimerId& claimer, Duration lease) {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "claim_due", [&]() -> result<std::vector<ClaimedFollowUp>> {
    BOOST_OUTCOME_TRYV(detail::store::check_claim(now_utc, max_count, lease));
    const auto until = now_utc + lease;
    const auto limit = static_cast<std::int64_t>(std::min<std::uint64_t>(max_count, INT64_MAX));
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    // Rows another claimer is taking at this moment are skipped, not waited
    // for; one statement, so one transaction.
    BOOST_OUTCOME_TRY(
        auto rows,
        conn.run("UPDATE follow_ups f SET state = 'claimed', claimed_by = $1, lease_until_us = $2 "
                 "FROM (SELECT id FROM follow_ups "
                 "      WHERE (state = 'pending' AND due_at_us <= $3) OR (state = 'claimed' AND lease_until_us <= $3) "
                 "      ORDER BY due_at_us, id LIMIT $4 FOR UPDATE SKIP LOCKED) due "
                 "WHERE f.id = due.id RETURNING f.id, f.case_id, f.kind, f.due_at_us",
                 "claiming the due follow-ups",
                 {claimer.str(), detail::store::to_us(until), detail::store::to_us(now_utc), limit}, Effect::write));
    std::vector<ClaimedFollowUp> out;
    out.reserve(static_cast<std::size_t>(rows.size()));
    for (int r = 0; r < rows.size(); ++r) {
      BOOST_OUTCOME_TRY(auto due_us, rows.int64(r, 3, conn.label(), "follow_ups.due_at_us"));
      BOOST_OUTCOME_TRY(auto claimed, detail::store::decode_follow_up(rows.text(r, 0), rows.text(r, 1),
                                                                      rows.text(r, 2), due_us, conn.label()));
      claimed.lease_until_utc = until;
      out.push_back(std::move(claimed));
    }
    // RETURNING keeps no order.
    std::sort(out.begin(), out.end(), [](const ClaimedFollowUp& a, const ClaimedFollowUp& b) {
      return std::pair(a.follow_up.due_at_utc, std::string_view(a.follow_up.id.str())) <
             std::pair(b.follow_up.due_at_utc, std::string_view(b.follow_up.id.str()));
    });
    return out;
  });
}

result<bool> PgStore::complete(const FollowUpId& id, const ClaimerId& claimer) {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "complete", [&]() -> result<bool> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto rows, conn.run("UPDATE follow_ups SET state = 'done', lease_until_us = NULL "
                                          "WHERE id = $1 AND state = 'claimed' AND claimed_by = $2",
                                          "completing the follow-up", {id.str(), claimer.str()}, Effect::write));
    return rows.changed() > 0;
  });
}

result<void> PgStore::check_integrity() const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "check_integrity", [&]() -> result<void> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(
        auto rows,
        conn.run("(SELECT 'case \"' || c.case_id || '\": last_seq ' || c.last_seq || ', events stored ' || "
                 "count(e.seq) || ', highest seq ' || coalesce(max(e.seq), 0) FROM cases c LEFT JOIN events e "
                 "USING (case_id) GROUP BY c.case_id, c.last_seq "
                 "HAVING count(e.seq) != c.last_seq OR coalesce(max(e.seq), 0) != c.last_seq) "
                 "UNION ALL (SELECT 'events of case \"' || case_id || '\" without a case row' FROM events "
                 "WHERE case_id NOT IN (SELECT case_id FROM cases) GROUP BY case_id) LIMIT 10",
                 "checking every case's events"));
    std::string problems;
    for (int r = 0; r < rows.size(); ++r) problems += fmt::format("{}{}", problems.empty() ? "" : "; ", rows.text(r, 0));
    if (!problems.empty()) {
      return fail(store_errc::corrupt_store, fmt::format("{}: the store is damaged: {}", conn.label(), problems));
    }
    return success();
  });
}

}  // namespace v1
}  // namespace redress
