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

// Persists a follow-up, as persist() does, inside the caller's transaction
// when there is one.
result<void> persist_in(Conn& conn, const CaseId& case_id, const FollowUp& follow_up, std::string_view kind) {
  const auto due_us = detail::store::to_us(follow_up.due_at_utc);
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
}

// Records the case's last sequence number and state (and, the first time,
// its header).
result<void> upsert_case(Conn& conn, const CaseHeader& header, CaseState state_after, std::int64_t last,
                         std::int64_t last_at_us) {
  BOOST_OUTCOME_TRYV(conn.run("INSERT INTO cases (case_id, open, last_seq, last_at_us, customer, currency, "
                              "opened_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                              "ON CONFLICT (case_id) DO UPDATE SET open = excluded.open, "
                              "last_seq = excluded.last_seq, last_at_us = excluded.last_at_us",
                              "recording the case's last sequence number",
                              {header.id.str(), state_after == CaseState::open, last, last_at_us,
                               header.customer.str(), header.currency.code(),
                               detail::store::to_us(header.opened_at_utc)},
                              Effect::write));
  return success();
}

// Cancels a pending or claimed follow-up; whether it did.
result<bool> cancel_in(Conn& conn, const FollowUpId& id) {
  BOOST_OUTCOME_TRY(auto rows, conn.run("UPDATE follow_ups SET state = 'cancelled', claimed_by = NULL, "
                                        "lease_until_us = NULL WHERE id = $1 AND state IN ('pending', 'claimed')",
                                        "cancelling the follow-up", {id.str()}, Effect::write));
  return rows.changed() > 0;
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
    BOOST_OUTCOME_TRYV(upsert_case(conn, header, state_after, new_last, rows.back().at_us));
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
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    return persist_in(conn, case_id, follow_up, kind);
  });
}

result<bool> PgStore::cancel(const FollowUpId& id) {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "cancel", [&]() -> result<bool> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    return cancel_in(conn, id);
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

namespace {

// The stored outcome of event `seq` of the case: its actions' count.
result<Committed> stored_outcome(Conn& conn, const CaseId& case_id, std::int64_t seq) {
  BOOST_OUTCOME_TRY(auto rows, conn.run("SELECT count(*) FROM outbox WHERE case_id = $1 AND seq = $2",
                                        "counting the event's actions", {case_id.str(), seq}));
  BOOST_OUTCOME_TRY(auto count, rows.int64(0, 0, conn.label(), "count(outbox)"));
  return detail::store::stored_outcome(case_id, seq, count);
}

// The stored outcome of the case's event `event_id`, if it holds one.
result<std::optional<Committed>> lookup_event_id(Conn& conn, const CaseId& case_id, std::string_view event_id) {
  BOOST_OUTCOME_TRY(auto known, conn.run("SELECT seq FROM event_ids WHERE case_id = $1 AND event_id = $2",
                                         "looking the event id up", {case_id.str(), event_id}));
  if (known.size() == 0) return std::optional<Committed>();
  BOOST_OUTCOME_TRY(auto stored_seq, known.int64(0, 0, conn.label(), "event_ids.seq"));
  BOOST_OUTCOME_TRY(auto outcome, stored_outcome(conn, case_id, stored_seq));
  return std::optional<Committed>(std::move(outcome));
}

}  // namespace

result<std::optional<Committed>> PgStore::committed(const CaseId& case_id, std::string_view event_id) const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "committed", [&]() -> result<std::optional<Committed>> {
    BOOST_OUTCOME_TRYV(detail::store::check_event_id(event_id));
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    return lookup_event_id(conn, case_id, event_id);
  });
}

result<Committed> PgStore::commit(const CaseHeader& header, const Event& event, const Step& step,
                                  std::uint64_t expected_last_seq, std::optional<std::string_view> event_id) {
  auto& conn = impl_->conn;
  const CaseId& case_id = header.id;
  return guarded(conn.label(), "commit", [&]() -> result<Committed> {
    BOOST_OUTCOME_TRY(auto rows, detail::store::to_step_rows(header, event, step, expected_last_seq, event_id));
    const auto seq = static_cast<std::int64_t>(expected_last_seq + 1);

    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(conn));
    BOOST_OUTCOME_TRYV(conn.run("SELECT pg_advisory_xact_lock($1, hashtext($2))", "waiting for the case's lock",
                                {detail::pg::kCaseLock, case_id.str()}));
    if (event_id) {
      BOOST_OUTCOME_TRY(auto known, lookup_event_id(conn, case_id, *event_id));
      if (known) return std::move(*known);
    }
    BOOST_OUTCOME_TRY(auto last, read_last_seq(conn, case_id));
    if (last > 0) {
      BOOST_OUTCOME_TRY(auto stored, read_header(conn, case_id));
      if (stored && *stored != header) return detail::store::header_conflict(*stored, header);
    }
    if (static_cast<std::uint64_t>(last) != expected_last_seq) {
      if (last == seq && !event_id) {
        BOOST_OUTCOME_TRY(bool retry, is_retry(conn, case_id, expected_last_seq, {rows.event}));
        if (retry) return stored_outcome(conn, case_id, seq);
      }
      return detail::store::stale(case_id, expected_last_seq, last);
    }
    BOOST_OUTCOME_TRYV(insert_events(conn, case_id, seq, {rows.event}));
    BOOST_OUTCOME_TRYV(upsert_case(conn, header, rows.state_after, seq, rows.event.at_us));
    if (event_id) {
      BOOST_OUTCOME_TRYV(conn.run("INSERT INTO event_ids (case_id, event_id, seq) VALUES ($1, $2, $3)",
                                  "recording the event id", {case_id.str(), *event_id, seq}, Effect::write));
    }
    for (const auto& [follow_up, kind] : rows.scheduled) {
      BOOST_OUTCOME_TRYV(persist_in(conn, case_id, follow_up, kind));
    }
    for (const auto& id : rows.cancelled) {
      BOOST_OUTCOME_TRYV(cancel_in(conn, id));
    }
    for (std::size_t begin = 0; begin < rows.actions.size(); begin += kRowsPerInsert) {
      const auto end = std::min(rows.actions.size(), begin + kRowsPerInsert);
      std::string sql = "INSERT INTO outbox (case_id, seq, id, n, type, body_json, state) VALUES ";
      std::vector<Param> params{case_id.str(), seq};
      params.reserve(2 + 4 * (end - begin));
      for (std::size_t k = begin; k < end; ++k) {
        const auto p = params.size();
        sql += fmt::format("{}($1, $2, ${}, ${}, ${}, ${}, 'pending')", k == begin ? "" : ", ", p + 1, p + 2, p + 3,
                           p + 4);
        params.emplace_back(rows.actions[k].id);
        params.emplace_back(static_cast<std::int64_t>(k + 1));
        params.emplace_back(rows.actions[k].type);
        params.emplace_back(rows.actions[k].body_json);
      }
      BOOST_OUTCOME_TRYV(conn.run(sql, "writing the actions to the outbox", params, Effect::write));
    }
    BOOST_OUTCOME_TRYV(tx.commit());
    Committed out{static_cast<std::uint64_t>(seq), {}, false};
    out.action_ids.reserve(rows.actions.size());
    for (auto& a : rows.actions) out.action_ids.push_back(std::move(a.id));
    return out;
  });
}

result<std::vector<ClaimedAction>> PgStore::claim_actions(Instant now_utc, std::size_t max_count,
                                                          const ClaimerId& claimer, Duration lease) {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "claim_actions", [&]() -> result<std::vector<ClaimedAction>> {
    BOOST_OUTCOME_TRYV(detail::store::check_claim(now_utc, max_count, lease));
    const auto until = now_utc + lease;
    const auto limit = static_cast<std::int64_t>(std::min<std::uint64_t>(max_count, INT64_MAX));
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    // Rows another claimer is taking at this moment are skipped, not waited for.
    BOOST_OUTCOME_TRY(
        auto rows,
        conn.run("UPDATE outbox o SET state = 'claimed', claimed_by = $1, lease_until_us = $2 "
                 "FROM (SELECT pos FROM outbox "
                 "      WHERE state = 'pending' OR (state = 'claimed' AND lease_until_us <= $3) "
                 "      ORDER BY pos LIMIT $4 FOR UPDATE SKIP LOCKED) due "
                 "WHERE o.pos = due.pos RETURNING o.pos, o.id, o.case_id, o.seq, o.n, o.type, o.body_json",
                 "claiming the undelivered actions",
                 {claimer.str(), detail::store::to_us(until), detail::store::to_us(now_utc), limit}, Effect::write));
    std::vector<std::pair<std::int64_t, ClaimedAction>> claimed;
    claimed.reserve(static_cast<std::size_t>(rows.size()));
    for (int r = 0; r < rows.size(); ++r) {
      BOOST_OUTCOME_TRY(auto pos, rows.int64(r, 0, conn.label(), "outbox.pos"));
      BOOST_OUTCOME_TRY(auto seq, rows.int64(r, 3, conn.label(), "outbox.seq"));
      BOOST_OUTCOME_TRY(auto n, rows.int64(r, 4, conn.label(), "outbox.n"));
      BOOST_OUTCOME_TRY(auto a, detail::store::decode_action(rows.text(r, 1), rows.text(r, 2), seq, n, rows.text(r, 5),
                                                             rows.text(r, 6), conn.label()));
      a.lease_until_utc = until;
      claimed.emplace_back(pos, std::move(a));
    }
    // RETURNING keeps no order.
    std::sort(claimed.begin(), claimed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<ClaimedAction> out;
    out.reserve(claimed.size());
    for (auto& c : claimed) out.push_back(std::move(c.second));
    return out;
  });
}

result<bool> PgStore::acknowledge(std::string_view action_id) {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "acknowledge", [&]() -> result<bool> {
    if (action_id.empty()) return fail(errc::invalid_argument, "action_id: empty");
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto rows, conn.run("UPDATE outbox SET state = 'done', lease_until_us = NULL "
                                          "WHERE id = $1 AND state <> 'done'",
                                          "acknowledging the action", {action_id}, Effect::write));
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
